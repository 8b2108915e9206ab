package streams

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anklet/anklet/engine/enginetest"
	"github.com/anklet/anklet/streams/redistest"
)

// testStream and testGroup are the names most tests use; each test has its
// own server, so they never collide.
const (
	testStream = "anklet:{test}:jobs"
	testGroup  = "handlers"
)

// setup starts a private redis-server and returns it with a client.
func setup(t *testing.T, opts ...redistest.Option) (*redistest.Server, *redis.Client) {
	t.Helper()
	s := redistest.Start(t, opts...)
	return s, s.Client()
}

// setupGroup is setup plus testStream with testGroup reading from the start.
func setupGroup(t *testing.T, opts ...redistest.Option) (*redistest.Server, *redis.Client) {
	t.Helper()
	s, rdb := setup(t, opts...)
	if err := EnsureGroup(context.Background(), rdb, testStream, testGroup, "0"); err != nil {
		t.Fatal(err)
	}
	return s, rdb
}

// fill appends n entries {"n": i} to stream and returns their ids in order.
func fill(t testing.TB, rdb redis.UniversalClient, stream string, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range n {
		id, err := Append(context.Background(), rdb, stream,
			map[string]string{"n": strconv.Itoa(i)}, AppendOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	return ids
}

// waitFor fails the test when cond does not hold within timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	enginetest.WaitFor(t, timeout, what, cond)
}

// readN reads until n entries arrived for c and returns them.
func readN(t *testing.T, c *Consumer, n int) []Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []Message
	for len(out) < n {
		msgs, err := c.Read(ctx, n-len(out))
		if err != nil {
			t.Fatalf("read %d of %d: %v", len(out), n, err)
		}
		out = append(out, msgs...)
	}
	return out
}

// pendingIDs lists the ids pending in group, with their owners.
func pendingIDs(t *testing.T, rdb redis.UniversalClient, stream, group string) map[string]string {
	t.Helper()
	p, err := rdb.XPendingExt(context.Background(), &redis.XPendingExtArgs{
		Stream: stream, Group: group, Start: "-", End: "+", Count: 1 << 20,
	}).Result()
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]string, len(p))
	for _, e := range p {
		out[e.ID] = e.Consumer
	}
	return out
}

func msgIDs(msgs []Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

// pendingArgs asks XPENDING about one entry of testGroup.
func pendingArgs(id string) *redis.XPendingExtArgs {
	return &redis.XPendingExtArgs{Stream: testStream, Group: testGroup, Start: id, End: id, Count: 1}
}

// blockedClients is the server's count of clients parked in a blocking
// command.
func blockedClients(t *testing.T, rdb *redis.Client) int {
	t.Helper()
	info, err := rdb.Info(context.Background(), "clients").Result()
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "blocked_clients:"); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	t.Fatal("INFO clients has no blocked_clients line")
	return 0
}
