package handler

import (
	"context"
	"errors"
	"fmt"
)

// Why a job's preparation or wait was cut short; the cause of the run's
// contexts.
var (
	errShutdown    = errors.New("handler is shutting down")
	errLeaseLost   = errors.New("lease lost: another host took the job over")
	errJobFinished = errors.New("job finished without this handler's runner")
	errJobTaken    = errors.New("job taken by another runner")
)

// settleKind says how a run hands its claimed job back.
type settleKind int

const (
	// settleRequeue: a finished job is left alone, a job some runner is
	// running is acknowledged, a job not started is requeued for reason.
	settleRequeue settleKind = iota
	// settleFail: as settleRequeue, but a job not started fails for reason.
	settleFail
	// settleLost: the lease was lost; nothing is written about the job.
	settleLost
	// settleAbandon: the handler was cancelled; the job is left to lease
	// expiry and recovery (a job not registered yet is requeued quickly).
	settleAbandon
)

// settlement is what a run does with its claimed job once the VM is gone.
type settlement struct {
	kind   settleKind
	reason string
}

// settleDone settles a run whose runner ran a job, or whose claimed job was
// taken or finished elsewhere: in the rare case the claimed job has still
// not started, it goes back without using an attempt.
var settleDone = settlement{kind: settleRequeue, reason: ReasonRunnerTookOtherJob}

// stepError is a step's failure with its defined outcome.
type stepError struct {
	set settlement
	err error
}

func (e *stepError) Error() string {
	return fmt.Sprintf("%s: %v", e.set.reason, e.err)
}

func (e *stepError) Unwrap() error { return e.err }

// requeueOn fails a step with a requeue for reason.
func requeueOn(reason string, err error) error {
	return &stepError{set: settlement{kind: settleRequeue, reason: reason}, err: err}
}

// failOn fails a step with a terminal failure; reason is the failed
// event's reason, written for a person to read.
func failOn(reason string, err error) error {
	return &stepError{set: settlement{kind: settleFail, reason: reason}, err: err}
}

// interrupted maps the cause of a cancelled run to its settlement: a lost
// lease, a cancelled handler, a shutdown before registration, or the job
// ending elsewhere.
func interrupted(jobCtx, prepCtx context.Context) settlement {
	if jobCtx.Err() != nil {
		if errors.Is(context.Cause(jobCtx), errLeaseLost) {
			return settlement{kind: settleLost}
		}
		return settlement{kind: settleAbandon}
	}
	if errors.Is(context.Cause(prepCtx), errShutdown) {
		return settlement{kind: settleRequeue, reason: ReasonShutdown}
	}
	return settleDone
}
