package handler

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/streams"
)

// VMPrefix starts the name of every VM a handler creates:
// "anklet-vm-<uuid4>". The runner registration has the same name.
const VMPrefix = "anklet-vm-"

// run is one claim of one job: from the work entry to the VM's deletion.
type run struct {
	h     *Handler
	msg   streams.Message
	slot  *fileLock
	log   zerolog.Logger
	jobID int64
	job   engine.Job // the projection as of this run's last write
	vm    string
	tmpl  Template

	owner        *fileLock // the VM's ownership record
	cloned       bool      // a clone was attempted: delete the VM
	started      bool      // the VM ran: counted in metrics
	runnerMinted bool      // a runner registration may exist
	watch        *watcher
	lease        *leaseKeeper
	vmStartedAt  time.Time

	mu         sync.Mutex
	registered bool // the runner was started: shutdown waits for it
	prepCancel context.CancelCauseFunc
	cancelJob  context.CancelCauseFunc
}

func newRun(h *Handler, msg streams.Message, slot *fileLock) *run {
	vm := VMPrefix + uuid.NewString()
	return &run{h: h, msg: msg, slot: slot, vm: vm,
		log: h.log.With().Str("work_id", msg.ID).Str("vm", vm).Str("vmName", vm).Logger()}
}

// do runs the job: claim, prepare, wait, tear down, settle. Every exit
// path releases the slot and the VM's ownership record.
func (r *run) do(ctx context.Context) {
	defer r.slot.release(false)

	from, ok := r.claim(ctx)
	if !ok {
		return
	}
	jobCtx, cancelJob := context.WithCancelCause(ctx)
	defer cancelJob(nil)
	prepCtx, cancelPrep := context.WithCancelCause(jobCtx)
	defer cancelPrep(nil)
	r.mu.Lock()
	r.prepCancel, r.cancelJob = cancelPrep, cancelJob
	r.mu.Unlock()
	if r.h.isStopping() {
		r.abortPrep(errShutdown)
	}

	r.lease = startLease(jobCtx, r.h, r.msg.ID, r.log, func() { cancelJob(errLeaseLost) })
	r.watch = startWatcher(jobCtx, r.h, r.jobID, r.vm, from, r.log, r.onWatch)

	var set settlement
	err := r.prepare(prepCtx)
	var se *stepError
	switch {
	case jobCtx.Err() != nil || prepCtx.Err() != nil:
		set = interrupted(jobCtx, prepCtx)
		r.log.Info().AnErr("cause", context.Cause(prepCtx)).Msg("job preparation stopped")
	case errors.As(err, &se):
		set = se.set
		r.log.Warn().Err(err).Msg("job preparation failed")
	case err != nil:
		set = settlement{kind: settleRequeue, reason: ReasonHostError}
		r.log.Error().Err(err).Msg("job preparation failed")
	default:
		set = r.wait(jobCtx, prepCtx)
	}
	r.finish(ctx, set)
}

// claim records the claim of the entry's job and returns the event-log ID
// to follow the job from. It acknowledges entries whose job is unknown,
// already running or finished, and leaves the entry pending (for recovery)
// when Redis fails.
func (r *run) claim(ctx context.Context) (string, bool) {
	jobID, ok := entryJobID(r.msg)
	if !ok {
		r.log.Warn().Msg("work entry without a job id; acknowledging it")
		r.ack(ctx)
		return "", false
	}
	r.jobID = jobID
	r.log = r.log.With().Int64("job_id", jobID).Int64("workflowJobId", jobID).Logger()

	// The log position is taken before the claim, so no event of the job
	// after the claim can be missed.
	from, err := r.h.eventsTop(ctx)
	if err != nil {
		r.log.Error().Err(err).Msg("reading the event log failed; entry left for recovery")
		return "", false
	}
	j, err := r.h.store.Claim(ctx, jobID, r.msg.ID, r.h.Consumer())
	switch {
	case errors.Is(err, engine.ErrConflict), errors.Is(err, engine.ErrNotFound):
		r.log.Info().Err(err).Msg("job not claimable (running, finished or stale); acknowledged")
		r.ack(ctx)
		return "", false
	case err != nil:
		r.log.Error().Err(err).Msg("claim failed; entry left for recovery")
		return "", false
	}

	r.job = j
	r.log = r.log.With().Int64("run_id", j.RunID).Int64("workflowRunId", j.RunID).
		Str("jobURL", j.URL).Logger()
	r.h.opts.Metrics.ObserveQueueWait(j.UpdatedAt.Sub(j.QueuedAt))
	r.log.Info().Int("attempt", j.Attempt).Msg("job claimed")
	if hook := r.h.afterClaim; hook != nil && hook(j) {
		r.ack(ctx)
		return "", false
	}
	return from, true
}

// abortPrep cuts the preparation short with cause, unless the runner is
// already started (shutdown then waits for it).
func (r *run) abortPrep(cause error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.registered && r.prepCancel != nil {
		r.prepCancel(cause)
	}
}

// commitRunner is called just before the runner starts: from then on the
// VM may run a job, so neither shutdown nor news about the claimed job may
// cut the preparation short (the wait sorts them out). It fails when the
// preparation was cut short meanwhile.
func (r *run) commitRunner(prepCtx context.Context) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if prepCtx.Err() != nil {
		return false
	}
	r.registered = true
	return true
}

func (r *run) isRegistered() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.registered
}

// onWatch stops the preparation when the claimed job finishes, or another
// runner takes it, before this run's runner took any job.
func (r *run) onWatch(o observed) {
	if o.took != 0 {
		return
	}
	switch {
	case o.jState.Terminal():
		r.abortPrep(errJobFinished)
	case o.jState == engine.EventInProgress && o.jRunner != r.vm:
		r.abortPrep(errJobTaken)
	}
}

// record appends an event of this run's job, expecting the job as this run
// last wrote it.
func (r *run) record(ctx context.Context, typ engine.EventType, attrs map[string]string) error {
	expect := engine.Expect{States: []engine.EventType{r.job.State}, Version: r.job.Version}
	j, err := r.h.store.Transition(ctx, r.jobID, expect, engine.Event{Type: typ, Attrs: attrs})
	if err != nil {
		return err
	}
	r.job = j
	return nil
}

// ack acknowledges the run's work entry.
func (r *run) ack(ctx context.Context) {
	if _, err := r.h.consumer.Ack(ctx, r.msg.ID); err != nil {
		r.log.Error().Err(err).Msg("acknowledging the work entry failed")
	}
}

func (h *Handler) isStopping() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.stopping
}

// eventsTop is the ID of the newest event of the queue, "0-0" when none.
func (h *Handler) eventsTop(ctx context.Context) (string, error) {
	top, err := h.opts.Redis.XRevRangeN(ctx, h.keys.Events(), "+", "-", 1).Result()
	if err != nil {
		return "", err
	}
	if len(top) == 0 {
		return "0-0", nil
	}
	return top[0].ID, nil
}

// entryJobID reads the job_id field of a work entry.
func entryJobID(m streams.Message) (int64, bool) {
	id, err := strconv.ParseInt(m.Fields[engine.FieldJobID], 10, 64)
	return id, err == nil && id > 0
}
