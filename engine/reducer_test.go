package engine

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 600000000, time.UTC)

// ev builds an event of job 1 written by host-a.
func ev(typ EventType, version int64, attrs ...string) Event {
	e := Event{Type: typ, JobID: 1, RunID: 9, Version: version, Host: "host-a",
		Plugin: "handler", At: t0.Add(time.Duration(version) * time.Second)}
	for i := 0; i+1 < len(attrs); i += 2 {
		if e.Attrs == nil {
			e.Attrs = map[string]string{}
		}
		e.Attrs[attrs[i]] = attrs[i+1]
	}
	return e
}

// jobIn returns job 1 in state from at version 3 (the zero Job for "").
func jobIn(from EventType) Job {
	if from == "" {
		return Job{}
	}
	return Job{ID: 1, RunID: 9, State: from, Version: 3, QueuedAt: t0}
}

func TestApplyEveryAllowedTransition(t *testing.T) {
	for _, pair := range allowedPairs {
		from, to, _ := strings.Cut(pair, ">")
		j := jobIn(EventType(from))
		got, err := Apply(j, ev(EventType(to), j.Version+1))
		if err != nil {
			t.Errorf("%s → %s: %v", from, to, err)
			continue
		}
		if got.State != EventType(to) || got.Version != j.Version+1 || got.ID != 1 {
			t.Errorf("%s → %s: got state %s version %d id %d", from, to, got.State,
				got.Version, got.ID)
		}
	}
}

func TestApplyRejectsForbiddenTransitions(t *testing.T) {
	tests := []struct{ from, to EventType }{
		{EventCompleted, EventClaimed},
		{EventCompleted, EventCompleted},
		{EventFailed, EventRequeued},
		{EventCanceled, EventInProgress},
		{"", EventClaimed},
		{"", EventRequeued},
		{"", EventFailed},
		{EventQueued, EventQueued},
		{EventClaimed, EventQueued},
		{EventClaimed, EventClaimed},
		{EventInProgress, EventInProgress},
		{EventInProgress, EventClaimed},
		{EventInProgress, EventVMStarted},
		{EventRegistered, EventPulling},
		{EventVMStarted, EventPulling},
		{EventPulling, EventRegistered},
		{EventRequeued, EventPulling},
	}
	for _, tt := range tests {
		j := jobIn(tt.from)
		got, err := Apply(j, ev(tt.to, j.Version+1))
		if !errors.Is(err, ErrIllegalTransition) {
			t.Errorf("%s → %s: err = %v, want ErrIllegalTransition", tt.from, tt.to, err)
		}
		if got.State != j.State || got.Version != j.Version {
			t.Errorf("%s → %s: job changed to %s/%d on error", tt.from, tt.to, got.State,
				got.Version)
		}
	}
}

func TestApplyRejectsVersionGapsAndOtherJobs(t *testing.T) {
	j := jobIn(EventQueued)
	for _, v := range []int64{3, 5, 0} {
		if _, err := Apply(j, ev(EventClaimed, v)); !errors.Is(err, ErrVersionGap) {
			t.Errorf("version %d after 3: err = %v, want ErrVersionGap", v, err)
		}
	}
	if _, err := Apply(Job{}, ev(EventQueued, 2)); !errors.Is(err, ErrVersionGap) {
		t.Errorf("first event at version 2: err = %v, want ErrVersionGap", err)
	}
	other := ev(EventClaimed, 4)
	other.JobID = 2
	if _, err := Apply(j, other); err == nil || !strings.Contains(err.Error(), "job 2") {
		t.Errorf("event of job 2 applied to job 1: err = %v", err)
	}
}

func TestApplyKeepsFields(t *testing.T) {
	events := []Event{
		ev(EventQueued, 1, FieldOwner, "acme", FieldRepo, "app", FieldLabels, "a,b",
			FieldName, "build", FieldWorkflow, "ci", FieldURL, "u", FieldDelivery, "d1"),
		ev(EventClaimed, 2, FieldConsumer, "host-a/1"),
		ev(EventVMStarted, 3, FieldVM, "anklet-vm-x", FieldRunner, "anklet-vm-x"),
		ev(EventRequeued, 4, FieldReason, "vm_died", FieldLostHost, "host-z"),
	}
	events[3].Attempt = 1
	events[3].RunID = 0 // keeps the run ID already known
	var j Job
	var err error
	for _, e := range events {
		if j, err = Apply(j, e); err != nil {
			t.Fatal(err)
		}
	}
	want := Job{ID: 1, RunID: 9, Owner: "acme", Repo: "app", Name: "build", Workflow: "ci",
		URL: "u", Labels: []string{"a", "b"}, State: EventRequeued, Version: 4, Attempt: 1,
		Host: "host-a", Plugin: "handler", Reason: "vm_died", LostHost: "host-z",
		QueuedAt: events[0].At, UpdatedAt: events[3].At}
	if !jobsEqual(j, want) {
		t.Errorf("job = %+v\nwant %+v", j, want)
	}
}

func TestReduceFoldsManyJobs(t *testing.T) {
	a1, a2 := ev(EventQueued, 1), ev(EventClaimed, 2)
	b1, b2, b3 := ev(EventInProgress, 1), ev(EventCompleted, 2), ev(EventClaimed, 3)
	for _, e := range []*Event{&b1, &b2, &b3} {
		e.JobID = 2
	}
	got, err := Reduce([]Event{a1, b1, a2, b2})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].State != EventClaimed || got[2].State != EventCompleted {
		t.Errorf("Reduce = %+v", got)
	}

	b3.ID = "17-0"
	_, err = Reduce([]Event{a1, b1, a2, b2, b3})
	if !errors.Is(err, ErrIllegalTransition) || !strings.Contains(err.Error(), "event 17-0") ||
		!strings.Contains(err.Error(), "completed → claimed") {
		t.Errorf("claim after completion: err = %v", err)
	}
}

// jobsEqual compares jobs field by field, times by instant.
func jobsEqual(a, b Job) bool {
	return reflect.DeepEqual(normalize(a), normalize(b))
}

func normalize(j Job) Job {
	j.QueuedAt, j.UpdatedAt = j.QueuedAt.UTC().Round(0), j.UpdatedAt.UTC().Round(0)
	return j
}
