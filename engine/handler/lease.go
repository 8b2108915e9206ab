package handler

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/anklet/anklet/streams"
)

// leaseKeeper renews the lease on one work entry every third of the lease
// until stopped, until the entry is no longer pending (a terminal event or
// a requeue acknowledged it), or until another consumer took it over, which
// it reports through lost.
type leaseKeeper struct {
	stopOnce sync.Once
	quit     chan struct{}
	done     chan struct{}
}

func startLease(ctx context.Context, h *Handler, workID string, log zerolog.Logger,
	lost func()) *leaseKeeper {
	k := &leaseKeeper{quit: make(chan struct{}), done: make(chan struct{})}
	every := h.t.Lease / 3
	h.wg.Go(func() {
		defer close(k.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-k.quit:
				return
			case <-t.C:
			}
			err := h.consumer.Extend(ctx, workID)
			switch {
			case err == nil:
			case errors.Is(err, streams.ErrLeaseLost):
				log.Warn().Err(err).Msg("lease lost: another host took the job; stopping")
				lost()
				return
			case errors.Is(err, streams.ErrNotPending), errors.Is(err, streams.ErrDeleted):
				log.Debug().Err(err).Msg("work entry no longer pending; lease not renewed")
				return
			case ctx.Err() != nil:
				return
			default:
				// A Redis blip: the next tick tries again, and two more
				// fit in the lease.
				log.Warn().Err(err).Msg("renewing the lease failed")
			}
		}
	})
	return k
}

// stop ends the renewals and waits for the renewing goroutine. It may be
// called more than once.
func (k *leaseKeeper) stop() {
	if k == nil {
		return
	}
	k.stopOnce.Do(func() { close(k.quit) })
	<-k.done
}
