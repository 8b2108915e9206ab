package handler

import (
	"context"
	"errors"
	"time"

	"github.com/rs/zerolog"

	"github.com/anklet/anklet/engine"
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
	}
	h.logTakeOver(log, err, "recovered job requeued to run afresh")
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
