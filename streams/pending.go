package streams

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"
)

// pendingPage is how many history entries one XREADGROUP call asks for.
const pendingPage = 100

// ReadPending returns up to count of the entries pending under this
// consumer, oldest first: the jobs it held before a restart. count <= 0
// returns all of them, reading in pages. It reads the consumer's own history
// (XREADGROUP from id 0), never new entries, and does not block.
//
// Reading history counts as a delivery, so Deliveries is at least 2; it is
// filled from XPENDING in one extra round trip per page. An entry deleted
// from the stream while pending comes back with nil Fields.
func (c *Consumer) ReadPending(ctx context.Context, count int) ([]Message, error) {
	var out []Message
	start := "0"
	for count <= 0 || len(out) < count {
		page := pendingPage
		if count > 0 {
			page = min(page, count-len(out))
		}
		res, err := c.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
			Group:    c.group,
			Consumer: c.name,
			Streams:  []string{c.stream, start},
			Count:    int64(page),
			Block:    -1, // history reads never block; -1 leaves BLOCK out
		}).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return out, wrap("read pending", c.stream, classify(err))
		}
		var msgs []Message
		for _, s := range res {
			for _, m := range s.Messages {
				msgs = append(msgs, toMessage(m, 0))
			}
		}
		if len(msgs) == 0 {
			break
		}
		if err := fillDeliveries(ctx, c.rdb, c.stream, c.group, msgs); err != nil {
			return out, wrap("read pending", c.stream, err)
		}
		out = append(out, msgs...)
		start = msgs[len(msgs)-1].ID
	}
	return out, nil
}

// fillDeliveries sets each message's delivery count from XPENDING, one
// pipelined round trip for all of them. A message no longer pending (it was
// acknowledged meanwhile) keeps Deliveries 0.
func fillDeliveries(
	ctx context.Context, rdb redis.UniversalClient, stream, group string, msgs []Message,
) error {
	if len(msgs) == 0 {
		return nil
	}
	pipe := rdb.Pipeline()
	cmds := make([]*redis.XPendingExtCmd, len(msgs))
	for i, m := range msgs {
		cmds[i] = pipe.XPendingExt(ctx, &redis.XPendingExtArgs{
			Stream: stream, Group: group, Start: m.ID, End: m.ID, Count: 1,
		})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return classify(err)
	}
	for i, cmd := range cmds {
		if p := cmd.Val(); len(p) == 1 {
			msgs[i].Deliveries = p[0].RetryCount
		}
	}
	return nil
}
