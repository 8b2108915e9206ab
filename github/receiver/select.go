package receiver

import (
	"sort"
	"time"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/github"
)

// failed is one webhook delivery (all attempts of one GUID) that never got
// a 2xx answer.
type failed struct {
	id     int64 // the newest attempt: the one fetched and redelivered
	guid   string
	action string
	first  time.Time // when the first attempt was made
}

// failedDeliveries returns the workflow_job deliveries of list whose
// attempts all failed, oldest first. Attempts are grouped by GUID, since
// GitHub records a redelivery as a new attempt with the same GUID; one 2xx
// attempt makes the delivery done.
func failedDeliveries(list []github.Delivery) []failed {
	byGUID := make(map[string]*failed)
	done := make(map[string]bool)
	newest := make(map[string]time.Time)
	for _, d := range list {
		if d.Event != "workflow_job" || actionRank(d.Action) == 0 || d.GUID == "" {
			continue
		}
		if d.StatusCode >= 200 && d.StatusCode <= 299 {
			done[d.GUID] = true
			continue
		}
		f := byGUID[d.GUID]
		if f == nil {
			f = &failed{guid: d.GUID, action: d.Action, first: d.DeliveredAt, id: d.ID}
			byGUID[d.GUID] = f
			newest[d.GUID] = d.DeliveredAt
		}
		if d.DeliveredAt.Before(f.first) {
			f.first = d.DeliveredAt
		}
		if d.DeliveredAt.After(newest[d.GUID]) {
			f.id, newest[d.GUID] = d.ID, d.DeliveredAt
		}
	}

	out := make([]failed, 0, len(byGUID))
	for guid, f := range byGUID {
		if !done[guid] {
			out = append(out, *f)
		}
	}
	sort.Slice(out, func(i, k int) bool {
		if !out[i].first.Equal(out[k].first) {
			return out[i].first.Before(out[k].first)
		}
		return out[i].id < out[k].id
	})
	return out
}

// candidate is a failed delivery about one of our jobs.
type candidate struct {
	failed
	jobID int64
}

// actionRank orders workflow_job actions by how far along they report the
// job; 0 for actions the receiver does not store.
func actionRank(action string) int {
	switch action {
	case actionQueued:
		return 1
	case actionInProgress:
		return 2
	case actionCompleted:
		return 3
	}
	return 0
}

// needed reports whether a delivery of action still has something to tell
// a job in state ("" when the job is unknown): queued only a job not yet
// known, in_progress a job neither in progress nor finished, completed a
// job not finished.
func needed(action string, state engine.EventType) bool {
	switch action {
	case actionQueued:
		return state == ""
	case actionInProgress:
		return state != engine.EventInProgress && !state.Terminal()
	case actionCompleted:
		return !state.Terminal()
	}
	return false
}

// choose picks the candidates to redeliver, oldest first. A delivery whose
// marker exists (handled: it was stored, though GitHub saw no 2xx) is
// skipped. Of one job's deliveries only the furthest along is considered,
// since it alone brings the job to its final state (a redelivered queued
// followed by completed would only make a handler start a VM for a job
// that is over), and it is chosen only when needed for the job's state.
func choose(cands []candidate, states map[int64]engine.EventType,
	handled map[string]bool) []candidate {
	best := make(map[int64]candidate)
	for _, c := range cands {
		if handled[c.guid] {
			continue
		}
		b, seen := best[c.jobID]
		if !seen || actionRank(c.action) >= actionRank(b.action) {
			best[c.jobID] = c
		}
	}

	var out []candidate
	for _, c := range cands {
		if b, ok := best[c.jobID]; ok && b.guid == c.guid && needed(c.action, states[c.jobID]) {
			out = append(out, c)
		}
	}
	return out
}
