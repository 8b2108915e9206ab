package receiver

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"slices"
	"testing"
	"time"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/github"
	"github.com/anklet/anklet/github/githubtest"
)

// TestRedeliveryPass sets up every kind of missed delivery behind more than
// a page of good ones, and checks that one pass redelivers exactly those
// the queue still needs, and a second pass nothing.
func TestRedeliveryPass(t *testing.T) {
	w := setupWorld(t, nil)
	ctx := context.Background()
	ours := []string{testTemplate}

	lost := w.queue(t, testOwner, ours, true) // unknown job: redeliver queued
	fine := w.queue(t, testOwner, ours, false)
	retried := w.queue(t, testOwner, ours, true) // a later attempt got 2xx
	storedElsewhere := w.queue(t, testOwner, ours, true)
	lostEnd := w.queue(t, testOwner, ours, false) // completed lost: redeliver it
	w.cancel(t, lostEnd, true)
	finished := w.queue(t, testOwner, ours, true) // done since: nothing
	w.cancel(t, finished, false)
	bothLost := w.queue(t, testOwner, ours, true) // only completed is redelivered
	w.cancel(t, bothLost, true)
	notOurs := w.queue(t, testOwner, []string{"ubuntu-latest"}, true)
	foreign := w.queue(t, "evil-org", ours, true)

	client, err := w.r.github(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Redeliver(ctx, w.r.hook, w.delivery(t, retried.ID, "queued").ID); err != nil {
		t.Fatal(err)
	}
	w.flush(t)
	// Forget the retried job, so that only its 2xx attempt keeps it from
	// being redelivered.
	w.rdb.Del(ctx, w.keys.Job(retried.ID), w.keys.Delivery(w.delivery(t, retried.ID, "queued").GUID))
	spec := engine.JobSpec{ID: storedElsewhere.ID, Owner: testOwner, Repo: testRepo,
		Labels: ours}
	if _, _, err := w.r.store.Enqueue(ctx, spec); err != nil {
		t.Fatal(err)
	}
	for range 110 {
		w.queue(t, testOwner, []string{"ubuntu-latest"}, false)
	}

	asked, err := w.r.redeliverPass(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		w.delivery(t, lost.ID, "queued").GUID,
		w.delivery(t, lostEnd.ID, "completed").GUID,
		w.delivery(t, bothLost.ID, "completed").GUID,
	}
	if !slices.Equal(asked, want) {
		t.Errorf("redelivered %v, want %v (lost queued, lost completed, both lost)", asked, want)
	}
	if n := w.gh.Calls()["GET /orgs/{owner}/hooks/{hook}/deliveries"]; n < 2 {
		t.Errorf("delivery list fetched %d times, want at least 2 pages", n)
	}
	w.flush(t)

	for id, st := range map[int64]engine.EventType{
		lost.ID: engine.EventQueued, fine.ID: engine.EventQueued,
		lostEnd.ID: engine.EventCanceled, finished.ID: engine.EventCanceled,
		bothLost.ID: engine.EventCanceled, notOurs.ID: "", foreign.ID: "",
	} {
		if got := w.state(t, id); got != st {
			t.Errorf("job %d is %q, want %q", id, got, st)
		}
	}
	if n := len(w.workEntries(t, bothLost.ID)); n != 0 {
		t.Errorf("job cancelled before its queued was redelivered has %d work entries", n)
	}

	// The next pass lists only what is new since the first began (the
	// overlap, meant for GitHub's recording delay, would span this whole
	// test): one page.
	const list = "GET /orgs/{owner}/hooks/{hook}/deliveries"
	pages := w.gh.Calls()[list]
	w.r.scanOverlap = 0
	w.rdb.Del(ctx, w.r.lock.key) // as after the cooldown
	again, err := w.r.redeliverPass(ctx)
	if err != nil || len(again) != 0 {
		t.Errorf("second pass redelivered %v (err %v), want nothing", again, err)
	}
	if n := w.gh.Calls()[list] - pages; n != 1 {
		t.Errorf("second pass fetched %d pages, want 1", n)
	}

	// Once an hour a pass looks over the whole window again.
	w.r.lastFull = w.r.lastFull.Add(-fullScanEvery)
	pages = w.gh.Calls()[list]
	w.rdb.Del(ctx, w.r.lock.key)
	again, err = w.r.redeliverPass(ctx)
	if err != nil || len(again) != 0 {
		t.Errorf("full pass redelivered %v (err %v), want nothing", again, err)
	}
	if n := w.gh.Calls()[list] - pages; n < 2 {
		t.Errorf("full pass fetched %d pages, want every page", n)
	}
}

// TestRedeliveryLoopSurvivesAPIErrors runs the receiver with a short
// interval while GitHub answers 500: the pass fails, the receiver keeps
// serving, and a later pass redelivers the missed webhook.
func TestRedeliveryLoopSurvivesAPIErrors(t *testing.T) {
	w := setupWorld(t, func(o *Options) { o.RedeliverInterval = 100 * time.Millisecond })
	lost := w.queue(t, testOwner, []string{testTemplate}, true)
	w.gh.FailNext(4) // the first list call and its three retries

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopping := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- w.r.Run(ctx, stopping) }()

	waitFor(t, 20*time.Second, "the missed job to be redelivered and stored", func() bool {
		return w.state(t, lost.ID) == engine.EventQueued
	})
	if err := Probe(ctx, w.r.Addr().String(), 5*time.Second); err != nil {
		t.Errorf("receiver not healthy after the failed pass: %v", err)
	}
	close(stopping)
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

// TestRedeliveryLock checks that a pass does nothing while another
// receiver of the queue holds the lock.
func TestRedeliveryLock(t *testing.T) {
	w := setupWorld(t, nil)
	w.queue(t, testOwner, []string{testTemplate}, true)
	ctx := context.Background()
	if err := w.rdb.Set(ctx, w.r.lock.key, "other-receiver", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	before := w.gh.TotalCalls()
	asked, err := w.r.redeliverPass(ctx)
	if err != nil || len(asked) != 0 || w.gh.TotalCalls() != before {
		t.Errorf("pass under another's lock: asked %v, err %v, %d API calls",
			asked, err, w.gh.TotalCalls()-before)
	}
	if v, _ := w.rdb.Get(ctx, w.r.lock.key).Result(); v != "other-receiver" {
		t.Errorf("lock = %q, want it left to its holder", v)
	}
}

// TestRedeliveryAppHook redelivers through the GitHub App's own webhook,
// which the App's JWT reads, when there are App credentials and no token.
func TestRedeliveryAppHook(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY",
		Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	gh := githubtest.NewServer(t, githubtest.WithApp(4242, &key.PublicKey),
		githubtest.WithHookKind(githubtest.HookApp))
	b := setup(t, func(o *Options) {
		o.GitHub = github.Options{AppID: 4242, PrivateKey: keyPEM, BaseURL: gh.APIURL()}
		o.SkipRedeliver = false
	})
	gh.AddRepo(testOwner, testRepo)
	gh.SetWebhook(b.url, testSecret, githubtest.JSON)
	w := &world{bundle: b, gh: gh}
	if w.r.hook.Kind != github.HookApp {
		t.Fatalf("hook %v, want the app hook", w.r.hook)
	}

	lost := w.queue(t, testOwner, []string{testTemplate}, true)
	asked, err := w.r.redeliverPass(context.Background())
	if err != nil || len(asked) != 1 {
		t.Fatalf("pass: asked %v, err %v; want one redelivery", asked, err)
	}
	w.flush(t)
	if st := w.state(t, lost.ID); st != engine.EventQueued {
		t.Errorf("job is %q after redelivery, want queued", st)
	}
	if w.gh.Calls()["GET /app/hook/deliveries"] == 0 {
		t.Errorf("the app hook's deliveries were not listed: %v", w.gh.Calls())
	}
}
