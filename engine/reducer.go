package engine

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrVersionGap is returned when an event's version is not the job's version
// plus one: an event is missing from the log, or repeated.
var ErrVersionGap = errors.New("version gap")

// Job is the projection of one job's events: what its hash in Redis holds.
// The string fields keep the last value any event carried; a requeued event
// first empties Runner, VM, Consumer and LostHost, which described the
// attempt that ended.
type Job struct {
	ID       int64    `json:"id"`
	RunID    int64    `json:"run_id"`
	Owner    string   `json:"owner,omitempty"`
	Repo     string   `json:"repo,omitempty"`
	Name     string   `json:"name,omitempty"`
	Workflow string   `json:"workflow,omitempty"`
	URL      string   `json:"url,omitempty"`
	Labels   []string `json:"labels,omitempty"`
	// State is the type of the job's last event.
	State EventType `json:"state"`
	// Version counts the job's events.
	Version int64 `json:"version"`
	// Attempt counts requeues that consumed an attempt.
	Attempt    int    `json:"attempt"`
	Runner     string `json:"runner,omitempty"`
	VM         string `json:"vm,omitempty"`
	Host       string `json:"host,omitempty"`   // writer of the last event
	Plugin     string `json:"plugin,omitempty"` // writer of the last event
	Consumer   string `json:"consumer,omitempty"`
	Conclusion string `json:"conclusion,omitempty"`
	Reason     string `json:"reason,omitempty"`
	LostHost   string `json:"lost_host,omitempty"`
	// WorkID is the job's live work entry. Only the Store knows it: events do
	// not carry it, so Apply leaves it alone.
	WorkID string `json:"work_id,omitempty"`
	// QueuedAt is the time of the job's first event, UpdatedAt of its last.
	QueuedAt  time.Time `json:"queued_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Apply returns j after event e. It fails, leaving j as it was, when e may
// not follow j.State ([ErrIllegalTransition]), when e.Version is not
// j.Version+1 ([ErrVersionGap]) or when e belongs to another job. The zero
// Job is a job not yet known.
func Apply(j Job, e Event) (Job, error) {
	if j.State != "" && e.JobID != j.ID {
		return j, fmt.Errorf("job %d: event of job %d", j.ID, e.JobID)
	}
	if !Allowed(j.State, e.Type) {
		return j, fmt.Errorf("job %d: %s → %s: %w", e.JobID, j.State, e.Type,
			ErrIllegalTransition)
	}
	if e.Version != j.Version+1 {
		return j, fmt.Errorf("job %d: %s → %s: version %d after version %d: %w",
			e.JobID, j.State, e.Type, e.Version, j.Version, ErrVersionGap)
	}

	if j.State == "" {
		j.ID = e.JobID
		j.QueuedAt = e.At
	}
	if e.RunID != 0 {
		j.RunID = e.RunID
	}
	j.State, j.Version, j.Attempt = e.Type, e.Version, e.Attempt
	j.Host, j.Plugin, j.UpdatedAt = e.Host, e.Plugin, e.At
	if e.Type == EventRequeued {
		j.Runner, j.VM, j.Consumer, j.LostHost = "", "", "", ""
	}
	for _, name := range projectedAttrs {
		if v, ok := e.Attrs[name]; ok {
			j.setAttr(name, v)
		}
	}
	return j, nil
}

func (j *Job) setAttr(name, v string) {
	switch name {
	case FieldOwner:
		j.Owner = v
	case FieldRepo:
		j.Repo = v
	case FieldName:
		j.Name = v
	case FieldWorkflow:
		j.Workflow = v
	case FieldURL:
		j.URL = v
	case FieldLabels:
		j.Labels = splitLabels(v)
	case FieldRunner:
		j.Runner = v
	case FieldVM:
		j.VM = v
	case FieldConsumer:
		j.Consumer = v
	case FieldConclusion:
		j.Conclusion = v
	case FieldReason:
		j.Reason = v
	case FieldLostHost:
		j.LostHost = v
	}
}

// Reduce folds a log of many jobs' events, in log order, into each job's
// projection. The first event it cannot apply ends the fold with an error
// naming the event's ID.
func Reduce(events []Event) (map[int64]Job, error) {
	var f fold
	for _, e := range events {
		if err := f.add(e); err != nil {
			return nil, err
		}
	}
	return f.result(), nil
}

// fold applies events one at a time to the jobs they belong to.
type fold struct{ jobs map[int64]Job }

func (f *fold) add(e Event) error {
	if f.jobs == nil {
		f.jobs = make(map[int64]Job)
	}
	j, err := Apply(f.jobs[e.JobID], e)
	if err != nil {
		return fmt.Errorf("event %s: %w", e.ID, err)
	}
	f.jobs[e.JobID] = j
	return nil
}

func (f *fold) result() map[int64]Job {
	if f.jobs == nil {
		return map[int64]Job{}
	}
	return f.jobs
}

func joinLabels(labels []string) string { return strings.Join(labels, ",") }

func splitLabels(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
