package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/anklet/anklet/github"
)

// Defaults for RunnerOptions.
const (
	DefaultRunnerInterval = 5 * time.Minute
	// DefaultRunnerGrace is long enough for a just-in-time runner being
	// prepared in a booting VM to come online.
	DefaultRunnerGrace = 10 * time.Minute
)

// RunnerAPI is the part of the GitHub client that OrphanRunners uses;
// *github.Client implements it.
type RunnerAPI interface {
	Runners(ctx context.Context, scope github.Scope, namePrefix string) ([]github.Runner, error)
	RemoveRunner(ctx context.Context, scope github.Scope, id int64) error
}

// RunnerOptions configures NewOrphanRunners.
type RunnerOptions struct {
	// GitHub lists and removes runners. Required.
	GitHub RunnerAPI
	// Scope is where the runners are registered: the repository when Repo
	// is set, else the organization Owner. Owner is required.
	Scope github.Scope
	// Owned, if set, reports whether a live handler on this host owns VM
	// vm; the runner named after an owned VM is kept. An error keeps the
	// runner and clears its mark.
	Owned func(vm string) (bool, error)
	// Interval is the time between passes; default 5 min.
	Interval time.Duration
	// Grace is how long a runner must stay offline and idle, seen so on
	// passes at least Grace apart, before it is removed; default 10 min.
	Grace time.Duration
	// Turn, if set, makes Run pass only when it takes the turn, so that a
	// fleet lists the runners once per interval. Nil: every Run passes.
	Turn *Turn
	// Now is the clock that measures Grace; default time.Now.
	Now func() time.Time
	// Logger receives what was removed (info), failed passes (error) and
	// the rest (debug). The zero Logger discards.
	Logger zerolog.Logger
	// OnPass, if set, is called with the report of every pass Run makes,
	// and of every pass it skips for want of the turn (Skipped set).
	OnPass func(Report)
}

// OrphanRunners removes `anklet-vm-*` runners of one scope that stay
// offline and idle: a runner seen so is marked, and removed by a pass at
// least Grace later if it has been offline and idle on every pass between.
// A runner that is online, busy or owned loses its mark. Runners whose
// name lacks VMPrefix are never touched. It is safe for concurrent use;
// passes run one at a time.
type OrphanRunners struct {
	opts RunnerOptions
	loop loop

	mu     sync.Mutex
	marked map[int64]time.Time // runner id → first seen offline and idle
}

// NewOrphanRunners returns the runner reconciler. It fails when GitHub or
// Scope.Owner is missing.
func NewOrphanRunners(opts RunnerOptions) (*OrphanRunners, error) {
	if opts.GitHub == nil || opts.Scope.Owner == "" {
		return nil, fmt.Errorf("new orphan runner reconciler: GitHub and Scope.Owner must be set")
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultRunnerInterval
	}
	if opts.Grace <= 0 {
		opts.Grace = DefaultRunnerGrace
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	o := &OrphanRunners{opts: opts, marked: make(map[int64]time.Time)}
	o.loop = loop{what: "orphan runners", interval: opts.Interval, turn: opts.Turn,
		log: opts.Logger, pass: o.Pass, onPass: opts.OnPass}
	return o, nil
}

// Run passes at once and then every interval (when it takes the turn, if
// there is one) until ctx is done, and returns nil. A failed pass, such as
// a GitHub outage, is logged and tried again at the next tick.
func (o *OrphanRunners) Run(ctx context.Context) error { return o.loop.run(ctx) }

// Pass lists the scope's `anklet-vm-*` runners (every page), removes those
// offline and idle since a mark at least Grace old, and marks the newly
// offline and idle ones. It fails only when the runners cannot be listed;
// a runner that cannot be checked or removed is logged, counted in Failed
// and left for the next pass.
func (o *OrphanRunners) Pass(ctx context.Context) (Report, error) {
	o.mu.Lock()
	defer o.mu.Unlock()

	runners, err := o.opts.GitHub.Runners(ctx, o.opts.Scope, VMPrefix)
	if err != nil {
		return Report{}, fmt.Errorf("list runners of %s: %w", o.opts.Scope, err)
	}

	var r Report
	now := o.opts.Now()
	seen := make(map[int64]bool, len(runners))
	for _, rn := range runners {
		if !strings.HasPrefix(rn.Name, VMPrefix) || seen[rn.ID] {
			continue
		}
		seen[rn.ID] = true
		r.Seen++
		if err := o.check(ctx, rn, now, &r); err != nil {
			if ctx.Err() != nil {
				return r, fmt.Errorf("orphan runner pass: %w", ctx.Err())
			}
			r.Failed++
			o.opts.Logger.Warn().Err(err).Str("runner", rn.Name).Int64("runner_id", rn.ID).
				Msg("orphan runner check failed")
		}
	}

	for id := range o.marked {
		if !seen[id] {
			delete(o.marked, id)
		}
	}
	return r, nil
}

// check marks or removes runner rn when it is offline, idle and unowned.
func (o *OrphanRunners) check(ctx context.Context, rn github.Runner, now time.Time,
	r *Report) error {
	if rn.Status != "offline" || rn.Busy {
		delete(o.marked, rn.ID)
		return nil
	}
	if o.opts.Owned != nil {
		owned, err := o.opts.Owned(rn.Name)
		if err != nil || owned {
			delete(o.marked, rn.ID)
			if err != nil {
				return fmt.Errorf("check owner: %w", err)
			}
			return nil
		}
	}

	since, ok := o.marked[rn.ID]
	if !ok {
		o.marked[rn.ID] = now
		r.Marked++
		o.opts.Logger.Debug().Str("runner", rn.Name).Int64("runner_id", rn.ID).
			Msg("runner offline and idle; removing it after the grace period")
		return nil
	}
	if now.Sub(since) < o.opts.Grace {
		return nil
	}

	err := o.opts.GitHub.RemoveRunner(ctx, o.opts.Scope, rn.ID)
	if errors.Is(err, github.ErrRunnerBusy) {
		delete(o.marked, rn.ID) // it took a job after all
		return nil
	}
	if err != nil {
		return fmt.Errorf("remove: %w", err)
	}
	delete(o.marked, rn.ID)
	r.Removed++
	o.opts.Logger.Info().Str("runner", rn.Name).Int64("runner_id", rn.ID).
		Time("offline_since", since).Msg("removed orphan runner")
	return nil
}
