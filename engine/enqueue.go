package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// JobSpec describes a job GitHub reported queued.
type JobSpec struct {
	// ID and RunID are GitHub's workflow job and run IDs; ID must be positive.
	ID, RunID int64
	Owner     string
	Repo      string
	Name      string
	Workflow  string
	URL       string
	// Labels are the job's runs-on labels; none may hold a comma.
	Labels []string
	// Delivery is the webhook delivery GUID that reported the job, if any.
	Delivery string
}

// Enqueue stores a queued job once: its projection (state queued, version 1,
// attempt 0), a work entry on the work stream and a queued event, atomically.
// When the job already has a projection, in any state, nothing is written and
// Enqueue returns the job as it is with created false: a webhook repeated, or
// GitHub reported the job running before it reported it queued.
func (s *Store) Enqueue(ctx context.Context, spec JobSpec) (Job, bool, error) {
	if spec.ID <= 0 {
		return Job{}, false, fmt.Errorf("enqueue job %d: job ID must be positive", spec.ID)
	}
	for _, l := range spec.Labels {
		if l == "" || strings.Contains(l, ",") {
			return Job{}, false, fmt.Errorf("enqueue job %d: bad label %q", spec.ID, l)
		}
	}

	attrs := map[string]string{}
	for name, v := range map[string]string{
		FieldOwner: spec.Owner, FieldRepo: spec.Repo, FieldName: spec.Name,
		FieldWorkflow: spec.Workflow, FieldURL: spec.URL,
		FieldLabels: joinLabels(spec.Labels), FieldDelivery: spec.Delivery,
	} {
		if v != "" {
			attrs[name] = v
		}
	}
	args := append([]any{
		strconv.FormatInt(spec.ID, 10), strconv.FormatInt(spec.RunID, 10),
		formatTime(time.Now()), s.host, s.plugin,
	}, attrArgs(attrs)...)
	keys := []string{s.keys.Job(spec.ID), s.keys.Events(), s.keys.Jobs()}

	v, err := s.runScript(ctx, enqueueScript, keys, args...)
	if err != nil {
		return Job{}, false, fmt.Errorf("enqueue job %d: %w", spec.ID, err)
	}
	r, err := parseReply(v)
	if err != nil {
		return Job{}, false, fmt.Errorf("enqueue job %d: %w", spec.ID, err)
	}
	j, err := jobFromHash(spec.ID, r.hash())
	if err != nil {
		return Job{}, false, fmt.Errorf("enqueue job %d: %w", spec.ID, err)
	}
	return j, r.status == "ok", nil
}
