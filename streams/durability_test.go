package streams

import (
	"context"
	"maps"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/anklet/anklet/streams/redistest"
)

// TestRestartKeepsEntriesAndPendingList: with the append-only file on, a
// clean stop and restart keeps the entries, the pending list (owners and
// delivery counts) and the group's read position.
func TestRestartKeepsEntriesAndPendingList(t *testing.T) {
	t.Parallel()
	for _, fsync := range []string{"everysec", "always"} {
		t.Run(fsync, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, rdb := setupGroup(t, redistest.WithAOF(fsync))
			ids := fill(t, rdb, testStream, 20)
			c := NewConsumer(rdb, testStream, testGroup, "c", ConsumerOptions{})
			readN(t, c, 10)
			if _, err := c.Ack(ctx, ids[:3]...); err != nil {
				t.Fatal(err)
			}
			before := pendingCounts(t, rdb)

			s.Stop()
			s.Restart()

			if n := rdb.XLen(ctx, testStream).Val(); n != 20 {
				t.Fatalf("after restart the stream holds %d entries, want 20", n)
			}
			if after := pendingCounts(t, rdb); !maps.Equal(after, before) || len(after) != 7 {
				t.Fatalf("pending list after restart %v, want %v", after, before)
			}
			msgs := readN(t, c, 10)
			if msgs[0].ID != ids[10] || msgs[9].ID != ids[19] {
				t.Fatalf("after restart the group read %s..%s, want %s..%s",
					msgs[0].ID, msgs[9].ID, ids[10], ids[19])
			}
		})
	}
}

// pendingCounts maps pending ids to "owner/deliveries".
func pendingCounts(t *testing.T, rdb *redis.Client) map[string]string {
	t.Helper()
	p, err := rdb.XPendingExt(context.Background(), &redis.XPendingExtArgs{
		Stream: testStream, Group: testGroup, Start: "-", End: "+", Count: 1000,
	}).Result()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range p {
		out[e.ID] = e.Consumer + "/" + strconv.FormatInt(e.RetryCount, 10)
	}
	return out
}

// TestUnreachableRedisGivesClearErrorThenRecovers: while the server is down
// calls fail with an error naming the operation, the stream and the cause;
// once it is back the same calls succeed, scripts included.
func TestUnreachableRedisGivesClearErrorThenRecovers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, rdb := setupGroup(t, redistest.WithAOF("always"))
	ids := fill(t, rdb, testStream, 1)
	c := NewConsumer(rdb, testStream, testGroup, "c", ConsumerOptions{})
	readN(t, c, 1)
	if err := c.Extend(ctx, ids[0]); err != nil { // loads the script
		t.Fatal(err)
	}

	s.Kill()
	fields := map[string]string{"n": "x"}
	_, err := Append(ctx, rdb, testStream, fields, AppendOptions{})
	want := "streams: append " + testStream + ": dial tcp "
	if err == nil || !strings.HasPrefix(err.Error(), want) ||
		!strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("Append with Redis down = %v, want %q… connection refused", err, want)
	}
	t.Logf("error while down: %v", err)
	if err := c.Extend(ctx, ids[0]); err == nil ||
		!strings.HasPrefix(err.Error(), "streams: extend "+testStream) {
		t.Fatalf("Extend with Redis down = %v, want a streams: extend error", err)
	}
	if _, err := c.Read(ctx, 1); err == nil || !strings.HasPrefix(err.Error(), "streams: read ") {
		t.Fatalf("Read with Redis down = %v, want a streams: read error", err)
	}

	s.Restart()
	if _, err := Append(ctx, rdb, testStream, fields, AppendOptions{Trim: true}); err != nil {
		t.Fatalf("Append with trim after restart: %v", err)
	}
	if err := c.Extend(ctx, ids[0]); err != nil {
		t.Fatalf("Extend after restart (script cache empty): %v", err)
	}
}
