package engine

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/anklet/anklet/streams"
)

// TestStoreAgreesWithReplay drives jobs through every kind of change the
// Store makes, exports the event log as JSON lines and checks that replaying
// it yields what the projection hashes hold: the scripts and Apply follow
// the same rules.
func TestStoreAgreesWithReplay(t *testing.T) {
	st, b := setup(t)
	ctx := context.Background()
	recv, err := NewStore(b.rdb, testQueue, "recv-1", "receiver")
	if err != nil {
		t.Fatal(err)
	}
	must := func(_ Job, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	step := func(id int64, typ EventType, attrs ...string) {
		t.Helper()
		e := Event{Type: typ, Attrs: map[string]string{}}
		for i := 0; i+1 < len(attrs); i += 2 {
			e.Attrs[attrs[i]] = attrs[i+1]
		}
		must(st.Transition(ctx, id, Expect{}, e))
	}

	// Job 1 succeeds after a requeue and a recovery.
	mustEnqueue(t, st, 1)
	must(st.Claim(ctx, 1, b.deliverNext(t), "host-a:1"))
	step(1, EventPulling, FieldTemplate, "macos-15")
	must(st.Requeue(ctx, 1, Expect{}, "pull_busy", false))
	must(st.Claim(ctx, 1, b.deliverNext(t), "host-a:1"))
	step(1, EventVMStarted, FieldVM, "vm-1")
	must(st.Requeue(ctx, 1, Expect{}, "lease_expired", true, WithAttr(FieldLostHost, "host-a"),
		WithWriter("host-b", "handler")))
	must(st.Claim(ctx, 1, b.deliverNext(t), "host-b:1", WithWriter("host-b", "handler")))
	step(1, EventRegistered, FieldRunner, "vm-2", FieldVM, "vm-2")
	must(recv.Transition(ctx, 1, Expect{}, Event{Type: EventInProgress,
		Attrs: map[string]string{FieldRunner: "vm-2"}}))
	must(recv.Transition(ctx, 1, Expect{}, Event{Type: EventCompleted,
		Attrs: map[string]string{FieldConclusion: "success"}}))

	// Job 2 is dead-lettered; job 3 is reported done before it is queued;
	// job 4 is canceled while pulling.
	mustEnqueue(t, st, 2)
	must(st.Claim(ctx, 2, b.deliverNext(t), "host-a:1"))
	j2, _ := st.Get(ctx, 2)
	must(st.DeadLetter(ctx, 2, j2.WorkID, "max_deliveries", 11))
	must(recv.Transition(ctx, 3, Expect{}, Event{Type: EventInProgress, RunID: 33,
		Attrs: map[string]string{FieldOwner: "acme", FieldLabels: "macos"}}))
	must(recv.Transition(ctx, 3, Expect{}, Event{Type: EventCompleted}))
	if _, created, err := st.Enqueue(ctx, spec(3)); err != nil || created {
		t.Fatalf("late enqueue of job 3: created %v, err %v", created, err)
	}
	mustEnqueue(t, st, 4)
	must(st.Claim(ctx, 4, b.deliverNext(t), "host-a:1"))
	step(4, EventPulling)
	must(recv.Transition(ctx, 4, Expect{}, Event{Type: EventCanceled}))

	var log bytes.Buffer
	if _, err := streams.Export(ctx, b.rdb, b.keys.Events(), &log); err != nil {
		t.Fatal(err)
	}
	replayed, err := ReplayJSONL(&log)
	if err != nil {
		t.Fatalf("replay of the store's own log: %v", err)
	}
	if len(replayed) != 4 {
		t.Errorf("replay yields %d jobs, want 4", len(replayed))
	}
	for id, r := range replayed {
		j, err := st.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if j.WorkID != "" {
			t.Errorf("job %d ended with work_id %s", id, j.WorkID)
		}
		if !jobsEqual(r, j) {
			t.Errorf("job %d:\nreplayed   %+v\nprojection %+v", id, r, j)
		}
	}
	if j, _ := st.Get(ctx, 1); j.State != EventCompleted || j.Attempt != 1 ||
		j.LostHost != "host-a" || j.Consumer != "host-b:1" || j.Host != "recv-1" {
		t.Errorf("job 1 = %+v", j)
	}
}

// deliverNext reads the next work entry and returns its ID.
func (b *bundle) deliverNext(t *testing.T) string {
	t.Helper()
	return b.deliver(t, "any").ID
}

// TestClaimOfEntryLeftByRequeue shows what a handler meets when a job was
// requeued before its first entry was delivered: that entry still comes,
// its claim conflicts (ack it), and the new entry claims.
func TestClaimOfEntryLeftByRequeue(t *testing.T) {
	st, b := setup(t)
	ctx := context.Background()
	mustEnqueue(t, st, 1)
	j, err := st.Requeue(ctx, 1, Expect{}, "no_capacity", false)
	if err != nil {
		t.Fatal(err)
	}

	old := b.deliver(t, "c1")
	if _, err := st.Claim(ctx, 1, old.ID, "c1"); err == nil {
		t.Fatal("claim of the superseded entry succeeded")
	}
	if err := b.rdb.XAck(ctx, b.keys.Jobs(), streams.Group, old.ID).Err(); err != nil {
		t.Fatal(err)
	}
	live := b.deliver(t, "c1")
	if live.ID != j.WorkID {
		t.Fatalf("second entry %s, want the live one %s", live.ID, j.WorkID)
	}
	if _, err := st.Claim(ctx, 1, live.ID, "c1"); err != nil {
		t.Fatal(err)
	}
}

// TestScriptListsMatchGo checks that common.lua keeps the same projected and
// requeue-cleared fields as the reducer.
func TestScriptListsMatchGo(t *testing.T) {
	src, err := scriptFiles.ReadFile("scripts/common.lua")
	if err != nil {
		t.Fatal(err)
	}
	block := func(start, end string) string {
		s := string(src)
		i := strings.Index(s, start)
		if i < 0 {
			t.Fatalf("common.lua lacks %q", start)
		}
		s = s[i+len(start):]
		return s[:strings.Index(s, end)]
	}
	var projected []string
	for _, m := range regexp.MustCompile(`(\w+) = true`).FindAllStringSubmatch(
		block("local projected = {", "}"), -1) {
		projected = append(projected, m[1])
	}
	var cleared []string
	for _, m := range regexp.MustCompile(`'(\w+)'`).FindAllStringSubmatch(
		block("local cleared_on_requeue = {", "}"), -1) {
		cleared = append(cleared, m[1])
	}
	if !slices.Equal(projected, projectedAttrs) {
		t.Errorf("common.lua projects %v, Go %v", projected, projectedAttrs)
	}
	if !slices.Equal(cleared, clearedOnRequeue) {
		t.Errorf("common.lua clears %v on requeue, Go %v", cleared, clearedOnRequeue)
	}
}
