// Package streams is Anklet's Redis Streams layer: work queues with consumer
// groups, leases, rescue of abandoned work, requeue and dead letters, safe
// trimming, paging, export and import. It knows nothing of GitHub or Anka;
// callers give it stream names (see [Keys]) and flat string fields.
//
// # Leases
//
// An entry delivered to a [Consumer] stays in the group's pending entries
// list (PEL) until it is acknowledged. That pending entry is the job's lease:
// its idle time is how long ago the owner last showed it was alive.
// [Consumer.Extend] resets the idle time while the owner still holds the
// entry, and [Consumer.Rescue] lets another consumer take over entries idle
// for longer than the lease. [Rescuer] does the same and also moves entries
// delivered too many times to a dead-letter stream.
//
// # Redis version
//
// Everything here works on Redis 7.0. Commands that read, decide and write
// (extend, requeue, dead letter, safe trim) run as Lua scripts so that no
// other client can act in between; their keys always arrive in KEYS, so on
// Redis Cluster every stream a script touches must share one hash tag, as
// the keys from [KeysFor] do.
//
// # Blocking reads
//
// go-redis treats a zero Block as "wait forever" and does not interrupt a
// blocked read when its context is cancelled. This package therefore blocks
// for a bounded time per call (2 s unless configured) and checks the context
// between calls. Each blocked read holds a connection; give readers their own
// pool with [NewReaderClient].
//
// # Failures
//
// Errors name the operation and the stream, for example
// "streams: append anklet:{q}:jobs: dial tcp 127.0.0.1:6379: connect:
// connection refused". Nothing is retried here: once Redis is back, the same
// call can simply be made again.
package streams
