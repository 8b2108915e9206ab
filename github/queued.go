package github

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	gh "github.com/google/go-github/v66/github"
)

// repoQueuedJobs collects the matching queued jobs of one repository,
// listing the jobs of at most *budget runs (oldest first; -1: no bound) and
// taking what it spent from it.
func (c *Client) repoQueuedJobs(
	ctx context.Context, owner, repo string, opts QueuedJobsOptions, budget *int,
) ([]QueuedJob, error) {
	runs, err := c.openRuns(ctx, owner, repo, opts.MinAge)
	if err != nil {
		return nil, err
	}

	var out []QueuedJob
	for _, run := range runs {
		if *budget == 0 {
			break
		}
		if *budget > 0 {
			*budget--
		}
		jobs, err := c.runJobs(ctx, owner, repo, run.GetID())
		if errors.Is(err, ErrNotFound) {
			continue // the run was deleted meanwhile
		}
		if err != nil {
			return nil, err
		}
		for _, j := range jobs {
			if j.GetStatus() != "queued" || !hasLabelPrefix(j.Labels, opts.LabelPrefix) {
				continue
			}
			workflow := j.GetWorkflowName()
			if workflow == "" {
				workflow = run.GetName()
			}
			out = append(out, QueuedJob{
				ID:        j.GetID(),
				RunID:     run.GetID(),
				Name:      j.GetName(),
				Workflow:  workflow,
				URL:       j.GetHTMLURL(),
				Labels:    j.Labels,
				Owner:     owner,
				Repo:      repo,
				CreatedAt: j.GetCreatedAt().Time,
			})
		}
	}
	return out, nil
}

// openRuns lists the queued and in-progress runs of owner/repo created at
// least minAge ago, oldest first.
func (c *Client) openRuns(
	ctx context.Context, owner, repo string, minAge time.Duration,
) ([]*gh.WorkflowRun, error) {
	cutoff := time.Now().Add(-minAge)
	seen := make(map[int64]bool)
	var out []*gh.WorkflowRun
	for _, status := range []string{"queued", "in_progress"} {
		list, err := c.runs(ctx, owner, repo, status)
		if err != nil {
			return nil, err
		}
		for _, r := range list {
			if seen[r.GetID()] || (minAge > 0 && r.GetCreatedAt().After(cutoff)) {
				continue
			}
			seen[r.GetID()] = true
			out = append(out, r)
		}
	}
	// Creation times have whole seconds; run ids grow with time and break ties.
	sort.Slice(out, func(i, k int) bool {
		a, b := out[i].GetCreatedAt().Time, out[k].GetCreatedAt().Time
		if !a.Equal(b) {
			return a.Before(b)
		}
		return out[i].GetID() < out[k].GetID()
	})
	return out, nil
}

// runs lists the workflow runs of owner/repo with status.
func (c *Client) runs(ctx context.Context, owner, repo, status string) ([]*gh.WorkflowRun, error) {
	opt := &gh.ListWorkflowRunsOptions{Status: status, ListOptions: gh.ListOptions{PerPage: perPage}}
	var out []*gh.WorkflowRun
	for {
		var page *gh.WorkflowRuns
		resp, err := c.call(ctx, func(ctx context.Context) (resp *gh.Response, err error) {
			page, resp, err = c.gh.Actions.ListRepositoryWorkflowRuns(ctx, owner, repo, opt)
			return resp, err
		})
		if err != nil {
			return nil, fmt.Errorf("list %s runs of %s/%s: %w", status, owner, repo, notFound(err))
		}
		out = append(out, page.WorkflowRuns...)
		if resp.NextPage == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
}

// runJobs lists the jobs of the latest attempt of run runID.
func (c *Client) runJobs(
	ctx context.Context, owner, repo string, runID int64,
) ([]*gh.WorkflowJob, error) {
	opt := &gh.ListWorkflowJobsOptions{Filter: "latest", ListOptions: gh.ListOptions{PerPage: perPage}}
	var out []*gh.WorkflowJob
	for {
		var page *gh.Jobs
		resp, err := c.call(ctx, func(ctx context.Context) (resp *gh.Response, err error) {
			page, resp, err = c.gh.Actions.ListWorkflowJobs(ctx, owner, repo, runID, opt)
			return resp, err
		})
		if err != nil {
			return nil, fmt.Errorf("list jobs of run %d in %s/%s: %w", runID, owner, repo, notFound(err))
		}
		out = append(out, page.Jobs...)
		if resp.NextPage == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
}

func hasLabelPrefix(labels []string, prefix string) bool {
	for _, l := range labels {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}
