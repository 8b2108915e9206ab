package handler

import (
	"sync"
	"time"

	"github.com/anklet/anklet/engine/metrics"
)

// status derives the plugin status metrics show from what the handler is
// doing: limit_paused while a GitHub call waits out a rate limit, else
// pulling, running (a job is held), draining (the drain file is present or
// the handler is stopping) or idle.
type status struct {
	m *metrics.Plugin

	mu       sync.Mutex
	limited  bool
	draining bool // the drain file exists
	stopping bool // shutdown began
	pulling  int
	active   int
	stopped  bool
}

func (s *status) update(fn func(s *status)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s)
	s.m.SetStatus(s.current())
}

func (s *status) current() string {
	switch {
	case s.stopped:
		return metrics.StatusStopped
	case s.limited:
		return metrics.StatusLimitPaused
	case s.pulling > 0:
		return metrics.StatusPulling
	case s.active > 0:
		return metrics.StatusRunning
	case s.draining || s.stopping:
		return metrics.StatusDraining
	}
	return metrics.StatusIdle
}

// OnRateLimit is the hook for github.Options.OnRateLimit: it shows status
// limit_paused while GitHub calls wait (until is the time they resume) and
// restores the status when until is zero. It may be called on a nil
// Handler, which does nothing, so a client built before its Handler can
// already point at it.
func (h *Handler) OnRateLimit(until time.Time) {
	if h == nil {
		return
	}
	h.status.update(func(s *status) { s.limited = !until.IsZero() })
}
