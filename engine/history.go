package engine

import (
	"context"
	"fmt"
	"strconv"

	"github.com/anklet/anklet/streams"
)

// historyPage is how many event-log entries History reads per round trip.
const historyPage = 1000

// History returns job jobID's events in log order, by scanning the whole
// event log: meant for operators and tests, not for hot paths. A job with no
// events yields an empty slice, not an error.
func (s *Store) History(ctx context.Context, jobID int64) ([]Event, error) {
	id := strconv.FormatInt(jobID, 10)
	var out []Event
	for entry, err := range streams.Range(ctx, s.rdb, s.keys.Events(), "-", "+", historyPage) {
		if err != nil {
			return nil, fmt.Errorf("history of job %d: %w", jobID, err)
		}
		if entry.Fields[FieldJobID] != id {
			continue
		}
		e, err := ParseEvent(entry)
		if err != nil {
			return nil, fmt.Errorf("history of job %d: %w", jobID, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// Follow calls fn for each event appended to the log after fromID, in order,
// until fn returns false (Follow returns nil), ctx ends (it returns
// ctx.Err(), at most about two seconds later: a blocked read is not
// interrupted) or Redis fails. fromID "" starts at the beginning of the log,
// "$" after its current end.
func (s *Store) Follow(ctx context.Context, fromID string, fn func(Event) bool) error {
	if fromID == "" {
		fromID = "0-0"
	}

	var parseErr error
	err := streams.Tail(ctx, s.rdb, s.keys.Events(), fromID, s.followBlock,
		func(entry streams.Entry) bool {
			e, err := ParseEvent(entry)
			if err != nil {
				parseErr = err
				return true
			}
			return !fn(e)
		})
	switch {
	case parseErr != nil:
		return fmt.Errorf("follow events: %w", parseErr)
	case err != nil && ctx.Err() == nil:
		return fmt.Errorf("follow events: %w", err)
	}
	return err
}
