package streams

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// TestRescueTakesOverExpiredLeaseOnly: worker A holds two entries and keeps
// extending one; B's rescue takes the other once its lease ran out, never the
// extended one, and A's next Extend of the lost one reports ErrLeaseLost.
func TestRescueTakesOverExpiredLeaseOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, rdb := setupGroup(t)
	ids := fill(t, rdb, testStream, 2)
	a := NewConsumer(rdb, testStream, testGroup, "host-a", ConsumerOptions{})
	b := NewConsumer(rdb, testStream, testGroup, "host-b", ConsumerOptions{})
	readN(t, a, 2)
	abandoned, kept := ids[0], ids[1]
	const lease = 250 * time.Millisecond

	var rescued []Message
	waitFor(t, 10*time.Second, "the abandoned entry to be rescued", func() bool {
		if err := a.Extend(ctx, kept); err != nil {
			t.Fatalf("Extend of the kept entry: %v", err)
		}
		claimed, deleted, err := b.Rescue(ctx, lease, 10)
		if err != nil || len(deleted) > 0 {
			t.Fatalf("Rescue = %v, %v, %v", claimed, deleted, err)
		}
		rescued = append(rescued, claimed...)
		return len(rescued) > 0
	})

	if len(rescued) != 1 || rescued[0].ID != abandoned {
		t.Fatalf("rescued %v, want only %s (the one A stopped extending)", msgIDs(rescued), abandoned)
	}
	if m := rescued[0]; m.Deliveries != 2 || m.Fields["n"] != "0" {
		t.Fatalf("rescued %+v, want 2 deliveries and its fields", m)
	}
	owners := pendingIDs(t, rdb, testStream, testGroup)
	if owners[abandoned] != "host-b" || owners[kept] != "host-a" {
		t.Fatalf("owners = %v, want %s on host-b and %s on host-a", owners, abandoned, kept)
	}

	err := a.Extend(ctx, abandoned)
	var lost *LeaseLostError
	if !errors.Is(err, ErrLeaseLost) || !errors.As(err, &lost) || lost.Owner != "host-b" {
		t.Fatalf("old owner's Extend = %v, want ErrLeaseLost naming host-b", err)
	}
	if owners := pendingIDs(t, rdb, testStream, testGroup); owners[abandoned] != "host-b" {
		t.Fatalf("a failed Extend moved the entry back to %s", owners[abandoned])
	}
}

func TestExtendResetsIdleWithoutCountingDelivery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, rdb := setupGroup(t)
	ids := fill(t, rdb, testStream, 1)
	c := NewConsumer(rdb, testStream, testGroup, "c", ConsumerOptions{})
	readN(t, c, 1)

	waitFor(t, 10*time.Second, "the entry to idle", func() bool {
		p, err := rdb.XPendingExt(ctx, pendingArgs(ids[0])).Result()
		return err == nil && len(p) == 1 && p[0].Idle >= 200*time.Millisecond
	})
	if err := c.Extend(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	p, err := rdb.XPendingExt(ctx, pendingArgs(ids[0])).Result()
	if err != nil || len(p) != 1 {
		t.Fatalf("XPENDING = %v, %v", p, err)
	}
	if p[0].Idle >= 200*time.Millisecond || p[0].RetryCount != 1 {
		t.Fatalf("after Extend idle %v deliveries %d; want idle reset and 1 delivery",
			p[0].Idle, p[0].RetryCount)
	}
}

func TestExtendAfterAckOrDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, rdb := setupGroup(t)
	ids := fill(t, rdb, testStream, 2)
	c := NewConsumer(rdb, testStream, testGroup, "c", ConsumerOptions{})
	readN(t, c, 2)

	if n, err := c.Ack(ctx, ids[0], ids[0]); err != nil || n != 1 {
		t.Fatalf("Ack = %d, %v; want 1", n, err)
	}
	if err := c.Extend(ctx, ids[0]); !errors.Is(err, ErrNotPending) {
		t.Fatalf("Extend after Ack = %v, want ErrNotPending", err)
	}
	if err := rdb.XDel(ctx, testStream, ids[1]).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.Extend(ctx, ids[1]); !errors.Is(err, ErrDeleted) {
		t.Fatalf("Extend after XDEL = %v, want ErrDeleted", err)
	}
	if err := c.Extend(ctx, ids[1]); !errors.Is(err, ErrNotPending) {
		t.Fatalf("second Extend after XDEL = %v, want ErrNotPending", err)
	}
	other := NewConsumer(rdb, "anklet:{test}:none", testGroup, "c", ConsumerOptions{Block: -1})
	if err := other.Extend(ctx, ids[0]); !errors.Is(err, ErrNoGroup) {
		t.Fatalf("Extend on a missing stream = %v, want ErrNoGroup", err)
	}
	if _, err := other.Read(ctx, 1); !errors.Is(err, ErrNoGroup) {
		t.Fatalf("Read on a missing stream = %v, want ErrNoGroup", err)
	}
	if _, _, err := other.Rescue(ctx, time.Second, 1); !errors.Is(err, ErrNoGroup) {
		t.Fatalf("Rescue on a missing stream = %v, want ErrNoGroup", err)
	}
	if _, _, err := c.Rescue(ctx, 0, 1); err == nil {
		t.Fatal("Rescue with min idle 0 succeeded, want an error")
	}
}

func TestRescueFollowsCursorAndHonoursCount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, rdb := setupGroup(t)
	ids := fill(t, rdb, testStream, 350)
	dead := NewConsumer(rdb, testStream, testGroup, "dead", ConsumerOptions{})
	readN(t, dead, 350)
	r := NewConsumer(rdb, testStream, testGroup, "rescuer", ConsumerOptions{})

	var first []Message
	waitFor(t, 10*time.Second, "entries to idle", func() bool {
		var err error
		first, _, err = r.Rescue(ctx, 20*time.Millisecond, 120)
		if err != nil {
			t.Fatal(err)
		}
		return len(first) > 0
	})
	if len(first) != 120 || !slices.Equal(msgIDs(first), ids[:120]) {
		t.Fatalf("Rescue(count 120) took %d entries, want the oldest 120", len(first))
	}
	rest, _, err := r.Rescue(ctx, 20*time.Millisecond, 1000)
	if err != nil {
		t.Fatal(err)
	}
	// On a slow machine the 120 taken above may have idled past 20 ms again
	// and be taken once more; the other 230 must all be there, which takes
	// several XAUTOCLAIM calls (100 each) along the cursor.
	taken := msgIDs(rest)
	for _, id := range ids[120:] {
		if !slices.Contains(taken, id) {
			t.Fatalf("Rescue(count 1000) took %d entries without %s; want all of the other 230",
				len(rest), id)
		}
	}
}

func TestRescueReportsDeletedEntries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, rdb := setupGroup(t)
	ids := fill(t, rdb, testStream, 3)
	dead := NewConsumer(rdb, testStream, testGroup, "dead", ConsumerOptions{})
	readN(t, dead, 3)
	if err := rdb.XDel(ctx, testStream, ids[1]).Err(); err != nil {
		t.Fatal(err)
	}
	r := NewConsumer(rdb, testStream, testGroup, "rescuer", ConsumerOptions{})

	var claimed []Message
	var deleted []string
	waitFor(t, 10*time.Second, "entries to idle", func() bool {
		c, d, err := r.Rescue(ctx, 20*time.Millisecond, 10)
		if err != nil {
			t.Fatal(err)
		}
		claimed, deleted = append(claimed, c...), append(deleted, d...)
		return len(claimed)+len(deleted) == 3
	})
	if !slices.Equal(deleted, []string{ids[1]}) {
		t.Fatalf("deleted = %v, want [%s]", deleted, ids[1])
	}
	if !slices.Equal(msgIDs(claimed), []string{ids[0], ids[2]}) {
		t.Fatalf("claimed = %v, want %s and %s", msgIDs(claimed), ids[0], ids[2])
	}
	if _, ok := pendingIDs(t, rdb, testStream, testGroup)[ids[1]]; ok {
		t.Fatalf("deleted entry %s is still pending", ids[1])
	}
}
