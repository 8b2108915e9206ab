package receiver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	gh "github.com/google/go-github/v66/github"
	"github.com/redis/go-redis/v9"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/github"
)

// Redelivery timing.
const (
	// releaseTimeout bounds the release of the redelivery lock after a
	// pass, which runs even when the pass was cancelled.
	releaseTimeout = 2 * time.Second
	// scanOverlap is how far before the previous pass's start a pass looks:
	// GitHub records a delivery once it has the answer, up to its 10 s
	// timeout after the delivery time it shows.
	scanOverlap = time.Minute
	// fullScanEvery is how often a pass looks back over the whole window
	// rather than only since the previous pass, to catch a redelivery
	// GitHub accepted but never made.
	fullScanEvery = time.Hour
)

// hookFor picks the webhook whose deliveries the receiver redelivers: the
// GitHub App's own when there are App credentials and no token, else the
// repository's when Repo is set, else the organisation's. It returns why
// redelivery is off instead when it is.
func hookFor(o Options) (github.HookRef, string) {
	switch {
	case o.SkipRedeliver:
		return github.HookRef{}, "skip_redeliver is set"
	case o.GitHub.Token == "" && o.GitHub.AppID == 0:
		return github.HookRef{}, "no GitHub token or App credentials"
	case o.GitHub.Token == "":
		return github.HookRef{Kind: github.HookApp}, ""
	case o.HookID == 0:
		return github.HookRef{}, "no hook_id"
	case o.Repo != "":
		return github.HookRef{Kind: github.HookRepo, Owner: o.Owner, Repo: o.Repo, ID: o.HookID}, ""
	}
	return github.HookRef{Kind: github.HookOrg, Owner: o.Owner, ID: o.HookID}, ""
}

// redeliverLoop makes a redelivery pass at once and then every interval
// until ctx ends. A failed pass is logged and tried again next interval;
// only a panic ends the loop with an error.
func (r *Receiver) redeliverLoop(ctx context.Context) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("redelivery panicked: %v\n%s", p, debug.Stack())
		}
	}()
	if r.redeliverOff != "" {
		r.log.Info().Str("reason", r.redeliverOff).Msg("redelivery of missed webhooks is off")
		return nil
	}

	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
		if _, err := r.redeliverPass(ctx); err != nil && ctx.Err() == nil {
			r.log.Error().Err(err).Str("hook", r.hook.String()).
				Dur("retry_in", r.opts.RedeliverInterval).
				Msg("redelivery pass failed; trying again next interval")
		}
		timer.Reset(r.opts.RedeliverInterval)
	}
}

// redeliverPass asks GitHub to redeliver the missed webhooks of the
// window, and returns the GUIDs it asked for. It does nothing while another
// receiver of the queue holds the redelivery lock.
func (r *Receiver) redeliverPass(ctx context.Context) (asked []string, err error) {
	client, err := r.github(ctx)
	if err != nil {
		return nil, err
	}
	held, err := r.lock.acquire(ctx)
	if err != nil || !held {
		if err == nil {
			r.log.Debug().Msg("another receiver is making the redelivery pass")
		}
		return nil, err
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		defer cancel()
		if rerr := r.lock.release(rctx); rerr != nil {
			r.log.Warn().Err(rerr).Msg("redelivery lock not released; it expires by itself")
		}
		r.opts.Metrics.Redelivered(len(asked))
	}()

	start := time.Now()
	since, full := r.scanFrom(start)
	list, err := client.Deliveries(ctx, r.hook, since)
	if err != nil {
		return nil, err
	}
	missed := failedDeliveries(list)
	cands, err := r.candidates(ctx, client, missed)
	if err != nil {
		return nil, err
	}
	chosen, err := r.chooseByState(ctx, cands)
	if err != nil {
		return nil, err
	}

	for _, c := range chosen {
		err := client.Redeliver(ctx, r.hook, c.id)
		if errors.Is(err, github.ErrNotFound) {
			continue
		}
		if err != nil {
			return asked, err
		}
		asked = append(asked, c.guid)
		r.log.Info().Str("delivery", c.guid).Int64("job_id", c.jobID).Str("action", c.action).
			Msg("asked GitHub to redeliver a missed webhook")
	}
	r.scanned(start, full)
	r.log.Info().Int("deliveries", len(list)).Int("failed", len(missed)).
		Int("ours", len(cands)).Int("redelivered", len(asked)).Bool("full", full).
		Time("since", since).Msg("redelivery pass done")
	return asked, nil
}

// scanFrom says how far back a pass starting at now looks: the whole window
// on the first pass and once every fullScanEvery, otherwise from a minute
// before the previous successful pass started. A delivery examined once
// needs no second look unless a new attempt of it failed, and that attempt
// is newer. Listing only what is new keeps a busy hook's pages off the
// API budget the handlers share.
func (r *Receiver) scanFrom(now time.Time) (since time.Time, full bool) {
	r.ghMu.Lock()
	defer r.ghMu.Unlock()
	since = now.Add(-r.opts.RedeliverWindow)
	if r.lastFull.IsZero() || now.Sub(r.lastFull) >= fullScanEvery {
		return since, true
	}
	if s := r.lastPass.Add(-r.scanOverlap); s.After(since) {
		since = s
	}
	return since, false
}

// scanned records a successful pass that started at start.
func (r *Receiver) scanned(start time.Time, full bool) {
	r.ghMu.Lock()
	defer r.ghMu.Unlock()
	r.lastPass = start
	if full {
		r.lastFull = start
	}
}

// candidates fetches the payload of each missed delivery and keeps those
// about jobs of ours. A delivery GitHub no longer has is skipped.
func (r *Receiver) candidates(ctx context.Context, client *github.Client,
	missed []failed) ([]candidate, error) {
	var out []candidate
	for _, f := range missed {
		d, err := client.Delivery(ctx, r.hook, f.id)
		if errors.Is(err, github.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var ev gh.WorkflowJobEvent
		if err := json.Unmarshal(d.Payload, &ev); err != nil {
			r.log.Debug().Err(err).Str("delivery", f.guid).Msg("missed delivery has no workflow_job")
			continue
		}
		j, err := readJob(&ev)
		if err != nil || !j.hasOurLabels || !inScope(j, r.opts.Owner, r.opts.Repo) {
			continue
		}
		if rank := actionRank(j.action); rank != 0 {
			f.action = j.action
			out = append(out, candidate{failed: f, jobID: j.id})
		}
	}
	return out, nil
}

// chooseByState reads the jobs' states and the deliveries' markers and
// picks what to redeliver (see choose). The markers are read in one
// pipeline.
func (r *Receiver) chooseByState(ctx context.Context, cands []candidate) ([]candidate, error) {
	states := make(map[int64]engine.EventType)
	for _, c := range cands {
		if _, seen := states[c.jobID]; seen {
			continue
		}
		job, err := r.store.Get(ctx, c.jobID)
		switch {
		case errors.Is(err, engine.ErrNotFound):
			states[c.jobID] = ""
		case err != nil:
			return nil, err
		default:
			states[c.jobID] = job.State
		}
	}

	markers := make([]*redis.IntCmd, len(cands))
	_, err := r.opts.Redis.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, c := range cands {
			markers[i] = p.Exists(ctx, r.keys.Delivery(c.guid))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read delivery markers: %w", err)
	}
	handled := make(map[string]bool, len(cands))
	for i, c := range cands {
		handled[c.guid] = markers[i].Val() > 0
	}
	return choose(cands, states, handled), nil
}

// github returns the GitHub client, building it on first use.
func (r *Receiver) github(ctx context.Context) (*github.Client, error) {
	r.ghMu.Lock()
	defer r.ghMu.Unlock()
	if r.ghc != nil {
		return r.ghc, nil
	}
	c, err := github.New(ctx, r.opts.GitHub)
	if err != nil {
		return nil, err
	}
	r.ghc = c
	return c, nil
}
