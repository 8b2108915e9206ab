package daemon

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/anklet/anklet/streams"
	"github.com/anklet/anklet/streams/redistest"
)

func TestQueueStatsBeforeAndAfterTheGroupExists(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Start(t).Client()
	stream := streams.MustKeysFor("acme").Jobs()

	length, pending, lag, err := queueStats(ctx, rdb, stream)
	if err != nil || length != 0 || pending != 0 || lag != 0 {
		t.Fatalf("no stream: %d %d %d %v, want zeros", length, pending, lag, err)
	}

	for range 3 { // a receiver enqueues before any handler created the group
		if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: stream, Values: []string{"job_id", "1"}}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	length, pending, lag, err = queueStats(ctx, rdb, stream)
	if err != nil || length != 3 || pending != 0 || lag != 3 {
		t.Fatalf("no group: %d %d %d %v, want 3 0 3", length, pending, lag, err)
	}

	if err := streams.EnsureGroup(ctx, rdb, stream, streams.Group, "0"); err != nil {
		t.Fatal(err)
	}
	c := streams.NewConsumer(rdb, stream, streams.Group, "h", streams.ConsumerOptions{Block: -1})
	if _, err := c.Read(ctx, 1); err != nil {
		t.Fatal(err)
	}
	length, pending, lag, err = queueStats(ctx, rdb, stream)
	if err != nil || length != 3 || pending != 1 || lag != 2 {
		t.Fatalf("one read: %d %d %d %v, want 3 1 2", length, pending, lag, err)
	}
}
