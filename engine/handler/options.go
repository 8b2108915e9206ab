package handler

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/anklet/anklet/engine/config"
	"github.com/anklet/anklet/engine/daemon"
	"github.com/anklet/anklet/engine/metrics"
)

// Script names under <plugins_path>/handlers/github/.
const (
	ScriptInstall  = "install-runner.bash"
	ScriptRegister = "register-runner.bash"
	ScriptStart    = "start-runner.bash"
)

// scriptsSubdir is where the handler's guest scripts live in plugins_path.
var scriptsSubdir = filepath.Join("handlers", "github")

// Options configures a Handler. Plugin, HostID, WorkDir, PluginsPath,
// Redis, GitHub and Anka are required.
type Options struct {
	// Plugin is the handler's config entry: name, owner, repo, queue and
	// the per-plugin settings. Zero numbers take the config defaults.
	Plugin config.Plugin
	// HostID names this host in events and in the consumer name
	// "<host_id>:<plugin name>".
	HostID string
	// WorkDir holds the host-wide lock files (see the package doc).
	WorkDir string
	// PluginsPath holds the guest scripts under handlers/github/.
	PluginsPath string
	// DrainFile, while it exists, stops claiming; empty never drains.
	DrainFile string
	// SkipResourceChecks turns the CPU and memory check off, as the global
	// skip_cpu_and_memory_resource_checks does.
	SkipResourceChecks bool

	// Redis runs the commands and scripts.
	Redis redis.UniversalClient
	// Reader serves the blocking reads (XREADGROUP, the event tails); see
	// streams.NewReaderClient. Nil means Redis, whose pool must then leave
	// room for them.
	Reader redis.UniversalClient

	GitHub GitHub
	Anka   Anka
	// HostResources reports the host's CPUs, memory and disk. Nil means
	// the real host, read with gopsutil.
	HostResources func(ctx context.Context) (HostResources, error)

	// Log receives the handler's lines; the zero Logger discards them.
	Log zerolog.Logger
	// Metrics records status, runs and durations; nil records nothing.
	Metrics *metrics.Plugin
	// Secrets learns every JIT config and registration token, so the log
	// scrubber hides them should one ever reach a log line. May be nil.
	Secrets daemon.SecretRegistrar

	// Timing overrides durations; zero fields take the defaults.
	Timing Timing
}

// Timing holds the handler's durations. Zero fields take the defaults.
type Timing struct {
	// Lease is how long a claim lives unless renewed; it is renewed every
	// third of it. Default lease_seconds (30 s).
	Lease time.Duration
	// RegistrationTimeout bounds the wait for the runner to take a job.
	// Default registration_timeout_seconds (80 s).
	RegistrationTimeout time.Duration
	// APICheck is how often a waiting handler asks GitHub about the job,
	// in case a webhook was lost. Default 60 s.
	APICheck time.Duration
	// ClaimBackoff is the pause in claiming after a requeue that the host
	// caused (no capacity, pull busy, GitHub trouble). Default 10 s, or
	// sleep_interval when that is longer.
	ClaimBackoff time.Duration
	// GatePoll is how often a handler that may not claim (no free slot,
	// draining, host full) looks again. Default 1 s.
	GatePoll time.Duration
	// ClaimWait bounds one wait for new work before the gates are checked
	// again. Default 5 s.
	ClaimWait time.Duration
	// Cleanup bounds the teardown of one job (VM, runner, settling), which
	// shutdown cannot cancel. Default 2 min.
	Cleanup time.Duration
	// Block bounds each blocking Redis read. Default 1 s.
	Block time.Duration
}

// Defaults of Timing and of plugin settings left zero.
const (
	DefaultLease               = 30 * time.Second
	DefaultRegistrationTimeout = 80 * time.Second
	DefaultAPICheck            = 60 * time.Second
	DefaultClaimBackoff        = 10 * time.Second
	DefaultGatePoll            = time.Second
	DefaultClaimWait           = 5 * time.Second
	DefaultCleanup             = 2 * time.Minute
	DefaultBlock               = time.Second
	DefaultMaxRunningVMs       = 2
	DefaultMaxDeliveries       = 10
	DefaultJobRetryAttempts    = 5
	DefaultTemplateDiskBuffer  = 10.0
)

// withDefaults fills zero settings and checks the required ones.
func (o Options) withDefaults() (Options, error) {
	var errs []error
	need := func(ok bool, what string) {
		if !ok {
			errs = append(errs, errors.New(what+" is required"))
		}
	}
	need(o.Plugin.Name != "", "plugin name")
	need(o.Plugin.Owner != "", "owner")
	need(o.HostID != "", "host id")
	need(o.WorkDir != "", "work_dir")
	need(o.PluginsPath != "", "plugins_path")
	need(o.Redis != nil, "a Redis client")
	need(o.GitHub != nil, "a GitHub client")
	need(o.Anka != nil, "an Anka CLI")
	for _, s := range []string{ScriptInstall, ScriptStart} {
		p := filepath.Join(o.PluginsPath, scriptsSubdir, s)
		if _, err := os.Stat(p); err != nil {
			errs = append(errs, fmt.Errorf("plugin script: %w", err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return o, err
	}

	p := &o.Plugin
	p.MaxRunningVMs = orInt(p.MaxRunningVMs, DefaultMaxRunningVMs)
	p.MaxDeliveries = orInt(p.MaxDeliveries, DefaultMaxDeliveries)
	p.JobRetryAttempts = orInt(p.JobRetryAttempts, DefaultJobRetryAttempts)
	if p.TemplateDiskBuffer <= 0 {
		p.TemplateDiskBuffer = DefaultTemplateDiskBuffer
	}
	if o.Reader == nil {
		o.Reader = o.Redis
	}
	if o.HostResources == nil {
		o.HostResources = readHostResources
	}

	t := &o.Timing
	t.Lease = orDur(t.Lease, seconds(p.LeaseSeconds, DefaultLease))
	t.RegistrationTimeout = orDur(t.RegistrationTimeout,
		seconds(p.RegistrationTimeoutSeconds, DefaultRegistrationTimeout))
	t.APICheck = orDur(t.APICheck, DefaultAPICheck)
	t.ClaimBackoff = orDur(t.ClaimBackoff,
		max(DefaultClaimBackoff, time.Duration(p.SleepInterval)*time.Second))
	t.GatePoll = orDur(t.GatePoll, DefaultGatePoll)
	t.ClaimWait = orDur(t.ClaimWait, DefaultClaimWait)
	t.Cleanup = orDur(t.Cleanup, DefaultCleanup)
	t.Block = orDur(t.Block, DefaultBlock)
	return o, nil
}

func orInt(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

func orDur(v, def time.Duration) time.Duration {
	if v <= 0 {
		return def
	}
	return v
}

func seconds(n int, def time.Duration) time.Duration {
	if n <= 0 {
		return def
	}
	return time.Duration(n) * time.Second
}
