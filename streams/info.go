package streams

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// GroupStats describes one consumer group of a stream, for metrics and
// operators.
type GroupStats struct {
	// Length is the number of entries in the stream (XLEN).
	Length int64
	// Pending is the number of entries delivered and not yet acknowledged:
	// jobs being worked on, or waiting for rescue.
	Pending int64
	// Lag is the number of entries not yet delivered to the group. It is -1
	// when Redis cannot tell, which happens after entries were deleted or
	// trimmed; treat it as a hint, not as a count to act on.
	Lag int64
	// LastDeliveredID is the id of the newest entry delivered to the group.
	LastDeliveredID string
	// EntriesRead is how many entries the group has read in total.
	EntriesRead int64
	// Consumers is the number of consumers the group knows.
	Consumers int64
	// OldestPendingID is the lowest pending id, or "" when none is pending.
	OldestPendingID string
	// PendingByConsumer maps consumers that hold entries to how many.
	PendingByConsumer map[string]int64
}

// GroupInfo reports on group of stream in one pipelined round trip (XLEN,
// XINFO GROUPS, XPENDING). It fails with [ErrNoGroup] when the stream or the
// group does not exist.
func GroupInfo(
	ctx context.Context, rdb redis.UniversalClient, stream, group string,
) (GroupStats, error) {
	pipe := rdb.Pipeline()
	xlen := pipe.XLen(ctx, stream)
	groups := pipe.XInfoGroups(ctx, stream)
	pending := pipe.XPending(ctx, stream, group)
	if _, err := pipe.Exec(ctx); err != nil {
		if groups.Err() != nil && groups.Err().Error() == "ERR no such key" {
			err = fmt.Errorf("%w: %w", ErrNoGroup, err)
		}
		return GroupStats{}, wrap("group info "+group+" of", stream, classify(err))
	}

	st := GroupStats{Length: xlen.Val(), Lag: -1}
	found := false
	for _, g := range groups.Val() {
		if g.Name != group {
			continue
		}
		found = true
		st.Lag = g.Lag
		st.LastDeliveredID = g.LastDeliveredID
		st.EntriesRead = g.EntriesRead
		st.Consumers = g.Consumers
	}
	if !found {
		return GroupStats{}, wrap("group info "+group+" of", stream, ErrNoGroup)
	}

	p := pending.Val()
	st.Pending = p.Count
	st.PendingByConsumer = p.Consumers
	if p.Count > 0 {
		st.OldestPendingID = p.Lower
	}
	return st, nil
}
