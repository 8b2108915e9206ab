package handler

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/anklet/anklet/engine"
)

// vmOf returns the VM of job id's last vm-started event.
func (w *world) vmOf(id int64) string {
	vm := ""
	for _, e := range w.jobEvents(id) {
		if e.Type == engine.EventVMStarted {
			vm = e.Attr(engine.FieldVM)
		}
	}
	return vm
}

// runnerOf returns the runner named by job id's in-progress event.
func (w *world) runnerOf(id int64) string {
	for _, e := range w.jobEvents(id) {
		if e.Type == engine.EventInProgress {
			return e.Attr(engine.FieldRunner)
		}
	}
	return ""
}

// The runner takes a job the handler did not claim (its queued webhook was
// lost, so no handler holds it): it runs to the end, and the claimed job,
// still waiting, goes back without using an attempt and runs on a new VM.
func TestRunnerTookOtherJob(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.gh.DropWebhooks(1)
	other := w.queue()
	claimed := w.queue()
	h := w.newHost("host-a")
	w.start(h, "handler-1", nil)

	w.waitCompleted(other, 20*time.Second)
	first := w.runnerOf(other)
	ev := w.waitRequeued(claimed, ReasonRunnerTookOtherJob, 20*time.Second)
	if ev.Attempt != 0 {
		t.Errorf("requeue used an attempt")
	}
	w.waitCompleted(claimed, 30*time.Second)
	w.clean(10*time.Second, h)

	var firstVM string
	for _, e := range w.jobEvents(claimed) {
		if e.Type == engine.EventVMStarted {
			firstVM = e.Attr(engine.FieldVM)
			break
		}
	}
	if first == "" || first != firstVM {
		t.Errorf("the other job ran on %q; the claimed job's first VM was %q", first, firstVM)
	}
	if got := w.requeues(claimed); len(got) != 1 {
		t.Errorf("claimed job requeues %v, want exactly one", got)
	}
	w.replay()
}

// Two jobs with identical labels, each claimed by a handler; the runners
// are released in the opposite order, so each takes the other's job. Both
// jobs complete, neither is requeued, and each VM ran the other job.
func TestIdenticalJobsSwapRunners(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	release := t.TempDir()
	plugins := heldPlugins(t, release)
	h := w.newHost("host-a")
	w.start(h, "handler-1", func(o *Options) { o.PluginsPath = plugins })
	w.start(h, "handler-2", func(o *Options) { o.PluginsPath = plugins })

	// Each job runs a while, so both are taken before either ends.
	spec := githubtestSpec(labels()...)
	spec.Duration = 2 * time.Second
	j1, j2 := w.queueSpec(spec), w.queueSpec(spec)
	for _, id := range []int64{j1, j2} {
		w.waitEvent(id, 20*time.Second, "vm-started", func(e engine.Event) bool {
			return e.Type == engine.EventVMStarted
		})
	}
	vm1, vm2 := w.vmOf(j1), w.vmOf(j2)
	held(t, release, vm1)
	held(t, release, vm2)

	open(t, filepath.Join(release, vm2)) // vm2's runner takes the oldest job: j1
	w.waitEvent(j1, 20*time.Second, "in-progress", func(e engine.Event) bool {
		return e.Type == engine.EventInProgress
	})
	open(t, filepath.Join(release, vm1))
	w.waitCompleted(j1, 20*time.Second)
	w.waitCompleted(j2, 20*time.Second)
	w.clean(10*time.Second, h)

	if r := w.runnerOf(j1); r != vm2 {
		t.Errorf("job 1 ran on %q, want the second VM %q", r, vm2)
	}
	if r := w.runnerOf(j2); r != vm1 {
		t.Errorf("job 2 ran on %q, want the first VM %q", r, vm1)
	}
	for _, id := range []int64{j1, j2} {
		if got := w.requeues(id); len(got) != 0 {
			t.Errorf("job %d requeued: %v", id, got)
		}
	}
	w.replay()
}
