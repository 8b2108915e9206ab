package engine

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/anklet/anklet/streams"
	"github.com/redis/go-redis/v9"
)

func TestRequeueMovesWorkEntry(t *testing.T) {
	st, b := setup(t)
	ctx := context.Background()
	mustEnqueue(t, st, 1)
	first := b.deliver(t, "host-a:1")
	if _, err := st.Claim(ctx, 1, first.ID, "host-a:1"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Transition(ctx, 1, Expect{}, Event{Type: EventVMStarted,
		Attrs: map[string]string{FieldVM: "vm-1"}}); err != nil {
		t.Fatal(err)
	}

	j, err := st.Requeue(ctx, 1, Expect{Version: 3}, "lease_expired", true,
		WithAttr(FieldLostHost, "host-a"), WithWriter("host-b", "handler-b"))
	if err != nil {
		t.Fatal(err)
	}
	if j.State != EventRequeued || j.Version != 4 || j.Attempt != 1 || j.WorkID == first.ID ||
		j.Reason != "lease_expired" || j.LostHost != "host-a" || j.Host != "host-b" ||
		j.VM != "" || j.Consumer != "" {
		t.Errorf("requeued job = %+v", j)
	}
	if p := b.pending(t); len(p) != 0 {
		t.Errorf("pending after requeue = %v, want the old entry acked", p)
	}
	next := b.deliver(t, "host-b:1")
	if next.ID != j.WorkID || next.Values["attempt"] != "1" ||
		next.Values["reason"] != "lease_expired" || next.Values["job_id"] != "1" {
		t.Errorf("new work entry = %+v, want %s with attempt 1", next, j.WorkID)
	}
	hist, err := st.History(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	last := hist[len(hist)-1]
	if last.Type != EventRequeued || last.Attempt != 1 || last.Attr(FieldReason) != "lease_expired" ||
		last.Attr(FieldLostHost) != "host-a" || last.Host != "host-b" || last.Version != 4 {
		t.Errorf("requeued event = %+v", last)
	}

	j, err = st.Requeue(ctx, 1, Expect{}, "no_capacity", false)
	if err != nil || j.Attempt != 1 || j.Version != 5 || j.Reason != "no_capacity" {
		t.Errorf("requeue without consuming an attempt: job %+v, err %v", j, err)
	}
}

func TestRequeueConflictWritesNothing(t *testing.T) {
	st, b := setup(t)
	ctx := context.Background()
	mustEnqueue(t, st, 1)
	before := b.snapshot(t, 1)

	_, err := st.Requeue(ctx, 1, Expect{Version: 5}, "x", true)
	if !errors.Is(err, ErrConflict) {
		t.Errorf("stale version: err = %v, want ErrConflict", err)
	}
	_, err = st.Requeue(ctx, 1, Expect{States: []EventType{EventClaimed}}, "x", true)
	if !errors.Is(err, ErrConflict) {
		t.Errorf("stale state: err = %v, want ErrConflict", err)
	}
	if _, err = st.Requeue(ctx, 2, Expect{}, "x", true); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown job: err = %v, want ErrNotFound", err)
	}
	if after := b.snapshot(t, 1); !reflect.DeepEqual(before, after) {
		t.Errorf("refused requeues wrote:\nbefore %+v\nafter  %+v", before, after)
	}
}

// TestRequeueAtomicAcrossCrash kills Redis while a handler loops requeue →
// deliver → claim, and checks after each restart that the work stream, the
// pending list, the projection and the event log agree: every change is
// either whole or absent, and every acknowledged change survived.
func TestRequeueAtomicAcrossCrash(t *testing.T) {
	st, b := setup(t, redistestAOFAlways())
	ctx := context.Background()
	mustEnqueue(t, st, 1)
	if _, err := st.Claim(ctx, 1, b.deliver(t, "c1").ID, "c1"); err != nil {
		t.Fatal(err)
	}

	for round := range 3 {
		progressed := make(chan struct{})
		done := make(chan int64)
		var loopErr error
		go func() {
			var acked int64 // job version after the last acknowledged change
			defer func() { done <- acked }()
			for i := 0; ; i++ {
				j, err := st.Requeue(ctx, 1, Expect{}, "crash_test", i%2 == 0)
				if err != nil {
					loopErr = err
					return
				}
				acked = j.Version
				if j, err = claimNext(ctx, st, b); err != nil {
					loopErr = err
					return
				}
				acked = j.Version
				if i == 15 {
					close(progressed)
				}
			}
		}()
		select {
		case <-progressed:
		case <-done:
			t.Fatalf("round %d: handler loop stopped before the crash: %v", round, loopErr)
		}
		b.srv.Kill()
		acked := <-done
		b.srv.Restart()
		waitForRedis(t, b.rdb)

		j := checkConsistent(t, st, b)
		if j.Version != acked && j.Version != acked+1 {
			t.Fatalf("round %d: version %d after restart, last acknowledged %d", round,
				j.Version, acked)
		}
	}
}

// claimNext reads work entries as consumer c1 until one claims job 1, as a
// handler does: an entry the job no longer points at (left by a requeue
// that ran before it was delivered) conflicts and is acknowledged.
func claimNext(ctx context.Context, st *Store, b *bundle) (Job, error) {
	for {
		msgs, err := b.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: streams.Group,
			Consumer: "c1", Streams: []string{b.keys.Jobs(), ">"}, Count: 1,
			Block: -1}).Result()
		if err != nil {
			return Job{}, err
		}
		id := msgs[0].Messages[0].ID
		j, err := st.Claim(ctx, 1, id, "c1")
		var ce *ConflictError
		if errors.As(err, &ce) && ce.WorkID != id {
			if err := b.rdb.XAck(ctx, b.keys.Jobs(), streams.Group, id).Err(); err != nil {
				return Job{}, err
			}
			continue
		}
		return j, err
	}
}

// checkConsistent verifies job 1's stores agree and returns its projection.
func checkConsistent(t *testing.T, st *Store, b *bundle) Job {
	t.Helper()
	ctx := context.Background()
	j, err := st.Get(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	hist, err := st.History(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	replayed, err := Reduce(hist)
	if err != nil {
		t.Fatalf("replay after restart: %v", err)
	}
	want := j
	want.WorkID = ""
	if !jobsEqual(replayed[1], want) {
		t.Fatalf("projection %+v\ndiffers from its replayed log %+v", want, replayed[1])
	}

	requeues := int64(0)
	for _, e := range hist {
		if e.Type == EventRequeued {
			requeues++
		}
	}
	work, err := b.rdb.XRevRangeN(ctx, b.keys.Jobs(), "+", "-", 1).Result()
	if err != nil {
		t.Fatal(err)
	}
	if n := b.xlen(t, b.keys.Jobs()); n != 1+requeues || work[0].ID != j.WorkID {
		t.Fatalf("work stream holds %d entries, newest %s; want %d, newest work_id %s",
			n, work[0].ID, 1+requeues, j.WorkID)
	}
	p := b.pending(t)
	if len(p) > 1 || (len(p) == 1 && p[0] != j.WorkID) {
		t.Fatalf("pending %v; want at most the live entry %s", p, j.WorkID)
	}
	if j.State == EventClaimed && !slices.Equal(p, []string{j.WorkID}) {
		t.Fatalf("claimed job's entry %s is not pending (pending %v)", j.WorkID, p)
	}
	return j
}

// waitForRedis polls until the restarted server answers.
func waitForRedis(t *testing.T, rdb *redis.Client) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for rdb.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			t.Fatal("redis did not come back")
		}
		<-tick.C
	}
}
