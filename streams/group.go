package streams

import (
	"context"
	"strings"

	"github.com/redis/go-redis/v9"
)

// EnsureGroup creates consumer group on stream, and the stream itself if it
// does not exist (XGROUP CREATE … MKSTREAM). start is the id after which the
// group begins reading: "0" (the default when empty) delivers every entry
// already in the stream, "$" only entries appended from now on. A group that
// already exists is left as it is and is not an error.
func EnsureGroup(
	ctx context.Context, rdb redis.UniversalClient, stream, group, start string,
) error {
	if start == "" {
		start = "0"
	}
	err := rdb.XGroupCreateMkStream(ctx, stream, group, start).Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return wrap("create group "+group+" on", stream, err)
	}
	return nil
}
