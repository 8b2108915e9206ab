package daemon

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Backoff defaults of a [Supervisor].
const (
	DefaultMinBackoff   = time.Second
	DefaultMaxBackoff   = time.Minute
	DefaultHealthyAfter = 5 * time.Minute
)

// Supervisor runs plugins side by side, each in its own goroutine with its
// own logger. A plugin that fails (returns an error, panics, or returns nil
// before shutdown began) is logged and restarted after an exponential
// backoff; its neighbours keep running. After stopping is closed, a plugin
// that returns nil is done; one that fails is still restarted, so it can
// hand back its work, until ctx is cancelled.
//
// A panic is recovered only in the goroutine that called Run; a plugin's
// own goroutines must recover their panics themselves.
type Supervisor struct {
	// Backoff is the wait before the n-th restart in a row (n ≥ 1).
	// Default: 1 s doubling per restart, capped at 1 min.
	Backoff func(n int) time.Duration
	// HealthyAfter is how long a run must last for the restart count to
	// start again from zero. Default 5 min.
	HealthyAfter time.Duration

	units []unit
	now   func() time.Time // a clock tests can replace
}

type unit struct {
	plugin Plugin
	log    zerolog.Logger
}

// Add registers a plugin and the logger its failures are logged with. Call
// it before Run.
func (s *Supervisor) Add(p Plugin, log zerolog.Logger) {
	s.units = append(s.units, unit{plugin: p, log: log})
}

// Len is the number of plugins added.
func (s *Supervisor) Len() int { return len(s.units) }

// Run runs every plugin and returns when all have returned: nil after a
// clean shutdown, or the cause of ctx's cancellation when ctx ended it.
func (s *Supervisor) Run(ctx context.Context, stopping <-chan struct{}) error {
	var wg sync.WaitGroup
	for _, u := range s.units {
		wg.Go(func() { s.keep(ctx, stopping, u) })
	}
	wg.Wait()
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// keep runs one plugin until it is done, restarting it when it fails.
func (s *Supervisor) keep(ctx context.Context, stopping <-chan struct{}, u unit) {
	now := s.now
	if now == nil {
		now = time.Now
	}
	healthy := s.HealthyAfter
	if healthy <= 0 {
		healthy = DefaultHealthyAfter
	}
	backoff := s.Backoff
	if backoff == nil {
		backoff = ExponentialBackoff(DefaultMinBackoff, DefaultMaxBackoff)
	}

	restarts := 0
	for {
		started := now()
		err := runRecovered(ctx, stopping, u.plugin)
		if err == nil && (isClosed(stopping) || ctx.Err() != nil) {
			u.log.Debug().Msg("plugin stopped")
			return
		}
		if ctx.Err() != nil {
			u.log.Error().Err(err).Msg("plugin failed while being cancelled")
			return
		}
		if now().Sub(started) >= healthy {
			restarts = 0
		}
		restarts++
		wait := backoff(restarts)
		logFailure(u.log, err, restarts, wait)

		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
	}
}

func logFailure(log zerolog.Logger, err error, restarts int, wait time.Duration) {
	var ev *zerolog.Event
	switch e := err.(type) {
	case nil:
		ev = log.Warn()
		ev.Str("reason", "returned before shutdown")
	case *PanicError:
		ev = log.Error().Str("panic", fmt.Sprint(e.Value)).Str("stack", string(e.Stack))
	default:
		ev = log.Error().Err(err)
	}
	ev.Int("restarts", restarts).Dur("restart_in", wait).Msg("plugin failed; restarting")
}

// PanicError is a panic recovered from a plugin's Run.
type PanicError struct {
	Value any
	Stack []byte
}

// Error is "panic: " and the panic value.
func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

func runRecovered(ctx context.Context, stopping <-chan struct{}, p Plugin) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return p.Run(ctx, stopping)
}

// ExponentialBackoff returns a Backoff that waits lo before the first
// restart and doubles the wait on each further one, up to hi.
func ExponentialBackoff(lo, hi time.Duration) func(n int) time.Duration {
	return func(n int) time.Duration {
		d := lo
		for i := 1; i < n && d < hi; i++ {
			d *= 2
		}
		return min(d, hi)
	}
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
