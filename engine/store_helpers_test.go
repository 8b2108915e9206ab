package engine

import (
	"context"
	"testing"
	"time"

	"github.com/anklet/anklet/streams"
	"github.com/anklet/anklet/streams/redistest"
	"github.com/redis/go-redis/v9"
)

// testQueue is the queue every store test uses.
const testQueue = "acme"

// bundle is what setup returns besides the Store: the server, a raw client
// for checks and the key layout.
type bundle struct {
	srv  *redistest.Server
	rdb  *redis.Client
	keys streams.Keys
}

// setup starts a private Redis, creates the work stream's consumer group and
// returns a Store writing as host-a/handler.
func setup(t testing.TB, opts ...redistest.Option) (*Store, *bundle) {
	t.Helper()
	srv := redistest.Start(t, opts...)
	rdb := srv.Client()
	st, err := NewStore(rdb, testQueue, "host-a", "handler")
	if err != nil {
		t.Fatal(err)
	}
	st.followBlock = 100 * time.Millisecond
	b := &bundle{srv: srv, rdb: rdb, keys: st.Keys()}
	err = rdb.XGroupCreateMkStream(context.Background(), b.keys.Jobs(), streams.Group, "0").Err()
	if err != nil {
		t.Fatal(err)
	}
	return st, b
}

func spec(id int64) JobSpec {
	return JobSpec{ID: id, RunID: 1000 + id, Owner: "acme", Repo: "app", Name: "build",
		Workflow: "ci", URL: "https://github.com/acme/app/job", Labels: []string{"macos", "arm"},
		Delivery: "guid-1"}
}

// mustEnqueue enqueues job id and fails the test unless it was created.
func mustEnqueue(t testing.TB, st *Store, id int64) Job {
	t.Helper()
	j, created, err := st.Enqueue(context.Background(), spec(id))
	if err != nil || !created {
		t.Fatalf("enqueue job %d: created %v, err %v", id, created, err)
	}
	return j
}

// deliver reads the next work entry as consumer, like a handler would.
func (b *bundle) deliver(t testing.TB, consumer string) redis.XMessage {
	t.Helper()
	msgs, err := b.rdb.XReadGroup(context.Background(), &redis.XReadGroupArgs{
		Group: streams.Group, Consumer: consumer, Streams: []string{b.keys.Jobs(), ">"},
		Count: 1, Block: -1,
	}).Result()
	if err != nil || len(msgs) != 1 || len(msgs[0].Messages) != 1 {
		t.Fatalf("deliver: %v %v", msgs, err)
	}
	return msgs[0].Messages[0]
}

func (b *bundle) xlen(t testing.TB, key string) int64 {
	t.Helper()
	n, err := b.rdb.XLen(context.Background(), key).Result()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// pending returns the IDs of the work stream's pending entries.
func (b *bundle) pending(t testing.TB) []string {
	t.Helper()
	ps, err := b.rdb.XPendingExt(context.Background(), &redis.XPendingExtArgs{
		Stream: b.keys.Jobs(), Group: streams.Group, Start: "-", End: "+", Count: 100,
	}).Result()
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(ps))
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return ids
}

func (b *bundle) hash(t testing.TB, id int64) map[string]string {
	t.Helper()
	m, err := b.rdb.HGetAll(context.Background(), b.keys.Job(id)).Result()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// snapshot captures what a refused change must leave alone.
type snapshot struct {
	jobs, events int64
	hash         map[string]string
	pending      []string
}

func (b *bundle) snapshot(t testing.TB, id int64) snapshot {
	t.Helper()
	return snapshot{b.xlen(t, b.keys.Jobs()), b.xlen(t, b.keys.Events()), b.hash(t, id),
		b.pending(t)}
}

func redistestAOFAlways() redistest.Option { return redistest.WithAOF("always") }
