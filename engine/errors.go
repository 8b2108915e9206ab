package engine

import (
	"errors"
	"fmt"
)

// ErrNotFound is returned when a job has no projection in the store.
var ErrNotFound = errors.New("job not found")

// ErrConflict is returned when a job is not in the state or at the version a
// change expected: another writer got there first. Nothing was written. The
// error is a *[ConflictError] telling what the job holds now.
var ErrConflict = errors.New("conflict")

// ConflictError describes the job a change found instead of the one it
// expected. errors.Is(err, ErrConflict) holds for it.
type ConflictError struct {
	JobID int64
	// State and Version are the job's current ones; State is "" and Version 0
	// when the job did not exist.
	State   EventType
	Version int64
	// WorkID is the job's live work entry, "" when it has none.
	WorkID string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("job %d is %s at version %d: %v", e.JobID, e.State, e.Version,
		ErrConflict)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }
