package handler

import (
	"strings"
	"testing"
	"time"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/github/githubtest"
)

// failedReason waits for job id to fail and returns the reason.
func (w *world) failedReason(id int64, d time.Duration) string {
	w.t.Helper()
	w.waitState(id, engine.EventFailed, d)
	evs := w.jobEvents(id)
	return evs[len(evs)-1].Attr(engine.FieldReason)
}

// notCancelled checks that the job is still waiting on GitHub: a handler
// never cancels a user's workflow run.
func (w *world) notCancelled(id int64) {
	w.t.Helper()
	if j := w.ghJob(id); j.Status != "queued" || j.Conclusion == githubtest.Cancelled {
		w.t.Errorf("GitHub job %d is %s/%s; the handler must leave it alone",
			id, j.Status, j.Conclusion)
	}
}

// A tag the registry does not have fails the job with a reason saying so,
// without a VM and without touching the workflow run.
func TestTagNotInRegistry(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	h := w.bareHost("host-a")
	w.start(h, "handler-1", nil)

	id := w.queueSpec(githubtestSpec("anka-template:"+testTemplate, "anka-template-tag:v9"))
	reason := w.failedReason(id, 15*time.Second)
	want := "template " + testTemplate + " tag v9 not in registry"
	if reason != want {
		t.Errorf("failed reason %q, want %q", reason, want)
	}
	if n := calls(t, h, "clone"); n != 0 {
		t.Errorf("%d clones for a job that cannot run", n)
	}
	w.notCancelled(id)
	w.replay()
}

// Labels without a usable template fail the job at once, never retried.
func TestNoTemplateLabel(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	h := w.newHost("host-a")
	w.start(h, "handler-1", nil)

	// The receiver admits the job (it carries an anka-template label), but
	// the label names no template.
	id := w.queueSpec(githubtestSpec("self-hosted", "anka-template-tag:v1"))
	reason := w.failedReason(id, 15*time.Second)
	if !strings.Contains(reason, "anka-template:") {
		t.Errorf("failed reason %q does not say which label is missing", reason)
	}
	if got := w.requeues(id); len(got) != 0 {
		t.Errorf("job was requeued: %v", got)
	}
	if n := calls(t, h, "clone"); n != 0 {
		t.Errorf("%d clones", n)
	}
	w.notCancelled(id)
}

// A runner that never takes a job: after the registration timeout the job
// goes back (using an attempt) and runs on a fresh VM.
func TestRegistrationTimeoutThenFreshVM(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	h := w.newHost("host-a")
	plugins, gate := gatedPlugins(t)
	w.start(h, "handler-1", func(o *Options) {
		o.PluginsPath = plugins
		o.Plugin.RegistrationTimeoutSeconds = 1
	})

	id := w.queue()
	ev := w.waitRequeued(id, ReasonRegistrationTimeout, 20*time.Second)
	if ev.Attempt != 1 {
		t.Errorf("registration timeout left attempt %d, want 1", ev.Attempt)
	}
	open(t, gate)
	w.waitCompleted(id, 30*time.Second)
	w.clean(10*time.Second, h)

	vms := map[string]bool{}
	for _, e := range w.jobEvents(id) {
		if e.Type == engine.EventVMStarted {
			vms[e.Attr(engine.FieldVM)] = true
		}
	}
	if len(vms) < 2 {
		t.Errorf("job ran on %d VMs; a timed-out runner's VM must not be reused", len(vms))
	}
}

// With every attempt used up by registration timeouts, the job fails (and
// the workflow run is left alone).
func TestRegistrationTimeoutExhausted(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	h := w.newHost("host-a")
	plugins, _ := gatedPlugins(t)
	w.start(h, "handler-1", func(o *Options) {
		o.PluginsPath = plugins
		o.Plugin.RegistrationTimeoutSeconds = 1
		o.Plugin.JobRetryAttempts = 1
	})

	id := w.queue()
	reason := w.failedReason(id, 30*time.Second)
	if !strings.HasPrefix(reason, ReasonRegistrationTimeout) {
		t.Errorf("failed reason %q", reason)
	}
	if got := w.requeues(id); len(got) != 1 || got[0] != ReasonRegistrationTimeout+"+attempt" {
		t.Errorf("requeues %v, want one registration timeout", got)
	}
	w.clean(10*time.Second, h)
	w.notCancelled(id)
}
