package handler

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/engine/enginetest"
	"github.com/anklet/anklet/github/githubtest"
	"github.com/anklet/anklet/streams"
)

// waitFor fails the test when cond does not hold within d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	enginetest.WaitFor(t, d, what, cond)
}

// events returns the queue's whole event log, parsed.
func (w *world) events() []engine.Event {
	w.t.Helper()
	out := []engine.Event{}
	for entry, err := range streams.Range(context.Background(), w.rdb,
		w.store.Keys().Events(), "-", "+", 0) {
		if err != nil {
			w.t.Fatal(err)
		}
		e, err := engine.ParseEvent(entry)
		if err != nil {
			w.t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// jobEvents returns job id's events in log order.
func (w *world) jobEvents(id int64) []engine.Event {
	var out []engine.Event
	for _, e := range w.events() {
		if e.JobID == id {
			out = append(out, e)
		}
	}
	return out
}

// replay folds the whole log with the engine's reducer, failing the test on
// any event out of order, and returns every job's projection.
func (w *world) replay() map[int64]engine.Job {
	w.t.Helper()
	jobs, err := engine.Reduce(w.events())
	if err != nil {
		w.t.Fatalf("replaying the event log: %v", err)
	}
	return jobs
}

// state is job id's state in its projection.
func (w *world) state(id int64) engine.EventType {
	j, err := w.store.Get(context.Background(), id)
	if err != nil {
		return ""
	}
	return j.State
}

// waitState waits until job id is in state st.
func (w *world) waitState(id int64, st engine.EventType, d time.Duration) {
	w.t.Helper()
	waitFor(w.t, d, fmt.Sprintf("job %d to be %s", id, st), func() bool {
		return w.state(id) == st
	})
}

// waitEvent waits for an event of job id matching pred and returns it.
func (w *world) waitEvent(id int64, d time.Duration, what string,
	pred func(engine.Event) bool) engine.Event {
	w.t.Helper()
	var found engine.Event
	waitFor(w.t, d, fmt.Sprintf("job %d: %s", id, what), func() bool {
		for _, e := range w.jobEvents(id) {
			if pred(e) {
				found = e
				return true
			}
		}
		return false
	})
	return found
}

// requeues returns the reasons of job id's requeued events with whether
// each used an attempt.
func (w *world) requeues(id int64) []string {
	var out []string
	last := 0
	for _, e := range w.jobEvents(id) {
		if e.Type == engine.EventRequeued {
			used := ""
			if e.Attempt > last {
				used = "+attempt"
			}
			out = append(out, e.Attr(engine.FieldReason)+used)
		}
		last = e.Attempt
	}
	return out
}

// waitRequeued waits until job id was requeued for reason.
func (w *world) waitRequeued(id int64, reason string, d time.Duration) engine.Event {
	w.t.Helper()
	return w.waitEvent(id, d, "requeued for "+reason, func(e engine.Event) bool {
		return e.Type == engine.EventRequeued && e.Attr(engine.FieldReason) == reason
	})
}

// ghJob returns job id as the fake GitHub has it.
func (w *world) ghJob(id int64) githubtest.Job {
	j, ok := w.gh.Job(id)
	if !ok {
		w.t.Fatalf("GitHub has no job %d", id)
	}
	return j
}

// waitCompleted waits until the log records job id completed with success.
func (w *world) waitCompleted(id int64, d time.Duration) {
	w.t.Helper()
	w.waitState(id, engine.EventCompleted, d)
	if c := w.ghJob(id).Conclusion; c != githubtest.Success {
		w.t.Fatalf("job %d concluded %q on GitHub", id, c)
	}
}

// clean checks that no VM is left on the hosts and no runner on GitHub.
func (w *world) clean(d time.Duration, hosts ...*host) {
	w.t.Helper()
	waitFor(w.t, d, "VMs and runners to be removed", func() bool {
		for _, h := range hosts {
			if len(h.fake.VMs()) > 0 {
				return false
			}
		}
		return len(w.gh.Runners()) == 0
	})
}

// calls counts the calls of operation op on h.
func calls(t *testing.T, h *host, op string) int {
	t.Helper()
	n := 0
	for _, c := range h.fake.Calls() {
		if slices.Contains(c.Args, op) {
			n++
		}
	}
	return n
}
