package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
	zlog "github.com/rs/zerolog/log"

	"github.com/anklet/anklet/engine/config"
)

// EnvLogLevel is the environment variable that sets the log level.
const EnvLogLevel = "LOG_LEVEL"

// LogOptions configure [SetupLogging].
type LogOptions struct {
	// Name is the log file's base name: <Name>.log. Default "anklet".
	Name string
	// Version is logged as ankletVersion on every line.
	Version string
	// Level is the LOG_LEVEL value; see [ParseLevel]. Default INFO.
	Level string
	// Stdout receives every line as well as the file. Default os.Stdout.
	Stdout io.Writer
}

// Logging holds the process's loggers and the files behind them.
type Logging struct {
	// Logger is the base logger: JSON lines with time, level, msg and
	// ankletVersion, written to stdout and <log.file_dir>/<name>.log.
	Logger zerolog.Logger
	// Scrubber sits in front of every output; plugins register secrets
	// learned at run time (JIT configs, registration tokens) with it.
	Scrubber *Scrubber

	level   zerolog.Level
	dir     string
	split   bool
	version string
	outputs io.Writer // stdout and main file, not scrubbed

	mu    sync.Mutex
	files []*os.File
}

var setGlobals sync.Once

// ParseLevel reads a LOG_LEVEL value: DEBUG, INFO (the default for ""),
// WARN, ERROR, or dev for coloured human-readable console output at DEBUG
// (DEBUG-PRETTY is accepted as dev). Case does not matter.
func ParseLevel(s string) (level zerolog.Level, dev bool, err error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "", "INFO":
		return zerolog.InfoLevel, false, nil
	case "DEBUG":
		return zerolog.DebugLevel, false, nil
	case "WARN", "WARNING":
		return zerolog.WarnLevel, false, nil
	case "ERROR":
		return zerolog.ErrorLevel, false, nil
	case "DEV", "DEBUG-PRETTY":
		return zerolog.DebugLevel, true, nil
	}
	return zerolog.InfoLevel, false,
		fmt.Errorf("%s %q is not one of DEBUG, INFO, WARN, ERROR, dev", EnvLogLevel, s)
}

// SetupLogging opens <log.file_dir>/<name>.log (appending) and builds the
// base logger. Every output goes through a [Scrubber] that knows the
// configuration's secrets and the contents of its private key files. It
// fails when the level is unknown or the log directory does not exist.
// It also makes the logger zerolog's global one, for code without its own.
func SetupLogging(cfg *config.Config, opts LogOptions) (*Logging, error) {
	level, dev, err := ParseLevel(opts.Level)
	if err != nil {
		return nil, err
	}
	if opts.Name == "" {
		opts.Name = "anklet"
	}
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	setGlobals.Do(func() {
		zerolog.MessageFieldName = "msg"
		zerolog.TimeFieldFormat = "2006-01-02T15:04:05.000Z07:00"
	})

	l := &Logging{level: level, dir: cfg.Log.FileDir, split: cfg.Log.SplitByPlugin,
		version: opts.Version}
	file, err := l.open(opts.Name + ".log")
	if err != nil {
		return nil, err
	}
	var stdout io.Writer = opts.Stdout
	if dev {
		stdout = zerolog.ConsoleWriter{Out: opts.Stdout, TimeFormat: time.TimeOnly}
	}
	l.outputs = zerolog.MultiLevelWriter(stdout, file)
	l.Scrubber = NewScrubber(l.outputs, secretsOf(cfg)...)
	l.Logger = zerolog.New(l.Scrubber).Level(level).With().Timestamp().
		Str("ankletVersion", opts.Version).Logger()
	zlog.Logger = l.Logger
	redis.SetLogger(redisLog{l.Logger.With().Str("component", "go-redis").Logger()})
	return l, nil
}

// ForPlugin returns the logger of plugin p: the base logger with
// pluginName, plugin, owner and repo. With log.split_by_plugin it also
// writes every line, at DEBUG, to anklet-<name>.log.
func (l *Logging) ForPlugin(p config.Plugin) (zerolog.Logger, error) {
	log := l.Logger
	if l.split {
		file, err := l.open("anklet-" + fileSafe(p.Name) + ".log")
		if err != nil {
			return zerolog.Logger{}, err
		}
		filtered := &zerolog.FilteredLevelWriter{
			Writer: zerolog.LevelWriterAdapter{Writer: l.outputs}, Level: l.level}
		w := l.Scrubber.Wrap(zerolog.MultiLevelWriter(filtered, file))
		log = zerolog.New(w).Level(min(l.level, zerolog.DebugLevel)).With().Timestamp().
			Str("ankletVersion", l.version).Logger()
	}
	return log.With().Str("pluginName", p.Name).Str("plugin", p.Kind).
		Str("owner", p.Owner).Str("repo", p.Repo).Logger(), nil
}

// Close closes the log files. Lines logged afterwards still reach stdout
// but are lost from the files.
func (l *Logging) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var errs []error
	for _, f := range l.files {
		errs = append(errs, f.Close())
	}
	l.files = nil
	return errors.Join(errs...)
}

func (l *Logging) open(name string) (*os.File, error) {
	if info, err := os.Stat(l.dir); err != nil || !info.IsDir() {
		return nil, fmt.Errorf("log directory %s does not exist (log.file_dir)", l.dir)
	}
	path := filepath.Join(l.dir, name)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("open log file: %w", err)
	}
	l.mu.Lock()
	l.files = append(l.files, f)
	l.mu.Unlock()
	return f, nil
}

// fileSafe keeps a plugin name from leaving the log directory.
func fileSafe(name string) string {
	return strings.NewReplacer("/", "_", "\\", "_", "..", "_").Replace(name)
}

// secretsOf lists the configuration's secrets and, for private keys given
// as paths, the keys themselves, in case code logs a key it has read.
func secretsOf(cfg *config.Config) []string {
	secrets := cfg.Secrets()
	paths := map[string]bool{cfg.GlobalPrivateKey: true}
	for _, p := range cfg.Plugins {
		paths[p.PrivateKey] = true
	}
	for path := range paths {
		if path == "" || strings.HasPrefix(strings.TrimSpace(path), "-----BEGIN") {
			continue
		}
		if b, err := os.ReadFile(path); err == nil {
			secrets = append(secrets, string(b))
		}
	}
	return secrets
}

// redisLog sends go-redis's own messages (pool and reconnect trouble) to the
// daemon's log as warnings, through the scrubber, instead of to stderr.
type redisLog struct{ log zerolog.Logger }

func (r redisLog) Printf(_ context.Context, format string, v ...any) {
	r.log.Warn().Msgf(format, v...)
}
