package engine

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

func TestTransitionConflictWritesNothing(t *testing.T) {
	st, b := setup(t)
	ctx := context.Background()
	j := mustEnqueue(t, st, 1)
	if _, err := st.Claim(ctx, 1, j.WorkID, "host-a:1"); err != nil {
		t.Fatal(err)
	}
	before := b.snapshot(t, 1)

	tests := []struct {
		name   string
		expect Expect
		ev     Event
	}{
		{"stale version", Expect{Version: 1}, Event{Type: EventPulling}},
		{"stale state", Expect{States: []EventType{EventQueued}}, Event{Type: EventInProgress}},
		{"state the event may not follow", Expect{}, Event{Type: EventClaimed}},
	}
	for _, tt := range tests {
		_, err := st.Transition(ctx, 1, tt.expect, tt.ev)
		var ce *ConflictError
		if !errors.Is(err, ErrConflict) || !errors.As(err, &ce) {
			t.Errorf("%s: err = %v, want ErrConflict", tt.name, err)
			continue
		}
		if ce.JobID != 1 || ce.State != EventClaimed || ce.Version != 2 || ce.WorkID != j.WorkID {
			t.Errorf("%s: conflict = %+v, want job 1 claimed at version 2", tt.name, ce)
		}
	}
	if _, err := st.Claim(ctx, 1, j.WorkID, "host-b:1"); !errors.Is(err, ErrConflict) {
		t.Errorf("second claim: err = %v, want ErrConflict", err)
	}
	if after := b.snapshot(t, 1); !reflect.DeepEqual(before, after) {
		t.Errorf("refused changes wrote:\nbefore %+v\nafter  %+v", before, after)
	}
}

func TestTransitionRefusesIllegalExpectations(t *testing.T) {
	st, b := setup(t)
	ctx := context.Background()
	mustEnqueue(t, st, 1)
	before := b.snapshot(t, 1)

	_, err := st.Transition(ctx, 1, Expect{States: []EventType{EventCompleted}},
		Event{Type: EventClaimed})
	if !errors.Is(err, ErrIllegalTransition) {
		t.Errorf("completed → claimed expected: err = %v, want ErrIllegalTransition", err)
	}
	for _, typ := range []EventType{EventQueued, EventRequeued, "started"} {
		if _, err := st.Transition(ctx, 1, Expect{}, Event{Type: typ}); err == nil {
			t.Errorf("Transition to %s succeeded", typ)
		}
	}
	_, err = st.Transition(ctx, 1, Expect{}, Event{Type: EventInProgress,
		Attrs: map[string]string{FieldVersion: "9"}})
	if err == nil {
		t.Errorf("an attribute named version was accepted")
	}
	if after := b.snapshot(t, 1); !reflect.DeepEqual(before, after) {
		t.Errorf("refused changes wrote:\nbefore %+v\nafter  %+v", before, after)
	}
}

func TestClaimRefusesStaleWorkEntry(t *testing.T) {
	st, b := setup(t)
	mustEnqueue(t, st, 1)
	before := b.snapshot(t, 1)

	_, err := st.Claim(context.Background(), 1, "1-1", "host-a:1")
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.State != EventQueued {
		t.Errorf("claim of a stale entry: err = %v, want a conflict in state queued", err)
	}
	if after := b.snapshot(t, 1); !reflect.DeepEqual(before, after) {
		t.Errorf("refused claim wrote:\nbefore %+v\nafter  %+v", before, after)
	}
}

func TestTerminalTransitionAcksWorkEntry(t *testing.T) {
	for _, terminal := range []EventType{EventCompleted, EventCanceled, EventFailed} {
		t.Run(string(terminal), func(t *testing.T) {
			st, b := setup(t)
			ctx := context.Background()
			mustEnqueue(t, st, 1)
			msg := b.deliver(t, "host-a:1")
			if _, err := st.Claim(ctx, 1, msg.ID, "host-a:1"); err != nil {
				t.Fatal(err)
			}
			j, err := st.Transition(ctx, 1, Expect{Version: 2}, Event{Type: EventPulling})
			if err != nil {
				t.Fatal(err)
			}
			if p := b.pending(t); len(p) != 1 || p[0] != msg.ID || j.WorkID != msg.ID {
				t.Fatalf("pending %v, work_id %s; want %s before the end", p, j.WorkID, msg.ID)
			}

			j, err = st.Transition(ctx, 1, Expect{Version: 3}, Event{Type: terminal,
				Attrs: map[string]string{FieldConclusion: "success"}})
			if err != nil {
				t.Fatal(err)
			}
			if p := b.pending(t); len(p) != 0 {
				t.Errorf("pending after %s = %v, want none", terminal, p)
			}
			if j.State != terminal || j.Version != 4 || j.WorkID != "" ||
				j.Conclusion != "success" || j.Consumer != "host-a:1" {
				t.Errorf("job after %s = %+v", terminal, j)
			}
		})
	}
}

func TestOutOfOrderWebhooks(t *testing.T) {
	st, b := setup(t)
	ctx := context.Background()

	j, err := st.Transition(ctx, 5, Expect{}, Event{Type: EventCompleted, RunID: 55,
		Host: "recv-1", Plugin: "receiver",
		Attrs: map[string]string{FieldConclusion: "success", FieldRunner: "r1"}})
	if err != nil {
		t.Fatalf("completed before queued: %v", err)
	}
	if j.State != EventCompleted || j.Version != 1 || j.RunID != 55 || j.Host != "recv-1" ||
		j.WorkID != "" || j.QueuedAt.IsZero() {
		t.Errorf("job created by completed = %+v", j)
	}

	got, created, err := st.Enqueue(ctx, spec(5))
	if err != nil || created || got.State != EventCompleted || got.Version != 1 {
		t.Errorf("late enqueue: job %+v, created %v, err %v; want a no-op", got, created, err)
	}
	if n := b.xlen(t, b.keys.Jobs()); n != 0 {
		t.Errorf("work stream holds %d entries, want none", n)
	}
	if n := b.xlen(t, b.keys.Events()); n != 1 {
		t.Errorf("event log holds %d entries, want 1", n)
	}

	_, err = st.Transition(ctx, 6, Expect{}, Event{Type: EventPulling})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("pulling of an unknown job: err = %v, want ErrNotFound", err)
	}
	_, err = st.Transition(ctx, 6, Expect{Version: 3}, Event{Type: EventInProgress})
	if !errors.Is(err, ErrConflict) {
		t.Errorf("versioned in-progress of an unknown job: err = %v, want ErrConflict", err)
	}
	if n := b.xlen(t, b.keys.Events()); n != 1 {
		t.Errorf("refused changes wrote events: log holds %d", n)
	}
}
