package streams

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultRescueCount is how many entries one [Consumer.Rescue] call takes
// over at most when the caller gives no count.
const DefaultRescueCount = 100

// rescueBatch is the COUNT of one XAUTOCLAIM call. Redis scans at most ten
// times COUNT pending entries per call, so Rescue follows the cursor.
const rescueBatch = 100

// Rescue takes over up to count entries of the group whose lease ran out:
// pending entries idle for at least minIdle (use the lease length), whoever
// owns them. They become this consumer's, with their delivery count raised
// by one and filled into Deliveries. count <= 0 means [DefaultRescueCount];
// a limit keeps a rescuer from grabbing every job at once after an outage,
// when all leases look expired.
//
// It follows XAUTOCLAIM's cursor until the whole pending list was scanned or
// count entries were taken. deleted lists pending entries whose stream entry
// was gone (deleted or trimmed): Redis drops them from the pending list, and
// the caller should reconcile the jobs they stood for.
//
// minIdle must be positive: with zero, every pending entry would be taken,
// including those whose owners are alive. On error, what was taken before it
// is still returned, and is owned by this consumer.
func (c *Consumer) Rescue(
	ctx context.Context, minIdle time.Duration, count int,
) (claimed []Message, deleted []string, err error) {
	if minIdle <= 0 {
		return nil, nil, wrap("rescue", c.stream, fmt.Errorf("min idle %v is not positive", minIdle))
	}
	if count <= 0 {
		count = DefaultRescueCount
	}
	cursor := "0-0"
	for len(claimed) < count {
		if err := ctx.Err(); err != nil {
			return claimed, deleted, err
		}
		msgs, next, gone, err := c.rdb.XAutoClaimWithDeleted(ctx, &redis.XAutoClaimArgs{
			Stream:   c.stream,
			Group:    c.group,
			Consumer: c.name,
			MinIdle:  minIdle,
			Start:    cursor,
			Count:    int64(min(rescueBatch, count-len(claimed))),
		}).Result()
		if err != nil {
			return claimed, deleted, wrap("rescue", c.stream, classify(err))
		}
		deleted = append(deleted, gone...)

		batch := make([]Message, len(msgs))
		for i, m := range msgs {
			batch[i] = toMessage(m, 0)
		}
		if err := fillDeliveries(ctx, c.rdb, c.stream, c.group, batch); err != nil {
			return append(claimed, batch...), deleted,
				fmt.Errorf("streams: rescue %s: delivery counts: %w", c.stream, err)
		}
		claimed = append(claimed, batch...)

		if next == "0-0" || next == "" {
			break
		}
		cursor = next
	}
	return claimed, deleted, nil
}
