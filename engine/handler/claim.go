package handler

import (
	"context"
	"errors"
	"time"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/engine/daemon"
	"github.com/anklet/anklet/streams"
)

// claimLoop claims jobs until quit is closed. A claim needs a free VM slot,
// held from before the read until the job's VM is deleted; it is skipped
// while the drain file exists, during a backoff, and while `anka list -r`
// shows the host full (VMs started outside anklet count too).
func (h *Handler) claimLoop(ctx context.Context, quit <-chan struct{}) {
	for !closed(quit) {
		if wait, ok := h.gate(); !ok {
			h.pause(quit, wait)
			continue
		}
		slot, err := acquireSlot(h.opts.WorkDir, h.cfg.MaxRunningVMs, h.cfg.Name)
		if err != nil {
			if !errors.Is(err, errNoSlot) {
				h.log.Error().Err(err).Msg("cannot take a VM slot")
			}
			h.pause(quit, h.t.GatePoll)
			continue
		}
		if !h.hostHasRoom(ctx) {
			slot.release(false)
			h.pause(quit, h.t.GatePoll)
			continue
		}

		msg, ok := h.read(ctx, quit)
		if !ok {
			slot.release(false)
			continue
		}
		h.start(ctx, msg, slot)
	}
}

// gate reports whether the handler may claim now, and if not how long to
// wait before looking again.
func (h *Handler) gate() (time.Duration, bool) {
	draining := h.opts.DrainFile != "" && daemon.Draining(h.opts.DrainFile)
	h.status.update(func(s *status) {
		if s.draining != draining {
			h.log.Info().Bool("draining", draining).Str("drain_file", h.opts.DrainFile).
				Msg("drain file changed")
		}
		s.draining = draining
	})
	if draining {
		return h.t.GatePoll, false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if wait := time.Until(h.backoffUntil); wait > 0 {
		return wait, false
	}
	return 0, true
}

// hostHasRoom reports whether fewer VMs run than the host may run. When
// anka cannot tell, the host counts as full: a clone would fail anyway.
func (h *Handler) hostHasRoom(ctx context.Context) bool {
	running, err := h.opts.Anka.ListRunning(ctx)
	if err != nil {
		h.log.Warn().Err(err).Msg("anka list -r failed; not claiming")
		return false
	}
	if len(running) >= h.cfg.MaxRunningVMs {
		h.log.Debug().Int("running", len(running)).Msg("host runs its maximum of VMs")
		return false
	}
	return true
}

// read waits up to ClaimWait for one new work entry. It returns false when
// none came, quit closed or Redis failed (after a pause).
func (h *Handler) read(ctx context.Context, quit <-chan struct{}) (streams.Message, bool) {
	rctx, cancel := context.WithTimeout(ctx, h.t.ClaimWait)
	defer cancel()
	go func() {
		select {
		case <-quit:
			cancel()
		case <-rctx.Done():
		}
	}()

	msgs, err := h.consumer.Read(rctx, 1)
	if len(msgs) > 0 {
		return msgs[0], true
	}
	if err != nil && rctx.Err() == nil {
		h.log.Error().Err(err).Msg("reading the work stream failed")
		h.pause(quit, h.t.GatePoll)
	}
	return streams.Message{}, false
}

// pause waits d, or less when quit closes or a job ends.
func (h *Handler) pause(quit <-chan struct{}, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-quit:
	case <-h.wake:
	}
}

// start begins the job of msg in its own goroutine, or hands the entry back
// at once when the handler is stopping.
func (h *Handler) start(ctx context.Context, msg streams.Message, slot *fileLock) {
	r := newRun(h, msg, slot)
	h.mu.Lock()
	if h.stopping {
		h.mu.Unlock()
		slot.release(false)
		h.handBack(ctx, msg)
		return
	}
	h.runs[msg.ID] = r
	h.mu.Unlock()
	h.status.update(func(s *status) { s.active++ })

	h.wg.Go(func() {
		defer func() {
			h.mu.Lock()
			delete(h.runs, msg.ID)
			h.mu.Unlock()
			h.status.update(func(s *status) { s.active-- })
			h.notify()
		}()
		r.do(ctx)
	})
}

// handBack returns a work entry read during shutdown, before its job was
// claimed: the job is requeued (reason shutdown, no attempt) when the entry
// is its live one, and the entry is acknowledged.
func (h *Handler) handBack(ctx context.Context, msg streams.Message) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.t.Cleanup)
	defer cancel()
	jobID, ok := entryJobID(msg)
	if ok {
		j, err := h.store.Get(ctx, jobID)
		if err == nil && j.WorkID == msg.ID {
			expect := engine.Expect{States: []engine.EventType{engine.EventQueued,
				engine.EventRequeued}, Version: j.Version}
			_, err = h.store.Requeue(ctx, jobID, expect, ReasonShutdown, false)
		}
		if err != nil && !errors.Is(err, engine.ErrConflict) {
			h.log.Error().Err(err).Int64("job_id", jobID).Msg("handing a job back failed")
			return // still pending: recovery will find it
		}
	}
	if _, err := h.consumer.Ack(ctx, msg.ID); err != nil {
		h.log.Error().Err(err).Str("work_id", msg.ID).Msg("acknowledging a handed-back entry failed")
	}
}

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
