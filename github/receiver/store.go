package receiver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/anklet/anklet/engine"
)

// apply writes change c of job id once for the delivery, within the Redis
// timeout, and says how it went.
func (r *Receiver) apply(ctx context.Context, o outcome, id int64, c change) outcome {
	st := r.store.ForDelivery(o.guid, r.opts.DeliveryTTL)
	var job engine.Job
	var applied bool
	err := bounded(ctx, r.opts.RedisTimeout, func(ctx context.Context) error {
		var err error
		if c.enqueue {
			job, applied, err = st.Enqueue(ctx, c.spec)
			return err
		}
		job, err = st.Transition(ctx, id, engine.Expect{}, c.event)
		applied = err == nil
		return err
	})

	var conflict *engine.ConflictError
	switch {
	case err == nil && applied:
		return o.set(http.StatusOK, ResultStored, "")
	case err == nil:
		// Enqueue found the job already known.
		return o.set(againOrStale(job.State, c.target()))
	case errors.Is(err, engine.ErrDuplicateDelivery):
		return o.set(http.StatusOK, ResultDuplicate, "delivery seen before")
	case errors.As(err, &conflict):
		return o.set(againOrStale(conflict.State, c.target()))
	}
	return o.failed(http.StatusServiceUnavailable, ResultUnavailable, "redis", err)
}

// againOrStale tells a webhook whose job is already in state apart: a
// repeat of the state it reports, or news older than what the job holds.
func againOrStale(state, target engine.EventType) (status int, result, reason string) {
	if state == target {
		return http.StatusOK, ResultDuplicate, "job already " + string(state)
	}
	return http.StatusOK, ResultStale, "job already " + string(state)
}

// bounded runs fn with a context that ends after d, and returns when fn
// does or when that context ends, whichever is first. The Redis client may
// not watch context deadlines on its sockets, so a Redis that stopped
// answering could otherwise hold a request past GitHub's 10 s budget. fn
// keeps running to its own end in that case; a write it still makes is
// found by the dedupe of the delivery's next attempt.
func bounded(ctx context.Context, d time.Duration, fn func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("redis did not answer in %v: %w", d, ctx.Err())
	}
}
