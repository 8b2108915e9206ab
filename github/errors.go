package github

import (
	"errors"
	"fmt"
	"net/http"

	gh "github.com/google/go-github/v66/github"
)

var (
	// ErrNotFound means GitHub answered 404: the job, run, runner, group or
	// delivery does not exist or the credentials cannot see it.
	ErrNotFound = errors.New("github: not found")

	// ErrJITUnavailable means GitHub refused to mint a just-in-time runner
	// config (403 or 404: the endpoint is missing, as on older GHES, or the
	// credentials lack the permission). Callers fall back to registration
	// tokens.
	ErrJITUnavailable = errors.New("github: jit runner config unavailable")

	// ErrRunnerBusy means GitHub refused to remove a runner because it is
	// running a job (422).
	ErrRunnerBusy = errors.New("github: runner is busy")

	// ErrRunnerExists means a runner with the requested name already exists
	// and could not be replaced (409 on generate-jitconfig).
	ErrRunnerExists = errors.New("github: runner name already in use")

	// ErrRateLimited means a rate limit would outlast the caller's context:
	// the client gave up instead of waiting past the deadline.
	ErrRateLimited = errors.New("github: rate limited beyond the context deadline")

	// ErrNoInstallation means the GitHub App has no installation for the
	// configured owner, so no installation token can be minted.
	ErrNoInstallation = errors.New("github: app installation not found")

	// ErrAppAuthRequired means the operation needs GitHub App credentials
	// (the App's own webhook deliveries), but the client uses a token.
	ErrAppAuthRequired = errors.New("github: operation needs github app credentials")
)

// statusOf returns the HTTP status of a go-github error, or 0 when the error
// carries no response.
func statusOf(err error) int {
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	return 0
}

// isAccepted reports whether err is go-github's rendering of a 202 answer,
// which for redelivery means success.
func isAccepted(err error) bool {
	var ae *gh.AcceptedError
	return errors.As(err, &ae)
}

// notFound wraps err with ErrNotFound when GitHub answered 404.
func notFound(err error) error {
	if statusOf(err) == http.StatusNotFound {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}
