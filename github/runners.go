package github

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	gh "github.com/google/go-github/v66/github"
)

// defaultRunnerGroupID is the id of every organization's "Default" runner
// group, and the only group a repository runner can join.
const defaultRunnerGroupID = 1

// Runner is a self-hosted runner registration as GitHub reports it.
type Runner struct {
	ID     int64
	Name   string
	Status string // "online" or "offline"
	Busy   bool
	Labels []string
}

// JITConfig asks GitHub for a just-in-time config for one ephemeral runner
// called name in runnerGroupID with exactly labels, and returns the new
// runner's id and the encoded config for `run.sh --jitconfig`. The config is
// a credential: never log it.
//
// A name already taken (409) is assumed to be this caller's own earlier
// attempt, since runner names are unique per VM: an idle runner of that name
// is removed and the request made once more; a busy one gives ErrRunnerBusy,
// a persisting conflict ErrRunnerExists. 403 and 404 give ErrJITUnavailable
// so the caller can fall back to registration tokens.
func (c *Client) JITConfig(
	ctx context.Context, scope Scope, name string, runnerGroupID int64, labels []string,
) (runnerID int64, encoded string, err error) {
	runnerID, encoded, err = c.generateJIT(ctx, scope, name, runnerGroupID, labels)
	if statusOf(err) == http.StatusConflict {
		if err := c.replaceRunner(ctx, scope, name); err != nil {
			return 0, "", fmt.Errorf("jit config for runner %s in %s: %w", name, scope, err)
		}
		runnerID, encoded, err = c.generateJIT(ctx, scope, name, runnerGroupID, labels)
	}

	switch statusOf(err) {
	case http.StatusForbidden, http.StatusNotFound:
		err = fmt.Errorf("%w: %w", ErrJITUnavailable, err)
	case http.StatusConflict:
		err = fmt.Errorf("%w: %w", ErrRunnerExists, err)
	}
	if err != nil {
		return 0, "", fmt.Errorf("jit config for runner %s in %s: %w", name, scope, err)
	}
	return runnerID, encoded, nil
}

func (c *Client) generateJIT(
	ctx context.Context, scope Scope, name string, groupID int64, labels []string,
) (int64, string, error) {
	req := &gh.GenerateJITConfigRequest{
		Name:          name,
		RunnerGroupID: groupID,
		WorkFolder:    gh.String("_work"),
		Labels:        labels,
	}
	var cfg *gh.JITRunnerConfig
	_, err := c.call(ctx, func(ctx context.Context) (resp *gh.Response, err error) {
		if scope.Org() {
			cfg, resp, err = c.gh.Actions.GenerateOrgJITConfig(ctx, scope.Owner, req)
		} else {
			cfg, resp, err = c.gh.Actions.GenerateRepoJITConfig(ctx, scope.Owner, scope.Repo, req)
		}
		return resp, err
	})
	if err != nil {
		return 0, "", err
	}
	if cfg.GetEncodedJITConfig() == "" {
		return 0, "", fmt.Errorf("github answered without encoded_jit_config")
	}
	return cfg.GetRunner().GetID(), cfg.GetEncodedJITConfig(), nil
}

// replaceRunner removes the idle runner called name so its name can be used
// again.
func (c *Client) replaceRunner(ctx context.Context, scope Scope, name string) error {
	runners, err := c.listRunners(ctx, scope, name)
	if err != nil {
		return err
	}
	for _, r := range runners {
		if r.Name != name {
			continue
		}
		if r.Busy {
			return fmt.Errorf("runner %s (id %d): %w", name, r.ID, ErrRunnerBusy)
		}
		c.log.Info().Int64("runner_id", r.ID).Str("runner", name).
			Msg("removing stale runner registration that holds the name")
		return c.RemoveRunner(ctx, scope, r.ID)
	}
	return nil
}

// RunnerGroupID returns the id of the organization runner group called name.
// A repository scope or an empty name gives 1, the "Default" group. A group
// that does not exist gives ErrNotFound.
func (c *Client) RunnerGroupID(ctx context.Context, scope Scope, name string) (int64, error) {
	if !scope.Org() || name == "" {
		return defaultRunnerGroupID, nil
	}

	opt := &gh.ListOrgRunnerGroupOptions{ListOptions: gh.ListOptions{PerPage: perPage}}
	for {
		var groups *gh.RunnerGroups
		resp, err := c.call(ctx, func(ctx context.Context) (resp *gh.Response, err error) {
			groups, resp, err = c.gh.Actions.ListOrganizationRunnerGroups(ctx, scope.Owner, opt)
			return resp, err
		})
		if err != nil {
			return 0, fmt.Errorf("list runner groups of %s: %w", scope, notFound(err))
		}
		for _, g := range groups.RunnerGroups {
			if strings.EqualFold(g.GetName(), name) {
				return g.GetID(), nil
			}
		}
		if resp.NextPage == 0 {
			return 0, fmt.Errorf("runner group %q in %s: %w", name, scope, ErrNotFound)
		}
		opt.Page = resp.NextPage
	}
}

// RegistrationToken returns a one-hour runner registration token for scope,
// for `config.sh --token`. The token is a credential: never log it.
func (c *Client) RegistrationToken(ctx context.Context, scope Scope) (string, error) {
	var tok *gh.RegistrationToken
	_, err := c.call(ctx, func(ctx context.Context) (resp *gh.Response, err error) {
		if scope.Org() {
			tok, resp, err = c.gh.Actions.CreateOrganizationRegistrationToken(ctx, scope.Owner)
		} else {
			tok, resp, err = c.gh.Actions.CreateRegistrationToken(ctx, scope.Owner, scope.Repo)
		}
		return resp, err
	})
	if err != nil {
		return "", fmt.Errorf("registration token for %s: %w", scope, notFound(err))
	}
	if tok.GetToken() == "" {
		return "", fmt.Errorf("registration token for %s: empty token in answer", scope)
	}
	return tok.GetToken(), nil
}

// Runners lists every runner registered in scope whose name starts with
// namePrefix (all of them for ""), following every page.
func (c *Client) Runners(ctx context.Context, scope Scope, namePrefix string) ([]Runner, error) {
	all, err := c.listRunners(ctx, scope, "")
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, r := range all {
		if strings.HasPrefix(r.Name, namePrefix) {
			out = append(out, r)
		}
	}
	return out, nil
}

// listRunners lists runners in scope, filtered by GitHub to the exact name
// when name is not empty.
func (c *Client) listRunners(ctx context.Context, scope Scope, name string) ([]Runner, error) {
	opt := &gh.ListRunnersOptions{ListOptions: gh.ListOptions{PerPage: perPage}}
	if name != "" {
		opt.Name = gh.String(name)
	}

	var out []Runner
	for {
		var page *gh.Runners
		resp, err := c.call(ctx, func(ctx context.Context) (resp *gh.Response, err error) {
			if scope.Org() {
				page, resp, err = c.gh.Actions.ListOrganizationRunners(ctx, scope.Owner, opt)
			} else {
				page, resp, err = c.gh.Actions.ListRunners(ctx, scope.Owner, scope.Repo, opt)
			}
			return resp, err
		})
		if err != nil {
			return nil, fmt.Errorf("list runners of %s: %w", scope, notFound(err))
		}
		for _, r := range page.Runners {
			out = append(out, runnerOf(r))
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
}

func runnerOf(r *gh.Runner) Runner {
	labels := make([]string, 0, len(r.Labels))
	for _, l := range r.Labels {
		labels = append(labels, l.GetName())
	}
	return Runner{
		ID:     r.GetID(),
		Name:   r.GetName(),
		Status: r.GetStatus(),
		Busy:   r.GetBusy(),
		Labels: labels,
	}
}

// RemoveRunner deletes runner id from scope. A runner that is already gone
// (404) counts as removed; one running a job gives ErrRunnerBusy.
func (c *Client) RemoveRunner(ctx context.Context, scope Scope, id int64) error {
	_, err := c.call(ctx, func(ctx context.Context) (*gh.Response, error) {
		if scope.Org() {
			return c.gh.Actions.RemoveOrganizationRunner(ctx, scope.Owner, id)
		}
		return c.gh.Actions.RemoveRunner(ctx, scope.Owner, scope.Repo, id)
	})
	switch statusOf(err) {
	case 0:
		if err != nil {
			return fmt.Errorf("remove runner %d from %s: %w", id, scope, err)
		}
		return nil
	case http.StatusNotFound:
		return nil
	case http.StatusUnprocessableEntity:
		return fmt.Errorf("remove runner %d from %s: %w: %w", id, scope, ErrRunnerBusy, err)
	}
	return fmt.Errorf("remove runner %d from %s: %w", id, scope, err)
}
