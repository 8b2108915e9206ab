package handler

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/engine/config"
	"github.com/anklet/anklet/github"
	"github.com/anklet/anklet/streams"
)

// Handler is one "github" handler plugin: it claims the jobs of one queue
// and runs each on a fresh Anka VM. Create it with New and start it with
// Run; it implements daemon.Plugin.
type Handler struct {
	opts     Options
	cfg      config.Plugin
	t        Timing
	log      zerolog.Logger
	store    *engine.Store
	keys     streams.Keys
	consumer *streams.Consumer
	scope    github.Scope
	status   status

	mu           sync.Mutex
	runs         map[string]*run // by work entry ID
	stopping     bool
	backoffUntil time.Time

	wake chan struct{} // a job ended: a slot may be free
	wg   sync.WaitGroup

	// afterClaim, when set (by tests and benchmarks), runs right after a
	// successful claim; returning true ends the job there: its entry is
	// acknowledged and nothing else is written.
	afterClaim func(engine.Job) bool
}

// New checks opts and builds a Handler. It does not contact Redis, GitHub or
// Anka; Run does.
func New(opts Options) (*Handler, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("github handler %q: %w", opts.Plugin.Name, err)
	}
	cfg := opts.Plugin
	store, err := engine.NewStore(opts.Redis, cfg.Queue(), opts.HostID, cfg.Name)
	if err != nil {
		return nil, fmt.Errorf("github handler %q: %w", cfg.Name, err)
	}
	keys := store.Keys()
	consumer := streams.NewConsumer(opts.Reader, keys.Jobs(), streams.Group,
		opts.HostID+":"+cfg.Name, streams.ConsumerOptions{Block: opts.Timing.Block})

	h := &Handler{
		opts: opts, cfg: cfg, t: opts.Timing, store: store, keys: keys, consumer: consumer,
		scope:  github.Scope{Owner: cfg.Owner, Repo: cfg.Repo},
		status: status{m: opts.Metrics},
		runs:   make(map[string]*run),
		wake:   make(chan struct{}, 1),
	}
	h.log = opts.Log.With().Str("queue", cfg.Queue()).Str("host", opts.HostID).Logger()
	return h, nil
}

// Name is the plugin's name from its config entry.
func (h *Handler) Name() string { return h.cfg.Name }

// Consumer is the handler's consumer name in the work stream's group:
// "<host_id>:<plugin name>".
func (h *Handler) Consumer() string { return h.consumer.Name() }

// Run works until stopping is closed: it first recovers the entries a
// previous life of this consumer left pending, then claims jobs while the
// host has a free VM slot, and rescues entries whose lease ran out. When
// stopping is closed it claims nothing more, tears down and requeues the
// jobs whose runner is not registered yet (reason shutdown, no attempt),
// waits for the registered ones, and returns nil. When ctx ends it stops
// waiting and returns promptly: jobs still held are left to lease expiry
// and recovery, and their VMs to the orphan reconciler.
//
// It returns an error, for the supervisor to restart it, only when the work
// stream's consumer group cannot be created.
func (h *Handler) Run(ctx context.Context, stopping <-chan struct{}) error {
	h.log.Info().Str("consumer", h.Consumer()).Int("max_running_vms", h.cfg.MaxRunningVMs).
		Msg("handler starting")
	if err := streams.EnsureGroup(ctx, h.opts.Redis, h.keys.Jobs(), streams.Group, "0"); err != nil {
		return fmt.Errorf("github handler %q: %w", h.cfg.Name, err)
	}
	h.mu.Lock()
	h.stopping = false // a restarted Run claims again
	h.mu.Unlock()
	h.status.update(func(s *status) { s.stopped, s.stopping = false, false })

	h.recoverOwn(ctx)

	quit, stopWatch := h.watchStopping(ctx, stopping)
	defer stopWatch()
	h.wg.Go(func() { h.rescueLoop(ctx, quit) })
	h.claimLoop(ctx, quit)

	h.wg.Wait()
	h.status.update(func(s *status) { s.stopped = true })
	h.log.Info().Msg("handler stopped")
	return nil
}

// watchStopping returns a channel closed when stopping is closed or ctx
// ends. When stopping closes, every job still preparing is told to stop.
func (h *Handler) watchStopping(ctx context.Context,
	stopping <-chan struct{}) (<-chan struct{}, func()) {
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(quit)
		select {
		case <-stopping:
			h.log.Info().Msg("handler stopping: no new claims; unregistered jobs go back")
		case <-ctx.Done():
		case <-done:
			return
		}
		h.mu.Lock()
		h.stopping = true
		for _, r := range h.runs {
			r.abortPrep(errShutdown)
		}
		h.mu.Unlock()
		h.status.update(func(s *status) { s.stopping = true })
	}()
	return quit, func() { close(done) }
}

// notify wakes the claim loop: a job ended and its slot is free.
func (h *Handler) notify() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// backOff pauses claiming for the claim backoff.
func (h *Handler) backOff() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.backoffUntil = time.Now().Add(h.t.ClaimBackoff)
}
