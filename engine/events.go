package engine

// EventType names what happened to a job. A job's state is the type of its
// last event, so the same constants name states.
type EventType string

// Event types, as written in the `type` field of the event log.
const (
	// EventQueued: GitHub queued the job and a work entry was added for it.
	EventQueued EventType = "queued"
	// EventClaimed: a handler took the job's work entry.
	EventClaimed EventType = "claimed"
	// EventPulling: the handler is pulling the VM template.
	EventPulling EventType = "pulling"
	// EventVMStarted: the job's VM was cloned and started.
	EventVMStarted EventType = "vm-started"
	// EventRegistered: the runner in the VM registered with GitHub.
	EventRegistered EventType = "registered"
	// EventInProgress: GitHub reports a runner is running the job.
	EventInProgress EventType = "in-progress"
	// EventCompleted: GitHub reports the job finished (see `conclusion`).
	EventCompleted EventType = "completed"
	// EventRequeued: the job went back to the work stream.
	EventRequeued EventType = "requeued"
	// EventFailed: Anklet gave up on the job.
	EventFailed EventType = "failed"
	// EventCanceled: the job was cancelled on GitHub.
	EventCanceled EventType = "canceled"
)

// EventTypes lists every event type, in the order a successful job meets
// them, followed by the others.
var EventTypes = []EventType{
	EventQueued, EventClaimed, EventPulling, EventVMStarted, EventRegistered,
	EventInProgress, EventCompleted, EventRequeued, EventFailed, EventCanceled,
}

// Terminal reports whether no event may follow t: completed, failed and
// canceled.
func (t EventType) Terminal() bool {
	return t == EventCompleted || t == EventFailed || t == EventCanceled
}

// Valid reports whether t is one of [EventTypes].
func (t EventType) Valid() bool {
	for _, k := range EventTypes {
		if t == k {
			return true
		}
	}
	return false
}

// String returns the type as written in the log; the empty type (a job not
// yet known) reads "none".
func (t EventType) String() string {
	if t == "" {
		return "none"
	}
	return string(t)
}
