package reconcile

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/github"
)

// Defaults for WebhookOptions.
const (
	DefaultWebhookInterval = 5 * time.Minute
	// DefaultLabelPrefix marks the jobs Anklet runs: runs-on labels
	// starting with it name the Anka template.
	DefaultLabelPrefix = "anka-template:"
	// DefaultStaleAfter is how long a job must have gone without an event
	// before its status is asked of GitHub.
	DefaultStaleAfter = 15 * time.Minute
	// DefaultMaxRuns bounds the runs whose jobs one pass lists.
	DefaultMaxRuns = 50
	// DefaultMinRunAge is how old a run must be before a pass looks at it.
	DefaultMinRunAge = 2 * time.Minute
	// DefaultMaxStatusChecks bounds the job status calls of one pass.
	DefaultMaxStatusChecks = 20
)

// JobsAPI is the part of the GitHub client that LostWebhooks uses;
// *github.Client implements it.
type JobsAPI interface {
	QueuedJobs(ctx context.Context, owner, repo string,
		opts github.QueuedJobsOptions) ([]github.QueuedJob, error)
	Job(ctx context.Context, owner, repo string, jobID int64) (github.JobStatus, error)
}

// WebhookOptions configures NewLostWebhooks.
type WebhookOptions struct {
	// GitHub lists queued jobs and reports job status. Required.
	GitHub JobsAPI
	// Redis holds the queue. Required.
	Redis redis.UniversalClient
	// Queue is the queue jobs go to. Required.
	Queue string
	// Host and Plugin are written as the writer of the events. Required.
	Host, Plugin string
	// Owner and Repo name the jobs to look at: one repository, or with Repo
	// empty every repository of organization Owner. Owner is required.
	Owner, Repo string
	// LabelPrefix selects GitHub's queued jobs to enqueue: those with a
	// label starting with it. Default "anka-template:".
	LabelPrefix string
	// Interval is the time between passes; default 5 min.
	Interval time.Duration
	// Turn makes Run pass only when it takes the turn, so that any number
	// of processes make one pass per interval between them. Default: the
	// turn "lost-webhooks:<owner>[/<repo>]" on Queue, taken as Host.
	Turn *Turn
	// MaxRuns bounds the workflow runs whose jobs one pass lists (a call or
	// more each), oldest first, so a large backlog of queued jobs does not
	// spend the token's hourly budget; 0 means 50, a negative value lists
	// every run.
	MaxRuns int
	// MinRunAge skips runs younger than this, whose webhooks may still be on
	// their way (and which the receiver's redelivery covers); 0 means 2 min,
	// a negative value looks at every run.
	MinRunAge time.Duration
	// StaleAfter is how long a job the log shows open must have gone
	// without an event before GitHub is asked whether it finished, and how
	// long before the same job is asked about again; default 15 min.
	StaleAfter time.Duration
	// MaxStatusChecks bounds the job status calls of one pass, oldest jobs
	// first; 0 means 20, a negative value turns the check off.
	MaxStatusChecks int
	// Now is the clock that measures StaleAfter; default time.Now.
	Now func() time.Time
	// Logger receives what was appended (info), failed passes (error) and
	// the rest (debug). The zero Logger discards.
	Logger zerolog.Logger
	// OnPass, if set, is called with the report of every pass Run makes,
	// and of every pass it skips for want of the turn (Skipped set).
	OnPass func(Report)
}

// LostWebhooks appends what webhooks that never arrived would have: it
// enqueues the jobs GitHub holds queued that the event log does not know,
// and appends the terminal event of open jobs GitHub shows completed. Both
// are idempotent (Enqueue never writes over a known job, and a terminal
// event applies only to the job version it was decided on), so any number
// of processes may run it. It is safe for concurrent use; passes run one at
// a time.
type LostWebhooks struct {
	opts  WebhookOptions
	store *engine.Store
	scope github.Scope
	loop  loop

	mu      sync.Mutex
	checked map[int64]time.Time // job id → when GitHub was last asked
}

// NewLostWebhooks returns the lost-webhook reconciler. It fails when a
// required option is missing or the queue name is not valid.
func NewLostWebhooks(opts WebhookOptions) (*LostWebhooks, error) {
	if opts.GitHub == nil || opts.Redis == nil || opts.Owner == "" {
		return nil, fmt.Errorf("new lost webhook reconciler: GitHub, Redis and Owner must be set")
	}
	store, err := engine.NewStore(opts.Redis, opts.Queue, opts.Host, opts.Plugin)
	if err != nil {
		return nil, fmt.Errorf("new lost webhook reconciler: %w", err)
	}
	scope := github.Scope{Owner: opts.Owner, Repo: opts.Repo}
	if opts.Turn == nil {
		opts.Turn, err = NewTurn(opts.Redis, opts.Queue, "lost-webhooks:"+scope.String(), opts.Host)
		if err != nil {
			return nil, fmt.Errorf("new lost webhook reconciler: %w", err)
		}
	}
	setWebhookDefaults(&opts)

	w := &LostWebhooks{opts: opts, store: store, scope: scope,
		checked: make(map[int64]time.Time)}
	w.loop = loop{what: "lost webhooks", interval: opts.Interval, turn: opts.Turn,
		log: opts.Logger, pass: w.Pass, onPass: opts.OnPass}
	return w, nil
}

func setWebhookDefaults(opts *WebhookOptions) {
	if opts.LabelPrefix == "" {
		opts.LabelPrefix = DefaultLabelPrefix
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultWebhookInterval
	}
	if opts.StaleAfter <= 0 {
		opts.StaleAfter = DefaultStaleAfter
	}
	if opts.MaxRuns == 0 {
		opts.MaxRuns = DefaultMaxRuns
	}
	if opts.MinRunAge == 0 {
		opts.MinRunAge = DefaultMinRunAge
	}
	if opts.MaxStatusChecks == 0 {
		opts.MaxStatusChecks = DefaultMaxStatusChecks
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
}

// Run passes at once and then every interval, when it takes the turn,
// until ctx is done, and returns nil. A failed pass is logged and tried
// again at the next tick.
func (w *LostWebhooks) Run(ctx context.Context) error { return w.loop.run(ctx) }

// Pass enqueues every job GitHub holds queued (with a label starting with
// LabelPrefix) that the log does not know, then checks open jobs for a lost
// completion (see WebhookOptions.StaleAfter). It ignores the turn. It fails
// when GitHub cannot list the queued jobs or Redis cannot be read; a single
// job that cannot be enqueued or checked is logged, counted in Failed and
// left for the next pass.
func (w *LostWebhooks) Pass(ctx context.Context) (Report, error) {
	w.mu.Lock()
	defer w.mu.Unlock()

	jobs, err := w.opts.GitHub.QueuedJobs(ctx, w.opts.Owner, w.opts.Repo,
		github.QueuedJobsOptions{LabelPrefix: w.opts.LabelPrefix,
			MaxRuns: max(w.opts.MaxRuns, 0), MinAge: max(w.opts.MinRunAge, 0)})
	if err != nil {
		return Report{}, fmt.Errorf("list queued jobs of %s: %w", w.scope, err)
	}

	r := Report{Seen: len(jobs)}
	queued := make(map[int64]bool, len(jobs))
	for _, j := range jobs {
		queued[j.ID] = true
		if err := w.enqueue(ctx, j, &r); err != nil {
			if ctx.Err() != nil {
				return r, fmt.Errorf("lost webhook pass: %w", ctx.Err())
			}
			r.Failed++
			w.opts.Logger.Warn().Err(err).Int64("job_id", j.ID).Msg("enqueue queued job failed")
		}
	}

	if w.opts.MaxStatusChecks > 0 {
		if err := w.finishLost(ctx, queued, &r); err != nil {
			return r, err
		}
	}
	return r, nil
}

// enqueue stores job j unless the log already knows it.
func (w *LostWebhooks) enqueue(ctx context.Context, j github.QueuedJob, r *Report) error {
	_, created, err := w.store.Enqueue(ctx, engine.JobSpec{
		ID: j.ID, RunID: j.RunID, Owner: j.Owner, Repo: j.Repo, Name: j.Name,
		Workflow: j.Workflow, URL: j.URL, Labels: j.Labels,
	})
	if err != nil || !created {
		return err
	}
	r.Enqueued++
	w.opts.Logger.Info().Int64("job_id", j.ID).Int64("run_id", j.RunID).
		Str("owner", j.Owner).Str("repo", j.Repo).Str("queue", w.opts.Queue).
		Msg("enqueued job whose queued webhook never arrived")
	return nil
}
