package handler

import (
	"testing"
	"time"

	"github.com/anklet/anklet/engine"
)

// Shutdown with one job running and one being prepared: the prepared one
// goes back at once (reason shutdown, no attempt), the running one is
// waited for, and Run returns only after it completed.
func TestShutdown(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	h := w.newHost("host-a")
	hr := w.start(h, "handler-1", nil)

	spec := githubtestSpec(labels()...)
	spec.Duration = 2 * time.Second
	running := w.queueSpec(spec)
	w.waitState(running, engine.EventInProgress, 15*time.Second)

	h.fake.SetDelay("clone", time.Minute)
	preparing := w.queue()
	w.waitState(preparing, engine.EventClaimed, 15*time.Second)
	hr.stop()

	ev := w.waitRequeued(preparing, ReasonShutdown, 10*time.Second)
	if ev.Attempt != 0 {
		t.Errorf("shutdown requeue used an attempt")
	}
	hr.wait(t, 20*time.Second)
	if st := w.state(running); st != engine.EventCompleted {
		t.Errorf("Run returned with the running job %s; it must wait for it", st)
	}
	if st := w.state(preparing); st != engine.EventRequeued {
		t.Errorf("prepared job is %s after shutdown, want requeued", st)
	}
	w.clean(10*time.Second, h)
	w.replay()
}
