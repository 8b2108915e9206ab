package metrics

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
)

// DefaultPublishInterval is PublisherOptions.Interval when none is given.
const DefaultPublishInterval = 10 * time.Second

// removeTimeout bounds the removal of a snapshot when publishing stops.
const removeTimeout = 5 * time.Second

// PublisherOptions configures a Publisher. Every field is optional.
type PublisherOptions struct {
	// Interval is how often the snapshot is written. A snapshot expires
	// after three intervals, so an instance that stops publishing (a crash)
	// leaves the aggregator's output within that time. Default 10 s.
	Interval time.Duration
	// Logger receives publish failures. The zero value discards them.
	Logger zerolog.Logger
}

// Publisher writes a registry's JSON snapshot to Redis at an interval, for
// the aggregator to read:
//
//	SET anklet:metrics:<instance> <json> PX <3×interval>
//	ZADD anklet:metrics <now+3×interval, Unix ms> <instance>
//
// both in one MULTI.
type Publisher struct {
	reg      *Registry
	rdb      redis.UniversalClient
	interval time.Duration
	log      zerolog.Logger
}

// NewPublisher returns a publisher of reg's snapshots to rdb.
func NewPublisher(reg *Registry, rdb redis.UniversalClient, opts PublisherOptions) *Publisher {
	if opts.Interval <= 0 {
		opts.Interval = DefaultPublishInterval
	}
	return &Publisher{reg: reg, rdb: rdb, interval: opts.Interval, log: opts.Logger}
}

// Run publishes at once and then every interval until ctx ends; then it
// removes the snapshot (bounded by 5 s) and returns the removal's error, if
// any. A failed publish is logged and tried again at the next tick.
func (p *Publisher) Run(ctx context.Context) error {
	ticker := time.NewTicker(p.interval)
	defer ticker.Stop()

	failures := 0
	for {
		if err := p.Publish(ctx); err != nil && ctx.Err() == nil {
			failures++
			p.log.Warn().Err(err).Int("consecutive_failures", failures).
				Msg("metrics: publish snapshot failed; retrying at the next interval")
		} else if err == nil {
			failures = 0
		}

		select {
		case <-ticker.C:
		case <-ctx.Done():
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), removeTimeout)
			defer cancel()
			return p.Remove(rctx)
		}
	}
}

// Publish writes the current snapshot once, expiring after three intervals.
func (p *Publisher) Publish(ctx context.Context) error {
	var buf bytes.Buffer
	s := p.reg.Snapshot(ctx)
	if err := encodeJSON(&buf, s); err != nil {
		return fmt.Errorf("publish metrics of %s: %w", s.Instance, err)
	}

	ttl := 3 * p.interval
	expiry := p.reg.now().Add(ttl).UnixMilli()
	_, err := p.rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		pipe.Set(ctx, SnapshotKey(s.Instance), bytes.TrimSpace(buf.Bytes()), ttl)
		pipe.ZAdd(ctx, SnapshotIndex, redis.Z{Score: float64(expiry), Member: s.Instance})
		return nil
	})
	if err != nil {
		return fmt.Errorf("publish metrics of %s: %w", s.Instance, err)
	}
	return nil
}

// Remove deletes the instance's snapshot and its index entry, so the
// aggregator stops reporting it at once.
func (p *Publisher) Remove(ctx context.Context) error {
	instance := p.reg.Instance()
	_, err := p.rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		pipe.Del(ctx, SnapshotKey(instance))
		pipe.ZRem(ctx, SnapshotIndex, instance)
		return nil
	})
	if err != nil {
		return fmt.Errorf("remove metrics of %s: %w", instance, err)
	}
	return nil
}
