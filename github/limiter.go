package github

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rate-limit answer kinds, as logged.
const (
	limitPrimary   = "primary"
	limitSecondary = "secondary"
)

// limiter is the http.RoundTripper beneath go-github for one set of
// credentials. It keeps GitHub's rate-limit rules so that callers never see
// a rate-limit answer while their context allows waiting:
//
//   - 403/429 with X-RateLimit-Remaining 0: wait until X-RateLimit-Reset;
//   - 403/429 marked secondary (Retry-After, or the secondary-rate-limits
//     documentation URL), or a bare 429: wait Retry-After, else the reset
//     time if the budget is spent, else at least secondaryMin, doubling;
//   - any response with X-RateLimit-Remaining 0: hold later requests until
//     the reset instead of spending a request to learn the answer;
//   - 5xx or a transport error: retry a few times with jittered backoff.
//
// Doing this below go-github also keeps go-github from entering its own
// local refusal mode, which it does for 403 but not 429.
type limiter struct {
	next    http.RoundTripper
	pause   *pauser
	timeout time.Duration // bounds one attempt, from sending to closing the body

	serverRetries  int           // extra attempts after a 5xx or transport error
	backoff        time.Duration // first server-error backoff, doubled per retry
	secondaryMin   time.Duration // secondary wait without Retry-After or reset
	resetSlack     time.Duration // added to X-RateLimit-Reset for clock skew
	minPrimaryWait time.Duration // floor when the reset is already past

	mu      sync.Mutex
	blocked time.Time // the primary budget is spent until then
}

func newLimiter(next http.RoundTripper, p *pauser, timeout time.Duration) *limiter {
	return &limiter{
		next:           next,
		pause:          p,
		timeout:        timeout,
		serverRetries:  3,
		backoff:        500 * time.Millisecond,
		secondaryMin:   time.Minute,
		resetSlack:     time.Second,
		minPrimaryWait: time.Second,
	}
}

// RoundTrip sends req, waiting out rate limits and retrying server errors as
// described on limiter. Waits end with the request's context; a limit that
// outlasts the context's deadline fails at once with ErrRateLimited.
func (l *limiter) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	what := req.Method + " " + req.URL.Path
	sent := false
	serverTries, secondaryHits := 0, 0

	for {
		if until := l.blockedUntil(); !until.IsZero() {
			if err := l.pause.wait(ctx, until, limitPrimary, what); err != nil {
				closeUnsent(req, sent)
				return nil, err
			}
		}

		attempt, err := rewind(req, sent)
		if err != nil {
			return nil, err
		}
		sent = true
		resp, err := l.send(attempt)
		if err != nil {
			if ctx.Err() != nil || serverTries >= l.serverRetries || !retryable(req) {
				return nil, err
			}
			serverTries++
			if err := sleep(ctx, l.jitter(serverTries)); err != nil {
				return nil, err
			}
			continue
		}

		l.observe(resp)
		kind, until := l.classify(resp, secondaryHits)
		switch {
		case kind != "":
			discard(resp)
			if kind == limitSecondary {
				secondaryHits++
			}
			if err := l.pause.wait(ctx, until, kind, what); err != nil {
				return nil, err
			}
			continue
		case resp.StatusCode >= 500 && serverTries < l.serverRetries && retryable(req):
			discard(resp)
			serverTries++
			l.pause.log.Debug().Int("status", resp.StatusCode).Str("request", what).
				Int("retry", serverTries).Msg("github server error, retrying")
			if err := sleep(ctx, l.jitter(serverTries)); err != nil {
				return nil, err
			}
			continue
		}
		return resp, nil
	}
}

// send makes one attempt, bounded by l.timeout until its body is closed.
// The timeout lives here rather than on the http.Client, whose Timeout would
// also cut short the rate-limit waits.
func (l *limiter) send(req *http.Request) (*http.Response, error) {
	if l.timeout <= 0 {
		return l.next.RoundTrip(req)
	}
	ctx, cancel := context.WithTimeout(req.Context(), l.timeout)
	resp, err := l.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose ends an attempt's context when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// blockedUntil returns when the spent primary budget resets, or zero.
func (l *limiter) blockedUntil() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	if time.Now().Before(l.blocked) {
		return l.blocked
	}
	return time.Time{}
}

// observe notes a spent primary budget from any response.
func (l *limiter) observe(resp *http.Response) {
	if resp.Header.Get("X-RateLimit-Remaining") != "0" {
		return
	}
	reset, ok := resetTime(resp.Header)
	if !ok || !reset.After(time.Now()) {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if until := reset.Add(l.resetSlack); until.After(l.blocked) {
		l.blocked = until
	}
}

// classify says whether resp is a rate-limit answer and when to try again.
func (l *limiter) classify(resp *http.Response, secondaryHits int) (kind string, until time.Time) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return "", time.Time{}
	}
	msg, doc := errorBody(resp)
	now := time.Now()
	spent := resp.Header.Get("X-RateLimit-Remaining") == "0"
	reset, hasReset := resetTime(resp.Header)
	retryAfter, hasRetryAfter := retryAfterOf(resp.Header, now)
	secondary := hasRetryAfter ||
		strings.HasSuffix(doc, "secondary-rate-limits") ||
		strings.HasSuffix(doc, "#abuse-rate-limits") ||
		strings.Contains(strings.ToLower(msg), "secondary rate limit")
	backoff := l.secondaryMin << min(secondaryHits, 4)

	switch {
	case secondary && hasRetryAfter:
		return limitSecondary, now.Add(retryAfter)
	case secondary && spent && hasReset && reset.After(now):
		return limitSecondary, reset.Add(l.resetSlack)
	case secondary:
		return limitSecondary, now.Add(backoff)
	case spent:
		until = reset.Add(l.resetSlack)
		if !hasReset || until.Before(now.Add(l.minPrimaryWait)) {
			until = now.Add(l.minPrimaryWait)
		}
		return limitPrimary, until
	case resp.StatusCode == http.StatusTooManyRequests:
		return limitSecondary, now.Add(backoff)
	}
	return "", time.Time{}
}

// jitter returns the backoff before server-error retry n (1-based): between
// half and all of backoff·2^(n-1).
func (l *limiter) jitter(n int) time.Duration {
	d := l.backoff << (n - 1)
	return d/2 + rand.N(d/2+1)
}

// errorBody reads GitHub's error message and documentation URL, leaving the
// body readable for go-github.
func errorBody(resp *http.Response) (msg, doc string) {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var e struct {
		Message          string `json:"message"`
		DocumentationURL string `json:"documentation_url"`
	}
	_ = json.Unmarshal(body, &e)
	return e.Message, e.DocumentationURL
}

func resetTime(h http.Header) (time.Time, bool) {
	v, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64)
	if err != nil || v <= 0 {
		return time.Time{}, false
	}
	return time.Unix(v, 0), true
}

// retryAfterOf parses Retry-After as seconds or as an HTTP date.
func retryAfterOf(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// rewind returns req for the first attempt and a copy with a fresh body for
// later ones.
func rewind(req *http.Request, sent bool) (*http.Request, error) {
	if !sent {
		return req, nil
	}
	clone := req.Clone(req.Context())
	if req.Body != nil && req.Body != http.NoBody {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		clone.Body = body
	}
	return clone, nil
}

// retryable reports whether req can be sent again: it has no body, or one
// that can be produced afresh.
func retryable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// closeUnsent honours the RoundTripper contract when req never reached the
// next transport, which would otherwise have closed its body.
func closeUnsent(req *http.Request, sent bool) {
	if !sent && req.Body != nil {
		_ = req.Body.Close()
	}
}

func discard(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
}
