package githubtest

import (
	"crypto/rsa"
	"time"
)

// Option configures a Server.
type Option func(*config)

type config struct {
	seed           int64
	tokens         []string
	appID          int64
	appKey         *rsa.PublicKey
	hookKind       HookKind
	hookID         int64
	webhookTimeout time.Duration
	enterprise     string
	logf           func(format string, args ...any)
}

// WithSeed seeds the server's randomness (GUIDs, tokens, fault fractions) so
// that a run can be repeated. Default 1.
func WithSeed(seed int64) Option {
	return func(c *config) { c.seed = seed }
}

// WithToken adds a personal access token the server accepts, besides the one
// Token returns.
func WithToken(token string) Option {
	return func(c *config) { c.tokens = append(c.tokens, token) }
}

// WithApp registers a GitHub App: JWTs signed by the private half of key
// with issuer appID are accepted on the App endpoints, and every account
// gets an installation of it.
func WithApp(appID int64, key *rsa.PublicKey) Option {
	return func(c *config) { c.appID, c.appKey = appID, key }
}

// WithHookKind sets where the webhook lives (default HookOrg) and so which
// delivery endpoints answer for it.
func WithHookKind(kind HookKind) Option {
	return func(c *config) { c.hookKind = kind }
}

// WithHookID sets the webhook's id (default 424242).
func WithHookID(id int64) Option {
	return func(c *config) { c.hookID = id }
}

// WithWebhookTimeout sets how long a delivery waits for the receiver's
// answer before it is recorded as "timed out" (default 10 s, github.com's).
func WithWebhookTimeout(d time.Duration) Option {
	return func(c *config) { c.webhookTimeout = d }
}

// WithEnterprise makes webhooks look like GitHub Enterprise Server's, with
// X-GitHub-Enterprise-Version set to version and X-GitHub-Enterprise-Host.
func WithEnterprise(version string) Option {
	return func(c *config) { c.enterprise = version }
}

// WithLogf sends the server's notes (each delivery, each runner assignment)
// to logf, for example t.Logf. Default: nothing is logged.
func WithLogf(logf func(format string, args ...any)) Option {
	return func(c *config) { c.logf = logf }
}
