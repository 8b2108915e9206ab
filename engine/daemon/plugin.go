package daemon

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/rs/zerolog"

	"github.com/anklet/anklet/engine/config"
	"github.com/anklet/anklet/engine/metrics"
)

// Plugin is one long-running part of the daemon: a handler, a receiver, or
// a process-wide service such as the metrics server.
//
// Run works until stopping is closed (on the first SIGINT or SIGTERM), then
// stops taking new work, finishes or hands back what it holds, and returns
// nil. ctx is cancelled on the second signal or when the shutdown grace
// runs out; Run must then return promptly. An error or a panic makes the
// [Supervisor] restart the plugin after a backoff.
type Plugin interface {
	Name() string
	Run(ctx context.Context, stopping <-chan struct{}) error
}

// UntilStopping returns a context that ends when ctx does or when stopping
// closes, for plugins that have no work to hand back and simply stop on
// the first signal. Call cancel when done with it.
func UntilStopping(ctx context.Context, stopping <-chan struct{}) (
	context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-stopping:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// SecretRegistrar hides values from the logs from now on; *[Scrubber]
// implements it.
type SecretRegistrar interface {
	Add(secrets ...string)
}

// Env is what a plugin factory gets besides its own config entry.
type Env struct {
	// Config is the whole configuration, with defaults applied.
	Config *config.Config
	// Log is the plugin's logger (pluginName, plugin, owner, repo), or the
	// base logger for services.
	Log zerolog.Logger
	// HostID names this host in events and consumer names.
	HostID string
	// Metrics is the process's metrics registry; plugins take their
	// *metrics.Plugin from it. Never nil inside [Run].
	Metrics *metrics.Registry
	// Secrets takes values (JIT configs, registration tokens) to scrub from
	// the logs.
	Secrets SecretRegistrar
}

// Factory builds the plugin of one config entry. It should check what it
// needs and fail fast; long work belongs in Run.
type Factory func(env Env, p config.Plugin) (Plugin, error)

// ServiceFactory builds a plugin that is not a config entry.
type ServiceFactory func(env Env) (Plugin, error)

// ErrNotBuiltIn matches (with errors.Is) the error for a plugin kind that no
// package linked into the binary registered.
var ErrNotBuiltIn = errors.New("not built in")

type notBuiltIn string

func (e notBuiltIn) Error() string        { return string(e) }
func (e notBuiltIn) Is(target error) bool { return target == ErrNotBuiltIn }

var registry = struct {
	sync.Mutex
	kinds    map[string]Factory
	services map[string]ServiceFactory
}{kinds: map[string]Factory{}, services: map[string]ServiceFactory{}}

// Register makes plugin kind available; the handler and receiver packages
// call it from init. It panics when the kind is registered twice.
func Register(kind string, f Factory) {
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.kinds[kind]; dup {
		panic(fmt.Sprintf("daemon: plugin kind %q registered twice", kind))
	}
	registry.kinds[kind] = f
}

// RegisterService adds a process-wide plugin (such as the metrics server)
// that every daemon runs next to its configured plugins, in aggregator mode
// too. It panics when the name is registered twice.
func RegisterService(name string, f ServiceFactory) {
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.services[name]; dup {
		panic(fmt.Sprintf("daemon: service %q registered twice", name))
	}
	registry.services[name] = f
}

// NewPlugin builds the plugin of entry p with the factory registered for
// its kind, or fails with [ErrNotBuiltIn].
func NewPlugin(env Env, p config.Plugin) (Plugin, error) {
	registry.Lock()
	f := registry.kinds[p.Kind]
	registry.Unlock()
	if f == nil {
		return nil, fmt.Errorf("plugin %q: %w", p.Name,
			notBuiltIn(fmt.Sprintf("no plugin of kind %q is built in", p.Kind)))
	}
	plugin, err := f(env, p)
	if err != nil {
		return nil, fmt.Errorf("plugin %q: %w", p.Name, err)
	}
	return plugin, nil
}

// newServices builds every registered service, in name order.
func newServices(env Env) ([]Plugin, error) {
	registry.Lock()
	names := make([]string, 0, len(registry.services))
	factories := make(map[string]ServiceFactory, len(registry.services))
	for name, f := range registry.services {
		names = append(names, name)
		factories[name] = f
	}
	registry.Unlock()
	sort.Strings(names)

	var out []Plugin
	for _, name := range names {
		p, err := factories[name](env)
		if err != nil {
			return nil, fmt.Errorf("service %q: %w", name, err)
		}
		out = append(out, p)
	}
	return out, nil
}
