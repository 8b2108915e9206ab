package streams

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// tailCount is the COUNT of one XREAD call of Tail.
const tailCount = 100

// Tail follows stream and calls fn with every entry after fromID, oldest
// first, until fn returns true (Tail then returns nil) or ctx ends (Tail
// returns ctx.Err() within about one block). fromID is exclusive; "$" (or
// empty) means entries appended after Tail starts, "0" every entry.
//
// It waits with XREAD BLOCK for at most block per call (zero or less means
// [DefaultBlock]); it never blocks without a bound. It reads no consumer
// group, so it changes nothing in Redis. A Redis error ends it; the caller
// knows the last id fn saw and can Tail again from there. Use a client
// from [NewReaderClient] when many Tails run at once.
func Tail(
	ctx context.Context, rdb redis.UniversalClient, stream, fromID string,
	block time.Duration, fn func(Entry) (stop bool),
) error {
	if block <= 0 {
		block = DefaultBlock
	}
	last := fromID
	if last == "" || last == "$" {
		// XREAD "$" means "newer than the top now", on every call; pin it
		// once so entries appended between two calls are not skipped.
		top, err := topID(ctx, rdb, stream)
		if err != nil {
			return wrap("tail", stream, err)
		}
		last = top
	}

	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := rdb.XRead(ctx, &redis.XReadArgs{
			Streams: []string{stream, last},
			Count:   tailCount,
			Block:   block,
		}).Result()
		switch {
		case errors.Is(err, redis.Nil), isTimeout(err):
			continue
		case err != nil:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return wrap("tail", stream, err)
		}
		for _, s := range res {
			for _, m := range s.Messages {
				last = m.ID
				if fn(Entry{ID: m.ID, Fields: stringFields(m.Values)}) {
					return nil
				}
			}
		}
	}
}

// topID is the id of the stream's newest entry, or "0-0" when it has none.
func topID(ctx context.Context, rdb redis.UniversalClient, stream string) (string, error) {
	top, err := rdb.XRevRangeN(ctx, stream, "+", "-", 1).Result()
	if err != nil {
		return "", err
	}
	if len(top) == 0 {
		return "0-0", nil
	}
	return top[0].ID, nil
}
