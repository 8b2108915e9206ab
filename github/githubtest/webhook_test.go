package githubtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	gh "github.com/google/go-github/v66/github"
)

func TestSignatureMatchesGitHubTestVector(t *testing.T) {
	const want = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	got := Signature256("It's a Secret to Everybody", []byte("Hello, World!"))
	if got != want {
		t.Fatalf("Signature256 = %s, want %s", got, want)
	}
	if err := gh.ValidateSignature(got, []byte("Hello, World!"),
		[]byte("It's a Secret to Everybody")); err != nil {
		t.Fatalf("go-github rejects the signature: %v", err)
	}
	sig1 := Signature1("k", []byte("b"))
	if err := gh.ValidateSignature(sig1, []byte("b"), []byte("k")); err != nil {
		t.Fatalf("go-github rejects the sha1 signature: %v", err)
	}
}

func TestWebhooksAreSignedAndShapedLikeGitHub(t *testing.T) {
	for _, ct := range []ContentType{JSON, Form} {
		t.Run(string(ct), func(t *testing.T) {
			s := NewServer(t)
			sink := newSink(t, s, "s3cret", ct)
			s.AddRepo("acme", "app")
			j := s.QueueJob(JobSpec{Owner: "acme", Repo: "app", Labels: []string{"anka-template:x"}})
			if err := s.FlushWebhooks(testContext(t)); err != nil {
				t.Fatal(err)
			}

			evs := sink.all()
			if len(evs) != 1 {
				t.Fatalf("got %d webhooks, want 1", len(evs))
			}
			ev := evs[0]
			h := ev.header
			for _, k := range []string{"X-GitHub-Hook-ID", "X-Hub-Signature", "X-Hub-Signature-256",
				"X-GitHub-Hook-Installation-Target-ID"} {
				if h.Get(k) == "" {
					t.Errorf("header %s missing", k)
				}
			}
			if h.Get("X-GitHub-Hook-Installation-Target-Type") != "organization" ||
				!strings.HasPrefix(h.Get("User-Agent"), "GitHub-Hookshot/") {
				t.Errorf("headers %v", h)
			}

			wj := ev.job.GetWorkflowJob()
			if ev.job.GetAction() != "queued" || wj.GetID() != j.ID || wj.GetRunID() != j.RunID ||
				ev.job.GetRepo().GetOwner().GetLogin() != "acme" || ev.job.GetOrg().GetLogin() != "acme" ||
				ev.job.Installation != nil {
				t.Fatalf("event %+v", ev.job)
			}
			var raw struct {
				WorkflowJob map[string]any `json:"workflow_job"`
			}
			if err := json.Unmarshal(ev.payload, &raw); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"runner_id", "runner_name", "runner_group_id",
				"runner_group_name", "conclusion", "completed_at"} {
				if v, ok := raw.WorkflowJob[k]; !ok || v != nil {
					t.Errorf("queued payload %s = %v, want null", k, v)
				}
			}
		})
	}
}

func TestAppHookPayloadsCarryInstallation(t *testing.T) {
	s := NewServer(t, WithHookKind(HookApp), WithEnterprise("3.14.0"))
	sink := newSink(t, s, "s3cret", JSON)
	s.AddUserRepo("alice", "tools")
	s.QueueJob(JobSpec{Owner: "alice", Repo: "tools", Labels: []string{"l"}})
	s.Ping()
	if err := s.FlushWebhooks(testContext(t)); err != nil {
		t.Fatal(err)
	}

	evs := sink.all()
	if len(evs) != 2 || evs[0].job == nil || evs[1].event != "ping" {
		t.Fatalf("got %d events, want workflow_job then ping", len(evs))
	}
	job := evs[0]
	if job.job.GetInstallation().GetID() == 0 || job.job.Org != nil {
		t.Fatalf("app delivery of a user repo: installation %v, organization %v",
			job.job.Installation, job.job.Org)
	}
	if job.header.Get("X-GitHub-Hook-Installation-Target-Type") != "integration" ||
		job.header.Get("X-GitHub-Enterprise-Version") != "3.14.0" {
		t.Fatalf("headers %v", job.header)
	}
	var ping gh.PingEvent
	if err := json.Unmarshal(evs[1].payload, &ping); err != nil || ping.GetHookID() != s.HookID() {
		t.Fatalf("ping %+v: %v", ping, err)
	}
	if d := s.Deliveries(); d[1].Action != "" {
		t.Fatalf("ping delivery action %q, want none", d[1].Action)
	}
}

func TestSenderWithoutServer(t *testing.T) {
	var got *http.Request
	var body []byte
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := gh.ValidatePayload(r, []byte("k"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		got, body = r, b
	}))
	t.Cleanup(hs.Close)

	job := Job{ID: 7, RunID: 3, Owner: "o", Repo: "r", Name: "n", Labels: []string{"x"},
		Status: "queued"}
	payload := WorkflowJobEvent{Action: "queued", Job: job}.Payload()
	snd := &Sender{URL: hs.URL, Secret: "k", HookID: 1, TargetType: "repository", TargetID: 2}
	res, err := snd.Send(context.Background(), "workflow_job", "guid-1", payload)
	if err != nil || res.Status != "OK" || res.StatusCode != 200 {
		t.Fatalf("Send = %+v, %v", res, err)
	}
	if gh.DeliveryID(got) != "guid-1" || !bytes.Equal(body, payload) {
		t.Fatalf("receiver got delivery %q body %s", gh.DeliveryID(got), body)
	}

	hs.Close()
	res, err = snd.Send(context.Background(), "workflow_job", "guid-2", payload)
	if err == nil || res.Status != "failed to connect" || res.StatusCode != 0 {
		t.Fatalf("Send to a closed receiver = %+v, %v", res, err)
	}
}

func TestDroppedWebhookRedeliveredWithSameGUID(t *testing.T) {
	s := NewServer(t)
	sink := newSink(t, s, "s3cret", JSON)
	s.AddRepo("acme", "app")
	c := client(t, s)
	ctx := testContext(t)

	s.DropWebhooks(1)
	s.QueueJob(JobSpec{Owner: "acme", Repo: "app", Name: "dropped", Labels: []string{"l"}})
	if err := s.FlushWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(sink.all()); n != 0 {
		t.Fatalf("receiver got %d webhooks, want 0 (dropped)", n)
	}
	list, _, err := c.Organizations.ListHookDeliveries(ctx, "acme", s.HookID(), nil)
	if err != nil || len(list) != 1 {
		t.Fatalf("ListHookDeliveries = %v, %v", list, err)
	}
	d := list[0]
	if d.GetStatusCode() != 0 || d.GetStatus() != "timed out" || d.GetRedelivery() {
		t.Fatalf("dropped delivery %v", d)
	}

	_, _, err = c.Organizations.RedeliverHookDelivery(ctx, "acme", s.HookID(), d.GetID())
	var accepted *gh.AcceptedError
	if !errors.As(err, &accepted) {
		t.Fatalf("RedeliverHookDelivery: %v, want AcceptedError (202)", err)
	}
	if err := s.FlushWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	evs := sink.all()
	if len(evs) != 1 || evs[0].guid != d.GetGUID() {
		t.Fatalf("receiver got %d webhooks, want the redelivery of %s", len(evs), d.GetGUID())
	}
	all := s.Deliveries()
	if len(all) != 2 || !all[1].Redelivery || all[1].GUID != d.GetGUID() || all[1].Status != "OK" {
		t.Fatalf("delivery records %+v", all)
	}

	detail, _, err := c.Organizations.GetHookDelivery(ctx, "acme", s.HookID(), all[1].ID)
	if err != nil {
		t.Fatalf("GetHookDelivery: %v", err)
	}
	var ev gh.WorkflowJobEvent
	if err := json.Unmarshal(*detail.GetRequest().RawPayload, &ev); err != nil ||
		ev.GetWorkflowJob().GetName() != "dropped" {
		t.Fatalf("delivery payload %s: %v", *detail.GetRequest().RawPayload, err)
	}
	if detail.GetRequest().Headers["X-Github-Delivery"] != d.GetGUID() {
		t.Fatalf("recorded headers %v", detail.GetRequest().Headers)
	}
}

func TestFailedDeliveryRecordsStatus(t *testing.T) {
	s := NewServer(t)
	sink := newSink(t, s, "s3cret", JSON)
	sink.status = http.StatusServiceUnavailable
	s.QueueJob(JobSpec{Owner: "acme", Repo: "app", Labels: []string{"l"}})
	if err := s.FlushWebhooks(testContext(t)); err != nil {
		t.Fatal(err)
	}
	d := s.Deliveries()
	if len(d) != 1 || d[0].StatusCode != 503 || d[0].Status != "Invalid HTTP Response: 503" {
		t.Fatalf("deliveries %+v", d)
	}
	if !slices.Equal(sink.actions(), []string{"queued:build"}) {
		t.Fatalf("actions %v", sink.actions())
	}
}
