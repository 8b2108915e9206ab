package engine

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/anklet/anklet/streams"
)

// Expect is what a change requires of the job before it applies.
type Expect struct {
	// States the job must be in; nil means any state the event may follow
	// (Sources). Include "" to let the event create a job not yet known.
	States []EventType
	// Version the job must be at; 0 means any.
	Version int64
}

// Transition appends ev to job jobID when the job is as expected, in one
// script: it updates the projection (state, version+1, updated_at, the
// writer and the fields of ev the projection keeps) and appends the event.
// When ev's type is terminal it also acknowledges the job's work entry and
// clears work_id.
//
// ev.JobID, ev.Version and ev.Attempt are set from the job; ev.RunID 0 keeps
// the job's; ev.At zero means now; empty ev.Host and ev.Plugin mean the
// Store's. Queued and requeued events have their own methods (Enqueue,
// Requeue), which also write the work stream, and are refused here.
//
// Errors: [ErrIllegalTransition] when expect allows a state ev may not follow;
// [ErrConflict] (a *ConflictError) when the job is not as expected, with
// nothing written; [ErrNotFound] when the job is unknown and ev may not
// create it.
func (s *Store) Transition(ctx context.Context, jobID int64, expect Expect, ev Event) (Job, error) {
	j, err := s.transition(ctx, jobID, expect, ev, "")
	if err != nil {
		return Job{}, fmt.Errorf("transition job %d to %s: %w", jobID, ev.Type, err)
	}
	return j, nil
}

// Claim records that consumer took the job's work entry workID: a claimed
// event from queued or requeued, at any version. It fails with [ErrConflict]
// when the job is in another state or workID is not its live work entry (the
// entry is stale; acknowledge it and move on), and with [ErrNotFound] when
// the job is unknown.
func (s *Store) Claim(ctx context.Context, jobID int64, workID, consumer string,
	opts ...EventOption) (Job, error) {
	if workID == "" || consumer == "" {
		return Job{}, fmt.Errorf("claim job %d: work ID and consumer must be set", jobID)
	}
	ev := Event{Type: EventClaimed}
	for _, o := range opts {
		o(&ev)
	}
	WithAttr(FieldConsumer, consumer)(&ev)
	expect := Expect{States: []EventType{EventQueued, EventRequeued}}

	j, err := s.transition(ctx, jobID, expect, ev, workID)
	if err != nil {
		return Job{}, fmt.Errorf("claim job %d: %w", jobID, err)
	}
	return j, nil
}

func (s *Store) transition(ctx context.Context, jobID int64, expect Expect, ev Event,
	workID string) (Job, error) {
	if jobID <= 0 {
		return Job{}, fmt.Errorf("job ID must be positive")
	}
	if !ev.Type.Valid() {
		return Job{}, fmt.Errorf("unknown event type %q", ev.Type)
	}
	if ev.Type == EventQueued || ev.Type == EventRequeued {
		return Job{}, fmt.Errorf("%s events are written by Enqueue and Requeue", ev.Type)
	}
	if err := s.stamp(&ev); err != nil {
		return Job{}, err
	}
	from, err := checkExpect(expect, ev.Type)
	if err != nil {
		return Job{}, err
	}

	keys := []string{s.keys.Job(jobID), s.keys.Events(), s.keys.Jobs()}
	args := append([]any{
		string(ev.Type), strconv.FormatInt(expect.Version, 10), states(from),
		boolArg(slices.Contains(from, "")), boolArg(ev.Type.Terminal()), workID, streams.Group,
		strconv.FormatInt(jobID, 10), strconv.FormatInt(ev.RunID, 10), formatTime(ev.At),
		ev.Host, ev.Plugin,
	}, attrArgs(ev.Attrs)...)
	v, err := s.runScript(ctx, transitionScript, keys, args...)
	if err != nil {
		return Job{}, err
	}
	return replyJob(jobID, v)
}

// checkExpect returns the states a change to `to` may start from: expect's,
// which must all be legal sources, or all legal sources.
func checkExpect(expect Expect, to EventType) ([]EventType, error) {
	if expect.Version < 0 {
		return nil, fmt.Errorf("expected version %d is negative", expect.Version)
	}
	if expect.States == nil {
		return Sources(to), nil
	}
	for _, st := range expect.States {
		if !Allowed(st, to) {
			return nil, fmt.Errorf("%s → %s: %w", st, to, ErrIllegalTransition)
		}
	}
	return expect.States, nil
}

// replyJob turns a script reply into the job or the error it reports.
func replyJob(jobID int64, v any) (Job, error) {
	r, err := parseReply(v)
	if err != nil {
		return Job{}, err
	}
	switch r.status {
	case "conflict":
		return Job{}, r.conflict(jobID)
	case "notfound":
		return Job{}, ErrNotFound
	}
	return jobFromHash(jobID, r.hash())
}

func boolArg(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
