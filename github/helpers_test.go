package github

import (
	"context"
	"testing"
	"time"

	"github.com/anklet/anklet/github/githubtest"
)

// newTestClient returns a token client for s, with the limiter's waits
// shortened so tests stay fast.
func newTestClient(t *testing.T, s *githubtest.Server, mod ...func(*Options)) *Client {
	t.Helper()
	opts := Options{Token: s.Token(), BaseURL: s.URL()}
	for _, m := range mod {
		m(&opts)
	}
	c, err := New(testContext(t), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	fast(c.lim)
	fast(c.appLim)
	return c
}

func fast(l *limiter) {
	l.backoff = 10 * time.Millisecond
	l.resetSlack = 50 * time.Millisecond
	l.secondaryMin = 100 * time.Millisecond
	l.minPrimaryWait = 50 * time.Millisecond
}

// testContext ends with the test, and after 30 s at the latest.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}
