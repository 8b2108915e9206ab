package reconcile

import "github.com/rs/zerolog"

// Report counts what one pass did. Each reconciler fills the fields that
// apply to it and leaves the others zero.
type Report struct {
	// Seen is how many `anklet-vm-*` VMs or runners the pass listed, or how
	// many queued jobs GitHub reported.
	Seen int
	// Marked is how many VMs or runners were found orphaned for the first
	// time: they go on a later pass if they stay orphaned.
	Marked int
	// Removed is how many VMs were deleted or runners removed.
	Removed int
	// Enqueued is how many jobs were appended because their queued webhook
	// never arrived.
	Enqueued int
	// Finished is how many jobs got the terminal event (completed or
	// canceled) whose webhook never arrived.
	Finished int
	// Failed is how many single actions (one delete, one enqueue, one
	// status check) failed; each was logged and is tried again next pass.
	Failed int
	// Skipped is true when the pass did not run because another process
	// holds the turn (only from Run, never from Pass).
	Skipped bool
}

// Acted reports whether the pass changed anything.
func (r Report) Acted() bool {
	return r.Removed > 0 || r.Enqueued > 0 || r.Finished > 0
}

// MarshalZerologObject writes the counts as log fields.
func (r Report) MarshalZerologObject(e *zerolog.Event) {
	e.Int("seen", r.Seen).Int("marked", r.Marked).Int("removed", r.Removed).
		Int("enqueued", r.Enqueued).Int("finished", r.Finished).Int("failed", r.Failed)
}
