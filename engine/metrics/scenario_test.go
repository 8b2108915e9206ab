package metrics

import (
	"context"
	"time"
)

// The scenario both format tests drive: a handler that ran four VMs (one
// still running) and finished three jobs well and one badly, and a receiver
// that stored webhooks.
const (
	handlerName   = "mac-1"
	receiverName  = "receiver"
	owner         = "veertuinc"
	repo          = "anklet"
	failedJobURL  = `https://github.com/veertuinc/anklet/actions/runs/9/job/2?a=1&b="x\y"`
	successJobURL = "https://github.com/veertuinc/anklet/actions/runs/8/job/3"
)

var (
	start = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

	handlerLabels = map[string]string{
		"name": handlerName, "plugin": "github", "owner": owner, "repo": repo,
	}
	receiverLabels = map[string]string{
		"name": receiverName, "plugin": "github_receiver", "owner": owner,
	}
)

// scenarioTimes are the clock readings the scenario leaves behind.
type scenarioTimes struct {
	runningSince, lastSuccess, lastFailure, receiverSince time.Time
}

func driveScenario(r *Registry, clk *clock) scenarioTimes {
	var ts scenarioTimes
	h := r.Plugin(handlerName, "github", owner, repo)
	rc := r.Plugin(receiverName, "github_receiver", owner, "")
	r.WatchQueue(owner, func(context.Context) (int64, int64, int64, error) { return 7, 2, 5, nil })

	clk.Advance(10 * time.Second)
	rc.SetStatus(StatusRunning)
	ts.receiverSince = clk.Now()
	for range 5 {
		rc.Webhook(WebhookStored)
	}
	rc.Webhook(WebhookDuplicate)
	rc.Redelivered(3)
	rc.Redelivered(0) // ignored

	for i := range 4 {
		clk.Advance(time.Minute)
		h.SetStatus(StatusPulling)
		h.ObserveQueueWait(time.Duration(i+1) * time.Second)
		h.ObservePull(90 * time.Second)
		h.ObserveCloneStart(12 * time.Second)
		h.VMStarted()
		h.ObserveRegistration(8 * time.Second)
		h.SetStatus(StatusRunning)
		h.SetStatus(StatusRunning) // no change: status_since stays
		ts.runningSince = clk.Now()
		if i == 3 {
			break // the fourth job is still running
		}
		clk.Advance(10 * time.Minute)
		h.ObserveJob(10 * time.Minute)
		if i == 1 {
			h.RunFinished(OutcomeFailure, failedJobURL)
			ts.lastFailure = clk.Now()
		} else {
			h.RunFinished(OutcomeSuccess, successJobURL)
			ts.lastSuccess = clk.Now()
		}
		h.VMStopped()
	}
	// Three successes: the third arrives from a job that another runner
	// took, so it changes no VM count.
	h.RunFinished(OutcomeSuccess, successJobURL)
	ts.lastSuccess = clk.Now()
	h.RunFinished("bogus", "https://ignored")

	h.Requeued("runner_took_other_job")
	h.Requeued("runner_took_other_job")
	h.Requeued("anka_error")
	h.Recovered()
	h.Reconciled("orphan_vm", 2)
	h.Reconciled("orphan_vm", 1)
	h.Reconciled("lost_webhook", 0)
	return ts
}
