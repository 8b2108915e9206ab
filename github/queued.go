package github

import (
	"context"
	"errors"
	"fmt"
	"strings"

	gh "github.com/google/go-github/v66/github"
)

// repoQueuedJobs collects the matching queued jobs of one repository.
func (c *Client) repoQueuedJobs(
	ctx context.Context, owner, repo, labelPrefix string,
) ([]QueuedJob, error) {
	runs := make(map[int64]*gh.WorkflowRun)
	var order []int64
	for _, status := range []string{"queued", "in_progress"} {
		list, err := c.runs(ctx, owner, repo, status)
		if err != nil {
			return nil, err
		}
		for _, r := range list {
			if runs[r.GetID()] == nil {
				order = append(order, r.GetID())
			}
			runs[r.GetID()] = r
		}
	}

	var out []QueuedJob
	for _, id := range order {
		jobs, err := c.runJobs(ctx, owner, repo, id)
		if errors.Is(err, ErrNotFound) {
			continue // the run was deleted meanwhile
		}
		if err != nil {
			return nil, err
		}
		for _, j := range jobs {
			if j.GetStatus() != "queued" || !hasLabelPrefix(j.Labels, labelPrefix) {
				continue
			}
			workflow := j.GetWorkflowName()
			if workflow == "" {
				workflow = runs[id].GetName()
			}
			out = append(out, QueuedJob{
				ID:        j.GetID(),
				RunID:     id,
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
