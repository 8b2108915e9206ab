package github

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// pauser performs every rate-limit wait of one Client, so the OnRateLimit
// hook sees one paused period however many calls wait inside it.
type pauser struct {
	log    zerolog.Logger
	notify func(until time.Time)

	mu      sync.Mutex
	waiting int
	until   time.Time
}

// wait blocks until until or ctx ends. It refuses at once with ErrRateLimited
// when ctx's deadline comes first: waiting would only end in failure later.
// what names the request for the log, e.g. "GET /repos/o/r/actions/runners".
func (p *pauser) wait(ctx context.Context, until time.Time, kind, what string) error {
	if dl, ok := ctx.Deadline(); ok && dl.Before(until) {
		return fmt.Errorf("%s: %s limit until %s: %w",
			what, kind, until.UTC().Format(time.RFC3339), ErrRateLimited)
	}

	p.begin(until)
	defer p.end()
	p.log.Warn().Str("limit", kind).Time("until", until).Str("request", what).
		Msg("github rate limit reached, waiting")
	return sleep(ctx, time.Until(until))
}

func (p *pauser) begin(until time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.waiting++
	if until.After(p.until) {
		p.until = until
	}
	if p.notify != nil {
		p.notify(p.until)
	}
}

func (p *pauser) end() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.waiting--
	if p.waiting > 0 {
		return
	}
	p.until = time.Time{}
	if p.notify != nil {
		p.notify(time.Time{})
	}
}

// sleep waits d or until ctx ends, returning ctx's error in that case.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
