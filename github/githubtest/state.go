package githubtest

import (
	"strings"
	"time"
)

// account is a user or an organization.
type account struct {
	login          string
	id             int64
	org            bool
	installationID int64
	groups         []*runnerGroup // organizations only; groups[0] is Default
}

type runnerGroup struct {
	id   int64
	name string
}

type repo struct {
	id    int64
	owner *account
	name  string
}

func (r *repo) fullName() string { return r.owner.login + "/" + r.name }

type run struct {
	id         int64
	repo       *repo
	name       string
	number     int
	status     string
	conclusion string
	jobs       []*job
	created    time.Time
	updated    time.Time
}

type job struct {
	id         int64
	run        *run
	name       string
	labels     []string
	status     string
	conclusion string
	created    time.Time
	started    time.Time
	completed  time.Time
	runnerID   int64
	runnerName string
	groupID    int64
	groupName  string
	duration   time.Duration
	outcome    string // the conclusion if it runs to the end
}

type runner struct {
	id        int64
	name      string
	owner     *account
	repo      *repo // nil for an organization runner
	group     *runnerGroup
	labels    []string
	os        string
	online    bool
	waiting   bool // connected and idle: may be given a job
	ephemeral bool
	job       *job
	finished  chan struct{} // closed when the runner is removed
	lastJob   *job
}

type regToken struct {
	owner   *account
	repo    *repo
	expires time.Time
}

type instToken struct {
	account *account
	expires time.Time
}

// covers reports whether runner r may take j: same scope, and every label
// of the job is one of the runner's (compared case-insensitively, as GitHub
// does).
func (r *runner) covers(j *job) bool {
	if j.run.repo.owner != r.owner || (r.repo != nil && r.repo != j.run.repo) {
		return false
	}
	for _, want := range j.labels {
		found := false
		for _, have := range r.labels {
			if strings.EqualFold(want, have) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// scopePath is the runner's registration scope as a URL path: "owner" or
// "owner/repo".
func (r *runner) scopePath() string {
	if r.repo != nil {
		return r.repo.fullName()
	}
	return r.owner.login
}
