// Package anka drives the Anka virtualization CLI. Every call runs
// `anka -j <command> …`, parses the one-line JSON envelope the CLI prints
// ({status, body, message, code, exception_type}), and returns typed bodies
// or an *Error that callers test with errors.Is against ErrNotFound,
// ErrExists, ErrMaxRunning, ErrTimeout and ErrBadOutput.
//
// Each call runs in its own process group under a deadline; when the
// deadline passes or the context is canceled the whole group is killed.
// Secrets never travel on the command line: Run hands them to the guest in
// an env file that only the current user can read and that is removed when
// the call returns.
package anka

import (
	"context"
	"os"
	"time"

	"github.com/rs/zerolog"
)

// Defaults for Options.
const (
	DefaultPath             = "anka"
	DefaultTimeout          = 2 * time.Minute
	DefaultRunTimeout       = 30 * time.Minute
	DefaultPullTimeout      = 2 * time.Hour
	DefaultProgressInterval = 10 * time.Second
)

// Options configures a CLI. Zero fields take the defaults above.
type Options struct {
	// Path is the anka executable; default "anka", looked up on PATH.
	Path string
	// Timeout bounds each call other than Run and Pull; default 2 min.
	Timeout time.Duration
	// RunTimeout bounds each Run; default 30 min.
	RunTimeout time.Duration
	// PullTimeout bounds each Pull; default 2 h.
	PullTimeout time.Duration
	// ProgressInterval is how often a call still running logs
	// "anka: still running" (subcommand and VM only); default 10 s.
	ProgressInterval time.Duration
	// Logger receives debug and progress lines; the zero value logs nothing.
	Logger zerolog.Logger
	// Env is appended to this process's environment for every call.
	Env []string
	// TempDir holds the private directories of Run's env files; default
	// os.TempDir().
	TempDir string
}

// CLI runs the anka executable. It holds no state between calls and is safe
// for concurrent use.
type CLI struct {
	opts Options
	log  zerolog.Logger
}

// New returns a CLI with opts, filling in defaults.
func New(opts Options) *CLI {
	if opts.Path == "" {
		opts.Path = DefaultPath
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.RunTimeout <= 0 {
		opts.RunTimeout = DefaultRunTimeout
	}
	if opts.PullTimeout <= 0 {
		opts.PullTimeout = DefaultPullTimeout
	}
	if opts.ProgressInterval <= 0 {
		opts.ProgressInterval = DefaultProgressInterval
	}
	if opts.TempDir == "" {
		opts.TempDir = os.TempDir()
	}
	return &CLI{opts: opts, log: opts.Logger}
}

// Path is the executable the CLI runs.
func (c *CLI) Path() string { return c.opts.Path }

// Ping runs a bare `anka` and fails unless it exits 0, which shows the
// CLI is installed and usable.
func (c *CLI) Ping(ctx context.Context) error {
	cl := call{op: "ping", timeout: c.opts.Timeout, bare: true}
	var out tailBuffer
	out.max = maxErrorOutput
	exit, err := c.start(ctx, cl, &out, &out)
	if err != nil {
		return err
	}
	if exit != 0 {
		return &Error{Op: cl.op, ExitCode: exit, Message: snippet(out.Bytes())}
	}
	return nil
}
