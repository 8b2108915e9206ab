package handler

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/github"
	"github.com/anklet/anklet/streams"
)

// claimAs plays a handler of another (or an earlier) process: consumer
// reads job id's entry and claims the job, writing as host, then never
// renews its lease.
func (w *world) claimAs(id int64, host, consumer string) engine.Event {
	w.t.Helper()
	ctx := context.Background()
	w.waitState(id, engine.EventQueued, 10*time.Second)
	if err := streams.EnsureGroup(ctx, w.rdb, w.store.Keys().Jobs(), streams.Group, "0"); err != nil {
		w.t.Fatal(err)
	}
	res, err := w.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: streams.Group,
		Consumer: consumer, Streams: []string{w.store.Keys().Jobs(), ">"}, Count: 1, Block: -1,
	}).Result()
	if err != nil || len(res) != 1 || len(res[0].Messages) != 1 {
		w.t.Fatalf("read the entry as %s: %v %v", consumer, res, err)
	}
	st, err := engine.NewStore(w.rdb, testOwner, host, "handler-1")
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := st.Claim(ctx, id, res[0].Messages[0].ID, consumer); err != nil {
		w.t.Fatal(err)
	}
	evs := w.jobEvents(id)
	return evs[len(evs)-1]
}

// pendingCount is how many work entries are pending.
func (w *world) pendingCount() int64 {
	p, err := w.rdb.XPending(context.Background(), w.store.Keys().Jobs(), streams.Group).Result()
	if err != nil {
		return -1
	}
	return p.Count
}

// A host died holding a job GitHub still has queued: the rescuer requeues
// it naming the lost host, without using an attempt, and it runs.
func TestRescueQueuedJob(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.queue()
	w.claimAs(id, "dead-host", "dead-host:handler-1")

	h := w.newHost("host-a")
	w.start(h, "handler-1", func(o *Options) { o.Plugin.LeaseSeconds = 1 })
	ev := w.waitRequeued(id, ReasonRecovered, 15*time.Second)
	if lost := ev.Attr(engine.FieldLostHost); lost != "dead-host" || ev.Attempt != 0 {
		t.Errorf("recovery requeue names lost host %q at attempt %d", lost, ev.Attempt)
	}
	w.waitCompleted(id, 20*time.Second)
	w.clean(10*time.Second, h)
	w.replay()
}

// A host died while its runner runs the job: the rescuer only acknowledges
// the entry; the job's own completed webhook ends it, and no VM is made.
func TestRescueRunningJob(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	spec := githubtestSpec(labels()...)
	spec.Duration = 3 * time.Second
	id := w.queueSpec(spec)
	w.claimAs(id, "dead-host", "dead-host:handler-1")

	// The dead host's runner, still alive, takes the job.
	client, err := github.New(context.Background(), github.Options{
		Token: w.gh.Token(), BaseURL: w.gh.URL()})
	if err != nil {
		t.Fatal(err)
	}
	runnerID, _, err := client.JITConfig(context.Background(),
		github.Scope{Owner: testOwner}, "anklet-vm-dead", 1, labels())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.gh.ConnectRunner(runnerID); err != nil {
		t.Fatal(err)
	}
	w.waitState(id, engine.EventInProgress, 10*time.Second)

	h := w.newHost("host-a")
	w.start(h, "handler-1", func(o *Options) { o.Plugin.LeaseSeconds = 1 })
	waitFor(t, 15*time.Second, "the entry to be acknowledged", func() bool {
		return w.pendingCount() == 0
	})
	w.waitCompleted(id, 15*time.Second)
	if got := w.requeues(id); len(got) != 0 {
		t.Errorf("running job requeued: %v", got)
	}
	if n := calls(t, h, "clone"); n != 0 {
		t.Errorf("%d clones for a job another runner runs", n)
	}
}

// A handler restarted under the same consumer name recovers the entries
// its previous life left pending at once, without waiting for the lease.
func TestRecoverOwnPending(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.queue()
	claimed := w.claimAs(id, "host-a", "host-a:handler-1")

	h := w.newHost("host-a")
	w.start(h, "handler-1", func(o *Options) { o.Plugin.LeaseSeconds = 60 })
	ev := w.waitRequeued(id, ReasonRecovered, 15*time.Second)
	if ev.At.Sub(claimed.At) >= time.Minute {
		t.Errorf("recovered %v after the claim: it waited for the lease", ev.At.Sub(claimed.At))
	}
	if lost := ev.Attr(engine.FieldLostHost); lost != "host-a" {
		t.Errorf("lost host %q, want host-a", lost)
	}
	w.waitCompleted(id, 20*time.Second)
	w.clean(10*time.Second, h)
}

// An entry delivered more often than max_deliveries goes to the dead-letter
// stream and its job fails.
func TestDeadLetter(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.queue()
	w.claimAs(id, "dead-host", "dead-host:handler-1")

	h := w.newHost("host-a")
	w.start(h, "handler-1", func(o *Options) {
		o.Plugin.LeaseSeconds = 1
		o.Plugin.MaxDeliveries = 1
	})
	w.waitState(id, engine.EventFailed, 15*time.Second)
	evs := w.jobEvents(id)
	if r := evs[len(evs)-1].Attr(engine.FieldReason); r != ReasonMaxDeliveries {
		t.Errorf("failed reason %q", r)
	}
	n, err := w.rdb.XLen(context.Background(), w.store.Keys().Dead()).Result()
	if err != nil || n != 1 {
		t.Errorf("dead stream holds %d entries (%v), want 1", n, err)
	}
	if c := calls(t, h, "clone"); c != 0 {
		t.Errorf("%d clones", c)
	}
	w.notCancelled(id)
}
