package daemon

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/rs/zerolog"

	"github.com/anklet/anklet/engine/config"
	"github.com/anklet/anklet/engine/metrics"
)

// DefaultHardStop is how long [Run] waits for plugins after cancelling them
// before it gives up on them and exits.
const DefaultHardStop = 10 * time.Second

// Options configure [Run].
type Options struct {
	// Name names the pid file (<Name>.pid) and the log file (<Name>.log).
	// Default "anklet".
	Name string
	// Version is logged as ankletVersion.
	Version string
	// LogLevel is the LOG_LEVEL value; see [ParseLevel].
	LogLevel string
	// Stdout receives the log lines as well as the log file. Default
	// os.Stdout.
	Stdout io.Writer
	// Kinds, when not empty, are the plugin kinds this binary runs; entries
	// of other kinds are logged and skipped.
	Kinds []string
	// Metrics is handed to plugin factories as [Env].Metrics. Default: a
	// new registry named after the host and the process id.
	Metrics *metrics.Registry
	// HardStop overrides [DefaultHardStop].
	HardStop time.Duration
}

// Run is the daemon: it sets up logging, takes the pid file, builds the
// plugins from the registry (or the aggregator, in aggregator mode) and
// supervises them until a signal stops them. It returns the process exit
// code: 0 after a clean shutdown, 1 when startup failed or the shutdown had
// to cancel plugins.
func Run(parent context.Context, cfg *config.Config, opts Options) int {
	if opts.Name == "" {
		opts.Name = "anklet"
	}
	logs, err := SetupLogging(cfg, LogOptions{Name: opts.Name, Version: opts.Version,
		Level: opts.LogLevel, Stdout: opts.Stdout})
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", opts.Name, err)
		return 1
	}
	defer logs.Close()
	log := logs.Logger

	log.Info().Object("config", cfg).Msg("loaded config")
	for _, w := range cfg.Warnings {
		log.Warn().Msg(w)
	}
	if err := os.MkdirAll(cfg.WorkDir, 0o755); err != nil {
		log.Error().Err(err).Msg("cannot create work_dir")
		return 1
	}
	if err := os.MkdirAll(cfg.PidFileDir, 0o755); err != nil {
		log.Error().Err(err).Msg("cannot create pid_file_dir")
		return 1
	}
	pid, err := AcquirePidFile(filepath.Join(cfg.PidFileDir, opts.Name+".pid"))
	if err != nil {
		log.Error().Err(err).Msg("cannot take the pid file")
		return 1
	}
	defer func() {
		if err := pid.Release(); err != nil {
			log.Warn().Err(err).Msg("cannot remove the pid file")
		}
	}()
	if pid.ReplacedAlive {
		log.Warn().Int("pid", pid.Replaced).Str("pid_file", pid.Path()).
			Msg("pid file named a live process that did not hold its lock; replaced it")
	}

	ctx, stopping, release := WatchSignals(parent, log,
		time.Duration(cfg.ShutdownTimeoutSeconds)*time.Second)
	defer release()

	sup := &Supervisor{}
	if err := addPlugins(sup, cfg, logs, opts); err != nil {
		log.Error().Err(err).Msg("cannot start")
		return 1
	}
	log.Info().Int("plugins", sup.Len()).Int("pid", os.Getpid()).Str("host", cfg.HostID).
		Msg("anklet started")

	code := supervise(ctx, stopping, sup, log, opts.HardStop)
	log.Info().Int("exit_code", code).Msg("anklet shut down")
	return code
}

// addPlugins builds what this process runs: the services, then either the
// aggregator or the configured plugins of the kinds this binary runs.
func addPlugins(sup *Supervisor, cfg *config.Config, logs *Logging, opts Options) error {
	reg := opts.Metrics
	if reg == nil {
		reg = metrics.NewRegistry(metrics.Options{
			Instance: fmt.Sprintf("%s-%d", cfg.HostID, os.Getpid()),
			Host:     cfg.HostID,
			Logger:   logs.Logger,
		})
	}
	env := Env{Config: cfg, Log: logs.Logger, HostID: cfg.HostID, Metrics: reg,
		Secrets: logs.Scrubber}
	services, err := newServices(env)
	if err != nil {
		return err
	}
	aggregate := cfg.Metrics.Aggregator && len(opts.Kinds) == 0
	services = append(services, metricsServices(env, aggregate)...)
	for _, s := range services {
		sup.Add(s, logs.Logger.With().Str("service", s.Name()).Logger())
	}

	if aggregate {
		if len(cfg.Plugins) > 0 {
			logs.Logger.Warn().Int("plugins", len(cfg.Plugins)).
				Msg("metrics.aggregator is true: the configured plugins do not run")
		}
		return nil
	}

	for _, p := range cfg.Plugins {
		if len(opts.Kinds) > 0 && !slices.Contains(opts.Kinds, p.Kind) {
			logs.Logger.Info().Str("pluginName", p.Name).Str("plugin", p.Kind).
				Msg("skipping plugin: this binary does not run its kind")
			continue
		}
		plog, err := logs.ForPlugin(p)
		if err != nil {
			return err
		}
		penv := env
		penv.Log = plog
		plugin, err := NewPlugin(penv, p)
		if err != nil {
			return err
		}
		sup.Add(plugin, plog)
	}
	return nil
}

// supervise runs the plugins (or, with none, waits for the first signal)
// and turns the outcome into an exit code. Once ctx is cancelled it waits
// at most hardStop for plugins that ignore the cancellation.
func supervise(ctx context.Context, stopping <-chan struct{}, sup *Supervisor,
	log zerolog.Logger, hardStop time.Duration) int {
	if hardStop <= 0 {
		hardStop = DefaultHardStop
	}
	if sup.Len() == 0 {
		log.Warn().Msg("nothing to run; waiting for a signal")
	}

	done := make(chan error, 1)
	go func() {
		if sup.Len() == 0 {
			select {
			case <-stopping:
			case <-ctx.Done():
			}
		}
		done <- sup.Run(ctx, stopping)
	}()

	select {
	case err := <-done:
		return exitCode(err, log)
	case <-ctx.Done():
	}
	timer := time.NewTimer(hardStop)
	defer timer.Stop()
	select {
	case err := <-done:
		return exitCode(err, log)
	case <-timer.C:
		log.Error().Dur("waited", hardStop).Msg("plugins did not return after being cancelled")
		return 1
	}
}

func exitCode(err error, log zerolog.Logger) int {
	if err != nil {
		log.Warn().Err(err).Msg("shutdown cancelled the plugins")
		return 1
	}
	return 0
}
