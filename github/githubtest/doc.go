// Package githubtest is a fake GitHub for tests, in the manner of
// net/http/httptest: NewServer starts a real HTTP server on a loopback port
// that answers the REST endpoints Anklet uses with GitHub's shapes, status
// codes and headers, plays GitHub's part in a runner's life (a connected
// runner takes the oldest matching queued job, reports in_progress, runs for
// the job's scripted duration, completes, and an ephemeral runner is
// removed), and delivers signed workflow_job webhooks to a receiver,
// recording each delivery so that redelivery can be exercised.
//
// Every route is served both at "/" and under "/api/v3/", so a client may
// treat the server as api.github.com or as GitHub Enterprise Server.
//
// Tests drive it through Go methods (QueueJob, CancelRun, ConnectRunner,
// fault knobs) and assert with query methods (Jobs, Runners, Deliveries,
// Calls). A process that cannot import this package (the fake runner started
// inside a fake VM) uses the control endpoints under "/_githubtest/", see
// ConnectPath.
//
// Sender, Signature256 and WorkflowJobEvent build and send webhooks without
// a Server, for benchmarks and fuzzing of receivers.
package githubtest
