package redistest

import (
	"context"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
)

// RoundTrips counts what a client sends: each command, and each pipeline
// or transaction as a whole, is one round trip. Benchmarks report it per
// operation.
type RoundTrips struct{ atomic.Int64 }

// CountRoundTrips installs a counting hook on c and returns its counter.
func CountRoundTrips(c redis.UniversalClient) *RoundTrips {
	rt := &RoundTrips{}
	c.AddHook(rt)
	return rt
}

// DialHook implements redis.Hook; dialling is not a round trip.
func (r *RoundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook implements redis.Hook.
func (r *RoundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		r.Add(1)
		return next(ctx, cmd)
	}
}

// ProcessPipelineHook implements redis.Hook.
func (r *RoundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		r.Add(1)
		return next(ctx, cmds)
	}
}
