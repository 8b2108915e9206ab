package handler

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/streams"
)

// rescueBatch bounds how many entries one rescue takes over, so that after
// an outage, when every lease looks expired, one handler does not take all.
const rescueBatch = 10

// recoverOwn handles the entries a previous life of this consumer left
// pending, as the rescuer handles those of a dead host, so a restarted
// host does not wait a lease for its own work.
func (h *Handler) recoverOwn(ctx context.Context) {
	msgs, err := h.consumer.ReadPending(ctx, 0)
	if err != nil {
		h.log.Error().Err(err).Msg("reading this consumer's pending entries failed")
	}
	if len(msgs) > 0 {
		h.log.Info().Int("entries", len(msgs)).Msg("recovering entries left by a previous run")
	}
	for _, m := range msgs {
		h.recover(ctx, m)
	}
}

// rescueLoop takes over entries idle longer than the lease, about every
// half lease (jittered so handlers do not move in step), until quit closes.
func (h *Handler) rescueLoop(ctx context.Context, quit <-chan struct{}) {
	for {
		d := h.t.Lease/2 + time.Duration(rand.Int64N(int64(h.t.Lease/4)+1)) - h.t.Lease/8
		t := time.NewTimer(d)
		select {
		case <-quit:
			t.Stop()
			return
		case <-t.C:
		}
		h.rescue(ctx)
	}
}

// rescue runs one sweep.
func (h *Handler) rescue(ctx context.Context) {
	msgs, deleted, err := h.consumer.Rescue(ctx, h.t.Lease, rescueBatch)
	if err != nil && ctx.Err() == nil {
		h.log.Error().Err(err).Msg("rescuing expired leases failed")
	}
	for _, id := range deleted {
		h.log.Warn().Str("work_id", id).Msg("a pending work entry was deleted from the stream")
	}
	for _, m := range msgs {
		if h.holds(m.ID) {
			continue // this handler's own job, renewed late: still running
		}
		h.recover(ctx, m)
	}

	// Acknowledged entries serve no one (the event log is the record):
	// drop those below every pending and unread entry.
	if n, err := streams.TrimSafe(ctx, h.opts.Redis, h.keys.Jobs()); err != nil {
		if ctx.Err() == nil {
			h.log.Warn().Err(err).Msg("trimming the work stream failed")
		}
	} else if n > 0 {
		h.log.Debug().Int64("removed", n).Msg("trimmed acknowledged work entries")
	}
}

// holds reports whether a run of this handler is working on entry id.
func (h *Handler) holds(id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, ok := h.runs[id]
	return ok
}

// recover settles an entry whose holder stopped renewing its lease. An
// entry delivered more than max_deliveries times goes to the dead-letter
// stream and its job fails. Otherwise GitHub says where the job stands:
// finished → the missing completed or canceled event; running on some
// runner → the entry is acknowledged (the job's own completed webhook ends
// it); queued, or unknown because GitHub did not answer → requeued (reason
// recovered, no attempt) to run afresh. Every event written names the lost
// host.
func (h *Handler) recover(ctx context.Context, m streams.Message) {
	log := h.log.With().Str("work_id", m.ID).Int64("deliveries", m.Deliveries).Logger()
	jobID, ok := entryJobID(m)
	if !ok {
		log.Warn().Msg("recovered entry has no job id (deleted from the stream?); acknowledged")
		h.ackEntry(ctx, m.ID)
		return
	}
	log = log.With().Int64("job_id", jobID).Int64("workflowJobId", jobID).Logger()

	if m.Deliveries > int64(h.cfg.MaxDeliveries) {
		_, err := h.store.DeadLetter(ctx, jobID, m.ID, ReasonMaxDeliveries, m.Deliveries)
		if err != nil && !errors.Is(err, engine.ErrNotFound) {
			log.Error().Err(err).Msg("dead-lettering a job failed")
			return
		}
		log.Warn().Msg("job delivered too often; moved to the dead-letter stream")
		return
	}

	j, err := h.store.Get(ctx, jobID)
	switch {
	case errors.Is(err, engine.ErrNotFound):
		log.Warn().Msg("recovered entry of an unknown job; acknowledged")
		h.ackEntry(ctx, m.ID)
		return
	case err != nil:
		log.Error().Err(err).Msg("reading a recovered job failed; retried next sweep")
		return
	case j.WorkID != m.ID || j.State.Terminal():
		h.ackEntry(ctx, m.ID) // stale entry, or acknowledged late
		return
	}
	h.opts.Metrics.Recovered()
	h.takeOver(ctx, j, m, log)
}

// lostHost names the host that held job j: its consumer's host part, or the
// writer of its last event.
func lostHost(j engine.Job) string {
	if i := strings.LastIndex(j.Consumer, ":"); i > 0 {
		return j.Consumer[:i]
	}
	return j.Host
}

func (h *Handler) ackEntry(ctx context.Context, id string) {
	if _, err := h.consumer.Ack(ctx, id); err != nil {
		h.log.Error().Err(err).Str("work_id", id).Msg("acknowledging an entry failed")
	}
}
