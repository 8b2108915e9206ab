package handler

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/rs/zerolog"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/github"
	"github.com/anklet/anklet/streams"
)

// githubCheckTimeout bounds the GitHub question of a recovery; without an
// answer the job is requeued.
const githubCheckTimeout = 30 * time.Second

// takeOver settles recovered job j, whose live entry m this handler now
// holds.
func (h *Handler) takeOver(ctx context.Context, j engine.Job, m streams.Message,
	log zerolog.Logger) {
	lost := lostHost(j)
	log = log.With().Str("lost_host", lost).Str("state", string(j.State)).Logger()
	expect := engine.Expect{States: []engine.EventType{j.State}, Version: j.Version}
	lostAttr := engine.WithAttr(engine.FieldLostHost, lost)

	gctx, cancel := context.WithTimeout(ctx, githubCheckTimeout)
	st, err := h.opts.GitHub.Job(gctx, j.Owner, j.Repo, j.ID)
	cancel()
	switch {
	case err != nil && j.State == engine.EventInProgress:
		h.ackEntry(ctx, m.ID)
		log.Warn().Err(err).Msg("GitHub did not answer; the log says the job runs: entry acknowledged")
		return
	case err != nil:
		log.Warn().Err(err).Msg("GitHub cannot say where a recovered job stands; requeuing it")
	case st.Status == ghCompleted:
		ev := engine.Event{Type: engine.EventCompleted, Attrs: map[string]string{
			engine.FieldConclusion: st.Conclusion, engine.FieldLostHost: lost}}
		if st.Conclusion == ghCancelled {
			ev.Type = engine.EventCanceled
		}
		if st.RunnerName != "" {
			ev.Attrs[engine.FieldRunner] = st.RunnerName
		}
		_, err := h.store.Transition(ctx, j.ID, expect, ev)
		h.logTakeOver(log, err, "recovered job had finished on GitHub")
		return
	case st.Status == ghInProgress || st.RunnerName != "":
		if j.State != engine.EventInProgress {
			ev := engine.Event{Type: engine.EventInProgress, Attrs: map[string]string{
				engine.FieldRunner: st.RunnerName, engine.FieldLostHost: lost}}
			if _, err := h.store.Transition(ctx, j.ID, expect, ev); err != nil &&
				!errors.Is(err, engine.ErrConflict) {
				log.Error().Err(err).Msg("recording a recovered job's start failed")
				return
			}
		}
		h.ackEntry(ctx, m.ID)
		log.Info().Str("runner", st.RunnerName).
			Msg("recovered job is running on GitHub; entry acknowledged")
		return
	}

	_, err = h.store.Requeue(ctx, j.ID, expect, ReasonRecovered, false, lostAttr)
	if err == nil {
		h.opts.Metrics.Requeued(ReasonRecovered)
		h.retireLostRunner(ctx, j, log)
	}
	h.logTakeOver(log, err, "recovered job requeued to run afresh")
}

// retireLostRunner removes the runner registration the lost host made for
// job j's VM when GitHub lists it idle. Its handler is gone, so the runner
// would otherwise stay registered until the orphan-runner reconciler's grace
// period ends, or take a job in a VM nobody manages. A busy runner keeps
// its job. Failures are logged; the reconciler is the fallback.
func (h *Handler) retireLostRunner(ctx context.Context, j engine.Job, log zerolog.Logger) {
	if j.VM == "" || !slices.Contains(notStarted, j.State) {
		return // no VM yet, or the VM belongs to an earlier, settled attempt
	}
	ctx, cancel := context.WithTimeout(ctx, githubCheckTimeout)
	defer cancel()
	runners, err := h.opts.GitHub.Runners(ctx, h.scope, j.VM)
	if err != nil {
		log.Warn().Err(err).Msg("cannot list the lost host's runner; left to the reconciler")
		return
	}
	for _, rn := range runners {
		if rn.Name != j.VM || rn.Busy {
			continue
		}
		err := h.opts.GitHub.RemoveRunner(ctx, h.scope, rn.ID)
		switch {
		case err == nil:
			log.Info().Str("runner", rn.Name).Int64("runner_id", rn.ID).
				Msg("removed the lost host's idle runner")
		case !errors.Is(err, github.ErrRunnerBusy):
			log.Warn().Err(err).Str("runner", rn.Name).
				Msg("removing the lost host's runner failed; left to the reconciler")
		}
	}
}

func (h *Handler) logTakeOver(log zerolog.Logger, err error, done string) {
	switch {
	case err == nil:
		log.Info().Msg(done)
	case errors.Is(err, engine.ErrConflict):
		// A webhook moved the job meanwhile; the next sweep looks again if
		// the entry is still pending.
		log.Info().Err(err).Msg("recovered job changed meanwhile")
	default:
		log.Error().Err(err).Msg("settling a recovered job failed; retried next sweep")
	}
}
