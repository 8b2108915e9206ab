package github

import (
	"context"
	"errors"
	"time"

	gh "github.com/google/go-github/v66/github"
)

// call runs one go-github request. The limiter beneath go-github already
// waits out the rate-limit answers GitHub sends; what can still reach here
// is go-github's local refusal ("not making remote request") after a
// successful response that spent the last of the budget. call waits that out
// the same way and tries again.
func (c *Client) call(
	ctx context.Context, do func(context.Context) (*gh.Response, error),
) (*gh.Response, error) {
	for {
		resp, err := do(ctx)
		until, kind, limited := localLimit(err)
		if !limited {
			return resp, err
		}
		if err := c.pause.wait(ctx, until, kind, "github api call"); err != nil {
			return resp, err
		}
	}
}

// localLimit recognises go-github's rate-limit errors and when they lift.
func localLimit(err error) (until time.Time, kind string, ok bool) {
	now := time.Now()
	var rle *gh.RateLimitError
	if errors.As(err, &rle) {
		until = rle.Rate.Reset.Time
		if until.Before(now.Add(100 * time.Millisecond)) {
			until = now.Add(100 * time.Millisecond)
		}
		return until, limitPrimary, true
	}
	var are *gh.AbuseRateLimitError
	if errors.As(err, &are) {
		wait := time.Minute
		if are.RetryAfter != nil && *are.RetryAfter > 0 {
			wait = *are.RetryAfter
		}
		return now.Add(wait), limitSecondary, true
	}
	return time.Time{}, "", false
}
