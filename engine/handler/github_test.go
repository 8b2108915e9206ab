package handler

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/engine/metrics"
)

// Jobs complete while a fifth of GitHub's answers are server errors (the
// client retries them; a call that still fails requeues without an
// attempt).
func TestGitHubServerErrors(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	h := w.newHost("host-a")
	w.start(h, "handler-1", nil)
	w.gh.SetFailureRate(0.2)

	ids := []int64{w.queue(), w.queue(), w.queue()}
	for _, id := range ids {
		w.waitCompleted(id, 40*time.Second)
	}
	w.gh.SetFailureRate(0)
	w.clean(10*time.Second, h)
	for _, id := range ids {
		for _, r := range w.requeues(id) {
			if r != ReasonGitHubError && r != ReasonRunnerTookOtherJob {
				t.Errorf("job %d requeued for %s", id, r)
			}
		}
		if a := w.replay()[id].Attempt; a != 0 {
			t.Errorf("GitHub errors used %d attempts of job %d", a, id)
		}
	}
}

// A rate limit pauses the handler's GitHub calls, which shows as status
// limit_paused; the jobs complete once it lifts.
func TestGitHubRateLimit(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	h := w.newHost("host-a")
	hr := w.start(h, "handler-1", nil)

	w.gh.PrimaryRateLimit(http.StatusForbidden, 2*time.Second)
	ids := []int64{w.queue(), w.queue()}
	waitFor(t, 10*time.Second, "status limit_paused", func() bool {
		hr.status.mu.Lock()
		defer hr.status.mu.Unlock()
		return hr.status.current() == metrics.StatusLimitPaused
	})
	for _, id := range ids {
		w.waitCompleted(id, 30*time.Second)
	}
	w.clean(10*time.Second, h)
	hr.status.mu.Lock()
	st := hr.status.current()
	hr.status.mu.Unlock()
	if st == metrics.StatusLimitPaused {
		t.Errorf("status still %s after the limit lifted", st)
	}
	for _, id := range ids {
		for _, r := range w.requeues(id) {
			if r != ReasonRunnerTookOtherJob { // identical labels: runners may swap jobs
				t.Errorf("job %d requeued during a rate limit: %s", id, r)
			}
		}
	}
}

// The runner's in_progress and completed webhooks are lost: the periodic
// GitHub check finds the job finished, writes the missing event itself and
// tears the VM down.
func TestLostWebhooks(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	release := t.TempDir()
	plugins := heldPlugins(t, release)
	h := w.newHost("host-a")
	w.start(h, "handler-1", func(o *Options) {
		o.PluginsPath = plugins
		o.Timing.APICheck = 500 * time.Millisecond
	})

	id := w.queue()
	w.waitState(id, engine.EventVMStarted, 15*time.Second)
	held(t, release, w.vmOf(id))
	w.gh.DropWebhooks(2)
	open(t, filepath.Join(release, w.vmOf(id)))

	w.waitCompleted(id, 15*time.Second)
	w.clean(10*time.Second, h)
	evs := w.jobEvents(id)
	if last := evs[len(evs)-1]; last.Host != h.id || last.Attr(engine.FieldConclusion) != "success" {
		t.Errorf("completed event %+v, want one written by the handler", last)
	}
	w.replay()
}
