package githubtest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	gh "github.com/google/go-github/v66/github"
)

// jit mints a JIT runner through the REST API and returns its id.
func jit(t *testing.T, s *Server, name string, labels ...string) int64 {
	t.Helper()
	cfg, _, err := client(t, s).Actions.GenerateOrgJITConfig(testContext(t), "acme",
		&gh.GenerateJITConfigRequest{Name: name, RunnerGroupID: 1, Labels: labels})
	if err != nil {
		t.Fatalf("GenerateOrgJITConfig: %v", err)
	}
	if cfg.GetRunner().GetStatus() != "offline" || cfg.GetRunner().GetOS() != "unknown" {
		t.Fatalf("new runner %+v, want offline with os unknown", cfg.GetRunner())
	}
	return cfg.GetRunner().GetID()
}

func TestRunnerConnectRunsJobOverHTTP(t *testing.T) {
	s := NewServer(t)
	sink := newSink(t, s, "s3cret", JSON)
	s.AddRepo("acme", "app")
	j := s.QueueJob(JobSpec{Owner: "acme", Repo: "app", Name: "one", Labels: []string{"a"},
		Duration: 20 * time.Millisecond, Conclusion: Failure})
	id := jit(t, s, "anklet-vm-1", "a", "b")

	var answer struct {
		RunnerID   int64  `json:"runner_id"`
		JobID      int64  `json:"job_id"`
		Conclusion string `json:"conclusion"`
	}
	body := fmt.Sprintf(`{"runner_id":%d,"wait":true}`, id)
	if code := post(t, s.URL()+ConnectPath, body, &answer); code != 200 {
		t.Fatalf("connect answered %d", code)
	}
	if answer.RunnerID != id || answer.JobID != j.ID || answer.Conclusion != Failure {
		t.Fatalf("connect answer %+v", answer)
	}
	if code := post(t, s.URL()+ConnectPath, body, nil); code != 404 {
		t.Fatalf("connecting a removed runner answered %d, want 404", code)
	}
	if err := s.FlushWebhooks(testContext(t)); err != nil {
		t.Fatal(err)
	}

	want := []string{"queued:one", "in_progress:one", "completed:one"}
	if got := sink.actions(); !slices.Equal(got, want) {
		t.Fatalf("webhooks %v, want %v", got, want)
	}
	evs := sink.all()
	if wj := evs[1].job.GetWorkflowJob(); wj.GetRunnerName() != "anklet-vm-1" ||
		wj.GetRunnerID() != id || wj.GetRunnerGroupName() != "Default" {
		t.Fatalf("in_progress job %+v", wj)
	}
	wj := evs[2].job.GetWorkflowJob()
	if wj.GetConclusion() != Failure || wj.GetRunnerName() != "anklet-vm-1" {
		t.Fatalf("completed job %+v", wj)
	}
	if got := s.Runners(); len(got) != 0 {
		t.Fatalf("ephemeral runner still registered: %+v", got)
	}
	if runs := s.Runs(); runs[0].Status != "completed" || runs[0].Conclusion != Failure {
		t.Fatalf("run %+v", runs[0])
	}
}

func TestRunnerTakesOldestJobItsLabelsCover(t *testing.T) {
	s := NewServer(t)
	s.AddRepo("acme", "app")
	queue := func(owner string, labels ...string) Job {
		return s.QueueJob(JobSpec{Owner: owner, Repo: "app", Labels: labels, Duration: time.Hour})
	}
	other := queue("acme", "a", "z")
	older := queue("acme", "A")
	newer := queue("acme", "a", "b")
	elsewhere := queue("beta", "a")

	r1 := jit(t, s, "r1", "a", "b")
	r2 := jit(t, s, "r2", "a", "b")
	r3 := jit(t, s, "r3", "a", "b")
	for _, id := range []int64{r1, r2, r3} {
		if err := s.ConnectRunner(id); err != nil {
			t.Fatalf("ConnectRunner(%d): %v", id, err)
		}
	}
	if err := s.ConnectRunner(r1); !errors.Is(err, ErrRunnerConnected) {
		t.Fatalf("second connect: %v, want ErrRunnerConnected", err)
	}

	job := func(id int64) Job { j, _ := s.Job(id); return j }
	if job(older.ID).RunnerID != r1 || job(newer.ID).RunnerID != r2 {
		t.Fatalf("older job on %d, newer on %d; want %d, %d",
			job(older.ID).RunnerID, job(newer.ID).RunnerID, r1, r2)
	}
	if job(other.ID).Status != "queued" || job(elsewhere.ID).Status != "queued" {
		t.Fatalf("a runner took a job it does not cover or from another org")
	}

	// r3 is still waiting and takes the next job it covers as it is queued.
	late := s.QueueJob(JobSpec{Owner: "acme", Repo: "app", Labels: []string{"b"}})
	waitFor(t, 5*time.Second, "late job to complete", func() bool {
		return job(late.ID).Status == "completed"
	})
	if job(late.ID).RunnerID != r3 {
		t.Fatalf("late job ran on %d, want %d", job(late.ID).RunnerID, r3)
	}
}

func TestCancelRun(t *testing.T) {
	s := NewServer(t)
	sink := newSink(t, s, "s3cret", JSON)
	s.AddRepo("acme", "app")
	c := client(t, s)
	ctx := testContext(t)

	queued := s.QueueJob(JobSpec{Owner: "acme", Repo: "app", Name: "q", Labels: []string{"q"}})
	running := s.QueueJob(JobSpec{Owner: "acme", Repo: "app", Name: "r", Labels: []string{"r"},
		Duration: time.Hour})
	id := jit(t, s, "runner", "r")
	if err := s.ConnectRunner(id); err != nil {
		t.Fatal(err)
	}

	if err := s.CancelRun(queued.RunID); err != nil {
		t.Fatalf("CancelRun: %v", err)
	}
	if err := s.CancelRun(queued.RunID); !errors.Is(err, ErrRunCompleted) {
		t.Fatalf("second CancelRun: %v, want ErrRunCompleted", err)
	}
	_, err := c.Actions.CancelWorkflowRunByID(ctx, "acme", "app", running.RunID)
	var accepted *gh.AcceptedError
	if !errors.As(err, &accepted) {
		t.Fatalf("CancelWorkflowRunByID: %v, want AcceptedError", err)
	}
	run, _, err := c.Actions.GetWorkflowRunByID(ctx, "acme", "app", running.RunID)
	if err != nil || run.GetStatus() != "completed" || run.GetConclusion() != Cancelled {
		t.Fatalf("run after cancel %v: %v", run, err)
	}
	_, err = c.Actions.CancelWorkflowRunByID(ctx, "acme", "app", running.RunID)
	var er *gh.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != 409 {
		t.Fatalf("cancelling a completed run: %v, want 409", err)
	}
	if err := s.FlushWebhooks(ctx); err != nil {
		t.Fatal(err)
	}

	want := []string{"queued:q", "queued:r", "in_progress:r", "completed:q", "completed:r"}
	if got := sink.actions(); !slices.Equal(got, want) {
		t.Fatalf("webhooks %v, want %v", got, want)
	}
	evs := sink.all()
	if wj := evs[3].job.GetWorkflowJob(); wj.GetConclusion() != Cancelled || wj.RunnerName != nil {
		t.Fatalf("cancelled queued job %+v: want cancelled with no runner", wj)
	}
	if wj := evs[4].job.GetWorkflowJob(); wj.GetConclusion() != Cancelled || wj.GetRunnerID() != id {
		t.Fatalf("cancelled running job %+v", wj)
	}
	if len(s.Runners()) != 0 {
		t.Fatalf("runner of the cancelled job still registered")
	}
}

func TestRegisteredRunnerTakesJobsUntilRemoved(t *testing.T) {
	s := NewServer(t)
	s.AddRepo("acme", "app")
	c := client(t, s)
	ctx := testContext(t)

	tok, _, err := c.Actions.CreateRegistrationToken(ctx, "acme", "app")
	if err != nil {
		t.Fatalf("CreateRegistrationToken: %v", err)
	}
	var reg struct {
		RunnerID int64 `json:"runner_id"`
	}
	body := fmt.Sprintf(`{"token":%q,"name":"persistent","labels":["mac"],"url":%q}`,
		tok.GetToken(), s.URL()+"/acme/app")
	if code := post(t, s.URL()+RegisterPath, body, &reg); code != 201 {
		t.Fatalf("register answered %d", code)
	}
	if code := post(t, s.URL()+RegisterPath, body, nil); code != 409 {
		t.Fatalf("registering the name again answered %d, want 409", code)
	}
	bad := fmt.Sprintf(`{"token":%q,"name":"x","url":%q}`, tok.GetToken(), s.URL()+"/acme")
	if code := post(t, s.URL()+RegisterPath, bad, nil); code != 404 {
		t.Fatalf("register at the wrong url answered %d, want 404", code)
	}

	r, _, err := c.Actions.GetRunner(ctx, "acme", "app", reg.RunnerID)
	if err != nil || len(r.Labels) != 4 || r.Labels[0].GetType() != "read-only" ||
		r.Labels[3].GetType() != "custom" {
		t.Fatalf("runner %+v: %v", r, err)
	}

	if err := s.ConnectRunner(reg.RunnerID); err != nil {
		t.Fatal(err)
	}
	a := s.QueueJob(JobSpec{Owner: "acme", Repo: "app", Labels: []string{"self-hosted", "mac"}})
	b := s.QueueJob(JobSpec{Owner: "acme", Repo: "app", Labels: []string{"macOS"}})
	waitFor(t, 5*time.Second, "both jobs", func() bool {
		ja, _ := s.Job(a.ID)
		jb, _ := s.Job(b.ID)
		return ja.Status == "completed" && jb.Status == "completed"
	})
	if got := s.Runners(); len(got) != 1 || got[0].Status != "online" || got[0].Busy {
		t.Fatalf("runners %+v, want the persistent runner online and idle", got)
	}
	if _, err := c.Actions.RemoveRunner(ctx, "acme", "app", reg.RunnerID); err != nil {
		t.Fatalf("RemoveRunner: %v", err)
	}
}
