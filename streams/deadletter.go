package streams

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// DeadLetter moves pending entry id of stream to deadStream and returns its
// id there. The dead entry holds the old entry's fields, plus "reason",
// "original_id" and "deliveries" (the group's delivery count), which replace
// fields of the same names. Appending the dead entry and acknowledging the
// old one happen in one atomic script.
//
// When id is no longer pending for group it writes nothing and returns
// [ErrNotPending]. An entry deleted from the stream while pending is still
// moved, with only the three fields above. On Redis Cluster the two streams
// must share a hash tag, as [Keys.Jobs] and [Keys.Dead] do.
func DeadLetter(
	ctx context.Context, rdb redis.UniversalClient, stream, group, deadStream, id, reason string,
) (string, error) {
	keys := []string{stream, deadStream}
	v, err := deadLetterScript.Run(ctx, rdb, keys, group, id, reason).Result()
	if err != nil {
		return "", deadLetterErr(stream, id, classify(err))
	}
	status, rest, err := scriptStatus(v)
	if err != nil {
		return "", deadLetterErr(stream, id, err)
	}

	switch status {
	case "ok":
		deadID, _ := firstString(rest)
		return deadID, nil
	case "not_pending":
		return "", deadLetterErr(stream, id, ErrNotPending)
	}
	return "", deadLetterErr(stream, id, fmt.Errorf("unexpected script status %q", status))
}

func deadLetterErr(stream, id string, err error) error {
	return fmt.Errorf("streams: dead letter %s %s: %w", stream, id, err)
}
