package github

import (
	"context"
	"errors"
	"fmt"
	"time"

	gh "github.com/google/go-github/v66/github"
)

// JobStatus is what GitHub currently says about one workflow job.
type JobStatus struct {
	Status     string // queued, in_progress, completed, waiting, ...
	Conclusion string // empty until completed
	RunnerID   int64  // 0 until a runner took the job
	RunnerName string
	Labels     []string
	RunID      int64
	Name       string
	Workflow   string
	URL        string // the job's html_url
}

// Job returns the status of job jobID in owner/repo. A job GitHub does not
// know (or the credentials cannot see) gives ErrNotFound.
func (c *Client) Job(ctx context.Context, owner, repo string, jobID int64) (JobStatus, error) {
	var j *gh.WorkflowJob
	_, err := c.call(ctx, func(ctx context.Context) (resp *gh.Response, err error) {
		j, resp, err = c.gh.Actions.GetWorkflowJobByID(ctx, owner, repo, jobID)
		return resp, err
	})
	if err != nil {
		return JobStatus{}, fmt.Errorf("get job %d in %s/%s: %w", jobID, owner, repo, notFound(err))
	}
	return JobStatus{
		Status:     j.GetStatus(),
		Conclusion: j.GetConclusion(),
		RunnerID:   j.GetRunnerID(),
		RunnerName: j.GetRunnerName(),
		Labels:     j.Labels,
		RunID:      j.GetRunID(),
		Name:       j.GetName(),
		Workflow:   j.GetWorkflowName(),
		URL:        j.GetHTMLURL(),
	}, nil
}

// QueuedJob is a job GitHub is holding for a runner: everything needed to
// enqueue it as if its queued webhook had arrived.
type QueuedJob struct {
	ID        int64
	RunID     int64
	Name      string
	Workflow  string
	URL       string // html_url
	Labels    []string
	Owner     string
	Repo      string
	CreatedAt time.Time
}

// QueuedJobsOptions narrows [Client.QueuedJobs].
type QueuedJobsOptions struct {
	// LabelPrefix selects jobs with a label starting with it.
	LabelPrefix string
	// MaxRuns bounds how many runs' jobs are listed (one call or more
	// each), oldest runs first, so that a large backlog does not spend the
	// token's hourly budget; 0 lists every run.
	MaxRuns int
	// MinAge skips runs created less than this long ago, whose webhooks
	// may still be on their way.
	MinAge time.Duration
}

// QueuedJobs finds the queued jobs of owner/repo (or, with repo empty, of
// every repository of organization owner) that carry a label starting with
// opts.LabelPrefix. It looks at workflow runs that are queued or in
// progress, since a running workflow can still have queued jobs, and
// follows every page. In organization scope, repositories whose runs GitHub
// will not list (404: Actions disabled, or not visible to the credentials)
// are skipped.
//
// TODO: in organization scope every repository costs two list calls per
// call; an organization with hundreds of repositories would want the list
// narrowed to those that ran Anka jobs before.
func (c *Client) QueuedJobs(
	ctx context.Context, owner, repo string, opts QueuedJobsOptions,
) ([]QueuedJob, error) {
	repos := []string{repo}
	if repo == "" {
		var err error
		if repos, err = c.orgRepos(ctx, owner); err != nil {
			return nil, err
		}
	}

	var out []QueuedJob
	seen := make(map[int64]bool)
	budget := opts.MaxRuns
	if budget <= 0 {
		budget = -1 // no bound
	}
	for _, r := range repos {
		if budget == 0 {
			break
		}
		jobs, err := c.repoQueuedJobs(ctx, owner, r, opts, &budget)
		if repo == "" && errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, j := range jobs {
			if !seen[j.ID] {
				seen[j.ID] = true
				out = append(out, j)
			}
		}
	}
	return out, nil
}

// orgRepos lists the active (not archived, not disabled) repositories of
// organization org.
func (c *Client) orgRepos(ctx context.Context, org string) ([]string, error) {
	opt := &gh.RepositoryListByOrgOptions{ListOptions: gh.ListOptions{PerPage: perPage}}
	var names []string
	for {
		var page []*gh.Repository
		resp, err := c.call(ctx, func(ctx context.Context) (resp *gh.Response, err error) {
			page, resp, err = c.gh.Repositories.ListByOrg(ctx, org, opt)
			return resp, err
		})
		if err != nil {
			return nil, fmt.Errorf("list repositories of %s: %w", org, notFound(err))
		}
		for _, r := range page {
			if !r.GetArchived() && !r.GetDisabled() {
				names = append(names, r.GetName())
			}
		}
		if resp.NextPage == 0 {
			return names, nil
		}
		opt.Page = resp.NextPage
	}
}
