package streams

import (
	"errors"
	"fmt"
	"strings"
)

// ErrLeaseLost reports that another consumer now owns an entry the caller
// held: a rescuer took it over after the lease ran out. The caller must stop
// working on it. Errors wrapping it are [*LeaseLostError] values that name
// the new owner.
var ErrLeaseLost = errors.New("lease lost")

// ErrNotPending reports that an entry is not pending in the group any more:
// it was acknowledged (finished, requeued or dead-lettered), or never
// delivered. Nothing was written.
var ErrNotPending = errors.New("entry not pending")

// ErrDeleted reports that an entry was deleted from the stream (XDEL or an
// unsafe trim) while it was still pending. Redis drops such an entry from the
// group's pending list when it is claimed, so its lease is gone too.
var ErrDeleted = errors.New("entry deleted from the stream")

// ErrNoGroup reports that the stream has no consumer group of that name, or
// that the stream does not exist. [EnsureGroup] creates both.
var ErrNoGroup = errors.New("no such consumer group")

// LeaseLostError is the error [Consumer.Extend] returns when another
// consumer owns the entry. It matches [ErrLeaseLost] with errors.Is.
type LeaseLostError struct {
	// Owner is the consumer that holds the entry now.
	Owner string
}

// Error says the lease was lost and to whom.
func (e *LeaseLostError) Error() string { return "lease lost: now owned by " + e.Owner }

// Unwrap makes errors.Is(err, ErrLeaseLost) true.
func (e *LeaseLostError) Unwrap() error { return ErrLeaseLost }

// wrap prefixes err with the package, the operation and the stream, the
// shape every error of this package has.
func wrap(op, stream string, err error) error {
	return fmt.Errorf("streams: %s %s: %w", op, stream, err)
}

// classify adds a sentinel to Redis errors callers branch on: NOGROUP (no
// such group or no such stream) becomes [ErrNoGroup].
func classify(err error) error {
	if err != nil && strings.HasPrefix(err.Error(), "NOGROUP") {
		return fmt.Errorf("%w: %w", ErrNoGroup, err)
	}
	return err
}
