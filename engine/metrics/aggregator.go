package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
)

// AggregatorOptions configures an Aggregator. Every field is optional.
type AggregatorOptions struct {
	// CacheTTL is how long an assembled result is reused before Redis is
	// read again, so frequent scrapes of many instances cost one read per
	// TTL. It is the aggregator's sleep_interval. Zero reads Redis at every
	// request.
	CacheTTL time.Duration
	// Now is the clock used for expiry and caching. Default time.Now.
	Now func() time.Time
	// Logger receives snapshots that could not be decoded. The zero value
	// discards them.
	Logger zerolog.Logger
}

// Aggregator serves the snapshots every anklet publishes to one Redis (see
// Publisher). It runs no plugins. On each request (or once per CacheTTL) it
// drops expired members from the anklet:metrics index, reads the live
// members, and fetches their snapshots with one pipelined GET each, never
// KEYS or SCAN. (An MGET would fail on Redis Cluster, where the snapshot
// keys live in different slots.) It implements Source.
type Aggregator struct {
	rdb      redis.UniversalClient
	cacheTTL time.Duration
	now      func() time.Time
	log      zerolog.Logger

	refresh  chan struct{} // one refresh at a time; a channel so waiting obeys ctx
	cached   []instanceSnapshot
	cachedAt time.Time
}

// instanceSnapshot is one published snapshot: its bytes as stored, passed
// through to the JSON output, and their decoding, for Prometheus.
type instanceSnapshot struct {
	raw  json.RawMessage
	snap Snapshot
}

// NewAggregator returns an aggregator reading rdb.
func NewAggregator(rdb redis.UniversalClient, opts AggregatorOptions) *Aggregator {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Aggregator{
		rdb: rdb, cacheTTL: opts.CacheTTL, now: opts.Now, log: opts.Logger,
		refresh: make(chan struct{}, 1),
	}
}

// Snapshots returns the live instances' snapshots, ordered by instance.
func (a *Aggregator) Snapshots(ctx context.Context) ([]Snapshot, error) {
	all, err := a.load(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Snapshot, len(all))
	for i, s := range all {
		out[i] = s.snap
	}
	return out, nil
}

// WriteJSON writes a JSON array of the live instances' snapshots, each as
// its instance published it, ordered by instance. It fails when Redis
// cannot be read.
func (a *Aggregator) WriteJSON(ctx context.Context, w io.Writer) error {
	all, err := a.load(ctx)
	if err != nil {
		return err
	}
	raws := make([]json.RawMessage, len(all))
	for i, s := range all {
		raws[i] = s.raw
	}
	if err := encodeJSON(w, raws); err != nil {
		return fmt.Errorf("write aggregated metrics: %w", err)
	}
	return nil
}

// WritePrometheus writes every live instance's series in the Prometheus
// text format, each sample with an extra instance="<instance>" label, plus
// anklet_last_update_seconds per instance. It fails when Redis cannot be
// read.
func (a *Aggregator) WritePrometheus(ctx context.Context, w io.Writer) error {
	all, err := a.load(ctx)
	if err != nil {
		return err
	}
	fs := families{}
	for i := range all {
		s := &all[i].snap
		instance := []label{{"instance", s.Instance}}
		fs.addSnapshot(s, instance)
		fs.gauge(familyLastUpdate, instance, float64(s.LastUpdate.Unix()))
	}
	if err := fs.writeText(w); err != nil {
		return fmt.Errorf("write aggregated metrics: %w", err)
	}
	return nil
}

// load returns the cached snapshots while they are younger than CacheTTL,
// and reads Redis otherwise.
func (a *Aggregator) load(ctx context.Context) ([]instanceSnapshot, error) {
	select {
	case a.refresh <- struct{}{}:
		defer func() { <-a.refresh }()
	case <-ctx.Done():
		return nil, fmt.Errorf("read metrics snapshots: %w", ctx.Err())
	}

	now := a.now()
	if a.cachedAt.IsZero() || now.Sub(a.cachedAt) >= a.cacheTTL {
		all, err := a.read(ctx, now)
		if err != nil {
			return nil, err
		}
		a.cached, a.cachedAt = all, now
	}
	return a.cached, nil
}

// read fetches the snapshots that have not expired at now.
func (a *Aggregator) read(ctx context.Context, now time.Time) ([]instanceSnapshot, error) {
	nowMS := strconv.FormatInt(now.UnixMilli(), 10)
	var members *redis.StringSliceCmd
	_, err := a.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		pipe.ZRemRangeByScore(ctx, SnapshotIndex, "-inf", "("+nowMS)
		members = pipe.ZRangeByScore(ctx, SnapshotIndex, &redis.ZRangeBy{Min: nowMS, Max: "+inf"})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read metrics index: %w", err)
	}
	instances := members.Val()

	gets := make([]*redis.StringCmd, len(instances))
	_, err = a.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for i, inst := range instances {
			gets[i] = pipe.Get(ctx, SnapshotKey(inst))
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("read metrics snapshots: %w", err)
	}

	out := make([]instanceSnapshot, 0, len(instances))
	for i, get := range gets {
		raw, err := get.Bytes()
		if errors.Is(err, redis.Nil) {
			continue // expired since the index was read
		}
		if err != nil {
			a.log.Warn().Err(err).Str("instance", instances[i]).
				Msg("metrics: skipping a snapshot that cannot be read")
			continue
		}
		var s Snapshot
		if err := json.Unmarshal(raw, &s); err != nil {
			a.log.Warn().Err(err).Str("instance", instances[i]).
				Msg("metrics: skipping a snapshot that does not decode")
			continue
		}
		out = append(out, instanceSnapshot{raw: raw, snap: s})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].snap.Instance < out[j].snap.Instance })
	return out, nil
}
