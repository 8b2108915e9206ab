package streams

import (
	"context"
	"fmt"
)

// Extend renews this consumer's lease on entry id: the entry's idle time
// starts again from zero, so a rescuer waiting for it to pass the lease
// leaves it alone. The delivery count does not change. Call it well within
// the lease, for example every third of it.
//
// It fails with an error matching [ErrLeaseLost] (a [*LeaseLostError] naming
// the new owner) when another consumer has taken the entry over; the caller
// must then stop working on it. It fails with [ErrNotPending] when the entry
// was acknowledged, and with [ErrDeleted] when the entry was deleted from
// the stream (Redis then drops it from the pending list). The check and the
// renewal run as one script, so a rescuer cannot slip in between.
func (c *Consumer) Extend(ctx context.Context, id string) error {
	v, err := extendScript.Run(ctx, c.rdb, []string{c.stream}, c.group, c.name, id).Result()
	if err != nil {
		return c.extendErr(id, classify(err))
	}
	status, rest, err := scriptStatus(v)
	if err != nil {
		return c.extendErr(id, err)
	}

	switch status {
	case "ok":
		return nil
	case "lost":
		owner, _ := firstString(rest)
		return c.extendErr(id, &LeaseLostError{Owner: owner})
	case "not_pending":
		return c.extendErr(id, ErrNotPending)
	case "deleted":
		return c.extendErr(id, ErrDeleted)
	}
	return c.extendErr(id, fmt.Errorf("unexpected script status %q", status))
}

func (c *Consumer) extendErr(id string, err error) error {
	return fmt.Errorf("streams: extend %s %s: %w", c.stream, id, err)
}

func firstString(rest []any) (string, bool) {
	if len(rest) == 0 {
		return "", false
	}
	s, ok := rest[0].(string)
	return s, ok
}
