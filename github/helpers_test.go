package github

import (
	"context"
	"testing"
	"time"

	"github.com/anklet/anklet/engine/enginetest"
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

// testContext ends with the test, and after 30*time.Second at the latest.
func testContext(t *testing.T) context.Context {
	t.Helper()
	return enginetest.Context(t, 30*time.Second)
}

// waitFor fails the test when cond does not hold within within.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	enginetest.WaitFor(t, within, what, cond)
}
