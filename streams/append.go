package streams

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// AppendOptions tunes [Append]. The zero value appends with a Redis-chosen
// id and does not trim.
type AppendOptions struct {
	// ID is the new entry's id; empty lets Redis choose one ("*"). An
	// explicit id must be greater than the stream's top id, or Append fails.
	ID string

	// Trim, when true, also removes old entries that no consumer group
	// needs any more, in the same atomic script; see [TrimSafe].
	Trim bool

	// MaxLen, with Trim, keeps at least the MaxLen newest entries, so only
	// entries that are both safe to drop and beyond MaxLen go. Zero means
	// no floor: every safe entry goes.
	MaxLen int64
}

// Append adds an entry with fields to stream and returns its id. Fields are
// stored sorted by name. It is one round trip: a plain XADD, or with
// opts.Trim a script that appends and then trims safely.
//
// Errors name the stream ("streams: append anklet:{q}:jobs: …"); when Redis
// is unreachable nothing was appended and the call can be retried.
func Append(
	ctx context.Context, rdb redis.UniversalClient, stream string,
	fields map[string]string, opts AppendOptions,
) (string, error) {
	if len(fields) == 0 {
		return "", wrap("append", stream, errors.New("no fields"))
	}
	id := opts.ID
	if id == "" {
		id = "*"
	}
	values := Entry{Fields: fields}.Args()

	if !opts.Trim {
		id, err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: stream, ID: id, Values: values}).Result()
		if err != nil {
			return "", wrap("append", stream, err)
		}
		return id, nil
	}

	args := append([]any{opts.MaxLen, id}, values...)
	id, _, err := runTrim(ctx, rdb, stream, args)
	if err != nil {
		return "", wrap("append", stream, err)
	}
	return id, nil
}

// TrimOptions tunes [TrimSafe].
type TrimOptions struct {
	// MaxLen keeps at least the MaxLen newest entries. Zero means no
	// floor: every entry that is safe to drop goes.
	MaxLen int64
}

// TrimSafe removes the entries of stream that every consumer group is done
// with and returns how many went. It never removes a pending or an unread
// entry: the threshold is the lowest, over all groups, of the oldest pending
// id (XPENDING) and the last-delivered-id (XINFO GROUPS), and only entries
// below it go. With a MaxLen in opts (the first is used), only entries that
// are also beyond the MaxLen newest go.
//
// A stream without consumer groups is left alone, since nothing says which
// of its entries were read; a missing stream removes nothing. Reading the
// groups and trimming happen in one script, because on Redis 7.0 XTRIM and
// MAXLEN drop pending entries as readily as any other.
func TrimSafe(
	ctx context.Context, rdb redis.UniversalClient, stream string, opts ...TrimOptions,
) (int64, error) {
	var maxLen int64
	if len(opts) > 0 {
		maxLen = opts[0].MaxLen
	}
	_, removed, err := runTrim(ctx, rdb, stream, []any{maxLen, ""})
	if err != nil {
		return 0, wrap("trim", stream, err)
	}
	return removed, nil
}

// runTrim runs trim.lua and decodes its {id, removed} reply.
func runTrim(
	ctx context.Context, rdb redis.UniversalClient, stream string, args []any,
) (string, int64, error) {
	v, err := trimScript.Run(ctx, rdb, []string{stream}, args...).Result()
	if err != nil {
		return "", 0, err
	}
	reply, ok := v.([]any)
	if !ok || len(reply) != 2 {
		return "", 0, fmt.Errorf("unexpected trim reply %v", v)
	}
	id, _ := reply[0].(string)
	removed, _ := reply[1].(int64)
	return id, removed, nil
}
