package githubtest

import (
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Documentation URLs GitHub sends with rate-limit answers; clients tell the
// two kinds apart by them.
const (
	rateDocs      = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
	primaryDocs   = rateDocs + "#about-primary-rate-limits"
	secondaryDocs = rateDocs + "#about-secondary-rate-limits"
)

// rateLimit is every identity's hourly budget, as for a personal access
// token on github.com.
const rateLimit = 5000

// faults holds the injected trouble and the rate-limit budgets.
type faults struct {
	mu  sync.Mutex
	rng *rand.Rand

	latency  time.Duration
	failNext int
	failRate float64
	dropNext int
	dropRate float64

	primaryUntil    time.Time // whole second; 403/429 remaining 0 before it
	primaryStatus   int
	secondaryUntil  time.Time
	secondaryStatus int
	retryAfter      bool

	buckets map[string]*bucket
	budget  bucket // applies to buckets opened before budget.reset
}

// bucket is one identity's primary rate-limit window.
type bucket struct {
	used  int
	reset time.Time
}

// SetLatency delays every API answer by d (0 turns it off).
func (s *Server) SetLatency(d time.Duration) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.latency = d
}

// FailNext answers the next n API calls with 500.
func (s *Server) FailNext(n int) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.failNext = n
}

// SetFailureRate answers a fraction p (0..1) of API calls with 500, chosen
// by the seeded random source.
func (s *Server) SetFailureRate(p float64) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.failRate = p
}

// PrimaryRateLimit makes every API call for the next d (rounded up to the
// whole second, as X-RateLimit-Reset is in seconds) fail as an exhausted
// primary budget: status (403 or 429) with X-RateLimit-Remaining 0 and
// X-RateLimit-Reset at the end of the period. It returns that reset time.
func (s *Server) PrimaryRateLimit(status int, d time.Duration) time.Time {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	until := ceilSecond(time.Now().Add(d))
	s.faults.primaryUntil, s.faults.primaryStatus = until, status
	return until
}

// SecondaryRateLimit makes every API call for the next d fail as a secondary
// rate limit: status (429 or 403) with the secondary-rate-limits
// documentation URL and, if retryAfter, a Retry-After header counting the
// seconds left. Rate headers stay healthy.
func (s *Server) SecondaryRateLimit(status int, d time.Duration, retryAfter bool) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.secondaryUntil = time.Now().Add(d)
	s.faults.secondaryStatus, s.faults.retryAfter = status, retryAfter
}

// SetRateBudget leaves every identity (present and future) remaining
// requests of its primary budget, renewed after d (rounded up to the whole
// second). Requests then succeed until the budget is spent, the last with
// X-RateLimit-Remaining 0, and fail with 403 after that until the reset,
// which it returns.
func (s *Server) SetRateBudget(remaining int, d time.Duration) time.Time {
	f := &s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	f.budget = bucket{used: rateLimit - remaining, reset: ceilSecond(time.Now().Add(d))}
	for _, b := range f.buckets {
		*b = f.budget
	}
	return f.budget.reset
}

// DropWebhooks records the next n deliveries as timed out without sending
// them.
func (s *Server) DropWebhooks(n int) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.dropNext = n
}

// SetWebhookDropRate drops a fraction p (0..1) of deliveries, chosen by the
// seeded random source.
func (s *Server) SetWebhookDropRate(p float64) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.dropRate = p
}

// dropWebhook decides whether the next delivery is dropped.
func (s *Server) dropWebhook() bool {
	f := &s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dropNext > 0 {
		f.dropNext--
		return true
	}
	return f.dropRate > 0 && f.rng.Float64() < f.dropRate
}

// delay waits the injected latency; false if the request went away.
func (s *Server) delay(r *http.Request) bool {
	s.faults.mu.Lock()
	d := s.faults.latency
	s.faults.mu.Unlock()
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// admit spends one request of who's budget (unless free, as GET /rate_limit
// is), sets the X-RateLimit-* headers and answers for the injected faults.
// False means it has answered.
func (s *Server) admit(w http.ResponseWriter, who *identity, spend bool) bool {
	f := &s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()

	if now.Before(f.primaryUntil) {
		setRateHeaders(w, rateLimit, f.primaryUntil)
		writeErrorDoc(w, f.primaryStatus, "API rate limit exceeded for user ID 1.", primaryDocs)
		return false
	}

	b := f.buckets[who.bucket]
	switch {
	case b == nil && now.Before(f.budget.reset):
		b = &bucket{used: f.budget.used, reset: f.budget.reset}
		f.buckets[who.bucket] = b
	case b == nil || !now.Before(b.reset):
		b = &bucket{reset: ceilSecond(now.Add(time.Hour))}
		f.buckets[who.bucket] = b
	}
	if b.used >= rateLimit {
		setRateHeaders(w, rateLimit, b.reset)
		writeErrorDoc(w, http.StatusForbidden, "API rate limit exceeded for user ID 1.", primaryDocs)
		return false
	}
	if spend {
		b.used++
	}
	setRateHeaders(w, b.used, b.reset)

	switch {
	case now.Before(f.secondaryUntil):
		if f.retryAfter {
			secs := int(math.Ceil(f.secondaryUntil.Sub(now).Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(secs))
		}
		writeErrorDoc(w, f.secondaryStatus, "You have exceeded a secondary rate limit. "+
			"Please wait a few minutes before you try again.", secondaryDocs)
		return false
	case f.failNext > 0 || (f.failRate > 0 && f.rng.Float64() < f.failRate):
		if f.failNext > 0 {
			f.failNext--
		}
		writeError(w, http.StatusInternalServerError, "Server Error")
		return false
	}
	return true
}

// setRateHeaders writes GitHub's X-RateLimit-* headers for used requests of
// the core budget resetting at reset.
func setRateHeaders(w http.ResponseWriter, used int, reset time.Time) {
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(rateLimit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(rateLimit-used, 0)))
	h.Set("X-RateLimit-Used", strconv.Itoa(used))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
}

func ceilSecond(t time.Time) time.Time {
	if r := t.Truncate(time.Second); r.Before(t) {
		return r.Add(time.Second)
	}
	return t
}
