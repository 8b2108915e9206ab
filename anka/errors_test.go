package anka

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestErrorIs(t *testing.T) {
	cases := []struct {
		name string
		err  *Error
		is   []error
	}{
		{"code 3", &Error{Op: "show", Code: 3, Message: "gone"}, []error{ErrNotFound}},
		{"not found message", &Error{Op: "list", Code: 1, Message: "abc: not found"},
			[]error{ErrNotFound}},
		{"pull code 3", &Error{Op: opPull, Code: 3, Message: "no such tag"}, []error{ErrNotFound}},
		{"pull network", &Error{Op: opPull, Code: 1, Message: "registry: not found"}, nil},
		{"exists", &Error{Op: "clone", Code: 18, Message: "vm: already exists"},
			[]error{ErrExists}},
		{"max running", &Error{Op: "start", Code: 1,
			Message: "vm: maximum number of running instances exceeded"}, []error{ErrMaxRunning}},
		{"timeout", &Error{Op: "start", ExitCode: -1, Err: context.DeadlineExceeded},
			[]error{ErrTimeout, context.DeadlineExceeded}},
		{"canceled", &Error{Op: "start", ExitCode: -1, Err: context.Canceled},
			[]error{context.Canceled}},
		{"bad output", &Error{Op: "show", Err: fmt.Errorf("%w: x", ErrBadOutput)},
			[]error{ErrBadOutput}},
		{"other", &Error{Op: "start", Code: 9, Message: "disk full", ExitCode: 1}, nil},
	}
	all := []error{
		ErrNotFound, ErrExists, ErrMaxRunning, ErrTimeout, ErrBadOutput, context.Canceled,
		context.DeadlineExceeded,
	}
	for _, tc := range cases {
		wrapped := fmt.Errorf("prepare vm: %w", tc.err)
		for _, s := range all {
			want := false
			for _, w := range tc.is {
				want = want || w == s
			}
			if got := errors.Is(wrapped, s); got != want {
				t.Errorf("%s: errors.Is(%v) = %v, want %v", tc.name, s, got, want)
			}
		}
	}
}

func TestErrorText(t *testing.T) {
	e := &Error{Op: "clone", VM: "anklet-vm-1", Code: 18, Message: "taken", ExitCode: 1}
	if got := e.Error(); got != "anka clone anklet-vm-1: taken (code 18, exit status 1)" {
		t.Fatalf("Error() = %q", got)
	}
}
