// Package github is the GitHub REST client Anklet's handler, receiver and
// reconcilers share. It wraps go-github with the three things every caller
// needs and none should repeat:
//
//   - authentication by personal access token or GitHub App (installation
//     tokens minted and refreshed by ghinstallation, App JWT for the App's own
//     hook deliveries), against github.com, GitHub Enterprise Server or a
//     local simulator;
//   - rate-limit manners: a primary limit waits until the reset time, a
//     secondary limit waits for Retry-After (or at least a minute, backing
//     off), server errors are retried a few times with jittered backoff, and
//     every wait ends when the caller's context does;
//   - full pagination, so a list never silently stops at the first page.
//
// Methods return small value types (Runner, JobStatus, QueuedJob, Delivery)
// rather than go-github structs, and sentinel errors (ErrNotFound,
// ErrRunnerBusy, ErrJITUnavailable, ErrRateLimited) where callers branch.
// No method logs or returns a token, private key, JIT config or registration
// token except as its documented result.
package github
