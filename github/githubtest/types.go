package githubtest

import "time"

// ContentType is a webhook's payload encoding.
type ContentType string

// Webhook content types, as GitHub names them in a hook's config.
const (
	JSON ContentType = "json" // the body is the JSON payload
	Form ContentType = "form" // the body is payload=<url-encoded JSON>
)

// HookKind says where the server's one webhook is configured. It decides
// which delivery endpoints answer, the X-GitHub-Hook-Installation-Target-*
// headers and whether payloads carry an installation object.
type HookKind string

// The webhook kinds.
const (
	HookRepo HookKind = "repo" // a repository webhook
	HookOrg  HookKind = "org"  // an organization webhook (the default)
	HookApp  HookKind = "app"  // the GitHub App's webhook
)

// Conclusions a job can end with.
const (
	Success   = "success"
	Failure   = "failure"
	Cancelled = "cancelled"
)

// JobSpec describes a job to queue.
type JobSpec struct {
	Owner    string   `json:"owner"` // created as an organization if unknown
	Repo     string   `json:"repo"`  // created if unknown
	Labels   []string `json:"labels"`
	Name     string   `json:"name"`     // default "build"
	Workflow string   `json:"workflow"` // default "CI"

	// Duration is how long the job runs once a runner takes it (default 0:
	// it completes right after in_progress).
	Duration time.Duration `json:"-"`

	// Conclusion is what the job ends with if it runs to the end (default
	// "success").
	Conclusion string `json:"conclusion"`

	// RunID adds the job to an existing, not completed run instead of
	// creating a new run.
	RunID int64 `json:"run_id"`
}

// Job is a snapshot of one workflow job.
type Job struct {
	ID, RunID       int64
	Owner, Repo     string
	Name, Workflow  string
	Labels          []string
	Status          string // queued, in_progress, completed
	Conclusion      string // empty until completed
	RunnerID        int64  // 0 until a runner took it
	RunnerName      string
	RunnerGroupID   int64
	RunnerGroupName string
	CreatedAt       time.Time
	StartedAt       time.Time
	CompletedAt     time.Time // zero until completed
	HTMLURL         string
}

// Run is a snapshot of one workflow run.
type Run struct {
	ID          int64
	Owner, Repo string
	Name        string // the workflow name
	Status      string // queued, in_progress, completed
	Conclusion  string
	JobIDs      []int64
}

// Runner is a snapshot of one self-hosted runner registration.
type Runner struct {
	ID          int64
	Name        string
	Owner, Repo string // Repo empty for an organization runner
	GroupID     int64
	Labels      []string
	Status      string // online or offline
	Busy        bool
	Ephemeral   bool
	JobID       int64 // the job it is running, or 0
}

// Delivery is a snapshot of one webhook delivery record.
type Delivery struct {
	ID          int64
	GUID        string
	Event       string
	Action      string // empty for events without one (ping)
	Redelivery  bool
	Status      string // "OK", or what went wrong
	StatusCode  int    // the receiver's answer; 0 when there was none
	DeliveredAt time.Time
	Payload     []byte // the JSON payload
	Headers     map[string]string
}
