// Package engine is Anklet's job state machine, kept as events.
//
// Every change to a job is an [Event] appended to the queue's event log
// (streams.Keys.Events). A job's state is the type of its last event, and the
// [Transitions] table says which event may follow which. [Apply] and [Reduce]
// fold events into a [Job]; they are pure and are what an operator's replay of
// an exported log runs ([ReplayJSONL]).
//
// [Store] is the live side: each change runs as one Lua script that checks the
// job's expected state and version, updates the job's projection hash, appends
// the event and, where the change demands it, adds or acknowledges the job's
// entry in the work stream, all atomically. The scripts and the reducer follow
// the same rules, so replaying a queue's log yields what the hashes hold.
package engine
