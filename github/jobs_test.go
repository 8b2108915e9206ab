package github

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/anklet/anklet/github/githubtest"
)

func TestJobStatusAndNotFound(t *testing.T) {
	s := githubtest.NewServer(t)
	s.AddRepo("acme", "app")
	c := newTestClient(t, s)
	ctx := testContext(t)

	j := s.QueueJob(githubtest.JobSpec{Owner: "acme", Repo: "app", Name: "build",
		Workflow: "CI", Labels: []string{"anka-template:x"}})
	got, err := c.Job(ctx, "acme", "app", j.ID)
	if err != nil {
		t.Fatalf("Job: %v", err)
	}
	want := JobStatus{Status: "queued", RunID: j.RunID, Name: "build", Workflow: "CI",
		Labels: []string{"anka-template:x"}, URL: j.HTMLURL}
	if !equalStatus(got, want) {
		t.Fatalf("Job = %+v, want %+v", got, want)
	}

	id, _, err := c.JITConfig(ctx, Scope{Owner: "acme"}, "anklet-vm-a", 1, []string{"anka-template:x"})
	if err != nil {
		t.Fatalf("JITConfig: %v", err)
	}
	if err := s.ConnectRunner(id); err != nil {
		t.Fatalf("ConnectRunner: %v", err)
	}
	waitFor(t, 5*time.Second, "job completion", func() bool {
		got, _ := s.Job(j.ID)
		return got.Status == "completed"
	})
	got, err = c.Job(ctx, "acme", "app", j.ID)
	if err != nil {
		t.Fatalf("Job after run: %v", err)
	}
	if got.Status != "completed" || got.Conclusion != "success" ||
		got.RunnerName != "anklet-vm-a" || got.RunnerID != id {
		t.Fatalf("Job after run = %+v", got)
	}

	if _, err := c.Job(ctx, "acme", "app", 12345); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Job of unknown id: %v, want ErrNotFound", err)
	}
}

func equalStatus(a, b JobStatus) bool {
	return a.Status == b.Status && a.Conclusion == b.Conclusion && a.RunnerName == b.RunnerName &&
		a.RunID == b.RunID && a.Name == b.Name && a.Workflow == b.Workflow && a.URL == b.URL &&
		slices.Equal(a.Labels, b.Labels)
}

func TestQueuedJobsAcrossOrgRunsAndPages(t *testing.T) {
	s := githubtest.NewServer(t)
	s.AddRepo("acme", "app")
	s.AddRepo("acme", "lib")
	s.AddRepo("acme", "empty")
	c := newTestClient(t, s)
	ctx := testContext(t)

	want := map[int64]bool{}
	for range 120 { // more runs than one page holds
		j := s.QueueJob(githubtest.JobSpec{Owner: "acme", Repo: "app",
			Labels: []string{"anka-template:x", "anka-template-tag:1"}})
		want[j.ID] = true
	}
	s.QueueJob(githubtest.JobSpec{Owner: "acme", Repo: "lib", Labels: []string{"ubuntu-latest"}})
	done := s.QueueJob(githubtest.JobSpec{Owner: "acme", Repo: "lib",
		Labels: []string{"anka-template:z"}})
	if err := s.CancelRun(done.RunID); err != nil {
		t.Fatalf("CancelRun: %v", err)
	}

	// A run in progress whose second job still waits for a runner.
	first := s.QueueJob(githubtest.JobSpec{Owner: "acme", Repo: "lib",
		Labels: []string{"anka-template:y"}, Duration: time.Hour})
	second := s.QueueJob(githubtest.JobSpec{RunID: first.RunID, Labels: []string{"anka-template:y"}})
	id, _, err := c.JITConfig(ctx, Scope{Owner: "acme"}, "taker", 1, []string{"anka-template:y"})
	if err != nil {
		t.Fatalf("JITConfig: %v", err)
	}
	if err := s.ConnectRunner(id); err != nil {
		t.Fatalf("ConnectRunner: %v", err)
	}
	if j, _ := s.Job(first.ID); j.Status != "in_progress" {
		t.Fatalf("first job %s, want in_progress", j.Status)
	}
	want[second.ID] = true

	got, err := c.QueuedJobs(ctx, "acme", "", QueuedJobsOptions{LabelPrefix: "anka-template"})
	if err != nil {
		t.Fatalf("QueuedJobs: %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("QueuedJobs found %d jobs, want %d", len(got), len(want))
	}
	for _, q := range got {
		if !want[q.ID] {
			t.Fatalf("unexpected job %+v", q)
		}
		if q.Owner != "acme" || q.RunID == 0 || q.URL == "" || q.Workflow == "" || len(q.Labels) == 0 {
			t.Fatalf("incomplete job %+v", q)
		}
	}
	if n := s.Calls()["GET /repos/{owner}/{repo}/actions/runs"]; n != 7 {
		t.Fatalf("run list calls = %d, want 7 (app: 2 pages queued + 1 in_progress; "+
			"lib, empty: 1 + 1)", n)
	}

	repoOnly, err := c.QueuedJobs(ctx, "acme", "lib", QueuedJobsOptions{LabelPrefix: "anka-template"})
	if err != nil {
		t.Fatalf("QueuedJobs(lib): %v", err)
	}
	if len(repoOnly) != 1 || repoOnly[0].ID != second.ID || repoOnly[0].Repo != "lib" {
		t.Fatalf("QueuedJobs(lib) = %+v, want job %d", repoOnly, second.ID)
	}
	if _, err := c.QueuedJobs(ctx, "acme", "missing",
		QueuedJobsOptions{LabelPrefix: "anka"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("QueuedJobs of unknown repo: %v, want ErrNotFound", err)
	}
}

func TestQueuedJobsBoundsRunsOldestFirstAndSkipsYoungOnes(t *testing.T) {
	s := githubtest.NewServer(t)
	s.AddRepo("acme", "app")
	c := newTestClient(t, s)
	ctx := testContext(t)

	var ids []int64
	for range 5 {
		j := s.QueueJob(githubtest.JobSpec{Owner: "acme", Repo: "app",
			Labels: []string{"anka-template:x"}})
		ids = append(ids, j.ID)
	}
	jobCalls := func() int { return s.Calls()["GET /repos/{owner}/{repo}/actions/runs/{id}/jobs"] }

	before := jobCalls()
	got, err := c.QueuedJobs(ctx, "acme", "app",
		QueuedJobsOptions{LabelPrefix: "anka-template:", MaxRuns: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != ids[0] || got[1].ID != ids[1] {
		t.Fatalf("MaxRuns 2 found %+v, want the two oldest jobs %v", got, ids[:2])
	}
	if n := jobCalls() - before; n != 2 {
		t.Fatalf("MaxRuns 2 listed the jobs of %d runs", n)
	}

	// Runs just created are too young to have lost their webhooks.
	got, err = c.QueuedJobs(ctx, "acme", "app",
		QueuedJobsOptions{LabelPrefix: "anka-template:", MinAge: time.Hour})
	if err != nil || len(got) != 0 {
		t.Fatalf("MinAge 1h found %d jobs (%v), want none", len(got), err)
	}
}
