package githubtest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"time"
)

// WorkflowJobEvent describes one workflow_job webhook. Payload renders it
// with GitHub's schema: runner fields null until a runner took the job,
// steps as a runner would report them, a repository with its owner, an
// organization object for organization-owned repositories and an
// installation object for App deliveries.
type WorkflowJobEvent struct {
	Action string // queued, in_progress, completed (or waiting)
	Job    Job

	Org            bool  // the owner is an organization
	OwnerID        int64 // default: derived from Job.Owner
	RepoID         int64 // default: derived from Job.Owner and Job.Repo
	InstallationID int64 // 0: no installation object (repository or org hook)

	APIURL string // default "https://api.github.com"
	WebURL string // default "https://github.com"
}

type jobJSON struct {
	ID              int64      `json:"id"`
	RunID           int64      `json:"run_id"`
	WorkflowName    string     `json:"workflow_name"`
	HeadBranch      string     `json:"head_branch"`
	RunURL          string     `json:"run_url"`
	RunAttempt      int        `json:"run_attempt"`
	NodeID          string     `json:"node_id"`
	HeadSHA         string     `json:"head_sha"`
	URL             string     `json:"url"`
	HTMLURL         string     `json:"html_url"`
	Status          string     `json:"status"`
	Conclusion      *string    `json:"conclusion"`
	CreatedAt       *string    `json:"created_at"`
	StartedAt       *string    `json:"started_at"`
	CompletedAt     *string    `json:"completed_at"`
	Name            string     `json:"name"`
	Steps           []stepJSON `json:"steps"`
	CheckRunURL     string     `json:"check_run_url"`
	Labels          []string   `json:"labels"`
	RunnerID        *int64     `json:"runner_id"`
	RunnerName      *string    `json:"runner_name"`
	RunnerGroupID   *int64     `json:"runner_group_id"`
	RunnerGroupName *string    `json:"runner_group_name"`
}

type stepJSON struct {
	Name        string  `json:"name"`
	Status      string  `json:"status"`
	Conclusion  *string `json:"conclusion"`
	Number      int     `json:"number"`
	StartedAt   *string `json:"started_at"`
	CompletedAt *string `json:"completed_at"`
}

type userJSON struct {
	Login     string `json:"login"`
	ID        int64  `json:"id"`
	NodeID    string `json:"node_id"`
	Type      string `json:"type"`
	SiteAdmin bool   `json:"site_admin"`
	URL       string `json:"url"`
	HTMLURL   string `json:"html_url"`
}

type repoJSON struct {
	ID            int64    `json:"id"`
	NodeID        string   `json:"node_id"`
	Name          string   `json:"name"`
	FullName      string   `json:"full_name"`
	Private       bool     `json:"private"`
	Owner         userJSON `json:"owner"`
	HTMLURL       string   `json:"html_url"`
	URL           string   `json:"url"`
	Visibility    string   `json:"visibility"`
	DefaultBranch string   `json:"default_branch"`
	Fork          bool     `json:"fork"`
	Archived      bool     `json:"archived"`
	Disabled      bool     `json:"disabled"`
}

type orgJSON struct {
	Login       string `json:"login"`
	ID          int64  `json:"id"`
	NodeID      string `json:"node_id"`
	URL         string `json:"url"`
	HooksURL    string `json:"hooks_url"`
	Description string `json:"description"`
}

type installationRef struct {
	ID     int64  `json:"id"`
	NodeID string `json:"node_id"`
}

type eventJSON struct {
	Action       string           `json:"action"`
	WorkflowJob  jobJSON          `json:"workflow_job"`
	Repository   repoJSON         `json:"repository"`
	Organization *orgJSON         `json:"organization,omitempty"`
	Sender       userJSON         `json:"sender"`
	Installation *installationRef `json:"installation,omitempty"`
}

// Payload renders the event as the JSON body GitHub sends.
func (e WorkflowJobEvent) Payload() []byte {
	apiURL, webURL := or(e.APIURL, "https://api.github.com"), or(e.WebURL, "https://github.com")
	ownerID := e.OwnerID
	if ownerID == 0 {
		ownerID = derivedID(e.Job.Owner)
	}
	repoID := e.RepoID
	if repoID == 0 {
		repoID = derivedID(e.Job.Owner + "/" + e.Job.Repo)
	}

	ev := eventJSON{
		Action:      e.Action,
		WorkflowJob: renderJob(e.Job, apiURL),
		Repository:  renderRepo(e.Job.Owner, e.Job.Repo, ownerID, repoID, e.Org, apiURL, webURL),
		Sender:      senderJSON(apiURL, webURL),
	}
	if e.Org {
		ev.Organization = renderOrg(e.Job.Owner, ownerID, apiURL)
	}
	if e.InstallationID != 0 {
		ev.Installation = &installationRef{
			ID: e.InstallationID, NodeID: nodeID("MDIzOkludGVncmF0aW9u", e.InstallationID),
		}
	}
	b, err := json.Marshal(ev)
	if err != nil {
		panic(fmt.Sprintf("githubtest: marshal workflow_job payload: %v", err))
	}
	return b
}

// renderJob renders j as GitHub's job object, in webhooks and the REST API.
func renderJob(j Job, apiURL string) jobJSON {
	repoAPI := fmt.Sprintf("%srepos/%s/%s", withSlash(apiURL), j.Owner, j.Repo)
	out := jobJSON{
		ID: j.ID, RunID: j.RunID, WorkflowName: j.Workflow, HeadBranch: "main",
		RunURL:     fmt.Sprintf("%s/actions/runs/%d", repoAPI, j.RunID),
		RunAttempt: 1, NodeID: nodeID("CR_kwDO", j.ID),
		HeadSHA:     fmt.Sprintf("%040x", uint64(j.RunID)),
		URL:         fmt.Sprintf("%s/actions/jobs/%d", repoAPI, j.ID),
		HTMLURL:     j.HTMLURL,
		Status:      j.Status,
		Conclusion:  nullable(j.Conclusion),
		CreatedAt:   timestamp(j.CreatedAt),
		StartedAt:   timestamp(j.StartedAt),
		CompletedAt: timestamp(j.CompletedAt),
		Name:        j.Name,
		Steps:       steps(j),
		CheckRunURL: fmt.Sprintf("%s/check-runs/%d", repoAPI, j.ID),
		Labels:      append([]string{}, j.Labels...),
	}
	if j.RunnerID != 0 {
		out.RunnerID, out.RunnerName = &j.RunnerID, &j.RunnerName
		out.RunnerGroupID, out.RunnerGroupName = &j.RunnerGroupID, &j.RunnerGroupName
	}
	return out
}

// steps are what a runner reports: none before it starts, "Set up job"
// while it runs, three finished steps at the end.
func steps(j Job) []stepJSON {
	if j.RunnerID == 0 {
		return []stepJSON{}
	}
	if j.Status != "completed" {
		return []stepJSON{{Name: "Set up job", Status: "in_progress", Number: 1,
			StartedAt: timestamp(j.StartedAt)}}
	}
	names := []string{"Set up job", "Run the workflow", "Complete job"}
	out := make([]stepJSON, len(names))
	for i, n := range names {
		out[i] = stepJSON{Name: n, Status: "completed", Conclusion: nullable(j.Conclusion),
			Number: i + 1, StartedAt: timestamp(j.StartedAt), CompletedAt: timestamp(j.CompletedAt)}
	}
	return out
}

func renderRepo(
	owner, name string, ownerID, repoID int64, org bool, apiURL, webURL string,
) repoJSON {
	return repoJSON{
		ID: repoID, NodeID: nodeID("R_kgDO", repoID), Name: name, FullName: owner + "/" + name,
		Owner:      renderUser(owner, ownerID, org, apiURL, webURL),
		HTMLURL:    withSlash(webURL) + owner + "/" + name,
		URL:        withSlash(apiURL) + "repos/" + owner + "/" + name,
		Visibility: "private", Private: true, DefaultBranch: "main",
	}
}

func renderUser(login string, id int64, org bool, apiURL, webURL string) userJSON {
	kind, prefix := "User", "U_kgDO"
	if org {
		kind, prefix = "Organization", "O_kgDO"
	}
	return userJSON{Login: login, ID: id, NodeID: nodeID(prefix, id), Type: kind,
		URL: withSlash(apiURL) + "users/" + login, HTMLURL: withSlash(webURL) + login}
}

func renderOrg(login string, id int64, apiURL string) *orgJSON {
	return &orgJSON{Login: login, ID: id, NodeID: nodeID("O_kgDO", id),
		URL:      withSlash(apiURL) + "orgs/" + login,
		HooksURL: withSlash(apiURL) + "orgs/" + login + "/hooks"}
}

// senderJSON is the user every event is attributed to.
func senderJSON(apiURL, webURL string) userJSON {
	return renderUser("octocat", 700000001, false, apiURL, webURL)
}

// derivedID gives a stable positive id for a name, for events built without
// a Server.
func derivedID(name string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(name))
	return int64(h.Sum64()>>34) + 1
}

func nodeID(prefix string, id int64) string {
	return fmt.Sprintf("%s%X", prefix, id)
}

func withSlash(u string) string {
	if u != "" && u[len(u)-1] != '/' {
		return u + "/"
	}
	return u
}

// formatTime renders t as GitHub does in token answers.
func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }
