package faults

import (
	"context"
	"testing"
	"time"

	"github.com/anklet/anklet/engine"
)

// A host killed with SIGKILL while it holds a job loses nothing, whichever
// phase the job is in: pulling the template, VM started (the JIT config
// request in flight), or registered (its runner is running the job on
// GitHub). Another host recovers the job once the lease runs out: it
// requeues and runs a job that had not started, and lets a running job end
// on the runner that has it. Either way the job completes exactly once, the
// log names the lost host, and the killed host, restarted, deletes the VM it
// left behind (marked on one reconciler pass, deleted on the next), leaving
// no VM and no runner anywhere.
func TestKillHostHoldingJob(t *testing.T) {
	t.Parallel()
	for _, phase := range []engine.EventType{
		engine.EventPulling, engine.EventVMStarted, engine.EventRegistered,
	} {
		t.Run(string(phase), func(t *testing.T) {
			t.Parallel()
			killDuringPhase(t, phase)
		})
	}
}

// Messages of the rescuer's record when the job it recovers is running.
const recoveredRunning = "recovered job is running on GitHub; entry acknowledged"

func killDuringPhase(t *testing.T, phase engine.EventType) {
	w := newWorld(t, worldOptions{})
	w.startReceiver()
	// A 5 s lease keeps the rescue (at least 3.3 s after the kill) after the
	// in-flight JIT request of the vm-started phase has been answered (2 s).
	a := w.addHost("host-a", hostOptions{registryOnly: phase == engine.EventPulling, lease: 5})
	b := w.addHost("host-b", hostOptions{lease: 5})
	a.start()

	var duration time.Duration
	switch phase {
	case engine.EventPulling:
		a.fake.SetDelay("registry pull", time.Minute)
	case engine.EventVMStarted:
		// Every API call takes 2 s: the kill lands while host-a's JIT
		// config request is in flight, and GitHub mints the runner after
		// host-a died, as it does for a request it had already received.
		w.gh.SetLatency(2 * time.Second)
	case engine.EventRegistered:
		duration = 10 * time.Second
	}
	id := w.queue(duration)
	w.waitEvent(id, 30*time.Second, "claimed by host-a", func(e engine.Event) bool {
		return e.Type == engine.EventClaimed && e.Host == a.id
	})
	b.start()
	waitPhase(w, a, id, phase)

	killed := a.kill()
	w.gh.SetLatency(0)
	leftover := len(a.fake.VMs())
	recovered := waitRecovery(w, b, a, id, phase)
	done := w.waitEvent(id, 90*time.Second, "completed", isType(engine.EventCompleted))
	w.checkExactlyOnce([]int64{id})

	ranOn := b
	if phase == engine.EventRegistered {
		ranOn = a // the runner in host-a's VM had the job and finished it
	}
	if r := done.Attr(engine.FieldRunner); !ranOn.vmNames()[r] {
		t.Errorf("job ran on runner %q, not a VM of %s", r, ranOn.id)
	}
	wantLeft := 1 // the VM whose runner was starting or running
	if phase == engine.EventPulling {
		wantLeft = 0 // no VM is cloned before the template is there
	}
	if leftover != wantLeft {
		t.Errorf("host-a left %d VMs at its death, want %d", leftover, wantLeft)
	}
	checkNotPending(w, id)
	if phase == engine.EventVMStarted && !poll(5*time.Second, 50*time.Millisecond, func() bool {
		return len(logLines(b.logPath(), "removed the lost host's idle runner")) > 0
	}) {
		t.Errorf("host-b did not remove the runner GitHub minted for host-a's VM")
	}

	restarted := time.Now()
	a.start()
	w.waitClean(30 * time.Second)
	clean := time.Since(restarted)
	// The reconciler logs the deletion once anka has answered.
	if leftover > 0 && !poll(5*time.Second, 50*time.Millisecond, func() bool {
		return len(logLines(a.logPath(), "deleted orphan VM")) > 0
	}) {
		t.Errorf("host-a's VM went, but its log shows no orphan VM deletion")
	}
	w.checkAlive()

	f := newFigures("kill-" + string(phase))
	f.add("kill_to_recovery", recovered.Sub(killed))
	f.add("kill_to_completed", done.At.Sub(killed))
	f.add("leftover_vms", leftover)
	f.add("restart_to_clean", clean)
	f.report(t)
}

// waitPhase waits until host h's job id is in phase: for registered, until
// GitHub shows the job running on h's runner and the log knows it.
func waitPhase(w *world, h *host, id int64, phase engine.EventType) {
	w.t.Helper()
	if phase != engine.EventRegistered {
		w.waitEvent(id, 30*time.Second, string(phase)+" on "+h.id, func(e engine.Event) bool {
			return e.Type == phase && e.Host == h.id
		})
		return
	}
	w.waitEvent(id, 30*time.Second, "running on "+h.id+"'s runner", func(e engine.Event) bool {
		return e.Type == engine.EventInProgress && h.vmNames()[e.Attr(engine.FieldRunner)]
	})
}

// waitRecovery waits for rescuer's record of taking over job id from the
// lost host and returns its time: the requeued (or in-progress) event
// naming the lost host, or, for a job the log already shows running, the
// rescuer's log line saying it acknowledged the entry.
func waitRecovery(w *world, rescuer, lost *host, id int64, phase engine.EventType) time.Time {
	w.t.Helper()
	var at time.Time
	waitFor(w.t, 60*time.Second, "the recovery of job from "+lost.id, func() bool {
		e, ok := w.firstEvent(id, func(e engine.Event) bool {
			return e.Attr(engine.FieldLostHost) == lost.id
		})
		if ok {
			if e.Host != rescuer.id {
				w.t.Fatalf("job recovered by %s, want %s", e.Host, rescuer.id)
			}
			if phase != engine.EventRegistered && e.Type != engine.EventRequeued {
				w.t.Fatalf("recovery wrote %s, want requeued", e.Type)
			}
			at = e.At
			return true
		}
		for _, l := range logLines(rescuer.logPath(), recoveredRunning) {
			if l.JobID == id && l.LostHost == lost.id {
				at = l.Time
				return true
			}
		}
		return false
	})
	return at
}

// checkNotPending asserts that no work entry of the queue is pending: every
// claim was settled.
func checkNotPending(w *world, id int64) {
	w.t.Helper()
	ok := poll(10*time.Second, 100*time.Millisecond, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		p, err := w.rdb.XPending(ctx, w.keys.Jobs(), "handlers").Result()
		return err == nil && p.Count == 0
	})
	if !ok {
		w.t.Errorf("job %d: work entries still pending after it completed", id)
	}
}
