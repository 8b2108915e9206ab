package reconcile

import (
	"context"
	"time"

	"github.com/rs/zerolog"
)

// turnShare is the part of an interval a taken turn lasts: a little less
// than the interval, so that with clocks and timers drifting some process
// still finds the turn free at each tick.
const turnShare = 0.9

// loop is what the reconcilers share to run: a pass at once, then one per
// interval until ctx is done.
type loop struct {
	what     string // names the reconciler in logs: "orphan VMs"
	interval time.Duration
	turn     *Turn // nil: pass every time
	log      zerolog.Logger
	pass     func(context.Context) (Report, error)
	onPass   func(Report)
}

// run runs passes until ctx is done, then returns nil. A failed pass is
// logged at error level and the next one comes at the next tick.
func (l *loop) run(ctx context.Context) error {
	t := time.NewTicker(l.interval)
	defer t.Stop()
	for {
		l.once(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// once runs one pass when the turn allows and logs what it did.
func (l *loop) once(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	if l.turn != nil {
		took, err := l.turn.Take(ctx, time.Duration(float64(l.interval)*turnShare))
		if err != nil {
			l.log.Error().Err(err).Msgf("%s pass skipped: cannot take the turn", l.what)
			return
		}
		if !took {
			l.log.Debug().Str("turn", l.turn.Key()).
				Msgf("%s pass skipped: another process has the turn", l.what)
			l.report(Report{Skipped: true})
			return
		}
	}

	r, err := l.pass(ctx)
	switch {
	case err != nil && ctx.Err() != nil:
		return // shutting down: the failure is the cancellation
	case err != nil:
		l.log.Error().Err(err).EmbedObject(r).Msgf("%s pass failed", l.what)
	case r.Acted():
		l.log.Info().EmbedObject(r).Msgf("%s pass done", l.what)
	default:
		l.log.Debug().EmbedObject(r).Msgf("%s pass done", l.what)
	}
	l.report(r)
}

func (l *loop) report(r Report) {
	if l.onPass != nil {
		l.onPass(r)
	}
}
