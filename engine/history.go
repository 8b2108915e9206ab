package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/anklet/anklet/streams"
	"github.com/redis/go-redis/v9"
)

// historyPage is how many event-log entries History reads per round trip.
const historyPage = 1000

// History returns job jobID's events in log order, by scanning the whole
// event log: meant for operators and tests, not for hot paths. A job with no
// events yields an empty slice, not an error.
func (s *Store) History(ctx context.Context, jobID int64) ([]Event, error) {
	id := strconv.FormatInt(jobID, 10)
	var out []Event
	start := "-"
	for {
		msgs, err := s.rdb.XRangeN(ctx, s.keys.Events(), start, "+", historyPage).Result()
		if err != nil {
			return nil, fmt.Errorf("history of job %d: %w", jobID, err)
		}
		for _, m := range msgs {
			entry := entryOf(m)
			if entry.Fields[FieldJobID] != id {
				continue
			}
			e, err := ParseEvent(entry)
			if err != nil {
				return nil, fmt.Errorf("history of job %d: %w", jobID, err)
			}
			out = append(out, e)
		}
		if len(msgs) < historyPage {
			return out, nil
		}
		start = "(" + msgs[len(msgs)-1].ID
	}
}

// Follow calls fn for each event appended to the log after fromID, in order,
// until fn returns false (Follow returns nil), ctx ends (it returns
// ctx.Err(), at most about two seconds later: a blocked read is not
// interrupted) or Redis fails. fromID "" starts at the beginning of the log,
// "$" after its current end.
func (s *Store) Follow(ctx context.Context, fromID string, fn func(Event) bool) error {
	last, err := s.followStart(ctx, fromID)
	if err != nil {
		return fmt.Errorf("follow events: %w", err)
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := s.rdb.XRead(ctx, &redis.XReadArgs{
			Streams: []string{s.keys.Events(), last}, Count: 100, Block: s.followBlock,
		}).Result()
		if errors.Is(err, redis.Nil) || isTimeout(err) {
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("follow events after %s: %w", last, err)
		}
		for _, st := range res {
			for _, m := range st.Messages {
				last = m.ID
				e, err := ParseEvent(entryOf(m))
				if err != nil {
					return fmt.Errorf("follow events: %w", err)
				}
				if !fn(e) {
					return nil
				}
			}
		}
	}
}

// followStart turns "" and "$" into a concrete ID, so that no entry appended
// between two reads is missed.
func (s *Store) followStart(ctx context.Context, fromID string) (string, error) {
	switch fromID {
	case "":
		return "0-0", nil
	case "$":
		msgs, err := s.rdb.XRevRangeN(ctx, s.keys.Events(), "+", "-", 1).Result()
		if err != nil {
			return "", err
		}
		if len(msgs) == 0 {
			return "0-0", nil
		}
		return msgs[0].ID, nil
	}
	return fromID, nil
}

func entryOf(m redis.XMessage) streams.Entry {
	f := make(map[string]string, len(m.Values))
	for k, v := range m.Values {
		f[k] = fmt.Sprint(v)
	}
	return streams.Entry{ID: m.ID, Fields: f}
}

// isTimeout reports a network timeout, which an idle blocking read may
// return instead of a nil reply.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
