package handler

import (
	"context"
	"testing"
	"time"

	"github.com/anklet/anklet/engine"
)

// cancel cancels job id's workflow run on GitHub and waits for the log to
// record it.
func (w *world) cancel(id int64) {
	w.t.Helper()
	if err := w.gh.CancelRun(w.ghJob(id).RunID); err != nil {
		w.t.Fatal(err)
	}
	w.waitState(id, engine.EventCanceled, 10*time.Second)
}

// Cancelled before any handler claimed it: the claim finds the job
// finished, acknowledges the entry, and makes no VM.
func TestCancelBeforeClaim(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.queue()
	w.waitState(id, engine.EventQueued, 10*time.Second)
	w.cancel(id)

	h := w.newHost("host-a")
	w.start(h, "handler-1", nil)
	waitFor(t, 10*time.Second, "the entry to be read and acknowledged", func() bool {
		groups, err := w.rdb.XInfoGroups(context.Background(), w.store.Keys().Jobs()).Result()
		return err == nil && len(groups) == 1 && groups[0].Lag == 0 && groups[0].Pending == 0 &&
			groups[0].EntriesRead > 0
	})
	if n := calls(t, h, "clone"); n != 0 {
		t.Errorf("%d clones for a cancelled job", n)
	}
	if evs := w.jobEvents(id); evs[len(evs)-1].Type != engine.EventCanceled {
		t.Errorf("events after the cancellation: %+v", evs)
	}
}

// Cancelled while its template is being pulled: the pull is cut short and
// no VM is made.
func TestCancelDuringPull(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	h := w.bareHost("host-a")
	h.fake.SetDelay("registry pull", 20*time.Second)
	w.start(h, "handler-1", nil)

	id := w.queue()
	w.waitEvent(id, 10*time.Second, "pulling", func(e engine.Event) bool {
		return e.Type == engine.EventPulling
	})
	w.cancel(id)
	waitFor(t, 10*time.Second, "the pull lock to be released", func() bool {
		l, err := tryLock(pullLockPath(h.workDir))
		if err == nil {
			l.release(false)
		}
		return err == nil
	})
	if n := calls(t, h, "clone"); n != 0 {
		t.Errorf("%d clones for a cancelled job", n)
	}
	if ts := h.fake.Templates(); len(ts) != 0 {
		t.Errorf("the pull ran to its end: templates %+v", ts)
	}
	if evs := w.jobEvents(id); evs[len(evs)-1].Type != engine.EventCanceled {
		t.Errorf("events after the cancellation: %+v", evs)
	}
}

// Cancelled after the runner registered but before it connected: the VM
// and the runner registration go at once, long before the registration
// timeout.
func TestCancelAfterRegistration(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	h := w.newHost("host-a")
	plugins, _ := gatedPlugins(t)
	w.start(h, "handler-1", func(o *Options) {
		o.PluginsPath = plugins
		o.Plugin.RegistrationTimeoutSeconds = 300
	})

	id := w.queue()
	w.waitState(id, engine.EventRegistered, 15*time.Second)
	if len(w.gh.Runners()) != 1 || len(h.fake.VMs()) != 1 {
		t.Fatalf("want one runner and one VM before the cancellation")
	}
	vm := w.vmOf(id)
	if owned, err := VMOwned(h.workDir, vm); !owned || err != nil {
		t.Errorf("VMOwned(%s) = %v, %v while the handler holds it", vm, owned, err)
	}
	w.cancel(id)
	w.clean(10*time.Second, h)
	waitFor(t, 5*time.Second, "the ownership record to go", func() bool {
		owned, err := VMOwned(h.workDir, vm)
		return !owned && err == nil
	})
	if got := w.requeues(id); len(got) != 0 {
		t.Errorf("cancelled job requeued: %v", got)
	}
	w.replay()
}
