package engine

import "errors"

// ErrIllegalTransition is returned when an event may not follow the job's
// current state according to [Transitions].
var ErrIllegalTransition = errors.New("illegal transition")

// Transitions lists, for each state, the event types that may follow it. The
// empty state is a job not yet known: webhooks may arrive out of order, so a
// job can be first seen in progress, completed or canceled. Terminal states
// have no entry: nothing follows them. No state but requeued follows itself.
// The table is shared; callers must not modify it.
var Transitions = map[EventType][]EventType{
	"": {EventQueued, EventInProgress, EventCompleted, EventCanceled},
	EventQueued: {EventClaimed, EventInProgress, EventCompleted, EventCanceled,
		EventFailed, EventRequeued},
	EventRequeued: {EventClaimed, EventInProgress, EventCompleted, EventCanceled,
		EventFailed, EventRequeued},
	EventClaimed: {EventPulling, EventVMStarted, EventRegistered, EventRequeued,
		EventInProgress, EventCompleted, EventCanceled, EventFailed},
	EventPulling: {EventVMStarted, EventRequeued, EventInProgress, EventCompleted,
		EventCanceled, EventFailed},
	EventVMStarted: {EventRegistered, EventRequeued, EventInProgress, EventCompleted,
		EventCanceled, EventFailed},
	EventRegistered: {EventInProgress, EventRequeued, EventCompleted, EventCanceled,
		EventFailed},
	// A job in progress may be requeued when the host running it died.
	EventInProgress: {EventCompleted, EventCanceled, EventFailed, EventRequeued},
}

// Allowed reports whether an event of type to may follow state from; from ""
// means the job is not known yet.
func Allowed(from, to EventType) bool {
	for _, t := range Transitions[from] {
		if t == to {
			return true
		}
	}
	return false
}

// Sources returns the states an event of type to may follow, "" first when
// it may create a job, then in the order of [EventTypes]. It returns nil for
// an unknown type.
func Sources(to EventType) []EventType {
	var out []EventType
	for _, from := range append([]EventType{""}, EventTypes...) {
		if Allowed(from, to) {
			out = append(out, from)
		}
	}
	return out
}
