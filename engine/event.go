package engine

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/anklet/anklet/streams"
)

// TimeLayout is how the engine writes times: RFC 3339 in UTC with all nine
// fractional digits, so that strings sort as times do. Any RFC 3339 time is
// accepted on reading.
const TimeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// ErrMalformedEvent is returned by [ParseEvent] for an entry that lacks a
// required field or holds a value that does not parse.
var ErrMalformedEvent = errors.New("malformed event")

// Event is one entry of the event log: something that happened to a job.
type Event struct {
	// ID is the stream entry ID; empty until the event is stored.
	ID string
	// Type is what happened; the job's state after the event.
	Type EventType
	// JobID and RunID are GitHub's workflow job and run IDs (RunID 0 when
	// unknown).
	JobID, RunID int64
	// Attempt counts the job's requeues that consumed an attempt; 0 at first.
	Attempt int
	// At is the writer's clock when the event happened.
	At time.Time
	// Host and Plugin name the writer.
	Host, Plugin string
	// Version is the job's version after this event: 1 for its first event,
	// one more for each next.
	Version int64
	// Attrs holds the optional fields (FieldReason, FieldRunner, …); nil when
	// there are none.
	Attrs map[string]string
}

// Fields returns the event as flat stream fields: the eight base fields plus
// Attrs. A base field wins over an attribute of the same name.
func (e Event) Fields() map[string]string {
	f := make(map[string]string, len(baseFields)+len(e.Attrs))
	for k, v := range e.Attrs {
		f[k] = v
	}
	f[FieldType] = string(e.Type)
	f[FieldJobID] = strconv.FormatInt(e.JobID, 10)
	f[FieldRunID] = strconv.FormatInt(e.RunID, 10)
	f[FieldAttempt] = strconv.Itoa(e.Attempt)
	f[FieldAt] = formatTime(e.At)
	f[FieldHost] = e.Host
	f[FieldPlugin] = e.Plugin
	f[FieldVersion] = strconv.FormatInt(e.Version, 10)
	return f
}

// Attr returns the optional field name, or "" when the event lacks it.
func (e Event) Attr(name string) string { return e.Attrs[name] }

// ParseEvent reads an event-log entry. Every base field must be present;
// type must be a known event type, job_id and version positive, run_id and
// attempt non-negative integers and at an RFC 3339 time. Errors wrap
// [ErrMalformedEvent] and name the entry and the field.
func ParseEvent(entry streams.Entry) (Event, error) {
	bad := func(field, format string, args ...any) (Event, error) {
		return Event{}, fmt.Errorf("event %s: field %s: %s: %w",
			entry.ID, field, fmt.Sprintf(format, args...), ErrMalformedEvent)
	}
	for _, name := range baseFields {
		if _, ok := entry.Fields[name]; !ok {
			return bad(name, "missing")
		}
	}
	f := entry.Fields

	e := Event{ID: entry.ID, Type: EventType(f[FieldType]), Host: f[FieldHost],
		Plugin: f[FieldPlugin]}
	if !e.Type.Valid() {
		return bad(FieldType, "unknown event type %q", f[FieldType])
	}
	var err error
	if e.JobID, err = strconv.ParseInt(f[FieldJobID], 10, 64); err != nil || e.JobID <= 0 {
		return bad(FieldJobID, "want a positive integer, got %q", f[FieldJobID])
	}
	if e.RunID, err = strconv.ParseInt(f[FieldRunID], 10, 64); err != nil || e.RunID < 0 {
		return bad(FieldRunID, "want a non-negative integer, got %q", f[FieldRunID])
	}
	if e.Attempt, err = strconv.Atoi(f[FieldAttempt]); err != nil || e.Attempt < 0 {
		return bad(FieldAttempt, "want a non-negative integer, got %q", f[FieldAttempt])
	}
	if e.Version, err = strconv.ParseInt(f[FieldVersion], 10, 64); err != nil || e.Version <= 0 {
		return bad(FieldVersion, "want a positive integer, got %q", f[FieldVersion])
	}
	if e.At, err = parseTime(f[FieldAt]); err != nil {
		return bad(FieldAt, "want an RFC 3339 time, got %q", f[FieldAt])
	}

	for k, v := range f {
		if isBaseField(k) {
			continue
		}
		if e.Attrs == nil {
			e.Attrs = make(map[string]string, len(f)-len(baseFields))
		}
		e.Attrs[k] = v
	}
	return e, nil
}

func formatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}
