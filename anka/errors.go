package anka

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Envelope codes the CLI uses for conditions callers branch on.
const (
	CodeNotFound = 3
	CodeExists   = 18
)

// ExitCommunication is the exit status of `anka run` when the host lost
// contact with the guest.
const ExitCommunication = 125

// Sentinels for errors.Is on an *Error.
var (
	// ErrNotFound: the VM, template or tag does not exist (code 3, or a
	// "<x>: not found" message). For Pull it means only code 3: the
	// template or tag is not in the registry; other pull failures are
	// transient and do not match.
	ErrNotFound = errors.New("anka: not found")
	// ErrExists: the name is taken (code 18, on clone).
	ErrExists = errors.New("anka: already exists")
	// ErrMaxRunning: the host already runs as many VMs as it may.
	ErrMaxRunning = errors.New("anka: maximum number of running instances exceeded")
	// ErrTimeout: the call's deadline passed and its processes were killed.
	ErrTimeout = errors.New("anka: timed out")
	// ErrBadOutput: the CLI printed no envelope or a body of another shape.
	ErrBadOutput = errors.New("anka: unexpected output")
	// ErrLicense: the license is not valid or does not allow Anka Build.
	ErrLicense = errors.New("anka: license not usable")
	// ErrFailedState: the VM or template has status "failed" and needs a
	// forced stop or a delete before use.
	ErrFailedState = errors.New("anka: status is failed")
)

const maxRunningText = "maximum number of running instances exceeded"

// Error is a failed anka call. Code and Message come from the envelope when
// there was one; ExitCode is -1 when the process was killed or never ran.
// Err is the underlying cause (a context error, an exec error or
// ErrBadOutput), if any.
type Error struct {
	Op       string // subcommand, such as "clone" or "registry pull"
	VM       string // VM or template the call was about, if any
	Code     int
	Message  string
	ExitCode int
	Err      error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("anka " + e.Op)
	if e.VM != "" {
		b.WriteString(" " + e.VM)
	}
	b.WriteString(": ")
	switch {
	case e.Err != nil && e.Message != "":
		fmt.Fprintf(&b, "%s: %v", e.Message, e.Err)
	case e.Err != nil:
		fmt.Fprint(&b, e.Err)
	default:
		b.WriteString(e.Message)
	}
	if e.Code != 0 || e.ExitCode != 0 {
		fmt.Fprintf(&b, " (code %d, exit status %d)", e.Code, e.ExitCode)
	}
	return b.String()
}

// Unwrap returns the cause, so errors.Is also matches context errors.
func (e *Error) Unwrap() error { return e.Err }

// Is maps envelope codes and messages to the package sentinels.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		if e.Code == CodeNotFound {
			return true
		}
		return e.Op != opPull && strings.HasSuffix(e.Message, ": not found")
	case ErrExists:
		return e.Code == CodeExists
	case ErrMaxRunning:
		return strings.Contains(e.Message, maxRunningText)
	case ErrTimeout:
		return errors.Is(e.Err, context.DeadlineExceeded)
	}
	return false
}

// badOutput reports a body or output of an unexpected shape.
func badOutput(cl call, format string, a ...any) error {
	return &Error{
		Op: cl.op, VM: cl.vm, Err: fmt.Errorf("%w: %s", ErrBadOutput, fmt.Sprintf(format, a...)),
	}
}
