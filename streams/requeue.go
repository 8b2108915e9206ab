package streams

import (
	"context"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// Field names the requeue and dead-letter scripts write.
const (
	// FieldAttempt counts how often a job entry was requeued: 0 the first
	// time, raised by one on each [Requeue] unless kept.
	FieldAttempt = "attempt"
	// FieldReason says why an entry was requeued or dead-lettered.
	FieldReason = "reason"
	// FieldOriginalID is, on a dead letter, the entry's id in its stream.
	FieldOriginalID = "original_id"
	// FieldDeliveries is, on a dead letter, how often the group had
	// delivered the entry.
	FieldDeliveries = "deliveries"
)

// RequeueOptions tunes [Requeue]. The zero value counts an attempt and
// records no reason.
type RequeueOptions struct {
	// Reason is stored in the new entry's "reason" field; empty leaves the
	// field out (an old reason is not carried over).
	Reason string
	// KeepAttempt keeps the attempt count instead of adding one, for a
	// requeue that is not the job's fault.
	KeepAttempt bool
}

// Requeue puts a pending entry back at the end of its stream: it appends a
// new entry and acknowledges the old one in one atomic script, and returns
// the new id. Either both happen or neither does; an entry is never
// acknowledged without its copy.
//
// The new entry has fields (or, when fields is nil, the old entry's), with
// "attempt" set to the old entry's attempt count (0 when it had none) plus
// one, or kept as it is (see RequeueOptions), and "reason" set to
// opts.Reason.
//
// When id is no longer pending for group, Requeue writes nothing and
// returns [ErrNotPending]. When the old entry was deleted from the stream
// and fields is nil, there is nothing to copy: it returns [ErrDeleted].
func Requeue(
	ctx context.Context, rdb redis.UniversalClient, stream, group, id string,
	fields map[string]string, opts RequeueOptions,
) (string, error) {
	keep, given := "0", "0"
	if opts.KeepAttempt {
		keep = "1"
	}
	args := []any{group, id, opts.Reason, keep}
	if fields != nil {
		given = "1"
	}
	args = append(args, given)
	args = append(args, Entry{Fields: fields}.Args()...)

	v, err := requeueScript.Run(ctx, rdb, []string{stream}, args...).Result()
	if err != nil {
		return "", requeueErr(stream, id, classify(err))
	}
	status, rest, err := scriptStatus(v)
	if err != nil {
		return "", requeueErr(stream, id, err)
	}

	switch status {
	case "ok":
		newID, _ := firstString(rest)
		return newID, nil
	case "not_pending":
		return "", requeueErr(stream, id, ErrNotPending)
	case "deleted":
		return "", requeueErr(stream, id, ErrDeleted)
	case "bad_attempt":
		value, _ := firstString(rest)
		return "", requeueErr(stream, id,
			fmt.Errorf("attempt field %s is not a count", strconv.Quote(value)))
	}
	return "", requeueErr(stream, id, fmt.Errorf("unexpected script status %q", status))
}

func requeueErr(stream, id string, err error) error {
	return fmt.Errorf("streams: requeue %s %s: %w", stream, id, err)
}
