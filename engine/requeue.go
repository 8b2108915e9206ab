package engine

import (
	"context"
	"fmt"
	"strconv"

	"github.com/anklet/anklet/streams"
)

// Requeue puts job jobID back on the work stream, in one script: it
// acknowledges the job's current work entry, adds a new one (fields job_id,
// attempt, reason, at), updates the projection (state requeued, work_id the
// new entry, runner, vm, consumer and lost_host emptied, reason) and appends
// a requeued event with the reason and attempt. consumeAttempt adds one to
// the attempt; a requeue that is no fault of the job (the runner took
// another job, the host has no capacity) should not.
//
// expect.States nil means every state requeued may follow. Use
// WithAttr(FieldLostHost, h) when taking over a job from a host that died.
// Errors: [ErrConflict] when the job is not as expected, with nothing
// written; [ErrNotFound] when the job is unknown.
func (s *Store) Requeue(ctx context.Context, jobID int64, expect Expect, reason string,
	consumeAttempt bool, opts ...EventOption) (Job, error) {
	j, err := s.requeue(ctx, jobID, expect, reason, consumeAttempt, opts)
	if err != nil {
		return Job{}, fmt.Errorf("requeue job %d: %w", jobID, err)
	}
	return j, nil
}

func (s *Store) requeue(ctx context.Context, jobID int64, expect Expect, reason string,
	consumeAttempt bool, opts []EventOption) (Job, error) {
	if jobID <= 0 {
		return Job{}, fmt.Errorf("job ID must be positive")
	}
	if reason == "" {
		return Job{}, fmt.Errorf("a reason is required")
	}
	ev := Event{Type: EventRequeued}
	for _, o := range opts {
		o(&ev)
	}
	WithAttr(FieldReason, reason)(&ev)
	if err := s.stamp(&ev); err != nil {
		return Job{}, err
	}
	from, err := checkExpect(expect, EventRequeued)
	if err != nil {
		return Job{}, err
	}

	keys := []string{s.keys.Job(jobID), s.keys.Events(), s.keys.Jobs()}
	args := append([]any{
		strconv.FormatInt(expect.Version, 10), states(from), streams.Group,
		boolArg(consumeAttempt), strconv.FormatInt(jobID, 10), formatTime(ev.At),
		ev.Host, ev.Plugin, reason,
	}, attrArgs(ev.Attrs)...)
	v, err := requeueScript.Run(ctx, s.rdb, keys, args...).Result()
	if err != nil {
		return Job{}, err
	}
	return replyJob(jobID, v)
}
