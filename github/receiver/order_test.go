package receiver

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/github/githubtest"
)

// TestOutOfOrder delivers a job's three webhooks in every order. Whatever
// the order, the job ends completed with GitHub's conclusion and its
// runner, and a queued that arrives after the job was seen running or
// finished never adds a work entry. What is stored in between depends on
// the order:
//
//	queued first: a work entry; in_progress before completed is recorded,
//	  in_progress after completed is stale.
//	in_progress first: the job is created in progress without a work entry.
//	completed first: the job is created completed; the rest is stale.
func TestOutOfOrder(t *testing.T) {
	b := setup(t, nil)
	const (
		q, ip, c      = actionQueued, actionInProgress, actionCompleted
		stored, stale = ResultStored, ResultStale
	)
	queued, running, done := engine.EventQueued, engine.EventInProgress, engine.EventCompleted
	tests := []struct {
		order   []string
		answers []string
		events  []engine.EventType
		work    int
	}{
		{[]string{q, ip, c}, []string{stored, stored, stored},
			[]engine.EventType{queued, running, done}, 1},
		{[]string{q, c, ip}, []string{stored, stored, stale},
			[]engine.EventType{queued, done}, 1},
		{[]string{ip, q, c}, []string{stored, stale, stored},
			[]engine.EventType{running, done}, 0},
		{[]string{ip, c, q}, []string{stored, stored, stale},
			[]engine.EventType{running, done}, 0},
		{[]string{c, q, ip}, []string{stored, stale, stale}, []engine.EventType{done}, 0},
		{[]string{c, ip, q}, []string{stored, stale, stale}, []engine.EventType{done}, 0},
	}
	for i, tt := range tests {
		id := int64(400 + i)
		t.Run(strings.Join(tt.order, ","), func(t *testing.T) {
			var answers []string
			for _, action := range tt.order {
				answers = append(answers, word(b.send(t, job(action, id), "").Body))
			}
			if fmt.Sprint(answers) != fmt.Sprint(tt.answers) {
				t.Errorf("answers %v, want %v", answers, tt.answers)
			}

			j, err := b.r.store.Get(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if j.State != done || j.Conclusion != githubtest.Success ||
				j.Runner != testRunner || j.WorkID != "" {
				t.Errorf("job = %s conclusion %q runner %q work_id %q, want completed success %s"+
					" and no live work entry", j.State, j.Conclusion, j.Runner, j.WorkID, testRunner)
			}
			var types []engine.EventType
			for _, ev := range b.events(t, id) {
				types = append(types, ev.Type)
			}
			if fmt.Sprint(types) != fmt.Sprint(tt.events) {
				t.Errorf("events %v, want %v", types, tt.events)
			}
			if n := len(b.workEntries(t, id)); n != tt.work {
				t.Errorf("work entries = %d, want %d", n, tt.work)
			}
		})
	}
}

// TestCancelledBeforeStart covers a run cancelled before any runner took
// the job: completed with conclusion cancelled, before or after queued.
func TestCancelledBeforeStart(t *testing.T) {
	b := setup(t, nil)
	cancelled := func(id int64) githubtest.WorkflowJobEvent {
		ev := job(actionCompleted, id)
		ev.Job.Conclusion, ev.Job.RunnerID, ev.Job.RunnerName = githubtest.Cancelled, 0, ""
		return ev
	}
	b.mustSend(t, job(actionQueued, 410), "", ResultStored)
	b.mustSend(t, cancelled(410), "", ResultStored)
	b.mustSend(t, cancelled(411), "", ResultStored)
	b.mustSend(t, job(actionQueued, 411), "", ResultStale)

	for id, work := range map[int64]int{410: 1, 411: 0} {
		j, err := b.r.store.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State != engine.EventCanceled || j.Conclusion != githubtest.Cancelled || j.WorkID != "" {
			t.Errorf("job %d = %s %q work_id %q, want canceled", id, j.State, j.Conclusion, j.WorkID)
		}
		if n := len(b.workEntries(t, id)); n != work {
			t.Errorf("job %d: work entries = %d, want %d", id, n, work)
		}
	}
}
