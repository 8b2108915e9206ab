package handler

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/anklet/anklet/anka/ankatest"
	"github.com/anklet/anklet/engine"
)

// Each requeue reason a single host can cause: the job goes back with the
// reason (using an attempt only where the job may be at fault) and is then
// run to completion.
func TestRequeueReasons(t *testing.T) {
	t.Parallel()
	tests := []struct {
		reason  string
		attempt bool
		bare    bool // the host lacks the template, which the registry has
		setup   func(w *world, h *host)
	}{
		{ReasonPullFailed, true, true, func(w *world, h *host) {
			h.fake.SetFault("registry pull", ankatest.Fault{Times: 1, Message: "registry unreachable"})
		}},
		{ReasonVMStartFailed, true, false, func(w *world, h *host) {
			h.fake.SetFault("clone", ankatest.Fault{Times: 1, Message: "disk I/O error"})
		}},
		{ReasonRunnerFailed, true, false, func(w *world, h *host) {
			h.fake.SetFault("run", ankatest.Fault{Times: 1, Message: "-anka: communication timeout"})
		}},
		{ReasonHostError, false, false, func(w *world, h *host) {
			h.fake.SetFault("show", ankatest.Fault{Times: 1, Message: "internal error"})
		}},
		{ReasonGitHubError, false, false, func(w *world, h *host) {
			w.gh.FailNext(4) // one call and its three retries
		}},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			h := w.newHost("host-a")
			if tt.bare {
				h = w.bareHost("host-a")
			}
			tt.setup(w, h)
			w.start(h, "handler-1", nil)

			id := w.queue()
			ev := w.waitRequeued(id, tt.reason, 20*time.Second)
			if used := ev.Attempt == 1; used != tt.attempt || ev.Attempt > 1 {
				t.Errorf("requeue for %s left attempt %d; want an attempt used: %v",
					tt.reason, ev.Attempt, tt.attempt)
			}
			w.waitCompleted(id, 30*time.Second)
			w.clean(10*time.Second, h)
			w.replay()
		})
	}
}

// Reasons that belong to one host: the job goes back without using an
// attempt and a host without the problem runs it.
func TestRequeueToAnotherHost(t *testing.T) {
	t.Parallel()
	small := func(context.Context) (HostResources, error) {
		return HostResources{CPUs: 2, MemoryBytes: 4 << 30, DiskBytes: 1 << 40}, nil
	}
	tests := []struct {
		reason string
		first  func(w *world) (*host, func(*Options))
	}{
		{ReasonNoCapacity, func(w *world) (*host, func(*Options)) {
			return w.newHost("host-small"), func(o *Options) { o.HostResources = small }
		}},
		{ReasonNoDisk, func(w *world) (*host, func(*Options)) {
			h := w.bareHost("host-full")
			h.fake.SetAvailableDisk(1 << 30)
			return h, nil
		}},
		{ReasonTemplateMissing, func(w *world) (*host, func(*Options)) {
			return w.bareHost("host-bare"), func(o *Options) { o.Plugin.SkipPull = true }
		}},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			first, mod := tt.first(w)
			w.start(first, "handler-1", mod)

			id := w.queue()
			ev := w.waitRequeued(id, tt.reason, 20*time.Second)
			if ev.Attempt != 0 {
				t.Errorf("requeue for %s used an attempt", tt.reason)
			}
			if n := calls(t, first, "clone"); n != 0 {
				t.Errorf("host %s cloned %d VMs", first.id, n)
			}

			second := w.newHost("host-b")
			w.start(second, "handler-1", nil)
			w.waitCompleted(id, 30*time.Second)
			w.clean(10*time.Second, first, second)
			for _, e := range w.jobEvents(id) {
				if e.Type == engine.EventVMStarted && e.Host != second.id {
					t.Errorf("VM started on %s", e.Host)
				}
			}
			if got := w.replay()[id].Attempt; got != 0 {
				t.Errorf("job ended at attempt %d, want 0", got)
			}
		})
	}
}

// Two handlers on one host need two templates the host does not have: one
// pulls, the other's job goes back (pull_already_running_on_host, no
// attempt) and is run after the pull.
func TestPullLock(t *testing.T) {
	t.Parallel()
	const other = "0b1fd5e4-0f5c-4a53-9a43-7a2f6c1a9f10"
	w := newWorld(t)
	h := w.bareHost("host-a", ankatest.Template{UUID: other, Tags: []string{"v7"}})
	h.fake.SetDelay("registry pull", 2*time.Second)
	w.start(h, "handler-1", nil)
	w.start(h, "handler-2", nil)

	first := w.queue()
	w.waitEvent(first, 10*time.Second, "pulling", func(e engine.Event) bool {
		return e.Type == engine.EventPulling
	})
	second := w.queueSpec(githubtestSpec("anka-template:"+other, "anka-template-tag:v7"))
	ev := w.waitRequeued(second, ReasonPullBusy, 10*time.Second)
	if ev.Attempt != 0 {
		t.Errorf("pull-busy requeue used an attempt")
	}

	w.waitCompleted(first, 30*time.Second)
	w.waitCompleted(second, 30*time.Second)
	w.clean(10*time.Second, h)
	if n := calls(t, h, "pull") - calls(t, h, "--check-download-size"); n != 2 {
		t.Errorf("%d pulls, want 2 (one per template)", n)
	}
	if got := w.replay()[second].Attempt; got != 0 {
		t.Errorf("second job ended at attempt %d", got)
	}
	if slices.Contains(w.requeues(first), ReasonPullBusy) {
		t.Errorf("the pulling job was itself requeued: %v", w.requeues(first))
	}
}
