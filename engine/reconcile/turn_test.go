package reconcile

import (
	"testing"
	"time"

	"github.com/anklet/anklet/streams/redistest"
)

func TestTurnOneHolderUntilExpiry(t *testing.T) {
	rdb := redistest.Start(t).Client()
	ctx := testContext(t)
	a, err := NewTurn(rdb, "acme", "orphan-runners:acme", "host-a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewTurn(rdb, "acme", "orphan-runners:acme", "host-b")
	if err != nil {
		t.Fatal(err)
	}
	if a.Key() != "anklet:{acme}:lock:reconcile:orphan-runners:acme" {
		t.Fatalf("key %q", a.Key())
	}

	const ttl = 150 * time.Millisecond
	if took, err := a.Take(ctx, ttl); err != nil || !took {
		t.Fatalf("first take: %v %v", took, err)
	}
	for _, tr := range []*Turn{a, b} {
		if took, err := tr.Take(ctx, ttl); err != nil || took {
			t.Fatalf("take while held: %v %v", took, err)
		}
	}
	if v, _ := rdb.Get(ctx, a.Key()).Result(); v != "host-a" {
		t.Fatalf("turn holds %q, want host-a", v)
	}
	waitFor(t, 5*time.Second, "turn to expire", func() bool {
		took, err := b.Take(ctx, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return took
	})
}

func TestTurnRedisDown(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client()
	tr, err := NewTurn(rdb, "acme", "x", "host-a")
	if err != nil {
		t.Fatal(err)
	}
	srv.Kill()
	if _, err := tr.Take(testContext(t), time.Second); err == nil {
		t.Fatal("take succeeded with Redis down")
	}
}

func TestNewTurnRejectsBadQueue(t *testing.T) {
	rdb := redistest.Start(t).Client()
	if _, err := NewTurn(rdb, "a{b}", "x", "h"); err == nil {
		t.Fatal("queue with a brace accepted")
	}
	if _, err := NewTurn(rdb, "acme", "", "h"); err == nil {
		t.Fatal("empty name accepted")
	}
}
