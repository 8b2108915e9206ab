package reconcile

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/streams"
)

func TestLostWebhooksFinishesJobsGitHubCompleted(t *testing.T) {
	w := newWebhookSetup(t)
	ctx := testContext(t)
	keys := w.store.Keys()
	if err := streams.EnsureGroup(ctx, w.rdb, keys.Jobs(), streams.Group, "0"); err != nil {
		t.Fatal(err)
	}

	canceled := w.queueJob(append(ankaLabels, "job-a")...)
	succeeded := w.queueJob(append(ankaLabels, "job-b")...)
	queued := w.queueJob(append(ankaLabels, "job-c")...)
	fresh := w.queueJob(append(ankaLabels, "job-d")...)
	_, _, err := w.store.Enqueue(ctx, engine.JobSpec{ID: 999999, Owner: "other", Repo: "x",
		Labels: ankaLabels})
	if err != nil {
		t.Fatal(err)
	}

	clock := &fakeClock{now: time.Now()}
	lw := w.reconciler(t, func(o *WebhookOptions) {
		o.Now, o.MaxStatusChecks, o.StaleAfter = clock.Now, 1, 15*time.Minute
	})
	if r := pass(t, lw); r.Enqueued != 4 || r.Finished != 0 {
		t.Fatalf("first pass: %+v, want the 4 jobs enqueued", r)
	}

	// A handler takes every entry. Job a started long ago, the fresh job
	// recently.
	got, err := w.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: streams.Group,
		Consumer: "host-b", Streams: []string{keys.Jobs(), ">"}, Count: 10}).Result()
	if err != nil || len(got[0].Messages) != 5 {
		t.Fatalf("read work entries: %v %v", got, err)
	}
	_, err = w.store.Transition(ctx, fresh.ID, engine.Expect{}, engine.Event{
		Type: engine.EventInProgress, At: clock.now.Add(10 * time.Minute),
		Attrs: map[string]string{engine.FieldRunner: "anklet-vm-d"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.store.Transition(ctx, canceled.ID, engine.Expect{}, engine.Event{
		Type: engine.EventInProgress, At: clock.now.Add(-time.Hour),
		Attrs: map[string]string{engine.FieldRunner: "anklet-vm-a"}})
	if err != nil {
		t.Fatal(err)
	}

	// GitHub finishes three of them; no webhook says so.
	if err := w.gh.CancelRun(canceled.RunID); err != nil {
		t.Fatal(err)
	}
	if err := w.gh.CancelRun(fresh.RunID); err != nil {
		t.Fatal(err)
	}
	rn := register(t, w.gh, w.api, "anklet-vm-b", append(ankaLabels, "job-b")...)
	if err := w.gh.ConnectRunner(rn.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "job b completed", func() bool {
		j, _ := w.gh.Job(succeeded.ID)
		return j.Status == "completed"
	})

	statusCalls := func() int { return w.gh.Calls()["GET /repos/{owner}/{repo}/actions/jobs/{id}"] }
	clock.advance(20 * time.Minute)
	// One status call per pass (MaxStatusChecks 1), the quietest job first.
	if r := pass(t, lw); r.Finished != 1 || r.Failed != 0 {
		t.Fatalf("second pass: %+v, want one job finished", r)
	}
	expectJob(t, w.store, canceled.ID, engine.EventCanceled, "", "anklet-vm-a")
	expectJob(t, w.store, succeeded.ID, engine.EventQueued, "", "")
	if r := pass(t, lw); r.Finished != 1 {
		t.Fatalf("third pass: %+v, want one job finished", r)
	}
	expectJob(t, w.store, succeeded.ID, engine.EventCompleted, "success", "anklet-vm-b")
	if r := pass(t, lw); r.Finished != 0 {
		t.Fatalf("fourth pass: %+v, want nothing more", r)
	}
	if n := statusCalls(); n != 2 {
		t.Fatalf("%d job status calls, want 2: queued, fresh and foreign jobs are not asked", n)
	}
	expectJob(t, w.store, queued.ID, engine.EventQueued, "", "")
	expectJob(t, w.store, fresh.ID, engine.EventInProgress, "", "anklet-vm-d")

	// Once it has gone quiet for StaleAfter, the fresh job is finished too.
	clock.advance(15 * time.Minute)
	if r := pass(t, lw); r.Finished != 1 {
		t.Fatalf("last pass: %+v, want the once fresh job finished", r)
	}
	expectJob(t, w.store, fresh.ID, engine.EventCanceled, "", "anklet-vm-d")
}

func expectJob(t *testing.T, st *engine.Store, id int64, state engine.EventType,
	conclusion, runner string) {
	t.Helper()
	j, err := st.Get(testContext(t), id)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != state || j.Conclusion != conclusion || j.Runner != runner {
		t.Fatalf("job %d is %s conclusion %q runner %q, want %s %q %q", id, j.State,
			j.Conclusion, j.Runner, state, conclusion, runner)
	}
}
