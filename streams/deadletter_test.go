package streams

import (
	"context"
	"errors"
	"testing"
	"time"
)

const testDead = "anklet:{test}:dead"

func TestDeadLetterMovesAndAcknowledges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, rdb := setupGroup(t)
	id, err := Append(ctx, rdb, testStream,
		map[string]string{"job_id": "9", "reason": "earlier"}, AppendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := NewConsumer(rdb, testStream, testGroup, "c", ConsumerOptions{})
	readN(t, c, 1)

	deadID, err := DeadLetter(ctx, rdb, testStream, testGroup, testDead, id, "poison")
	if err != nil {
		t.Fatal(err)
	}
	got, err := rdb.XRange(ctx, testDead, "-", "+").Result()
	if err != nil || len(got) != 1 || got[0].ID != deadID {
		t.Fatalf("dead stream = %v, %v; want one entry %s", got, err, deadID)
	}
	want := map[string]string{"job_id": "9", "reason": "poison", "original_id": id, "deliveries": "1"}
	if fields := stringFields(got[0].Values); !sameFields(fields, want) {
		t.Fatalf("dead entry fields %v, want %v", fields, want)
	}
	if _, ok := pendingIDs(t, rdb, testStream, testGroup)[id]; ok {
		t.Fatal("dead-lettered entry is still pending")
	}

	_, err = DeadLetter(ctx, rdb, testStream, testGroup, testDead, id, "again")
	if !errors.Is(err, ErrNotPending) {
		t.Fatalf("second DeadLetter = %v, want ErrNotPending", err)
	}
	if n := rdb.XLen(ctx, testDead).Val(); n != 1 {
		t.Fatalf("dead stream holds %d entries after a refused move, want 1", n)
	}
}

// TestRescuerDeadLettersAfterMaxDeliveries: an entry whose holders keep
// dying is handed out again until its delivery count passes the limit, and
// then goes to the dead-letter stream instead.
func TestRescuerDeadLettersAfterMaxDeliveries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, rdb := setupGroup(t)
	ids := fill(t, rdb, testStream, 1)
	readN(t, NewConsumer(rdb, testStream, testGroup, "first", ConsumerOptions{}), 1)
	r := &Rescuer{
		Consumer:      NewConsumer(rdb, testStream, testGroup, "rescuer", ConsumerOptions{}),
		MinIdle:       20 * time.Millisecond,
		MaxDeliveries: 2,
		DeadStream:    testDead,
	}

	var sweeps []RescueResult
	waitFor(t, 10*time.Second, "the entry to be dead-lettered", func() bool {
		res, err := r.Sweep(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Claimed)+len(res.Dead) > 0 {
			sweeps = append(sweeps, res)
		}
		return len(res.Dead) > 0
	})

	// Delivery 2 is the first rescue (handed out again); delivery 3 passes
	// the limit of 2.
	if len(sweeps) != 2 || len(sweeps[0].Claimed) != 1 || sweeps[0].Claimed[0].Deliveries != 2 {
		t.Fatalf("sweeps = %+v; want one rescue with 2 deliveries, then a dead letter", sweeps)
	}
	dead := sweeps[1].Dead
	if len(dead) != 1 || dead[0].ID != ids[0] || dead[0].Deliveries != 3 ||
		len(sweeps[1].Claimed) != 0 {
		t.Fatalf("second sweep = %+v; want %s dead-lettered after 3 deliveries", sweeps[1], ids[0])
	}
	got, err := rdb.XRange(ctx, testDead, dead[0].DeadID, dead[0].DeadID).Result()
	if err != nil || len(got) != 1 || got[0].Values["reason"] != ReasonMaxDeliveries {
		t.Fatalf("dead entry = %v, %v; want reason %s", got, err, ReasonMaxDeliveries)
	}
	if n := len(pendingIDs(t, rdb, testStream, testGroup)); n != 0 {
		t.Fatalf("%d entries pending after the dead letter, want 0", n)
	}
}

func TestRescuerChecksItsConfig(t *testing.T) {
	t.Parallel()
	c := NewConsumer(nil, testStream, testGroup, "c", ConsumerOptions{})
	for _, r := range []*Rescuer{
		{MinIdle: time.Second},
		{Consumer: c},
		{Consumer: c, MinIdle: time.Second, MaxDeliveries: 3},
	} {
		if _, err := r.Sweep(context.Background()); err == nil {
			t.Errorf("Sweep with %+v succeeded, want a config error", r)
		}
	}
}
