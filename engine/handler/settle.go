package handler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/engine/metrics"
	"github.com/anklet/anklet/github"
)

// abandonTimeout bounds the quick requeue of a job not yet registered when
// the handler is cancelled outright.
const abandonTimeout = 5 * time.Second

// finish tears the run down and settles its job, in a context shutdown
// cannot cancel.
func (r *run) finish(ctx context.Context, set settlement) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.h.t.Cleanup)
	defer cancel()
	defer r.lease.stop()

	if set.kind == settleAbandon {
		r.abandon(ctx)
		return
	}
	r.teardown(cctx)
	if set.kind == settleLost {
		r.log.Warn().Msg("lease lost: VM and runner removed; the job is the new owner's")
		return
	}
	r.settle(cctx, set)
}

// abandon leaves the job to lease expiry and recovery, and the VM to the
// orphan reconciler, when the handler is cancelled: it only releases the
// host locks, and hands a job whose runner never started straight back.
func (r *run) abandon(ctx context.Context) {
	r.owner.release(false)
	if r.isRegistered() {
		r.log.Warn().Msg("handler cancelled while the job runs; left to recovery")
		return
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abandonTimeout)
	defer cancel()
	r.settle(actx, settlement{kind: settleRequeue, reason: ReasonShutdown})
}

// teardown deletes the VM and the runner registration, then releases the
// VM's ownership record and the slot. A VM that cannot be deleted keeps no
// record, so the orphan reconciler deletes it later.
func (r *run) teardown(ctx context.Context) {
	if r.cloned {
		err := r.h.opts.Anka.Delete(ctx, r.vm)
		if err != nil {
			r.log.Error().Err(err).Msg("deleting the VM failed; left to the orphan reconciler")
		} else if r.started {
			r.h.opts.Metrics.VMStopped()
		}
	}
	if r.runnerMinted {
		r.removeRunner(ctx)
	}
	r.owner.release(true)
	r.slot.release(false)
	r.h.notify()
}

// removeRunner deletes the runner registration if GitHub still has it (an
// ephemeral runner that ran a job is gone already).
func (r *run) removeRunner(ctx context.Context) {
	rn, found, err := r.findRunner(ctx)
	if err != nil {
		r.log.Error().Err(err).Msg("listing runners failed; registration left to the reconciler")
		return
	}
	if !found {
		return
	}
	err = r.h.opts.GitHub.RemoveRunner(ctx, r.h.scope, rn.ID)
	switch {
	case errors.Is(err, github.ErrRunnerBusy):
		r.log.Warn().Int64("runner_id", rn.ID).Msg("runner still busy; not removed")
	case err != nil:
		r.log.Error().Err(err).Int64("runner_id", rn.ID).Msg("removing the runner failed")
	}
}

// settle hands the claimed job back by its current state: a finished job
// is left alone, a job some runner is running is acknowledged, and a job no
// runner took is requeued (or failed) as set says. It reads again and
// retries when a webhook moves the job meanwhile.
func (r *run) settle(ctx context.Context, set settlement) {
	for range 3 {
		j, err := r.h.store.Get(ctx, r.jobID)
		if err != nil {
			r.log.Error().Err(err).Msg("reading the job to settle it failed; left to recovery")
			return
		}
		switch {
		case j.State.Terminal():
			return
		case j.State == engine.EventInProgress:
			r.ack(ctx)
			return
		case !slices.Contains(notStarted, j.State) || j.WorkID != r.msg.ID:
			// Requeued or claimed again by someone else: the entry in hand
			// is stale.
			r.ack(ctx)
			return
		}

		expect := engine.Expect{States: notStarted, Version: j.Version}
		err = r.hand(ctx, j, expect, set)
		if !errors.Is(err, engine.ErrConflict) {
			if err != nil {
				r.log.Error().Err(err).Msg("settling the job failed; left to recovery")
			}
			return
		}
	}
	r.log.Warn().Msg("job kept changing while being settled; left to recovery")
}

// hand requeues or fails job j; a requeue that needs an attempt the job has
// no more of fails it instead.
func (r *run) hand(ctx context.Context, j engine.Job, expect engine.Expect, set settlement) error {
	reason := set.reason
	if set.kind == settleRequeue && ConsumesAttempt(reason) &&
		j.Attempt >= r.h.cfg.JobRetryAttempts {
		set = settlement{kind: settleFail, reason: fmt.Sprintf(
			"%s: gave up after %d retries", reason, j.Attempt)}
	}

	if set.kind == settleFail {
		ev := engine.Event{Type: engine.EventFailed,
			Attrs: map[string]string{engine.FieldReason: set.reason}}
		if _, err := r.h.store.Transition(ctx, r.jobID, expect, ev); err != nil {
			return err
		}
		r.h.opts.Metrics.RunFinished(metrics.OutcomeFailure, r.job.URL)
		r.log.Warn().Str("reason", set.reason).Msg("job failed")
		return nil
	}

	if _, err := r.h.store.Requeue(ctx, r.jobID, expect, reason,
		ConsumesAttempt(reason)); err != nil {
		return err
	}
	r.h.opts.Metrics.Requeued(reason)
	if backingOff[reason] {
		r.h.backOff()
	}
	r.log.Info().Str("reason", reason).Bool("attempt_used", ConsumesAttempt(reason)).
		Msg("job requeued")
	return nil
}
