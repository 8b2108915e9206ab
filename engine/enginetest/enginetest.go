// Package enginetest holds the test helpers Anklet's packages share: waiting
// for a condition with a deadline instead of sleeping, and contexts that end
// with the test.
package enginetest

import (
	"bytes"
	"context"
	"sync"
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

// Buffer is a bytes.Buffer that many goroutines may write to at once, such
// as a logger shared by handlers; String returns what was written so far.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns a copy of everything written.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
