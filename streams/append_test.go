package streams

import (
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/redis/go-redis/v9"
)

// storedIDs lists every id in stream, oldest first.
func storedIDs(t *testing.T, rdb redis.UniversalClient, stream string) []string {
	t.Helper()
	msgs, err := rdb.XRange(context.Background(), stream, "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

func trimSafe(t *testing.T, rdb redis.UniversalClient, opts ...TrimOptions) int64 {
	t.Helper()
	n, err := TrimSafe(context.Background(), rdb, testStream, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTrimSafeKeepsPendingAndUnread(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, rdb := setupGroup(t)
	if err := EnsureGroup(ctx, rdb, testStream, "audit", "0"); err != nil {
		t.Fatal(err)
	}
	ids := fill(t, rdb, testStream, 100)
	handler := NewConsumer(rdb, testStream, testGroup, "h1", ConsumerOptions{})
	audit := NewConsumer(rdb, testStream, "audit", "a1", ConsumerOptions{})

	// handlers: 0..59 delivered, all but 25 of 0..39 acknowledged.
	readN(t, handler, 60)
	acked := slices.Delete(slices.Clone(ids[:40]), 25, 26)
	if _, err := handler.Ack(ctx, acked...); err != nil {
		t.Fatal(err)
	}
	// audit lags: 0..9 read and acknowledged, so 10.. are unread for it.
	if _, err := audit.Ack(ctx, msgIDs(readN(t, audit, 10))...); err != nil {
		t.Fatal(err)
	}

	if n := trimSafe(t, rdb); n != 9 {
		t.Fatalf("first trim removed %d, want 9 (below audit's last-delivered %s)", n, ids[9])
	}
	if got := storedIDs(t, rdb, testStream); !slices.Equal(got, ids[9:]) {
		t.Fatalf("after first trim the stream starts at %s, want %s", got[0], ids[9])
	}

	// audit catches up to 69; now handlers' oldest pending entry (25) binds.
	if _, err := audit.Ack(ctx, msgIDs(readN(t, audit, 60))...); err != nil {
		t.Fatal(err)
	}
	if n := trimSafe(t, rdb); n != 16 {
		t.Fatalf("second trim removed %d, want 16 (9..24)", n)
	}

	// The pending entries still carry their fields.
	for id := range pendingIDs(t, rdb, testStream, testGroup) {
		msgs, err := rdb.XRange(ctx, testStream, id, id).Result()
		if err != nil || len(msgs) != 1 || msgs[0].Values["n"] == nil {
			t.Fatalf("pending entry %s lost its body: %v, %v", id, msgs, err)
		}
	}

	// With 25 acknowledged the threshold moves to 40; a MaxLen of 70 keeps
	// the newest 70 of the 75 entries, so only 25..29 go.
	if _, err := handler.Ack(ctx, ids[25]); err != nil {
		t.Fatal(err)
	}
	if n := trimSafe(t, rdb, TrimOptions{MaxLen: 70}); n != 5 {
		t.Fatalf("trim with MaxLen 70 removed %d, want 5", n)
	}
	if n := trimSafe(t, rdb); n != 10 {
		t.Fatalf("trim without MaxLen removed %d, want 10 (30..39)", n)
	}
	if got := storedIDs(t, rdb, testStream); !slices.Equal(got, ids[40:]) {
		t.Fatalf("stream holds %d entries from %s, want %d from %s", len(got), got[0], 60, ids[40])
	}

	// Every unread entry is still delivered, in order, to both groups.
	if got := msgIDs(readN(t, handler, 40)); !slices.Equal(got, ids[60:]) {
		t.Fatalf("handlers read %v, want 60..99", got)
	}
	if got := msgIDs(readN(t, audit, 30)); !slices.Equal(got, ids[70:]) {
		t.Fatalf("audit read %v, want 70..99", got)
	}
}

func TestTrimSafeLeavesStreamsWithoutGroups(t *testing.T) {
	t.Parallel()
	_, rdb := setup(t)
	fill(t, rdb, testStream, 10)
	if n := trimSafe(t, rdb, TrimOptions{MaxLen: 1}); n != 0 {
		t.Fatalf("trim of a stream without groups removed %d, want 0", n)
	}
	if n, err := TrimSafe(context.Background(), rdb, "missing"); err != nil || n != 0 {
		t.Fatalf("trim of a missing stream = %d, %v; want 0, nil", n, err)
	}
}

func TestAppendWithTrim(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, rdb := setupGroup(t)
	ids := fill(t, rdb, testStream, 20)
	c := NewConsumer(rdb, testStream, testGroup, "c", ConsumerOptions{})
	if _, err := c.Ack(ctx, msgIDs(readN(t, c, 20))...); err != nil {
		t.Fatal(err)
	}

	opts := AppendOptions{Trim: true, MaxLen: 5}
	id, err := Append(ctx, rdb, testStream, map[string]string{"n": "new"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := append(slices.Clone(ids[16:]), id)
	if got := storedIDs(t, rdb, testStream); !slices.Equal(got, want) {
		t.Fatalf("after Append with MaxLen 5 the stream holds %v, want %v", got, want)
	}

	// The new entry is unread, so trimming without a floor keeps it and
	// the last delivered one (MINID keeps the threshold itself).
	if _, err := Append(ctx, rdb, testStream, map[string]string{"n": "x"},
		AppendOptions{Trim: true}); err != nil {
		t.Fatal(err)
	}
	if got := storedIDs(t, rdb, testStream); len(got) != 3 || got[0] != ids[19] {
		t.Fatalf("after Append with Trim the stream holds %v, want %s and the two new", got, ids[19])
	}
}

// TestTrimNeverDropsPendingOrUnread runs random appends (with trim), reads
// and acknowledgements, and checks after each step that every entry still
// pending or not yet read is in the stream.
func TestTrimNeverDropsPendingOrUnread(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, rdb := setupGroup(t)
	c := NewConsumer(rdb, testStream, testGroup, "c", ConsumerOptions{Block: -1})
	rng := rand.New(rand.NewPCG(1, 2))
	pending := map[string]bool{}
	var unread []string

	for step := range 400 {
		switch rng.IntN(3) {
		case 0:
			opts := AppendOptions{Trim: rng.IntN(2) == 0, MaxLen: int64(rng.IntN(4))}
			id, err := Append(ctx, rdb, testStream, map[string]string{"s": strconv.Itoa(step)}, opts)
			if err != nil {
				t.Fatal(err)
			}
			unread = append(unread, id)
		case 1:
			msgs, err := c.Read(ctx, 1+rng.IntN(3))
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs {
				if m.Fields == nil || len(unread) == 0 || m.ID != unread[0] {
					t.Fatalf("step %d: read %+v, want the oldest unread entry with its body", step, m)
				}
				unread = unread[1:]
				pending[m.ID] = true
			}
		case 2:
			for id := range pending {
				if rng.IntN(2) == 0 {
					if _, err := c.Ack(ctx, id); err != nil {
						t.Fatal(err)
					}
					delete(pending, id)
				}
			}
		}
		if rng.IntN(4) == 0 {
			trimSafe(t, rdb, TrimOptions{MaxLen: int64(rng.IntN(3))})
		}

		stored := storedIDs(t, rdb, testStream)
		for id := range pending {
			if !slices.Contains(stored, id) {
				t.Fatalf("step %d: pending entry %s was trimmed", step, id)
			}
		}
		for _, id := range unread {
			if !slices.Contains(stored, id) {
				t.Fatalf("step %d: unread entry %s was trimmed", step, id)
			}
		}
	}
}
