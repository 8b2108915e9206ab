package streams

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestTailSeesAppendedEntries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, rdb := setup(t)
	before := fill(t, rdb, testStream, 3)
	readers := NewReaderClient(s.Options(), 1)
	defer readers.Close()

	got := make(chan string, 10)
	done := make(chan error, 1)
	go func() {
		done <- Tail(ctx, readers, testStream, before[1], 100*time.Millisecond, func(e Entry) bool {
			got <- e.ID
			return e.Fields["n"] == "last"
		})
	}()

	// Entries appended while Tail waits are seen, after the one it
	// started from (exclusive).
	var want []string
	want = append(want, before[2])
	for i := range 4 {
		n := strconv.Itoa(i)
		if i == 3 {
			n = "last"
		}
		id, err := Append(ctx, rdb, testStream, map[string]string{"n": n}, AppendOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, id)
	}

	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Tail = %v, want nil after fn stopped it", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Tail did not stop")
	}
	close(got)
	var seen []string
	for id := range got {
		seen = append(seen, id)
	}
	if !slices.Equal(seen, want) {
		t.Fatalf("Tail saw %v, want %v", seen, want)
	}
}

func TestTailFromNowAndCancel(t *testing.T) {
	t.Parallel()
	_, rdb := setup(t)
	fill(t, rdb, testStream, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	seen := make(chan Entry, 10)
	done := make(chan error, 1)
	go func() {
		done <- Tail(ctx, rdb, testStream, "$", 100*time.Millisecond, func(e Entry) bool {
			seen <- e
			return false
		})
	}()
	// "$" is pinned when Tail starts; wait until it blocks, then append.
	waitFor(t, 10*time.Second, "Tail to block", func() bool {
		return blockedClients(t, rdb) == 1
	})
	id := fill(t, rdb, testStream, 1)[0]
	select {
	case e := <-seen:
		if e.ID != id {
			t.Fatalf("Tail from $ saw %s first, want the new entry %s", e.ID, id)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Tail did not see the new entry")
	}

	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Tail after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Tail did not return after cancel")
	}
}
