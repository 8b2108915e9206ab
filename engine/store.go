package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/anklet/anklet/streams"
	"github.com/redis/go-redis/v9"
)

// Store keeps one queue's jobs in Redis: the projection hashes, the event log
// and the work stream (see streams.Keys). Every change is one Lua script, so
// it is atomic and costs one round trip. A Store is safe for concurrent use.
type Store struct {
	rdb          redis.UniversalClient
	keys         streams.Keys
	host, plugin string
	// followBlock bounds each blocking read of Follow.
	followBlock time.Duration
	// once, when set, makes Enqueue and Transition record a webhook delivery
	// (see ForDelivery).
	once *deliveryMark
}

// followBlock is how long Follow's XREAD blocks before it checks its context.
const followBlock = 2 * time.Second

// NewStore returns a Store for queue, recording host and plugin as the writer
// of its events. It fails when the queue name is not a valid key part or host
// or plugin is empty. It does not contact Redis.
func NewStore(rdb redis.UniversalClient, queue, host, plugin string) (*Store, error) {
	keys, err := streams.KeysFor(queue)
	if err != nil {
		return nil, fmt.Errorf("new store: %w", err)
	}
	if host == "" || plugin == "" {
		return nil, fmt.Errorf("new store for queue %s: host and plugin must be set", queue)
	}
	return &Store{rdb: rdb, keys: keys, host: host, plugin: plugin,
		followBlock: followBlock}, nil
}

// Keys returns the queue's key layout.
func (s *Store) Keys() streams.Keys { return s.keys }

// EventOption adjusts an event that Claim, Requeue or DeadLetter writes.
type EventOption func(*Event)

// WithAttr sets an optional field on the event, such as FieldLostHost. It
// cannot replace a base field or the reason a method writes itself.
func WithAttr(name, value string) EventOption {
	return func(e *Event) {
		if e.Attrs == nil {
			e.Attrs = make(map[string]string)
		}
		e.Attrs[name] = value
	}
}

// WithWriter records host and plugin as the event's writer instead of the
// Store's own; empty values keep the Store's.
func WithWriter(host, plugin string) EventOption {
	return func(e *Event) { e.Host, e.Plugin = host, plugin }
}

// stamp fills the writer and time of ev where they are unset and checks its
// attributes.
func (s *Store) stamp(ev *Event) error {
	if ev.Host == "" {
		ev.Host = s.host
	}
	if ev.Plugin == "" {
		ev.Plugin = s.plugin
	}
	if ev.At.IsZero() {
		ev.At = time.Now()
	}
	for name := range ev.Attrs {
		if name == "" || isBaseField(name) {
			return fmt.Errorf("event attribute %q is reserved", name)
		}
	}
	return nil
}

// Get returns job jobID's projection, or an error wrapping [ErrNotFound].
func (s *Store) Get(ctx context.Context, jobID int64) (Job, error) {
	m, err := s.rdb.HGetAll(ctx, s.keys.Job(jobID)).Result()
	if err != nil {
		return Job{}, fmt.Errorf("get job %d: %w", jobID, err)
	}
	if len(m) == 0 {
		return Job{}, fmt.Errorf("get job %d: %w", jobID, ErrNotFound)
	}
	j, err := jobFromHash(jobID, m)
	if err != nil {
		return Job{}, fmt.Errorf("get job %d: %w", jobID, err)
	}
	return j, nil
}

// jobFromHash reads a projection hash.
func jobFromHash(id int64, m map[string]string) (Job, error) {
	j := Job{ID: id, State: EventType(m[FieldState]), Owner: m[FieldOwner],
		Repo: m[FieldRepo], Name: m[FieldName], Workflow: m[FieldWorkflow], URL: m[FieldURL],
		Labels: splitLabels(m[FieldLabels]), Runner: m[FieldRunner], VM: m[FieldVM],
		Host: m[FieldHost], Plugin: m[FieldPlugin], Consumer: m[FieldConsumer],
		Conclusion: m[FieldConclusion], Reason: m[FieldReason], LostHost: m[FieldLostHost],
		WorkID: m[FieldWorkID]}
	if !j.State.Valid() {
		return Job{}, fmt.Errorf("projection state %q is not an event type", m[FieldState])
	}
	var errs []error
	num := func(field string) int64 {
		n, err := strconv.ParseInt(m[field], 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("projection field %s: %w", field, err))
		}
		return n
	}
	tm := func(field string) time.Time {
		t, err := parseTime(m[field])
		if err != nil {
			errs = append(errs, fmt.Errorf("projection field %s: %w", field, err))
		}
		return t
	}
	j.Version, j.RunID, j.Attempt = num(FieldVersion), num(FieldRunID), int(num(FieldAttempt))
	j.QueuedAt, j.UpdatedAt = tm(FieldQueuedAt), tm(FieldUpdatedAt)
	return j, errors.Join(errs...)
}

// states returns states as a space-separated script argument.
func states(list []EventType) string {
	var b strings.Builder
	for _, st := range list {
		if st == "" {
			continue
		}
		b.WriteString(string(st))
		b.WriteByte(' ')
	}
	return b.String()
}
