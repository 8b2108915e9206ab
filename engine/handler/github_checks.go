package handler

import (
	"context"
	"errors"
	"time"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/github"
)

// GitHub job statuses the handler tells apart.
const (
	ghQueued     = "queued"
	ghInProgress = "in_progress"
	ghCompleted  = "completed"
	ghCancelled  = "cancelled"
)

// registrationTimedOut decides what to do when the runner took nothing in
// time, from the claimed job's state and, when the log cannot tell, from
// GitHub: taken by another runner or finished → tear down (and acknowledge);
// taken by this runner → go on waiting; still queued → a fresh VM.
func (r *run) registrationTimedOut(ctx context.Context) (settlement, bool) {
	o := r.watch.snapshot()
	if o.jState == engine.EventInProgress && o.jRunner != r.vm {
		r.log.Info().Str("runner", o.jRunner).Msg("job taken by another runner; tearing down")
		return settleDone, true
	}
	retry := settlement{kind: settleRequeue, reason: ReasonRegistrationTimeout}

	st, err := r.h.opts.GitHub.Job(ctx, r.job.Owner, r.job.Repo, r.jobID)
	if err != nil {
		r.log.Warn().Err(err).Msg("registration timed out and GitHub cannot say more; retrying")
		return retry, true
	}
	switch {
	case st.Status == ghCompleted:
		ours := st.RunnerName == r.vm
		r.appendFinished(ctx, r.jobID, st, ours)
		return settleDone, !ours // ours: the wait ends through the watcher
	case st.RunnerName == r.vm:
		r.watch.tookJob(r.jobID, time.Now())
		return settlement{}, false
	case st.Status == ghInProgress || st.RunnerName != "":
		r.appendInProgress(ctx, st.RunnerName)
		return settleDone, true
	}

	// GitHub still has the job queued. The runner may yet have taken some
	// other job whose webhooks are lost: busy means wait on (end's retire
	// sees it), gone means it ran one (an ephemeral runner is removed after
	// its job).
	if _, found, err := r.findRunner(ctx); err == nil && !found {
		r.log.Info().Msg("runner gone without a job in the log; it ran one")
		return settleDone, true
	}
	r.log.Warn().Dur("timeout", r.h.t.RegistrationTimeout).
		Msg("runner took no job in time; retrying on a fresh VM")
	return retry, true
}

// checkOnGitHub asks GitHub about the job in hand (the runner's, else the
// claimed one) and writes the events the receiver missed.
func (r *run) checkOnGitHub(ctx context.Context, o observed) {
	id, owner, repo := r.jobID, r.job.Owner, r.job.Repo
	if o.took != 0 {
		if o.done {
			return
		}
		j, err := r.h.store.Get(ctx, o.took)
		if err != nil {
			r.log.Warn().Err(err).Int64("ran_job_id", o.took).Msg("reading the runner's job failed")
			return
		}
		id, owner, repo = o.took, j.Owner, j.Repo
	}
	st, err := r.h.opts.GitHub.Job(ctx, owner, repo, id)
	if err != nil {
		r.log.Warn().Err(err).Int64("checked_job_id", id).Msg("asking GitHub about a job failed")
		return
	}
	switch {
	case st.Status == ghCompleted:
		r.appendFinished(ctx, id, st, o.took != 0 || st.RunnerName == r.vm)
	case o.took == 0 && st.RunnerName == r.vm:
		r.watch.tookJob(id, time.Now())
	case o.took == 0 && st.Status == ghInProgress && o.jState != engine.EventInProgress:
		r.appendInProgress(ctx, st.RunnerName)
	}
}

// appendFinished writes the completed or canceled event of job id that
// GitHub reports and the log lacks; a conflict means someone else wrote it.
// ours says the run's runner ran the job, which ends the wait.
func (r *run) appendFinished(ctx context.Context, id int64, st github.JobStatus, ours bool) {
	ev := engine.Event{Type: engine.EventCompleted, Attrs: map[string]string{
		engine.FieldConclusion: st.Conclusion}}
	if st.Conclusion == ghCancelled {
		ev.Type = engine.EventCanceled
	}
	if st.RunnerName != "" {
		ev.Attrs[engine.FieldRunner] = st.RunnerName
	}
	_, err := r.h.store.Transition(ctx, id, engine.Expect{}, ev)
	if ours {
		ev.JobID, ev.At = id, time.Now()
		r.watch.ended(id, ev)
	}
	switch {
	case err == nil:
		r.log.Info().Int64("finished_job_id", id).Str("conclusion", st.Conclusion).
			Msg("recorded a job end the webhooks missed")
	case !errors.Is(err, engine.ErrConflict):
		r.log.Warn().Err(err).Int64("finished_job_id", id).Msg("recording a job end failed")
	}
}

// appendInProgress writes the claimed job's missing in-progress event.
func (r *run) appendInProgress(ctx context.Context, runner string) {
	expect := engine.Expect{States: notStarted}
	ev := engine.Event{Type: engine.EventInProgress}
	if runner != "" {
		ev.Attrs = map[string]string{engine.FieldRunner: runner}
	}
	_, err := r.h.store.Transition(ctx, r.jobID, expect, ev)
	if err != nil && !errors.Is(err, engine.ErrConflict) {
		r.log.Warn().Err(err).Msg("recording the job's start failed")
	}
}

// findRunner looks up the run's runner registration by name.
func (r *run) findRunner(ctx context.Context) (github.Runner, bool, error) {
	runners, err := r.h.opts.GitHub.Runners(ctx, r.h.scope, r.vm)
	if err != nil {
		return github.Runner{}, false, err
	}
	for _, rn := range runners {
		if rn.Name == r.vm {
			return rn, true, nil
		}
	}
	return github.Runner{}, false, nil
}

// notStarted are the states of a claimed job no runner has taken yet.
var notStarted = []engine.EventType{engine.EventClaimed, engine.EventPulling,
	engine.EventVMStarted, engine.EventRegistered}
