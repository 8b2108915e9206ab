// Package enginetest holds the test helpers Anklet's packages share: waiting
// for a condition with a deadline instead of sleeping, and contexts that end
// with the test.
package enginetest

import (
	"context"
	"testing"
	"time"
)

// pollEvery is how often WaitFor checks its condition.
const pollEvery = 5 * time.Millisecond

// WaitFor checks cond every few milliseconds until it holds, and fails the
// test naming what it waited for when within passes first.
func WaitFor(tb testing.TB, within time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %s waiting for %s", within, what)
		}
		<-tick.C
	}
}

// Context returns a context that is cancelled when the test ends, and after
// timeout at the latest, so a hung call fails the test instead of the run.
func Context(tb testing.TB, timeout time.Duration) context.Context {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	tb.Cleanup(cancel)
	return ctx
}
