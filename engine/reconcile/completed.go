package reconcile

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/github"
	"github.com/anklet/anklet/streams"
)

// finishLost asks GitHub about the open jobs of this scope that have gone
// StaleAfter without an event, oldest first and at most MaxStatusChecks of
// them, and appends the terminal event of those GitHub shows completed.
// Jobs GitHub lists as queued (ghQueued) are skipped without a call.
func (w *LostWebhooks) finishLost(ctx context.Context, ghQueued map[int64]bool, r *Report) error {
	open, err := w.openJobs(ctx)
	if err != nil {
		return fmt.Errorf("find open jobs of queue %s: %w", w.opts.Queue, err)
	}

	now := w.opts.Now()
	isOpen := make(map[int64]bool, len(open))
	var stale []engine.Job
	for _, j := range open {
		isOpen[j.ID] = true
		if ghQueued[j.ID] || !w.inScope(j) || now.Sub(j.UpdatedAt) < w.opts.StaleAfter {
			continue
		}
		if at, ok := w.checked[j.ID]; ok && now.Sub(at) < w.opts.StaleAfter {
			continue
		}
		stale = append(stale, j)
	}
	slices.SortFunc(stale, func(a, b engine.Job) int { return a.UpdatedAt.Compare(b.UpdatedAt) })
	stale = stale[:min(len(stale), w.opts.MaxStatusChecks)]

	for _, j := range stale {
		if err := w.finishIfDone(ctx, j, r); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("lost webhook pass: %w", ctx.Err())
			}
			r.Failed++
			w.opts.Logger.Warn().Err(err).Int64("job_id", j.ID).Msg("job status check failed")
			continue
		}
		w.checked[j.ID] = now
	}

	for id := range w.checked {
		if !isOpen[id] {
			delete(w.checked, id)
		}
	}
	return nil
}

// inScope reports whether job j belongs to this reconciler's owner and
// repository: a queue may be shared by plugins of several scopes.
func (w *LostWebhooks) inScope(j engine.Job) bool {
	if j.Owner == "" || j.Repo == "" || !strings.EqualFold(j.Owner, w.opts.Owner) {
		return false
	}
	return w.opts.Repo == "" || strings.EqualFold(j.Repo, w.opts.Repo)
}

// finishIfDone appends job j's terminal event when GitHub shows it
// completed. The event applies only to the state and version j was read
// at: when another writer moved the job meanwhile, nothing is written.
func (w *LostWebhooks) finishIfDone(ctx context.Context, j engine.Job, r *Report) error {
	st, err := w.opts.GitHub.Job(ctx, j.Owner, j.Repo, j.ID)
	if errors.Is(err, github.ErrNotFound) {
		return nil // deleted with its run, or out of sight: nothing to learn
	}
	if err != nil {
		return err
	}
	if st.Status != "completed" {
		return nil
	}

	ev := engine.Event{Type: engine.EventCompleted, Attrs: map[string]string{}}
	if st.Conclusion == "cancelled" {
		ev.Type = engine.EventCanceled
	} else if st.Conclusion != "" {
		ev.Attrs[engine.FieldConclusion] = st.Conclusion
	}
	if st.RunnerName != "" {
		ev.Attrs[engine.FieldRunner] = st.RunnerName
	}
	expect := engine.Expect{States: []engine.EventType{j.State}, Version: j.Version}
	_, err = w.store.Transition(ctx, j.ID, expect, ev)
	if errors.Is(err, engine.ErrConflict) {
		return nil // a webhook or a handler got there first
	}
	if err != nil {
		return err
	}

	r.Finished++
	w.opts.Logger.Info().Int64("job_id", j.ID).Int64("run_id", j.RunID).
		Str("state", string(j.State)).Str("event", string(ev.Type)).
		Str("conclusion", st.Conclusion).Str("queue", w.opts.Queue).
		Msg("finished job whose completed webhook never arrived")
	return nil
}

// openJobs returns the jobs whose live work entry is still in the work
// stream: queued or requeued and unread, or claimed and pending. Only the
// part of the stream from the oldest pending or the first unread entry on
// is read; entries before it were acknowledged.
func (w *LostWebhooks) openJobs(ctx context.Context) ([]engine.Job, error) {
	stream := w.store.Keys().Jobs()
	start := "-"
	info, err := streams.GroupInfo(ctx, w.opts.Redis, stream, streams.Group)
	switch {
	case errors.Is(err, streams.ErrNoGroup):
		// No handler has read the stream yet: every entry is unread.
	case err != nil:
		return nil, err
	case info.OldestPendingID != "":
		start = info.OldestPendingID
	case info.LastDeliveredID != "" && info.LastDeliveredID != "0-0":
		start = "(" + info.LastDeliveredID
	}

	var open []engine.Job
	seen := make(map[int64]bool)
	for e, err := range streams.Range(ctx, w.opts.Redis, stream, start, "+", 0) {
		if err != nil {
			return nil, err
		}
		id, perr := strconv.ParseInt(e.Fields[engine.FieldJobID], 10, 64)
		if perr != nil || seen[id] {
			continue
		}
		j, err := w.store.Get(ctx, id)
		if errors.Is(err, engine.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if j.WorkID != e.ID || j.State.Terminal() {
			continue // a stale entry; the live one, if any, comes later
		}
		seen[id] = true
		open = append(open, j)
	}
	return open, nil
}
