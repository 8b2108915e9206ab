package github

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	gh "github.com/google/go-github/v66/github"

	"github.com/anklet/anklet/github/githubtest"
)

// receiver is a webhook endpoint that answers 503 for jobs named "fail" and
// remembers the GUIDs it saw.
type receiver struct {
	mu    sync.Mutex
	guids []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	payload, err := gh.ValidatePayload(r, []byte("s3cret"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	rc.mu.Lock()
	rc.guids = append(rc.guids, gh.DeliveryID(r))
	rc.mu.Unlock()
	var ev gh.WorkflowJobEvent
	if json.Unmarshal(payload, &ev) == nil && ev.GetWorkflowJob().GetName() == "fail" {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ok"))
}

func (rc *receiver) seen(guid string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	n := 0
	for _, g := range rc.guids {
		if g == guid {
			n++
		}
	}
	return n
}

func TestDeliveriesListDetailAndRedeliver(t *testing.T) {
	s := githubtest.NewServer(t)
	rc := &receiver{}
	hs := httptest.NewServer(rc)
	t.Cleanup(hs.Close)
	s.SetWebhook(hs.URL, "s3cret", githubtest.JSON)
	c := newTestClient(t, s)
	ctx := testContext(t)
	hook := HookRef{Kind: HookOrg, Owner: "acme", ID: s.HookID()}

	for i := range 130 {
		name := "build"
		if i == 7 {
			name = "fail"
		}
		s.QueueJob(githubtest.JobSpec{Owner: "acme", Repo: "app", Name: name, Labels: []string{"l"}})
	}
	if err := s.FlushWebhooks(ctx); err != nil {
		t.Fatalf("FlushWebhooks: %v", err)
	}

	all, err := c.Deliveries(ctx, hook, time.Time{})
	if err != nil {
		t.Fatalf("Deliveries: %v", err)
	}
	if len(all) != 130 {
		t.Fatalf("got %d deliveries, want 130", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID >= all[i-1].ID {
			t.Fatalf("deliveries not newest first at %d: %d after %d", i, all[i].ID, all[i-1].ID)
		}
	}
	if n := s.Calls()["GET /orgs/{owner}/hooks/{hook}/deliveries"]; n != 2 {
		t.Fatalf("list calls = %d, want 2 (pages of 100 by cursor)", n)
	}

	var failed Delivery
	for _, d := range all {
		if d.StatusCode != 200 {
			failed = d
		}
	}
	if failed.StatusCode != 503 || failed.Status == "OK" || failed.Action != "queued" ||
		failed.Event != "workflow_job" {
		t.Fatalf("failed delivery = %+v, want a 503 queued workflow_job", failed)
	}

	detail, err := c.Delivery(ctx, hook, failed.ID)
	if err != nil {
		t.Fatalf("Delivery: %v", err)
	}
	var ev gh.WorkflowJobEvent
	if err := json.Unmarshal(detail.Payload, &ev); err != nil {
		t.Fatalf("payload: %v", err)
	}
	if ev.GetWorkflowJob().GetName() != "fail" || detail.GUID != failed.GUID {
		t.Fatalf("detail = %+v with job %q", detail.Delivery, ev.GetWorkflowJob().GetName())
	}

	if err := c.Redeliver(ctx, hook, failed.ID); err != nil {
		t.Fatalf("Redeliver: %v", err)
	}
	if err := s.FlushWebhooks(ctx); err != nil {
		t.Fatalf("FlushWebhooks: %v", err)
	}
	if n := rc.seen(failed.GUID); n != 2 {
		t.Fatalf("receiver saw GUID %s %d times, want 2", failed.GUID, n)
	}
	latest, err := c.Deliveries(ctx, hook, time.Time{})
	if err != nil {
		t.Fatalf("Deliveries: %v", err)
	}
	if d := latest[0]; d.GUID != failed.GUID || !d.Redelivery || d.ID <= failed.ID {
		t.Fatalf("newest delivery = %+v, want a redelivery of %s", d, failed.GUID)
	}

	if _, err := c.Delivery(ctx, hook, 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Delivery of unknown id: %v, want ErrNotFound", err)
	}
}

func TestDeliveriesStopAtSince(t *testing.T) {
	s := githubtest.NewServer(t)
	hs := httptest.NewServer(&receiver{})
	t.Cleanup(hs.Close)
	s.SetWebhook(hs.URL, "s3cret", githubtest.JSON)
	c := newTestClient(t, s)
	ctx := testContext(t)
	hook := HookRef{Kind: HookOrg, Owner: "acme", ID: s.HookID()}

	for range 110 {
		s.QueueJob(githubtest.JobSpec{Owner: "acme", Repo: "app", Labels: []string{"l"}})
	}
	if err := s.FlushWebhooks(ctx); err != nil {
		t.Fatalf("FlushWebhooks: %v", err)
	}
	// delivered_at has whole seconds: start the recent ones in a new second.
	since := time.Now().Truncate(time.Second).Add(time.Second)
	waitFor(t, 2*time.Second, "the next second", func() bool { return !time.Now().Before(since) })
	for range 10 {
		s.QueueJob(githubtest.JobSpec{Owner: "acme", Repo: "app", Labels: []string{"l"}})
	}
	if err := s.FlushWebhooks(ctx); err != nil {
		t.Fatalf("FlushWebhooks: %v", err)
	}

	recent, err := c.Deliveries(ctx, hook, since)
	if err != nil {
		t.Fatalf("Deliveries: %v", err)
	}
	if len(recent) != 10 {
		t.Fatalf("got %d deliveries since %v, want 10", len(recent), since)
	}
	if n := s.Calls()["GET /orgs/{owner}/hooks/{hook}/deliveries"]; n != 1 {
		t.Fatalf("list calls = %d, want 1: the first page already reaches back past since", n)
	}
}

func TestHookKindErrors(t *testing.T) {
	s := githubtest.NewServer(t, githubtest.WithHookKind(githubtest.HookRepo))
	s.AddRepo("acme", "app")
	c := newTestClient(t, s)
	ctx := testContext(t)

	_, err := c.Deliveries(ctx, HookRef{Kind: HookApp}, time.Time{})
	if !errors.Is(err, ErrAppAuthRequired) {
		t.Fatalf("app hook with a token: %v, want ErrAppAuthRequired", err)
	}
	if _, err := c.Deliveries(ctx, HookRef{Kind: "team"}, time.Time{}); err == nil {
		t.Fatalf("unknown hook kind: no error")
	}
	repoHook := HookRef{Kind: HookRepo, Owner: "acme", Repo: "app", ID: s.HookID()}
	if got, err := c.Deliveries(ctx, repoHook, time.Time{}); err != nil || len(got) != 0 {
		t.Fatalf("repo hook deliveries = %v, %v; want none", got, err)
	}
	orgHook := HookRef{Kind: HookOrg, Owner: "acme", ID: s.HookID()}
	if _, err := c.Deliveries(ctx, orgHook, time.Time{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("org hook on a repo-hook server: %v, want ErrNotFound", err)
	}
}
