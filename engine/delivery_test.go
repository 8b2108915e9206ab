package engine

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestForDeliveryEnqueueOnce(t *testing.T) {
	st, b := setup(t)
	ctx := context.Background()
	once := st.ForDelivery("guid-q", time.Hour)

	if _, created, err := once.Enqueue(ctx, spec(7)); err != nil || !created {
		t.Fatalf("first enqueue: created %v, err %v", created, err)
	}
	_, _, err := once.Enqueue(ctx, spec(7))
	if !errors.Is(err, ErrDuplicateDelivery) {
		t.Fatalf("repeated delivery: err %v, want ErrDuplicateDelivery", err)
	}
	if n := b.xlen(t, b.keys.Jobs()); n != 1 {
		t.Errorf("work entries = %d, want 1", n)
	}
	if n := b.xlen(t, b.keys.Events()); n != 1 {
		t.Errorf("events = %d, want 1", n)
	}
	ttl, err := b.rdb.TTL(ctx, b.keys.Delivery("guid-q")).Result()
	if err != nil || ttl <= 59*time.Minute || ttl > time.Hour {
		t.Errorf("marker ttl = %v (err %v), want about 1h", ttl, err)
	}
}

func TestForDeliveryMarksConflicts(t *testing.T) {
	st, b := setup(t)
	ctx := context.Background()
	mustEnqueue(t, st, 8)
	ev := Event{Type: EventInProgress, Attrs: map[string]string{FieldRunner: "vm-1"}}

	if _, err := st.ForDelivery("guid-a", 0).Transition(ctx, 8, Expect{}, ev); err != nil {
		t.Fatalf("in-progress: %v", err)
	}
	// Another delivery of the same change conflicts in the state machine and
	// is still marked as handled.
	_, err := st.ForDelivery("guid-b", 0).Transition(ctx, 8, Expect{}, ev)
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("second in-progress: err %v, want ErrConflict", err)
	}
	for _, guid := range []string{"guid-a", "guid-b"} {
		ttl, err := b.rdb.TTL(ctx, b.keys.Delivery(guid)).Result()
		if err != nil || ttl < DefaultDeliveryTTL-time.Minute {
			t.Errorf("marker %s ttl = %v (err %v), want the 7-day default", guid, ttl, err)
		}
	}
	_, err = st.ForDelivery("guid-b", 0).Transition(ctx, 8, Expect{}, ev)
	if !errors.Is(err, ErrDuplicateDelivery) {
		t.Fatalf("repeat of guid-b: err %v, want ErrDuplicateDelivery", err)
	}

	// The plain Store is unaffected by markers.
	_, _, err = st.Enqueue(ctx, spec(9))
	if err != nil {
		t.Fatalf("plain enqueue: %v", err)
	}
	if n, _ := b.rdb.Exists(ctx, b.keys.Delivery("guid-1")).Result(); n != 0 {
		t.Errorf("plain enqueue wrote a delivery marker")
	}
}
