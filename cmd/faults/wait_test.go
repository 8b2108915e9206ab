package faults

import (
	"testing"
	"time"
)

// waitFor polls cond every 50 ms until it holds, or fails the test with
// what after d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	if !poll(d, 50*time.Millisecond, cond) {
		t.Fatalf("timed out after %v waiting for %s", d, what)
	}
}

// poll checks cond every tick until it holds (true) or d passes (false).
func poll(d, tick time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	tk := time.NewTicker(tick)
	defer tk.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		<-tk.C
	}
	return true
}
