package githubtest

import (
	"errors"
	"fmt"
	"time"
)

// Errors of the simulation methods.
var (
	// ErrNoRunner means the runner id is not registered (never was, or it was
	// removed).
	ErrNoRunner = errors.New("githubtest: no such runner")

	// ErrRunnerConnected means the runner already connected once; a JIT
	// runner's config is good for one session.
	ErrRunnerConnected = errors.New("githubtest: runner already connected")

	// ErrNoRun means the run id is unknown.
	ErrNoRun = errors.New("githubtest: no such run")

	// ErrRunCompleted means the run has already completed.
	ErrRunCompleted = errors.New("githubtest: run already completed")
)

// QueueJob creates a workflow run (or adds to spec.RunID) with one queued
// job, sends its queued webhook, and hands it to a waiting runner whose
// labels cover it, if any. It returns the job as queued. A spec without
// owner and repo, or with an unknown or completed RunID, fails the test and
// returns the zero Job.
func (s *Server) QueueJob(spec JobSpec) Job {
	j, err := s.queueJob(spec)
	if err != nil {
		s.tb.Errorf("githubtest: %v", err)
	}
	return j
}

func (s *Server) queueJob(spec JobSpec) (Job, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()

	var rn *run
	if spec.RunID != 0 {
		rn = s.runs[spec.RunID]
		if rn == nil {
			return Job{}, fmt.Errorf("queue job in run %d: %w", spec.RunID, ErrNoRun)
		}
		if rn.status == "completed" {
			return Job{}, fmt.Errorf("queue job in run %d: %w", spec.RunID, ErrRunCompleted)
		}
	} else {
		if spec.Owner == "" || spec.Repo == "" {
			return Job{}, fmt.Errorf("queue job: owner and repo are required")
		}
		r := s.findRepoLocked(spec.Owner, spec.Repo)
		if r == nil {
			r = s.repoLocked(s.accountLocked(spec.Owner, true), spec.Repo)
		}
		s.nextRun++
		rn = &run{id: s.nextRun, repo: r, name: or(spec.Workflow, "CI"), status: "queued",
			number: len(s.runs) + 1, created: now, updated: now}
		s.runs[rn.id] = rn
	}

	s.nextJob++
	j := &job{
		id: s.nextJob, run: rn, name: or(spec.Name, "build"),
		labels: append([]string(nil), spec.Labels...), status: "queued",
		created: now, started: now, duration: spec.Duration, outcome: or(spec.Conclusion, Success),
	}
	rn.jobs = append(rn.jobs, j)
	s.jobs[j.id] = j
	s.jobOrder = append(s.jobOrder, j)
	s.settleRunLocked(rn)
	s.logf("job %d queued in %s run %d labels %v", j.id, rn.repo.fullName(), rn.id, j.labels)

	snap := s.jobSnapLocked(j)
	s.sendJobLocked("queued", j)
	s.dispatchLocked()
	return snap, nil
}

// CancelRun cancels run runID as a user would: queued jobs complete as
// cancelled without ever being in progress, running jobs complete as
// cancelled (their ephemeral runners are removed), and the run completes
// as cancelled.
func (s *Server) CancelRun(runID int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cancelRunLocked(runID)
}

func (s *Server) cancelRunLocked(runID int64) error {
	rn := s.runs[runID]
	switch {
	case rn == nil:
		return fmt.Errorf("cancel run %d: %w", runID, ErrNoRun)
	case rn.status == "completed":
		return fmt.Errorf("cancel run %d: %w", runID, ErrRunCompleted)
	}
	for _, j := range rn.jobs {
		if j.status != "completed" {
			s.finishLocked(j, Cancelled)
		}
	}
	return nil
}

// ConnectRunner plays a runner process starting with its config: runner id
// goes online and GitHub hands it the oldest queued job its labels cover, or
// the next one queued. See ConnectPath for the HTTP form.
func (s *Server) ConnectRunner(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.connectLocked(id)
	return err
}

func (s *Server) connectLocked(id int64) (*runner, error) {
	r := s.runners[id]
	switch {
	case r == nil:
		return nil, fmt.Errorf("connect runner %d: %w", id, ErrNoRunner)
	case r.online:
		return nil, fmt.Errorf("connect runner %d: %w", id, ErrRunnerConnected)
	}
	r.online, r.waiting, r.os = true, true, "macOS"
	s.waiting = append(s.waiting, r)
	s.logf("runner %d %s online, labels %v", r.id, r.name, r.labels)
	s.dispatchLocked()
	return r, nil
}

// dispatchLocked gives each waiting runner, in connection order, the oldest
// queued job it covers.
func (s *Server) dispatchLocked() {
	kept := s.waiting[:0]
	for _, r := range s.waiting {
		if j := s.oldestFor(r); j != nil {
			s.startLocked(r, j)
			continue
		}
		kept = append(kept, r)
	}
	clear(s.waiting[len(kept):])
	s.waiting = kept
}

func (s *Server) oldestFor(r *runner) *job {
	for _, j := range s.jobOrder {
		if j.status == "queued" && r.covers(j) {
			return j
		}
	}
	return nil
}

// startLocked puts j on runner r, sends in_progress, and schedules the end.
func (s *Server) startLocked(r *runner, j *job) {
	r.waiting, r.job = false, j
	j.status, j.started = "in_progress", time.Now()
	j.runnerID, j.runnerName = r.id, r.name
	j.groupID, j.groupName = r.group.id, r.group.name
	s.settleRunLocked(j.run)
	s.logf("runner %d %s took job %d", r.id, r.name, j.id)
	s.sendJobLocked("in_progress", j)

	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTimer(j.duration)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.ctx.Done():
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if j.status != "completed" {
			s.finishLocked(j, j.outcome)
		}
	}()
}

// finishLocked completes j with conclusion, sends completed, and frees or
// removes its runner.
func (s *Server) finishLocked(j *job, conclusion string) {
	j.status, j.conclusion, j.completed = "completed", conclusion, time.Now()
	s.settleRunLocked(j.run)
	s.logf("job %d completed: %s", j.id, conclusion)
	s.sendJobLocked("completed", j)

	r := s.runners[j.runnerID]
	if r == nil || r.job != j {
		return
	}
	r.job, r.lastJob = nil, j
	if r.ephemeral {
		s.removeRunnerLocked(r)
		return
	}
	r.waiting = true
	s.waiting = append(s.waiting, r)
	s.dispatchLocked()
}

// removeRunnerLocked deletes runner r's registration.
func (s *Server) removeRunnerLocked(r *runner) {
	delete(s.runners, r.id)
	for i, w := range s.waiting {
		if w == r {
			s.waiting = append(s.waiting[:i], s.waiting[i+1:]...)
			break
		}
	}
	r.waiting = false
	close(r.finished)
	s.logf("runner %d %s removed", r.id, r.name)
}

// settleRunLocked derives a run's status and conclusion from its jobs.
func (s *Server) settleRunLocked(rn *run) {
	queued, done := 0, 0
	conclusion := Success
	for _, j := range rn.jobs {
		switch j.status {
		case "queued":
			queued++
		case "completed":
			done++
			switch {
			case j.conclusion == Cancelled:
				conclusion = Cancelled
			case j.conclusion == Failure && conclusion != Cancelled:
				conclusion = Failure
			}
		}
	}
	rn.updated = time.Now()
	switch {
	case done == len(rn.jobs):
		rn.status, rn.conclusion = "completed", conclusion
	case queued == len(rn.jobs):
		rn.status = "queued"
	default:
		rn.status = "in_progress"
	}
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
