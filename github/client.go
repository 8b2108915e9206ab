package github

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	gh "github.com/google/go-github/v66/github"
	"github.com/rs/zerolog"
)

// defaultHTTPTimeout bounds one HTTP exchange when Options.HTTPClient is nil.
const defaultHTTPTimeout = 60 * time.Second

// perPage is the page size for every list call: GitHub's maximum.
const perPage = 100

// Options configures New. Either Token or AppID with PrivateKey is required;
// when both are set the App is used.
type Options struct {
	// Token is a personal access token (classic or fine-grained).
	Token string

	// AppID and PrivateKey select GitHub App authentication. PrivateKey is a
	// PEM file path ("~/" is expanded) or the PEM text itself.
	AppID      int64
	PrivateKey string

	// InstallationID is the App installation to mint tokens for. When 0 it is
	// looked up for Owner: the organization installation, then the Repo's,
	// then the user's, then any installation whose account is Owner.
	InstallationID int64

	// Owner is the organization or user whose installation is looked up when
	// InstallationID is 0. Repo, if set, adds the repository lookup.
	Owner string
	Repo  string

	// BaseURL is the REST API root for GitHub Enterprise Server
	// ("https://HOST/api/v3/") or a local simulator ("http://127.0.0.1:PORT",
	// which becomes ".../api/v3/"). Empty means https://api.github.com/.
	BaseURL string

	// HTTPClient supplies the transport and the timeout of one HTTP exchange
	// (waits for rate limits are not counted in it). Nil means
	// http.DefaultTransport and 60 s; a zero Timeout means 60 s too.
	HTTPClient *http.Client

	// Logger receives rate-limit waits and retries. The zero Logger discards.
	Logger zerolog.Logger

	// OnRateLimit, if set, is called with the time calls will resume when a
	// call starts waiting for a rate limit, and with the zero time when no call
	// is waiting any more, so metrics can show a "limit_paused" status. It is
	// called with the client's wait lock held: it must return quickly and must
	// not call the Client.
	OnRateLimit func(until time.Time)
}

// Client is a GitHub REST client. It is safe for concurrent use.
type Client struct {
	gh     *gh.Client // token or installation-token client
	app    *gh.Client // App JWT client; nil with token auth
	lim    *limiter   // beneath gh
	appLim *limiter   // beneath app
	pause  *pauser
	webURL string
	log    zerolog.Logger
}

// Scope names where runners live: an organization (Repo empty) or one
// repository.
type Scope struct {
	Owner string
	Repo  string
}

// Org reports whether the scope is an organization.
func (s Scope) Org() bool { return s.Repo == "" }

// String renders the scope as "owner" or "owner/repo".
func (s Scope) String() string {
	if s.Org() {
		return s.Owner
	}
	return s.Owner + "/" + s.Repo
}

// New builds a Client. With App credentials and no InstallationID it calls
// GitHub (bounded by ctx) to find the installation; otherwise it makes no
// request. It fails on missing or unreadable credentials, a malformed
// BaseURL, or when no installation is found (ErrNoInstallation).
func New(ctx context.Context, opts Options) (*Client, error) {
	if opts.AppID == 0 && opts.Token == "" {
		return nil, fmt.Errorf("new github client: set token or app_id with private_key")
	}

	base, timeout := http.DefaultTransport, defaultHTTPTimeout
	if hc := opts.HTTPClient; hc != nil {
		if hc.Transport != nil {
			base = hc.Transport
		}
		if hc.Timeout > 0 {
			timeout = hc.Timeout
		}
	}

	c := &Client{log: opts.Logger}
	c.pause = &pauser{log: opts.Logger, notify: opts.OnRateLimit}
	c.lim = newLimiter(base, c.pause, timeout)
	c.appLim = newLimiter(base, c.pause, timeout)
	apiBase, webURL, err := endpoints(opts.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("new github client: %w", err)
	}
	c.webURL = webURL

	if opts.AppID != 0 {
		if err := c.useApp(ctx, opts, apiBase); err != nil {
			return nil, fmt.Errorf("new github client: %w", err)
		}
		return c, nil
	}

	c.gh, err = newGH(&http.Client{Transport: c.lim}, apiBase)
	if err != nil {
		return nil, fmt.Errorf("new github client: %w", err)
	}
	c.gh = c.gh.WithAuthToken(opts.Token)
	return c, nil
}

// WebURL is the web root runners register against: "https://github.com", or
// the scheme and host of the Enterprise Server or simulator, without a
// trailing slash.
func (c *Client) WebURL() string { return c.webURL }

// newGH returns a go-github client for httpc rooted at apiBase.
func newGH(httpc *http.Client, apiBase string) (*gh.Client, error) {
	client := gh.NewClient(httpc)
	if apiBase == "" {
		return client, nil
	}
	return client.WithEnterpriseURLs(apiBase, apiBase)
}

// endpoints derives the API root (empty for github.com) and the web root
// from Options.BaseURL.
func endpoints(baseURL string) (apiBase, webURL string, err error) {
	if baseURL == "" {
		return "", "https://github.com", nil
	}
	u, err := url.Parse(baseURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", "", fmt.Errorf("base url %q: want scheme://host[/api/v3/]", baseURL)
	}

	client, err := gh.NewClient(nil).WithEnterpriseURLs(baseURL, baseURL)
	if err != nil {
		return "", "", fmt.Errorf("base url %q: %w", baseURL, err)
	}
	host := strings.TrimPrefix(u.Host, "api.")
	return client.BaseURL.String(), u.Scheme + "://" + host, nil
}
