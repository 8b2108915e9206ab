package metrics

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	vm "github.com/VictoriaMetrics/metrics"
	"github.com/rs/zerolog"
)

// Options configures a Registry. Every field is optional.
type Options struct {
	// Instance names this process in Redis and in the aggregator's output; it
	// must be unique among the processes sharing a Redis. Default
	// "<hostname>-<pid>".
	Instance string
	// Host is the host name reported in snapshots. Default os.Hostname().
	Host string
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// DiskPath is the file system whose usage the host_disk_* figures report.
	// Default "/".
	DiskPath string
	// QueueTimeout bounds how long one watched queue's figures may take at
	// scrape time. Default 2 s.
	QueueTimeout time.Duration
	// Logger receives warnings about figures that could not be read. The
	// zero value discards them.
	Logger zerolog.Logger
}

// DefaultQueueTimeout is the Options.QueueTimeout used when none is given.
const DefaultQueueTimeout = 2 * time.Second

// Registry holds the metrics of one anklet process: one *Plugin per
// configured plugin, the host's figures, and watched queues. It is safe for
// concurrent use. Each Registry has its own VictoriaMetrics set, so several
// can live in one process (tests do).
type Registry struct {
	instance     string
	host         string
	now          func() time.Time
	diskPath     string
	queueTimeout time.Duration
	log          zerolog.Logger
	readHost     func(context.Context) HostStats // a field so tests can fix the figures

	set        *vm.Set
	runningVMs atomic.Int64
	totalRuns  [outcomeCount]*vm.Counter

	mu     sync.Mutex
	byName map[string]*Plugin
	order  []*Plugin
	queues map[string]QueueStatsFunc
}

// NewRegistry returns an empty registry. It turns on the HELP and TYPE lines
// of the VictoriaMetrics library, a process-wide switch, so the Prometheus
// output carries metric types.
func NewRegistry(opts Options) *Registry {
	vm.ExposeMetadata(true)

	hostname, _ := os.Hostname()
	if opts.Host == "" {
		opts.Host = hostname
	}
	if opts.Instance == "" {
		opts.Instance = fmt.Sprintf("%s-%d", hostname, os.Getpid())
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.DiskPath == "" {
		opts.DiskPath = "/"
	}
	if opts.QueueTimeout <= 0 {
		opts.QueueTimeout = DefaultQueueTimeout
	}

	r := &Registry{
		instance:     opts.Instance,
		host:         opts.Host,
		now:          opts.Now,
		diskPath:     opts.DiskPath,
		queueTimeout: opts.QueueTimeout,
		log:          opts.Logger,
		set:          vm.NewSet(),
		byName:       make(map[string]*Plugin),
		queues:       make(map[string]QueueStatsFunc),
	}
	r.readHost = r.readHostStats
	r.set.NewGauge(familyTotalRunningVMs, func() float64 { return float64(r.runningVMs.Load()) })
	for o := range outcomeCount {
		r.totalRuns[o] = r.set.NewCounter(totalRunsFamilies[o])
	}
	return r
}

// Instance is the name this registry publishes under.
func (r *Registry) Instance() string { return r.instance }

// Plugin returns the metrics of the plugin called name, creating them on the
// first call; later calls with the same name return the same *Plugin and
// ignore kind, owner and repo. kind is the plugin type ("github",
// "github_receiver"); owner and repo may be empty. A new plugin starts with
// status idle.
func (r *Registry) Plugin(name, kind, owner, repo string) *Plugin {
	name, kind, owner, repo = validUTF8(name), validUTF8(kind), validUTF8(owner), validUTF8(repo)

	r.mu.Lock()
	defer r.mu.Unlock()

	if p, ok := r.byName[name]; ok {
		return p
	}
	p := newPlugin(r, name, kind, owner, repo)
	r.byName[name] = p
	r.order = append(r.order, p)
	return p
}

// plugins returns the plugins in creation order.
func (r *Registry) plugins() []*Plugin {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*Plugin(nil), r.order...)
}
