package streams

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/anklet/anklet/streams/redistest"
)

func TestRequeueCountsAttemptsAndRecordsReason(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, rdb := setupGroup(t)
	first, err := Append(ctx, rdb, testStream,
		map[string]string{"job_id": "7", "attempt": "0", "reason": "old"}, AppendOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := NewConsumer(rdb, testStream, testGroup, "c", ConsumerOptions{})
	readN(t, c, 1)

	second, err := Requeue(ctx, rdb, testStream, testGroup, first, nil,
		RequeueOptions{Reason: "vm_failed"})
	if err != nil {
		t.Fatal(err)
	}
	m := readN(t, c, 1)[0]
	want := map[string]string{"job_id": "7", "attempt": "1", "reason": "vm_failed"}
	if m.ID != second || !sameFields(m.Fields, want) {
		t.Fatalf("requeued entry %+v, want id %s fields %v", m, second, want)
	}
	if _, ok := pendingIDs(t, rdb, testStream, testGroup)[first]; ok {
		t.Fatalf("old entry %s is still pending after Requeue", first)
	}

	// KeepAttempt and new fields: the attempt still comes from the entry.
	third, err := Requeue(ctx, rdb, testStream, testGroup, second,
		map[string]string{"job_id": "7", "attempt": "99", "at": "now"},
		RequeueOptions{KeepAttempt: true})
	if err != nil {
		t.Fatal(err)
	}
	m = readN(t, c, 1)[0]
	want = map[string]string{"job_id": "7", "attempt": "1", "at": "now"}
	if m.ID != third || !sameFields(m.Fields, want) {
		t.Fatalf("requeued entry %+v, want fields %v", m, want)
	}
}

func TestRequeueOfNonPendingWritesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, rdb := setupGroup(t)
	ids := fill(t, rdb, testStream, 2)
	c := NewConsumer(rdb, testStream, testGroup, "c", ConsumerOptions{})
	readN(t, c, 1)
	if _, err := c.Ack(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}

	for _, id := range ids { // acknowledged, and never delivered
		_, err := Requeue(ctx, rdb, testStream, testGroup, id, nil, RequeueOptions{})
		if !errors.Is(err, ErrNotPending) {
			t.Fatalf("Requeue of %s = %v, want ErrNotPending", id, err)
		}
	}
	if n := rdb.XLen(ctx, testStream).Val(); n != 2 {
		t.Fatalf("stream length %d after refused requeues, want 2", n)
	}
}

func TestRequeueOfDeletedEntry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, rdb := setupGroup(t)
	ids := fill(t, rdb, testStream, 1)
	c := NewConsumer(rdb, testStream, testGroup, "c", ConsumerOptions{})
	readN(t, c, 1)
	if err := rdb.XDel(ctx, testStream, ids[0]).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := Requeue(ctx, rdb, testStream, testGroup, ids[0], nil,
		RequeueOptions{}); !errors.Is(err, ErrDeleted) {
		t.Fatalf("Requeue of a deleted entry without fields = %v, want ErrDeleted", err)
	}
	id, err := Requeue(ctx, rdb, testStream, testGroup, ids[0],
		map[string]string{"n": "0", "attempt": "2"}, RequeueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m := readN(t, c, 1)[0]; m.ID != id || m.Fields["attempt"] != "3" {
		t.Fatalf("requeued %+v, want attempt 3 taken from the given fields", m)
	}
}

// TestRequeueIsAtomicAcrossCrash requeues entries one after another while
// the server is killed. After a restart from the AOF every entry must be
// either still pending and not copied, or acknowledged with exactly one copy.
func TestRequeueIsAtomicAcrossCrash(t *testing.T) {
	t.Parallel()
	for _, fsync := range []string{"always", "everysec"} {
		t.Run(fsync, func(t *testing.T) {
			t.Parallel()
			testRequeueAtomicAcrossCrash(t, fsync)
		})
	}
}

func testRequeueAtomicAcrossCrash(t *testing.T, fsync string) {
	const jobs = 300
	ctx := context.Background()
	s, rdb := setupGroup(t, redistest.WithAOF(fsync))
	for i := range jobs {
		_, err := Append(ctx, rdb, testStream,
			map[string]string{"job_id": strconv.Itoa(i), "attempt": "0"}, AppendOptions{})
		if err != nil {
			t.Fatal(err)
		}
	}
	c := NewConsumer(rdb, testStream, testGroup, "c", ConsumerOptions{})
	orig := readN(t, c, jobs)

	progress := make(chan int, jobs)
	done := make(chan map[string]bool)
	go func() {
		ok := map[string]bool{}
		for i, m := range orig {
			_, err := Requeue(ctx, rdb, testStream, testGroup, m.ID, nil,
				RequeueOptions{Reason: "crash_test"})
			if err != nil {
				break
			}
			ok[m.ID] = true
			progress <- i
		}
		close(progress)
		done <- ok
	}()
	for i := range progress {
		if i >= jobs/3 {
			break
		}
	}
	s.Kill()
	succeeded := <-done
	s.Restart()

	copies := map[string]int{}
	for e, err := range Range(ctx, rdb, testStream, "-", "+", 100) {
		if err != nil {
			t.Fatal(err)
		}
		if e.Fields["attempt"] == "1" {
			copies[e.Fields["job_id"]]++
		}
	}
	pending := pendingIDs(t, rdb, testStream, testGroup)
	applied := 0
	for i, m := range orig {
		job := strconv.Itoa(i)
		_, isPending := pending[m.ID]
		switch {
		case isPending && copies[job] == 0:
		case !isPending && copies[job] == 1:
			applied++
		default:
			t.Fatalf("job %s: pending %v with %d copies; want pending without a copy "+
				"or acknowledged with one", job, isPending, copies[job])
		}
		if fsync == "always" && succeeded[m.ID] && isPending {
			t.Fatalf("job %s: Requeue succeeded but the restart brought it back pending", job)
		}
	}
	if applied < jobs/3 || applied == jobs {
		t.Fatalf("applied %d of %d requeues; the crash should land after a third", applied, jobs)
	}
	t.Logf("%d of %d requeues applied, %d reported done before the crash",
		applied, jobs, len(succeeded))
}

func sameFields(got, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}
