package engine

import (
	"context"
	"fmt"
	"strconv"

	"github.com/anklet/anklet/streams"
)

// DeadLetter gives up on work entry workID of job jobID after deliveries
// deliveries, in one script. What it writes depends on the job:
//   - workID is the job's live work entry and the job is not terminal: the
//     entry is copied to the dead stream (job_id, work_id, reason,
//     deliveries, at) and acknowledged, and the job fails (a failed event
//     with the reason; projection failed, work_id cleared);
//   - the job is terminal already: the entry is only acknowledged;
//   - workID is not the job's live entry (a stale duplicate): the entry is
//     moved to the dead stream and acknowledged; the job is left alone;
//   - the job is unknown: the entry is moved and acknowledged, and the error
//     wraps [ErrNotFound].
//
// The returned job tells which case applied.
func (s *Store) DeadLetter(ctx context.Context, jobID int64, workID, reason string,
	deliveries int64, opts ...EventOption) (Job, error) {
	j, err := s.deadLetter(ctx, jobID, workID, reason, deliveries, opts)
	if err != nil {
		return Job{}, fmt.Errorf("dead-letter job %d entry %s: %w", jobID, workID, err)
	}
	return j, nil
}

// terminalStates is the terminal event types as a script argument, built
// once rather than on every dead-lettering.
var terminalStates = func() string {
	var terminal []EventType
	for _, t := range EventTypes {
		if t.Terminal() {
			terminal = append(terminal, t)
		}
	}
	return states(terminal)
}()

func (s *Store) deadLetter(ctx context.Context, jobID int64, workID, reason string,
	deliveries int64, opts []EventOption) (Job, error) {
	if workID == "" || reason == "" {
		return Job{}, fmt.Errorf("work ID and reason must be set")
	}
	ev := Event{Type: EventFailed}
	for _, o := range opts {
		o(&ev)
	}
	WithAttr(FieldReason, reason)(&ev)
	if err := s.stamp(&ev); err != nil {
		return Job{}, err
	}

	keys := []string{s.keys.Job(jobID), s.keys.Events(), s.keys.Jobs(), s.keys.Dead()}
	args := append([]any{
		streams.Group, terminalStates, strconv.FormatInt(jobID, 10), workID, reason,
		strconv.FormatInt(deliveries, 10), formatTime(ev.At), ev.Host, ev.Plugin,
	}, attrArgs(ev.Attrs)...)
	v, err := deadLetterScript.Run(ctx, s.rdb, keys, args...).Result()
	if err != nil {
		return Job{}, err
	}
	return replyJob(jobID, v)
}
