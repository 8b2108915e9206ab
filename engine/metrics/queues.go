package metrics

import "context"

// QueueStatsFunc reads a queue's figures: length (entries in its work
// stream), pending (entries delivered to a handler and not yet
// acknowledged) and lag (entries not yet delivered). It must respect ctx.
type QueueStatsFunc func(ctx context.Context) (length, pending, lag int64, err error)

// WatchQueue makes the registry report queue's figures as
// anklet_queue_{length,pending,lag}{queue="…"}. stats is called at every
// scrape and every publish, bounded by Options.QueueTimeout; when it fails
// the queue's series are left out of the Prometheus output and its JSON
// entry carries the error. Watching the same queue again replaces stats.
func (r *Registry) WatchQueue(queue string, stats QueueStatsFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.queues[queue] = stats
}

// readQueues calls every watched queue's stats concurrently and returns the
// figures by queue name.
func (r *Registry) readQueues(ctx context.Context) []QueueSnapshot {
	r.mu.Lock()
	names := sortedKeys(r.queues)
	funcs := make([]QueueStatsFunc, len(names))
	for i, n := range names {
		funcs[i] = r.queues[n]
	}
	r.mu.Unlock()

	if len(names) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, r.queueTimeout)
	defer cancel()

	type result struct {
		i int
		q QueueSnapshot
	}
	results := make(chan result, len(names)) // buffered: a late reader never blocks
	for i, name := range names {
		go func() {
			q := QueueSnapshot{Queue: name}
			length, pending, lag, err := funcs[i](ctx)
			if err != nil {
				q.Error = err.Error()
			} else {
				q.Length, q.Pending, q.Lag = length, pending, lag
			}
			results <- result{i, q}
		}()
	}

	// A stats function that ignores ctx must not hold up the scrape: after
	// the timeout its queue is reported as failed and its answer dropped.
	out := make([]QueueSnapshot, len(names))
	done := make([]bool, len(names))
collect:
	for range names {
		select {
		case res := <-results:
			out[res.i], done[res.i] = res.q, true
		case <-ctx.Done():
			break collect
		}
	}
	for i, name := range names {
		if !done[i] {
			out[i] = QueueSnapshot{Queue: name, Error: ctx.Err().Error()}
		}
		if out[i].Error != "" {
			r.log.Warn().Str("queue", name).Str("error", out[i].Error).
				Msg("metrics: read queue figures")
		}
	}
	return out
}
