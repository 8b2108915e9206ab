package engine

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"
)

func TestFollowSeesLaterEventsAndStopsOnCancel(t *testing.T) {
	st, b := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mustEnqueue(t, st, 1)
	mustEnqueue(t, st, 2)
	first, err := b.rdb.XRange(ctx, b.keys.Events(), "-", "+").Result()
	if err != nil || len(first) != 2 {
		t.Fatalf("event log = %v, err %v", first, err)
	}

	seen := make(chan Event)
	done := make(chan error, 1)
	go func() {
		done <- st.Follow(ctx, first[0].ID, func(e Event) bool {
			select {
			case seen <- e:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()

	next := func() Event {
		t.Helper()
		select {
		case e := <-seen:
			return e
		case <-time.After(10 * time.Second):
			t.Fatal("Follow delivered nothing")
			return Event{}
		}
	}
	if e := next(); e.JobID != 2 || e.Type != EventQueued || e.ID != first[1].ID {
		t.Errorf("first event after %s = %+v, want job 2 queued", first[0].ID, e)
	}
	mustEnqueue(t, st, 3)
	if e := next(); e.JobID != 3 {
		t.Errorf("next event = %+v, want job 3 queued", e)
	}

	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Follow returned %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Follow did not return after cancel")
	}
}

func TestFollowFromEndAndStopByCallback(t *testing.T) {
	st, _ := setup(t)
	mustEnqueue(t, st, 1)
	started := make(chan struct{})
	done := make(chan error, 1)
	var got Event
	go func() {
		close(started)
		done <- st.Follow(context.Background(), "$", func(e Event) bool {
			got = e
			return false
		})
	}()
	<-started
	// Appending until Follow returns covers the race with Follow's start: it
	// must skip job 1 and report the first job appended after it began.
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	id := int64(100)
	for {
		select {
		case err := <-done:
			if err != nil || got.JobID < 100 {
				t.Errorf("Follow(\"$\") = %v, event %+v; want an event appended later", err, got)
			}
			return
		case <-tick.C:
			mustEnqueue(t, st, id)
			id++
		case <-time.After(10 * time.Second):
			t.Fatal("Follow did not return")
		}
	}
}

func TestEventsAreFlatAndReadable(t *testing.T) {
	st, b := setup(t)
	ctx := context.Background()
	j := mustEnqueue(t, st, 1)
	steps := []func() error{
		func() error { _, err := st.Claim(ctx, 1, j.WorkID, "c1"); return err },
		func() error {
			_, err := st.Requeue(ctx, 1, Expect{}, "pull_busy", true)
			return err
		},
		func() error {
			_, err := st.Transition(ctx, 1, Expect{}, Event{Type: EventCompleted,
				Attrs: map[string]string{FieldConclusion: "success"}})
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}

	raw, err := b.rdb.Do(ctx, "XRANGE", b.keys.Events(), "-", "+").Slice()
	if err != nil || len(raw) != 4 {
		t.Fatalf("XRANGE = %v, err %v", raw, err)
	}
	for i, r := range raw {
		entry := r.([]any)
		pairs := entry[1].([]any)
		f := map[string]string{}
		for k := 0; k+1 < len(pairs); k += 2 {
			name, ok1 := pairs[k].(string)
			value, ok2 := pairs[k+1].(string)
			if !ok1 || !ok2 {
				t.Fatalf("entry %d field %d is not a flat string: %#v", i, k, pairs[k:k+2])
			}
			f[name] = value
		}
		for _, name := range baseFields {
			if _, ok := f[name]; !ok {
				t.Errorf("entry %d lacks %s: %v", i, name, f)
			}
		}
		if f[FieldVersion] != strconv.Itoa(i+1) || f[FieldJobID] != "1" ||
			f[FieldRunID] != "1001" || f[FieldHost] != "host-a" || f[FieldPlugin] != "handler" {
			t.Errorf("entry %d = %v", i, f)
		}
		if at, err := time.Parse(time.RFC3339Nano, f[FieldAt]); err != nil ||
			at.Location() != time.UTC || len(f[FieldAt]) != len("2006-01-02T15:04:05.000000000Z") {
			t.Errorf("entry %d at = %q, want RFC 3339 UTC with nanoseconds", i, f[FieldAt])
		}
	}
	first := raw[0].([]any)[1].([]any)
	if !containsPair(first, FieldLabels, "macos,arm") ||
		!containsPair(first, FieldDelivery, "guid-1") {
		t.Errorf("queued event = %v, want labels and delivery", first)
	}
}

func containsPair(pairs []any, name, value string) bool {
	for k := 0; k+1 < len(pairs); k += 2 {
		if pairs[k] == name && pairs[k+1] == value {
			return true
		}
	}
	return false
}
