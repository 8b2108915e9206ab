package handler

import (
	"context"
	"errors"
	"time"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/engine/metrics"
	"github.com/anklet/anklet/github"
)

// wait follows the runner from its start to the end of the job it takes.
// The claimed job finishing while the runner has taken nothing ends the
// wait at once; so does the runner's job finishing. Without a job taken
// within the registration timeout, GitHub is asked where the claimed job
// stands. Every APICheck, GitHub is asked about the job in hand, in case a
// webhook was lost.
//
// A wait that ends while the runner has taken nothing first removes the
// runner's registration, so GitHub cannot hand it a job while its VM is
// being deleted; if GitHub says the runner is busy, it took a job just now
// and the wait goes on until that job ends.
func (r *run) wait(jobCtx, prepCtx context.Context) settlement {
	reg := time.NewTimer(r.h.t.RegistrationTimeout)
	defer reg.Stop()
	api := time.NewTicker(r.h.t.APICheck)
	defer api.Stop()
	regC := reg.C
	holdOn := false // the runner is busy with a job the log does not show yet

	end := func(set settlement) (settlement, bool) {
		if r.retireRunner(jobCtx) {
			return set, true
		}
		r.log.Info().Msg("runner busy with a job the log does not show yet; waiting on")
		holdOn, regC = true, nil
		return settlement{}, false
	}

	for {
		o := r.watch.snapshot()
		switch {
		case o.done:
			r.ran(jobCtx, o)
			return settleDone
		case o.took == 0 && o.jState.Terminal() && !holdOn:
			r.log.Info().Str("state", string(o.jState)).
				Msg("job finished without this runner; tearing down")
			if set, ok := end(settleDone); ok {
				return set
			}
		case o.took != 0:
			regC = nil
		}

		select {
		case <-r.watch.changed:
		case <-jobCtx.Done():
			return interrupted(jobCtx, prepCtx)
		case <-regC:
			regC = nil
			if set, ok := r.registrationTimedOut(jobCtx); ok {
				if set, ok := end(set); ok {
					return set
				}
			}
		case <-api.C:
			if o.took == 0 && holdOn {
				if set, ok := r.checkRunner(jobCtx); ok {
					return set
				}
				continue
			}
			r.checkOnGitHub(jobCtx, o)
		}
	}
}

// retireRunner removes the idle runner's registration before its VM goes.
// It reports false when the runner is busy: it took a job. A runner GitHub
// no longer lists, or a GitHub that cannot answer, counts as retired.
func (r *run) retireRunner(ctx context.Context) bool {
	rn, found, err := r.findRunner(ctx)
	switch {
	case err != nil:
		r.log.Warn().Err(err).Msg("cannot list runners; tearing down anyway")
		return true
	case !found:
		// TODO: an ephemeral runner that is gone ran a job whose events
		// may still be on their way; waiting a moment for them would let
		// RunFinished count it.
		r.runnerMinted = false
		return true
	case rn.Busy:
		return false
	}
	err = r.h.opts.GitHub.RemoveRunner(ctx, r.h.scope, rn.ID)
	switch {
	case errors.Is(err, github.ErrRunnerBusy):
		return false
	case err != nil:
		r.log.Warn().Err(err).Int64("runner_id", rn.ID).Msg("removing the idle runner failed")
		return true
	}
	r.runnerMinted = false
	return true
}

// checkRunner looks at a runner that is busy with a job the log does not
// show: once GitHub no longer lists it, the job is over.
func (r *run) checkRunner(ctx context.Context) (settlement, bool) {
	rn, found, err := r.findRunner(ctx)
	switch {
	case err != nil:
		r.log.Warn().Err(err).Msg("listing runners failed")
		return settlement{}, false
	case !found:
		r.runnerMinted = false
		r.log.Info().Msg("runner gone: its job is over")
		return settleDone, true
	case !rn.Busy && r.retireRunner(ctx):
		return settleDone, true
	}
	return settlement{}, false
}

// ran records the metrics of the job the runner ran.
func (r *run) ran(ctx context.Context, o observed) {
	outcome := metrics.OutcomeFailure
	switch {
	case o.end.Type == engine.EventCanceled:
		outcome = metrics.OutcomeCanceled
	case o.end.Type == engine.EventCompleted && o.end.Attr(engine.FieldConclusion) == "success":
		outcome = metrics.OutcomeSuccess
	}
	url := r.job.URL
	if o.took != r.jobID {
		if j, err := r.h.store.Get(ctx, o.took); err == nil {
			url = j.URL
		}
	}
	if !o.tookAt.IsZero() && o.end.At.After(o.tookAt) {
		r.h.opts.Metrics.ObserveJob(o.end.At.Sub(o.tookAt))
	}
	r.h.opts.Metrics.RunFinished(outcome, url)
	r.log.Info().Int64("ran_job_id", o.took).Str("outcome", outcome).
		Msg("runner finished its job")
}
