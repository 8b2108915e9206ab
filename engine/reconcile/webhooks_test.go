package reconcile

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/github"
	"github.com/anklet/anklet/github/githubtest"
	"github.com/anklet/anklet/streams"
	"github.com/anklet/anklet/streams/redistest"
)

const testQueue = "acme"

var ankaLabels = []string{"anka-template:" + testTemplate, "anka-template-tag:v1"}

// webhookSetup is a fake GitHub, a private Redis and a store on the test
// queue.
type webhookSetup struct {
	gh    *githubtest.Server
	api   *github.Client
	rdb   *redis.Client
	store *engine.Store
}

func newWebhookSetup(t *testing.T) *webhookSetup {
	t.Helper()
	s, c := newGitHub(t)
	rdb := redistest.Start(t).Client()
	st, err := engine.NewStore(rdb, testQueue, "host-test", "test")
	if err != nil {
		t.Fatal(err)
	}
	return &webhookSetup{gh: s, api: c, rdb: rdb, store: st}
}

func (w *webhookSetup) reconciler(t *testing.T, mod ...func(*WebhookOptions)) *LostWebhooks {
	t.Helper()
	opts := WebhookOptions{GitHub: w.api, Redis: w.rdb, Queue: testQueue, Host: "host-a",
		Plugin: "handler-1", Owner: "acme", Repo: "app", MinRunAge: -1}
	for _, m := range mod {
		m(&opts)
	}
	lw, err := NewLostWebhooks(opts)
	if err != nil {
		t.Fatal(err)
	}
	return lw
}

func (w *webhookSetup) queueJob(labels ...string) githubtest.Job {
	return w.gh.QueueJob(githubtest.JobSpec{Owner: "acme", Repo: "app", Labels: labels})
}

func (w *webhookSetup) streamLen(t *testing.T, key string) int64 {
	t.Helper()
	n, err := w.rdb.XLen(testContext(t), key).Result()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLostWebhooksEnqueuesUnknownQueuedJobs(t *testing.T) {
	w := newWebhookSetup(t)
	ctx := testContext(t)
	sink := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(sink.Close)
	w.gh.SetWebhook(sink.URL, "secret", githubtest.JSON)

	w.gh.DropWebhooks(3)
	var lost []githubtest.Job
	for range 3 {
		lost = append(lost, w.queueJob(ankaLabels...))
	}
	w.queueJob("ubuntu-latest")

	// A job GitHub still shows queued, but that the log has seen finish.
	done := w.queueJob(ankaLabels...)
	_, err := w.store.Transition(ctx, done.ID, engine.Expect{States: []engine.EventType{""}},
		engine.Event{Type: engine.EventCompleted, RunID: done.RunID,
			Attrs: map[string]string{engine.FieldConclusion: "success"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.gh.FlushWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	dropped := 0
	for _, d := range w.gh.Deliveries() {
		if d.Status != "OK" {
			dropped++
		}
	}
	if dropped != 3 {
		t.Fatalf("%d deliveries dropped, want the 3 anka jobs' ones", dropped)
	}

	lw := w.reconciler(t)
	r := pass(t, lw)
	if r.Enqueued != 3 || r.Seen != 4 || r.Failed != 0 || r.Finished != 0 {
		t.Fatalf("first pass: %+v, want 4 seen and 3 enqueued", r)
	}
	keys := w.store.Keys()
	for _, j := range lost {
		got, err := w.store.Get(ctx, j.ID)
		if err != nil {
			t.Fatalf("job %d not enqueued: %v", j.ID, err)
		}
		if got.State != engine.EventQueued || got.RunID != j.RunID || got.Owner != "acme" ||
			got.Repo != "app" || len(got.Labels) != 2 || got.Plugin != "handler-1" {
			t.Errorf("job %d enqueued as %+v", j.ID, got)
		}
	}
	if n := w.streamLen(t, keys.Jobs()); n != 3 {
		t.Fatalf("work stream holds %d entries, want 3", n)
	}
	events := w.streamLen(t, keys.Events())

	if r = pass(t, lw); r.Enqueued != 0 || r.Seen != 4 {
		t.Fatalf("second pass: %+v, want nothing enqueued", r)
	}
	if w.streamLen(t, keys.Jobs()) != 3 || w.streamLen(t, keys.Events()) != events {
		t.Fatal("second pass wrote to the work stream or the event log")
	}
	got, err := w.store.Get(ctx, done.ID)
	if err != nil || got.State != engine.EventCompleted || got.Version != 1 {
		t.Fatalf("finished job is now %+v (err %v), want it left completed", got, err)
	}
}

func TestLostWebhooksListFailure(t *testing.T) {
	w := newWebhookSetup(t)
	lw := w.reconciler(t, func(o *WebhookOptions) { o.Repo = "missing" })
	if _, err := lw.Pass(testContext(t)); err == nil {
		t.Fatal("pass succeeded although GitHub could not list the jobs")
	}
}

func TestLostWebhooksRunTakesTurns(t *testing.T) {
	w := newWebhookSetup(t)
	w.queueJob(ankaLabels...)
	ctx := testContext(t)

	run := func(host string) (Report, func()) {
		reports := make(chan Report, 10)
		lw := w.reconciler(t, func(o *WebhookOptions) {
			o.Host, o.Interval = host, time.Minute
			o.OnPass = func(r Report) { reports <- r }
		})
		ctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- lw.Run(ctx) }()
		var r Report
		select {
		case r = <-reports:
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: no pass", host)
		}
		return r, func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("%s: Run returned %v", host, err)
			}
		}
	}

	first, stop := run("host-a")
	defer stop()
	if first.Skipped || first.Enqueued != 1 {
		t.Fatalf("first process: %+v, want a pass that enqueued the job", first)
	}
	second, stop2 := run("host-b")
	defer stop2()
	if !second.Skipped {
		t.Fatalf("second process: %+v, want it to skip while the first has the turn", second)
	}
	key := streams.MustKeysFor(testQueue).Lock("reconcile:lost-webhooks:acme/app")
	if holder, err := w.rdb.Get(ctx, key).Result(); err != nil || holder != "host-a" {
		t.Fatalf("turn %s holds %q (err %v), want host-a", key, holder, err)
	}
}
