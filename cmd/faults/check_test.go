package faults

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/github/githubtest"
)

// waitGitHubDone waits up to d until GitHub shows every job in ids
// completed.
func (w *world) waitGitHubDone(ids []int64, d time.Duration) {
	w.t.Helper()
	waitFor(w.t, d, "every job to complete on GitHub", func() bool {
		return w.ghPending(ids) == 0
	})
}

// ghPending counts the jobs in ids that GitHub does not show completed.
func (w *world) ghPending(ids []int64) int {
	n := 0
	for _, id := range ids {
		if j, ok := w.gh.Job(id); !ok || j.Status != "completed" {
			n++
		}
	}
	return n
}

// waitLogDone waits up to d until the event log ends every job in ids.
func (w *world) waitLogDone(ids []int64, d time.Duration) {
	w.t.Helper()
	waitFor(w.t, d, "every job's terminal event", func() bool {
		jobs := byJob(w.events())
		for _, id := range ids {
			if n := len(jobs[id]); n == 0 || !jobs[id][n-1].Type.Terminal() {
				return false
			}
		}
		return true
	})
}

// checkExactlyOnce asserts, for every job in ids, that GitHub ran it once
// to success, that one completed webhook was sent for it, and that the event
// log replays, holds exactly one terminal event for it (completed) and names
// at most one runner for it. It returns the log's events.
func (w *world) checkExactlyOnce(ids []int64) []engine.Event {
	w.t.Helper()
	// GitHub records a delivery once the receiver has answered, which may
	// be after the event it wrote was read.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := w.gh.FlushWebhooks(ctx); err != nil {
		w.t.Fatalf("webhooks still being sent: %v", err)
	}
	events := w.events()
	if _, err := engine.Reduce(events); err != nil {
		w.t.Errorf("the event log does not replay: %v", err)
	}
	jobs := byJob(events)
	sent := w.completedDeliveries()
	for _, id := range ids {
		j, ok := w.gh.Job(id)
		switch {
		case !ok:
			w.t.Errorf("GitHub has no job %d", id)
			continue
		case j.Status != "completed" || j.Conclusion != githubtest.Success:
			w.t.Errorf("job %d is %s/%s on GitHub", id, j.Status, j.Conclusion)
		}
		if sent[id] != 1 {
			w.t.Errorf("job %d: GitHub sent %d completed webhooks, want 1", id, sent[id])
		}
		terminal, runners := 0, map[string]bool{}
		for _, e := range jobs[id] {
			if e.Type.Terminal() {
				terminal++
				if e.Type != engine.EventCompleted {
					w.t.Errorf("job %d ended %s: %v", id, e.Type, e.Attrs)
				}
			}
			if r := e.Attr(engine.FieldRunner); r != "" &&
				(e.Type == engine.EventInProgress || e.Type.Terminal()) {
				runners[r] = true
			}
		}
		if terminal != 1 {
			w.t.Errorf("job %d has %d terminal events, want 1", id, terminal)
		}
		if len(runners) > 1 {
			w.t.Errorf("job %d ran on %d runners: %v", id, len(runners), runners)
		}
	}
	return events
}

// completedDeliveries counts, per job, the distinct completed webhooks
// GitHub sent (a redelivery repeats its delivery's GUID).
func (w *world) completedDeliveries() map[int64]int {
	guids := map[int64]map[string]bool{}
	for _, d := range w.gh.Deliveries() {
		id := deliveryJob(d)
		if d.Action != "completed" || id == 0 {
			continue
		}
		if guids[id] == nil {
			guids[id] = map[string]bool{}
		}
		guids[id][d.GUID] = true
	}
	out := map[int64]int{}
	for id, g := range guids {
		out[id] = len(g)
	}
	return out
}

// waitClean waits up to d until no host has a VM and GitHub has no runner,
// and returns how long that took.
func (w *world) waitClean(d time.Duration) time.Duration {
	w.t.Helper()
	began := time.Now()
	var left []string
	clean := poll(d, 50*time.Millisecond, func() bool {
		left = left[:0]
		for _, h := range w.hosts {
			for _, vm := range h.fake.VMs() {
				left = append(left, h.id+" VM "+vm.Name+" ("+vm.Status+")")
			}
		}
		for _, rn := range w.gh.Runners() {
			left = append(left, "runner "+rn.Name+" ("+rn.Status+")")
		}
		return len(left) == 0
	})
	if !clean {
		w.t.Fatalf("after %v, still there: %s", d, strings.Join(left, ", "))
	}
	return time.Since(began)
}

// checkAlive asserts that every process of the world still runs.
func (w *world) checkAlive() {
	w.t.Helper()
	if w.receiver != nil && !w.receiver.alive() {
		w.t.Errorf("the receiver exited with status %d", w.receiver.exitCode())
	}
	for _, h := range w.hosts {
		if h.proc != nil && !h.proc.alive() {
			w.t.Errorf("%s exited with status %d", h.id, h.proc.exitCode())
		}
	}
}

// deliveryJob is the job a workflow_job delivery is about; 0 for other
// events.
func deliveryJob(d githubtest.Delivery) int64 {
	var p struct {
		Job struct {
			ID int64 `json:"id"`
		} `json:"workflow_job"`
	}
	if d.Event != "workflow_job" || json.Unmarshal(d.Payload, &p) != nil {
		return 0
	}
	return p.Job.ID
}
