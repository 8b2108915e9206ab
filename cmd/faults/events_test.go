package faults

import (
	"context"
	"strconv"
	"time"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/streams"
)

// events returns the queue's whole event log, parsed; nil when Redis cannot
// be read (callers poll again).
func (w *world) events() []engine.Event {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []engine.Event
	for e, err := range streams.Range(ctx, w.rdb, w.keys.Events(), "-", "+", 0) {
		if err != nil {
			return nil
		}
		ev, err := engine.ParseEvent(e)
		if err != nil {
			w.t.Fatalf("event %s does not parse: %v", e.ID, err)
		}
		out = append(out, ev)
	}
	return out
}

// byJob groups events by job, in log order.
func byJob(events []engine.Event) map[int64][]engine.Event {
	out := map[int64][]engine.Event{}
	for _, e := range events {
		out[e.JobID] = append(out[e.JobID], e)
	}
	return out
}

// firstEvent returns the first event of job id that matches pred.
func (w *world) firstEvent(id int64, pred func(engine.Event) bool) (engine.Event, bool) {
	for _, e := range w.events() {
		if e.JobID == id && pred(e) {
			return e, true
		}
	}
	return engine.Event{}, false
}

// waitEvent waits up to d for an event of job id matching pred.
func (w *world) waitEvent(id int64, d time.Duration, what string,
	pred func(engine.Event) bool) engine.Event {
	w.t.Helper()
	var found engine.Event
	waitFor(w.t, d, "job "+strconv.FormatInt(id, 10)+": "+what, func() bool {
		var ok bool
		found, ok = w.firstEvent(id, pred)
		return ok
	})
	return found
}

// isType matches events of type typ.
func isType(typ engine.EventType) func(engine.Event) bool {
	return func(e engine.Event) bool { return e.Type == typ }
}
