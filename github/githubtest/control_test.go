package githubtest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestControlQueueAndCancel(t *testing.T) {
	s := NewServer(t)
	var queued struct {
		JobID int64 `json:"job_id"`
		RunID int64 `json:"run_id"`
	}
	body := `{"owner":"acme","repo":"app","labels":["a"],"name":"n","duration":"1h"}`
	if code := post(t, s.URL()+QueuePath, body, &queued); code != 201 {
		t.Fatalf("queue answered %d", code)
	}
	j, ok := s.Job(queued.JobID)
	if !ok || j.RunID != queued.RunID || j.Name != "n" || j.Status != "queued" {
		t.Fatalf("queued job %+v", j)
	}

	id := jit(t, s, "r", "a")
	if err := s.ConnectRunner(id); err != nil {
		t.Fatal(err)
	}
	cancel := fmt.Sprintf("%s/_githubtest/runs/%d/cancel", s.URL(), queued.RunID)
	if code := post(t, cancel, "", nil); code != 202 {
		t.Fatalf("cancel answered %d", code)
	}
	if code := post(t, cancel, "", nil); code != 409 {
		t.Fatalf("second cancel answered %d, want 409", code)
	}
	if j, _ := s.Job(queued.JobID); j.Conclusion != Cancelled || j.RunnerID != id {
		t.Fatalf("job after cancel %+v", j)
	}
	if code := post(t, s.URL()+"/_githubtest/runs/1/cancel", "", nil); code != 404 {
		t.Fatalf("cancel of unknown run answered %d, want 404", code)
	}
}

func TestConnectWaitEndsWhenServerCloses(t *testing.T) {
	s := NewServer(t)
	s.AddRepo("acme", "app")
	id := jit(t, s, "idle", "nothing-matches")
	done := make(chan int, 1)
	go func() {
		resp, err := http.Post(s.URL()+ConnectPath, "application/json",
			strings.NewReader(fmt.Sprintf(`{"runner_id":%d,"wait":true}`, id)))
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	waitFor(t, 5*time.Second, "the runner to connect", func() bool {
		r := s.Runners()
		return len(r) == 1 && r[0].Status == "online"
	})
	s.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("connect call still blocked after Close")
	}
}

func TestSlowReceiverIsRecordedAsTimedOut(t *testing.T) {
	release := make(chan struct{})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(hs.Close)
	t.Cleanup(func() { close(release) })

	s := NewServer(t, WithWebhookTimeout(50*time.Millisecond))
	s.SetWebhook(hs.URL, "", JSON)
	s.QueueJob(JobSpec{Owner: "acme", Repo: "app", Labels: []string{"l"}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.FlushWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	d := s.Deliveries()
	if len(d) != 1 || d[0].Status != "timed out" || d[0].StatusCode != 0 {
		t.Fatalf("deliveries %+v", d)
	}
	if _, signed := d[0].Headers["X-Hub-Signature-256"]; signed {
		t.Fatalf("delivery without a secret was signed")
	}
}

func BenchmarkWorkflowJobRequest(b *testing.B) {
	job := Job{ID: 30000000001, RunID: 15000000001, Owner: "octo-org", Repo: "octo-repo",
		Name: "build", Workflow: "CI", Status: "queued", CreatedAt: time.Now(),
		Labels: []string{"anka-template:84266873-da90-4e0d-903b-ed0233471f9f", "anka-template-tag:1"}}
	snd := &Sender{URL: "http://127.0.0.1/jobs/v1/receiver", Secret: "s3cret", HookID: 1,
		TargetType: "organization", TargetID: 2}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		payload := WorkflowJobEvent{Action: "queued", Job: job, Org: true}.Payload()
		if _, err := snd.Request(ctx, "workflow_job", "guid", payload); err != nil {
			b.Fatal(err)
		}
	}
}
