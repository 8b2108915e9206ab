package receiver

import (
	"errors"
	"fmt"
	"strings"

	gh "github.com/google/go-github/v66/github"

	"github.com/anklet/anklet/engine"
)

// TemplateLabelPrefix marks a job as Anklet's: one of its runs-on labels
// starts with it (compared without regard to case), followed by the Anka
// template.
const TemplateLabelPrefix = "anka-template:"

// workflow_job actions GitHub sends.
const (
	actionQueued     = "queued"
	actionWaiting    = "waiting"
	actionInProgress = "in_progress"
	actionCompleted  = "completed"
)

// conclusionCancelled is GitHub's spelling of a cancelled job's conclusion.
const conclusionCancelled = "cancelled"

// errMalformedJob is returned by readJob for a payload that lacks what every
// workflow_job carries.
var errMalformedJob = errors.New("malformed workflow_job")

// jobInfo is what the receiver takes from a workflow_job payload.
type jobInfo struct {
	action       string
	id, runID    int64
	owner, repo  string
	name, flow   string
	url          string
	labels       []string
	runner       string
	conclusion   string
	hasOurLabels bool
}

// readJob extracts the job from a parsed workflow_job event. It fails with
// errMalformedJob when the job id or the repository's owner is missing.
func readJob(ev *gh.WorkflowJobEvent) (jobInfo, error) {
	wj := ev.GetWorkflowJob()
	if wj == nil || wj.GetID() <= 0 {
		return jobInfo{}, fmt.Errorf("no workflow_job.id: %w", errMalformedJob)
	}
	repo := ev.GetRepo()
	if repo.GetOwner().GetLogin() == "" || repo.GetName() == "" {
		return jobInfo{}, fmt.Errorf("no repository owner or name: %w", errMalformedJob)
	}
	j := jobInfo{
		action: ev.GetAction(), id: wj.GetID(), runID: max(wj.GetRunID(), 0),
		owner: repo.GetOwner().GetLogin(), repo: repo.GetName(),
		name: wj.GetName(), flow: wj.GetWorkflowName(), url: wj.GetHTMLURL(),
		labels: wj.Labels, runner: wj.GetRunnerName(), conclusion: wj.GetConclusion(),
	}
	j.hasOurLabels = hasTemplateLabel(j.labels)
	return j, nil
}

// hasTemplateLabel reports whether one of labels starts with
// TemplateLabelPrefix.
func hasTemplateLabel(labels []string) bool {
	for _, l := range labels {
		if len(l) >= len(TemplateLabelPrefix) &&
			strings.EqualFold(l[:len(TemplateLabelPrefix)], TemplateLabelPrefix) {
			return true
		}
	}
	return false
}

// inScope reports whether the job's repository is under owner (and is repo,
// when repo is set), without regard to case.
func inScope(j jobInfo, owner, repo string) bool {
	if !strings.EqualFold(j.owner, owner) {
		return false
	}
	return repo == "" || strings.EqualFold(j.repo, repo)
}

// change is what a webhook does to the queue: enqueue a job, or append an
// event to it.
type change struct {
	enqueue bool
	spec    engine.JobSpec
	event   engine.Event
}

// target is the state the change leaves the job in.
func (c change) target() engine.EventType {
	if c.enqueue {
		return engine.EventQueued
	}
	return c.event.Type
}

// plan maps the job's action onto a change, or says why there is none.
func plan(j jobInfo, delivery string) (c change, ignore string) {
	for _, l := range j.labels {
		if l == "" || strings.Contains(l, ",") {
			return change{}, "unusable label (empty or holding a comma)"
		}
	}

	attrs := map[string]string{}
	for name, v := range map[string]string{
		engine.FieldOwner: j.owner, engine.FieldRepo: j.repo, engine.FieldName: j.name,
		engine.FieldWorkflow: j.flow, engine.FieldURL: j.url,
		engine.FieldLabels: strings.Join(j.labels, ","), engine.FieldDelivery: delivery,
		engine.FieldRunner: j.runner,
	} {
		if v != "" {
			attrs[name] = v
		}
	}
	ev := engine.Event{RunID: j.runID, Attrs: attrs}

	switch j.action {
	case actionQueued:
		return change{enqueue: true, spec: engine.JobSpec{
			ID: j.id, RunID: j.runID, Owner: j.owner, Repo: j.repo, Name: j.name,
			Workflow: j.flow, URL: j.url, Labels: j.labels, Delivery: delivery,
		}}, ""
	case actionInProgress:
		if j.conclusion == conclusionCancelled {
			return change{}, "in_progress of a cancelled job"
		}
		ev.Type = engine.EventInProgress
		return change{event: ev}, ""
	case actionCompleted:
		ev.Type = engine.EventCompleted
		if j.conclusion == conclusionCancelled {
			ev.Type = engine.EventCanceled
		}
		if j.conclusion != "" {
			attrs[engine.FieldConclusion] = j.conclusion
		}
		return change{event: ev}, ""
	case "":
		return change{}, "no action"
	}
	return change{}, "action " + j.action
}
