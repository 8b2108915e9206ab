package streams

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestConcurrentConsumersGetEachEntryOnce(t *testing.T) {
	t.Parallel()
	const consumers, entries = 8, 2000
	s, rdb := setupGroup(t)
	ids := fill(t, rdb, testStream, entries)

	readers := NewReaderClient(s.Options(), consumers)
	defer readers.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	var (
		mu   sync.Mutex
		seen = map[string]string{} // id -> consumer
		dup  []string
	)
	var wg sync.WaitGroup
	for i := range consumers {
		c := NewConsumer(readers, testStream, testGroup, fmt.Sprintf("c%d", i),
			ConsumerOptions{Block: 50 * time.Millisecond})
		wg.Go(func() {
			for {
				msgs, err := c.Read(ctx, 7)
				if err != nil {
					return
				}
				mu.Lock()
				for _, m := range msgs {
					if prev, ok := seen[m.ID]; ok {
						dup = append(dup, fmt.Sprintf("%s to %s and %s", m.ID, prev, c.Name()))
					}
					seen[m.ID] = c.Name()
					if m.Deliveries != 1 || m.Fields["n"] == "" {
						dup = append(dup, fmt.Sprintf("%s came as %+v", m.ID, m))
					}
				}
				done := len(seen) >= entries
				mu.Unlock()
				if _, err := c.Ack(ctx, msgIDs(msgs)...); err != nil {
					t.Error(err)
					return
				}
				if done {
					cancel()
				}
			}
		})
	}
	wg.Wait()

	if len(dup) > 0 {
		t.Fatalf("entries delivered more than once or malformed: %v", dup)
	}
	for _, id := range ids {
		if _, ok := seen[id]; !ok {
			t.Fatalf("entry %s was never delivered (%d of %d seen)", id, len(seen), entries)
		}
	}
	waitFor(t, 5*time.Second, "the pending list to drain", func() bool {
		return len(pendingIDs(t, rdb, testStream, testGroup)) == 0
	})
}

func TestReadReturnsContextErrorWhenCancelled(t *testing.T) {
	t.Parallel()
	_, rdb := setupGroup(t)
	c := NewConsumer(rdb, testStream, testGroup, "c", ConsumerOptions{Block: 300 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		msgs, err := c.Read(ctx, 1)
		if len(msgs) > 0 {
			err = fmt.Errorf("read %d entries from an empty stream", len(msgs))
		}
		done <- err
	}()

	// Cancel once the read is parked in XREADGROUP BLOCK.
	waitFor(t, 10*time.Second, "a blocked client", func() bool {
		return blockedClients(t, rdb) == 1
	})
	cancel()

	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Read after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Read did not return after its context was cancelled")
	}
}

func TestReadNonBlockingAndDeliveries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, rdb := setupGroup(t)
	c := NewConsumer(rdb, testStream, testGroup, "c", ConsumerOptions{Block: -1})

	msgs, err := c.Read(ctx, 5)
	if err != nil || len(msgs) != 0 {
		t.Fatalf("non-blocking Read of an empty stream = %v, %v; want nothing", msgs, err)
	}
	ids := fill(t, rdb, testStream, 3)
	msgs, err = c.Read(ctx, 5)
	if err != nil || len(msgs) != 3 {
		t.Fatalf("Read = %v, %v; want 3 entries", msgs, err)
	}
	for i, m := range msgs {
		if m.ID != ids[i] || m.Deliveries != 1 || m.Fields["n"] != fmt.Sprint(i) {
			t.Errorf("message %d = %+v, want id %s, 1 delivery, n=%d", i, m, ids[i], i)
		}
	}
}

func TestReadPendingResumesAfterRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, rdb := setupGroup(t)
	ids := fill(t, rdb, testStream, 250)
	first := NewConsumer(rdb, testStream, testGroup, "host-1", ConsumerOptions{})
	readN(t, first, 230)
	if _, err := first.Ack(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	other := NewConsumer(rdb, testStream, testGroup, "host-2", ConsumerOptions{})
	readN(t, other, 20)

	// A new process with the same consumer name finds its own entries.
	again := NewConsumer(rdb, testStream, testGroup, "host-1", ConsumerOptions{})
	some, err := again.ReadPending(ctx, 2)
	if err != nil || len(some) != 2 || some[0].ID != ids[1] || some[1].ID != ids[2] {
		t.Fatalf("ReadPending(2) = %v, %v; want %s and %s", msgIDs(some), err, ids[1], ids[2])
	}
	all, err := again.ReadPending(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 229 || all[0].ID != ids[1] || all[228].ID != ids[229] {
		t.Fatalf("ReadPending(0) returned %d entries, want 229 (%s..%s)", len(all), ids[1], ids[229])
	}
	for _, m := range all {
		want := int64(2)
		if m.ID == ids[1] || m.ID == ids[2] {
			want = 3
		}
		if m.Deliveries != want || m.Fields == nil {
			t.Fatalf("pending %+v, want %d deliveries and its fields", m, want)
		}
	}
}

func TestReadPendingShowsDeletedEntries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, rdb := setupGroup(t)
	ids := fill(t, rdb, testStream, 2)
	c := NewConsumer(rdb, testStream, testGroup, "c", ConsumerOptions{})
	readN(t, c, 2)
	if err := rdb.XDel(ctx, testStream, ids[0]).Err(); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.ReadPending(ctx, 0)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("ReadPending = %v, %v", msgs, err)
	}
	if msgs[0].ID != ids[0] || msgs[0].Fields != nil || msgs[1].Fields == nil {
		t.Fatalf("ReadPending = %+v; want the deleted entry with nil Fields first", msgs)
	}
}

func TestNewReaderClientSizesPool(t *testing.T) {
	t.Parallel()
	opts := &redis.Options{Addr: "127.0.0.1:1", PoolSize: 2, ReadTimeout: time.Second}
	c := NewReaderClient(opts, 6)
	defer c.Close()
	got := c.Options()
	if got.PoolSize != 7 || got.ReadTimeout < DefaultBlock {
		t.Fatalf("reader client PoolSize %d ReadTimeout %v; want 7 and at least %v",
			got.PoolSize, got.ReadTimeout, DefaultBlock)
	}
	if opts.PoolSize != 2 {
		t.Fatalf("NewReaderClient changed the caller's options (PoolSize %d)", opts.PoolSize)
	}
}
