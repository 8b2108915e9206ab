package streams

import (
	"fmt"
	"strconv"
	"strings"
)

// Prefix starts every Redis key Anklet writes.
const Prefix = "anklet"

// Group is the consumer group that handlers read a work stream as.
const Group = "handlers"

// Keys names the Redis keys of one queue. Every key carries the queue's hash
// tag ({Q}), so a script that touches several of them runs on Redis Cluster.
//
// The layout, for a queue Q:
//
//	anklet:{Q}:jobs            work stream, consumer group "handlers"
//	anklet:{Q}:events          event log of every job of the queue
//	anklet:{Q}:job:<id>        hash: the projection of one job's events
//	anklet:{Q}:delivery:<guid> string with an expiry: a webhook delivery already stored
//	anklet:{Q}:dead            dead-letter stream
//	anklet:{Q}:lock:<name>     string with an expiry: a short lease that lets one
//	                           process of many take a periodic pass
type Keys struct {
	queue string
	tag   string
}

// KeysFor returns the key layout of queue. It fails when the name is empty or
// holds a brace or white space, which would break the hash tag.
func KeysFor(queue string) (Keys, error) {
	if queue == "" {
		return Keys{}, fmt.Errorf("streams: queue name is empty")
	}
	if strings.ContainsAny(queue, "{} \t\r\n") {
		return Keys{}, fmt.Errorf("streams: queue name %q holds a brace or white space", queue)
	}
	return Keys{queue: queue, tag: Prefix + ":{" + queue + "}"}, nil
}

// MustKeysFor is KeysFor for names known to be valid; it panics otherwise.
func MustKeysFor(queue string) Keys {
	k, err := KeysFor(queue)
	if err != nil {
		panic(err)
	}
	return k
}

// Queue is the queue's name.
func (k Keys) Queue() string { return k.queue }

// Jobs is the work stream: one entry per job that waits for a handler.
func (k Keys) Jobs() string { return k.tag + ":jobs" }

// Events is the event log of every job of the queue.
func (k Keys) Events() string { return k.tag + ":events" }

// Job is the hash that holds the projection of one job's events.
func (k Keys) Job(jobID int64) string { return k.tag + ":job:" + strconv.FormatInt(jobID, 10) }

// JobPrefix is the common prefix of every Job key, for scripts that build
// job keys themselves.
func (k Keys) JobPrefix() string { return k.tag + ":job:" }

// Delivery marks a webhook delivery GUID as already stored.
func (k Keys) Delivery(guid string) string { return k.tag + ":delivery:" + guid }

// Dead is the dead-letter stream: work entries delivered too many times.
func (k Keys) Dead() string { return k.tag + ":dead" }

// Lock is a short-lived lease called name (set with NX and an expiry), so
// that of many processes sharing the queue one at a time makes a periodic
// pass, such as a redelivery or a reconciliation.
func (k Keys) Lock(name string) string { return k.tag + ":lock:" + name }
