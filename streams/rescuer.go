package streams

import (
	"context"
	"errors"
	"time"
)

// ReasonMaxDeliveries is the reason [Rescuer] records on the dead letters it
// writes, unless told otherwise.
const ReasonMaxDeliveries = "max_deliveries"

// Rescuer takes over entries whose lease ran out, as [Consumer.Rescue] does,
// and moves the ones delivered too many times to a dead-letter stream
// instead of handing them out again: a job that kept killing its worker
// should stop doing so. Run Sweep periodically, e.g. every lease/2.
type Rescuer struct {
	// Consumer takes the rescued entries over. Required.
	Consumer *Consumer
	// MinIdle is the lease length: entries idle at least this long are
	// taken. Required.
	MinIdle time.Duration
	// Count bounds how many entries one Sweep takes; zero means
	// [DefaultRescueCount].
	Count int
	// MaxDeliveries: an entry whose delivery count (after being taken)
	// exceeds it goes to DeadStream. Zero never dead-letters.
	MaxDeliveries int64
	// DeadStream receives dead letters; required when MaxDeliveries > 0.
	// On Redis Cluster it must share the stream's hash tag.
	DeadStream string
	// Reason is recorded on dead letters; empty means ReasonMaxDeliveries.
	Reason string
}

// DeadMessage is an entry a [Rescuer] moved to the dead-letter stream.
type DeadMessage struct {
	Message
	// DeadID is the entry's id in the dead-letter stream.
	DeadID string
}

// RescueResult is what one [Rescuer.Sweep] did.
type RescueResult struct {
	// Claimed entries are now owned by the rescuer's consumer, to run again.
	Claimed []Message
	// Dead entries were moved to the dead-letter stream and acknowledged.
	Dead []DeadMessage
	// Deleted ids were pending, but their stream entries were gone; Redis
	// dropped them from the pending list.
	Deleted []string
}

// Sweep rescues idle entries once and dead-letters those delivered more than
// MaxDeliveries times. An entry acknowledged by its old owner between the
// rescue and the dead-lettering is left out of the result. On error the
// result holds what was done before it; claimed entries not yet sorted are
// in Claimed.
func (r *Rescuer) Sweep(ctx context.Context) (RescueResult, error) {
	var res RescueResult
	if r.Consumer == nil || r.MinIdle <= 0 {
		return res, errors.New("streams: rescuer needs a Consumer and a MinIdle")
	}
	if r.MaxDeliveries > 0 && r.DeadStream == "" {
		return res, errors.New("streams: rescuer with MaxDeliveries needs a DeadStream")
	}
	c := r.Consumer
	claimed, deleted, err := c.Rescue(ctx, r.MinIdle, r.Count)
	res.Deleted = deleted
	if err != nil {
		res.Claimed = claimed
		return res, err
	}

	reason := r.Reason
	if reason == "" {
		reason = ReasonMaxDeliveries
	}
	for i, m := range claimed {
		if r.MaxDeliveries <= 0 || m.Deliveries <= r.MaxDeliveries {
			res.Claimed = append(res.Claimed, m)
			continue
		}
		deadID, err := DeadLetter(ctx, c.rdb, c.stream, c.group, r.DeadStream, m.ID, reason)
		switch {
		case errors.Is(err, ErrNotPending):
			continue
		case err != nil:
			res.Claimed = append(res.Claimed, claimed[i:]...)
			return res, err
		}
		res.Dead = append(res.Dead, DeadMessage{Message: m, DeadID: deadID})
	}
	return res, nil
}
