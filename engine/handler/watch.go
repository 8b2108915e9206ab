package handler

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/streams"
)

// observed is what the event log says about a run's claimed job and its
// runner.
type observed struct {
	// jState is the claimed job's state as last seen; jRunner the runner
	// its last in-progress event named.
	jState  engine.EventType
	jRunner string
	// took is the job the run's runner took (0: none yet), tookAt when.
	took   int64
	tookAt time.Time
	// done is true once that job finished; end is its terminal event.
	done bool
	end  engine.Event
}

// watcher follows the queue's event log from a position taken before the
// claim, and keeps what concerns one run: events of the claimed job, and
// in-progress and terminal events naming the run's runner (a just-in-time
// runner takes any queued job its labels cover, not only the claimed one).
type watcher struct {
	jobID      int64
	jobIDField string // jobID as the log's job_id field holds it
	runner     string
	onChange   func(observed)

	mu      sync.Mutex
	o       observed
	changed chan struct{}
}

func startWatcher(ctx context.Context, h *Handler, jobID int64, runner, from string,
	log zerolog.Logger, onChange func(observed)) *watcher {
	w := &watcher{jobID: jobID, jobIDField: strconv.FormatInt(jobID, 10), runner: runner,
		onChange: onChange, changed: make(chan struct{}, 1)}
	h.wg.Go(func() { w.follow(ctx, h, from, log) })
	return w
}

// follow tails the log until ctx ends, starting again from the last entry
// seen after a Redis error.
func (w *watcher) follow(ctx context.Context, h *Handler, from string, log zerolog.Logger) {
	last := from
	for {
		err := streams.Tail(ctx, h.opts.Reader, h.keys.Events(), last, h.t.Block,
			func(e streams.Entry) bool {
				last = e.ID
				w.consider(e, log)
				return false
			})
		if ctx.Err() != nil {
			return
		}
		log.Warn().Err(err).Msg("following the event log failed; retrying")
		t := time.NewTimer(h.t.GatePoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// consider parses the entries that may concern the run.
func (w *watcher) consider(entry streams.Entry, log zerolog.Logger) {
	id := entry.Fields[engine.FieldJobID]
	w.mu.Lock()
	took := w.o.took
	w.mu.Unlock()
	if id != w.jobIDField && entry.Fields[engine.FieldRunner] != w.runner &&
		(took == 0 || id != strconv.FormatInt(took, 10)) {
		return
	}
	e, err := engine.ParseEvent(entry)
	if err != nil {
		log.Warn().Err(err).Msg("skipping a malformed event")
		return
	}
	w.see(e)
}

// see applies one event.
func (w *watcher) see(e engine.Event) {
	w.mu.Lock()
	o := &w.o
	runner := e.Attr(engine.FieldRunner)
	if e.JobID == w.jobID {
		o.jState = e.Type
		if e.Type == engine.EventInProgress {
			o.jRunner = runner
		}
	}
	ours := runner == w.runner && (e.Type == engine.EventInProgress || e.Type.Terminal())
	if o.took == 0 && ours {
		o.took, o.tookAt = e.JobID, e.At
	}
	if o.took == e.JobID && e.Type.Terminal() && !o.done {
		o.done, o.end = true, e
	}
	snap := *o
	w.mu.Unlock()
	w.signal(snap)
}

// tookJob records that the run's runner took job id, learnt from GitHub
// because its in-progress webhook was lost.
func (w *watcher) tookJob(id int64, at time.Time) {
	w.mu.Lock()
	if w.o.took == 0 {
		w.o.took, w.o.tookAt = id, at
	}
	snap := w.o
	w.mu.Unlock()
	w.signal(snap)
}

// ended records that job id, which the run's runner took, finished as ev
// says; for an end learnt from GitHub when the log lacks it.
func (w *watcher) ended(id int64, ev engine.Event) {
	w.mu.Lock()
	if w.o.took == 0 {
		w.o.took, w.o.tookAt = id, ev.At
	}
	if w.o.took == id && !w.o.done {
		w.o.done, w.o.end = true, ev
	}
	snap := w.o
	w.mu.Unlock()
	w.signal(snap)
}

func (w *watcher) signal(snap observed) {
	select {
	case w.changed <- struct{}{}:
	default:
	}
	if w.onChange != nil {
		w.onChange(snap)
	}
}

func (w *watcher) snapshot() observed {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.o
}
