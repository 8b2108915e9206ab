package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/bradleyfalzon/ghinstallation/v2"
	gh "github.com/google/go-github/v66/github"
)

// useApp sets up GitHub App authentication: a JWT client for the App's own
// endpoints and an installation-token client for everything else.
func (c *Client) useApp(ctx context.Context, opts Options, apiBase string) error {
	key, err := privateKey(opts.PrivateKey)
	if err != nil {
		return err
	}
	ghinstBase := strings.TrimSuffix(apiBase, "/")
	if ghinstBase == "" {
		ghinstBase = "https://api.github.com"
	}

	// The JWT client and the installation transport each get their own
	// AppsTransport: ghinstallation rewrites fields of the one it refreshes
	// tokens through.
	appTr, err := ghinstallation.NewAppsTransport(c.appLim, opts.AppID, key)
	if err != nil {
		return fmt.Errorf("app %d: %w", opts.AppID, err)
	}
	appTr.BaseURL = ghinstBase
	c.app, err = newGH(&http.Client{Transport: appTr}, apiBase)
	if err != nil {
		return err
	}

	id := opts.InstallationID
	if id == 0 {
		if id, err = c.findInstallation(ctx, opts.Owner, opts.Repo); err != nil {
			return fmt.Errorf("app %d: %w", opts.AppID, err)
		}
	}

	instApps, err := ghinstallation.NewAppsTransport(c.lim, opts.AppID, key)
	if err != nil {
		return fmt.Errorf("app %d: %w", opts.AppID, err)
	}
	inst := ghinstallation.NewFromAppsTransport(instApps, id)
	inst.BaseURL = ghinstBase
	inst.Client = &http.Client{Transport: c.lim}
	c.gh, err = newGH(&http.Client{Transport: inst}, apiBase)
	return err
}

// privateKey returns the PEM bytes of spec: inline PEM text, or the contents
// of the file it names ("~/" expands to the home directory). Errors name the
// path, never the key.
func privateKey(spec string) ([]byte, error) {
	if spec == "" {
		return nil, errors.New("private_key is empty")
	}
	if strings.Contains(spec, "-----BEGIN") {
		return []byte(spec), nil
	}

	path := spec
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, fmt.Errorf("private key %s: %w", spec, err)
		}
		path = filepath.Join(home, rest)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("private key: %w", err)
	}
	return b, nil
}

// findInstallation resolves the App installation for owner: the
// organization's, then repo's, then the user's, then any listed installation
// whose account login is owner.
func (c *Client) findInstallation(ctx context.Context, owner, repo string) (int64, error) {
	if owner == "" {
		return 0, fmt.Errorf("installation_id is 0 and no owner to look it up: %w", ErrNoInstallation)
	}

	lookups := []func(context.Context) (*gh.Installation, *gh.Response, error){
		func(ctx context.Context) (*gh.Installation, *gh.Response, error) {
			return c.app.Apps.FindOrganizationInstallation(ctx, owner)
		},
	}
	if repo != "" {
		lookups = append(lookups, func(ctx context.Context) (*gh.Installation, *gh.Response, error) {
			return c.app.Apps.FindRepositoryInstallation(ctx, owner, repo)
		})
	}
	lookups = append(lookups, func(ctx context.Context) (*gh.Installation, *gh.Response, error) {
		return c.app.Apps.FindUserInstallation(ctx, owner)
	})

	for _, lookup := range lookups {
		var inst *gh.Installation
		_, err := c.call(ctx, func(ctx context.Context) (resp *gh.Response, err error) {
			inst, resp, err = lookup(ctx)
			return resp, err
		})
		if err == nil && inst.GetID() != 0 {
			return inst.GetID(), nil
		}
		if err != nil && statusOf(err) != http.StatusNotFound {
			return 0, fmt.Errorf("find installation for %s: %w", owner, err)
		}
	}
	return c.scanInstallations(ctx, owner)
}

// scanInstallations pages through the App's installations for one whose
// account is owner.
func (c *Client) scanInstallations(ctx context.Context, owner string) (int64, error) {
	opt := &gh.ListOptions{PerPage: perPage}
	for {
		var page []*gh.Installation
		resp, err := c.call(ctx, func(ctx context.Context) (resp *gh.Response, err error) {
			page, resp, err = c.app.Apps.ListInstallations(ctx, opt)
			return resp, err
		})
		if err != nil {
			return 0, fmt.Errorf("list app installations: %w", err)
		}
		for _, inst := range page {
			if strings.EqualFold(inst.GetAccount().GetLogin(), owner) {
				return inst.GetID(), nil
			}
		}
		if resp.NextPage == 0 {
			return 0, fmt.Errorf("installation for %s: %w", owner, ErrNoInstallation)
		}
		opt.Page = resp.NextPage
	}
}
