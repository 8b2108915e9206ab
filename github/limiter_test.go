package github

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/anklet/anklet/github/githubtest"
)

const jobRoute = "GET /repos/{owner}/{repo}/actions/jobs/{id}"

// pauses records OnRateLimit calls.
type pauses struct {
	mu    sync.Mutex
	calls []time.Time
}

func (p *pauses) record(until time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, until)
}

func (p *pauses) get() []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Time(nil), p.calls...)
}

// rateSetup returns a server with one queued job and a client that records
// its rate-limit pauses.
func rateSetup(t *testing.T) (*githubtest.Server, *Client, githubtest.Job, *pauses) {
	s := githubtest.NewServer(t)
	j := s.QueueJob(githubtest.JobSpec{Owner: "acme", Repo: "app", Labels: []string{"l"}})
	p := &pauses{}
	c := newTestClient(t, s, func(o *Options) { o.OnRateLimit = p.record })
	return s, c, j, p
}

func TestPrimaryRateLimitWaitsForReset(t *testing.T) {
	for _, status := range []int{403, 429} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			s, c, j, p := rateSetup(t)
			reset := s.PrimaryRateLimit(status, 500*time.Millisecond)

			if _, err := c.Job(testContext(t), "acme", "app", j.ID); err != nil {
				t.Fatalf("Job: %v", err)
			}
			if now := time.Now(); now.Before(reset) {
				t.Fatalf("call succeeded at %v, before the reset %v", now, reset)
			}
			if n := s.Calls()[jobRoute]; n != 2 {
				t.Fatalf("%d requests reached the server, want 2 (refused, then after reset)", n)
			}
			got := p.get()
			if len(got) != 2 || got[0].Before(reset) || !got[1].IsZero() {
				t.Fatalf("OnRateLimit calls %v, want [>= %v, zero]", got, reset)
			}
		})
	}
}

func TestPrimaryRateLimitHoldsOtherCallers(t *testing.T) {
	s, c, j, _ := rateSetup(t)
	ctx := testContext(t)
	s.PrimaryRateLimit(403, 500*time.Millisecond)

	errs := make(chan error, 2)
	go func() {
		_, err := c.Job(ctx, "acme", "app", j.ID)
		errs <- err
	}()
	waitFor(t, 5*time.Second, "the first refusal", func() bool { return s.Calls()[jobRoute] == 1 })
	go func() {
		_, err := c.Job(ctx, "acme", "app", j.ID)
		errs <- err
	}()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("Job: %v", err)
		}
	}
	if n := s.Calls()[jobRoute]; n != 3 {
		t.Fatalf("%d requests reached the server, want 3: the second caller must wait unseen", n)
	}
}

func TestSpentBudgetWaitsWithoutAsking(t *testing.T) {
	s, c, j, p := rateSetup(t)
	ctx := testContext(t)
	reset := s.SetRateBudget(1, 500*time.Millisecond)

	// The first call spends the last request: 200 with remaining 0.
	if _, err := c.Job(ctx, "acme", "app", j.ID); err != nil {
		t.Fatalf("first Job: %v", err)
	}
	if _, err := c.Job(ctx, "acme", "app", j.ID); err != nil {
		t.Fatalf("second Job: %v", err)
	}
	if time.Now().Before(reset) {
		t.Fatalf("second call did not wait for the reset %v", reset)
	}
	if n := s.Calls()[jobRoute]; n != 2 {
		t.Fatalf("%d requests reached the server, want 2 (none while the budget was spent)", n)
	}
	if len(p.get()) == 0 {
		t.Fatalf("OnRateLimit was not called")
	}
}

func TestSecondaryRateLimit(t *testing.T) {
	t.Run("retry-after", func(t *testing.T) {
		for _, status := range []int{429, 403} {
			s, c, j, _ := rateSetup(t)
			s.SecondaryRateLimit(status, 800*time.Millisecond, true)
			start := time.Now()
			if _, err := c.Job(testContext(t), "acme", "app", j.ID); err != nil {
				t.Fatalf("%d: Job: %v", status, err)
			}
			if time.Since(start) < 900*time.Millisecond {
				t.Fatalf("%d: retried after %v, before Retry-After (1 s)", status, time.Since(start))
			}
			if n := s.Calls()[jobRoute]; n != 2 {
				t.Fatalf("%d: %d requests, want 2", status, n)
			}
		}
	})
	t.Run("backoff", func(t *testing.T) {
		s, c, j, _ := rateSetup(t)
		s.SecondaryRateLimit(403, 250*time.Millisecond, false)
		if _, err := c.Job(testContext(t), "acme", "app", j.ID); err != nil {
			t.Fatalf("Job: %v", err)
		}
		// Waits of 100 ms then 200 ms cover the 250 ms: at most three requests.
		if n := s.Calls()[jobRoute]; n < 2 || n > 3 {
			t.Fatalf("%d requests, want 2 or 3", n)
		}
	})
}

func TestRateLimitBeyondDeadlineFailsFast(t *testing.T) {
	s, c, j, _ := rateSetup(t)
	s.PrimaryRateLimit(403, 20*time.Second)

	ctx, cancel := context.WithTimeout(testContext(t), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.Job(ctx, "acme", "app", j.ID)
	if !errors.Is(err, ErrRateLimited) {
		t.Fatalf("Job: %v, want ErrRateLimited", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("gave up after %v, want at once", d)
	}
	if n := s.Calls()[jobRoute]; n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

func TestRateLimitWaitEndsWithContext(t *testing.T) {
	s, c, j, p := rateSetup(t)
	s.PrimaryRateLimit(429, 20*time.Second)

	ctx, cancel := context.WithCancel(testContext(t))
	errs := make(chan error, 1)
	go func() {
		_, err := c.Job(ctx, "acme", "app", j.ID)
		errs <- err
	}()
	waitFor(t, 5*time.Second, "the wait to start", func() bool { return len(p.get()) == 1 })
	cancel()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Fatalf("Job: %v, want context.Canceled", err)
	}
	if got := p.get(); len(got) != 2 || !got[1].IsZero() {
		t.Fatalf("OnRateLimit calls %v, want a pause then the zero time", got)
	}
}

func TestServerErrorsAreRetried(t *testing.T) {
	s, c, j, _ := rateSetup(t)
	ctx := testContext(t)

	s.FailNext(2)
	if _, err := c.Job(ctx, "acme", "app", j.ID); err != nil {
		t.Fatalf("Job after two 500s: %v", err)
	}
	if n := s.Calls()[jobRoute]; n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}

	s.FailNext(100)
	_, err := c.Job(ctx, "acme", "app", j.ID)
	if statusOf(err) != 500 {
		t.Fatalf("Job with the server down: %v, want a 500 error", err)
	}
	if n := s.Calls()[jobRoute]; n != 3+4 {
		t.Fatalf("%d requests, want 7 (3 before, then 1 try and 3 retries)", n-3)
	}

	// A POST with a body is retried with the body intact.
	s.FailNext(1)
	if _, _, err := c.JITConfig(ctx, Scope{Owner: "acme"}, "after-500", 1, []string{"l"}); err != nil {
		t.Fatalf("JITConfig after a 500: %v", err)
	}
}

func TestExchangeTimeoutExcludesRateLimitWaits(t *testing.T) {
	s, _, j, _ := rateSetup(t)
	c := newTestClient(t, s, func(o *Options) {
		o.HTTPClient = &http.Client{Timeout: 200 * time.Millisecond}
	})
	ctx := testContext(t)

	// A wait longer than the exchange timeout still ends in success.
	s.PrimaryRateLimit(403, 400*time.Millisecond)
	if _, err := c.Job(ctx, "acme", "app", j.ID); err != nil {
		t.Fatalf("Job across a rate-limit wait: %v", err)
	}

	// A server slower than the timeout fails each attempt, and so the call.
	s.SetLatency(time.Second)
	before := s.Calls()[jobRoute]
	start := time.Now()
	if _, err := c.Job(ctx, "acme", "app", j.ID); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Job against a slow server: %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("gave up after %v, want about 4 × 200 ms", d)
	}
	if n := s.Calls()[jobRoute] - before; n != 4 {
		t.Fatalf("%d attempts, want 4", n)
	}
}
