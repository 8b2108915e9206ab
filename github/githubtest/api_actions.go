package githubtest

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
)

type runJSON struct {
	ID           int64    `json:"id"`
	Name         string   `json:"name"`
	NodeID       string   `json:"node_id"`
	HeadBranch   string   `json:"head_branch"`
	HeadSHA      string   `json:"head_sha"`
	Path         string   `json:"path"`
	RunNumber    int      `json:"run_number"`
	Event        string   `json:"event"`
	DisplayTitle string   `json:"display_title"`
	Status       string   `json:"status"`
	Conclusion   *string  `json:"conclusion"`
	WorkflowID   int64    `json:"workflow_id"`
	URL          string   `json:"url"`
	HTMLURL      string   `json:"html_url"`
	PullRequests []any    `json:"pull_requests"`
	CreatedAt    *string  `json:"created_at"`
	UpdatedAt    *string  `json:"updated_at"`
	RunAttempt   int      `json:"run_attempt"`
	RunStarted   *string  `json:"run_started_at"`
	JobsURL      string   `json:"jobs_url"`
	CancelURL    string   `json:"cancel_url"`
	RerunURL     string   `json:"rerun_url"`
	Actor        userJSON `json:"actor"`
	Repository   repoJSON `json:"repository"`
}

func (s *Server) runJSONLocked(rn *run) runJSON {
	r := rn.repo
	api := fmt.Sprintf("%srepos/%s/actions/runs/%d", s.APIURL(), r.fullName(), rn.id)
	return runJSON{
		ID: rn.id, Name: rn.name, NodeID: nodeID("WFR_kwLO", rn.id), HeadBranch: "main",
		HeadSHA: fmt.Sprintf("%040x", uint64(rn.id)), Path: ".github/workflows/ci.yml@main",
		RunNumber: rn.number, Event: "push", DisplayTitle: rn.name, Status: rn.status,
		Conclusion: nullable(rn.conclusion), WorkflowID: 159038,
		URL: api, HTMLURL: fmt.Sprintf("%s/%s/actions/runs/%d", s.URL(), r.fullName(), rn.id),
		PullRequests: []any{}, CreatedAt: timestamp(rn.created), UpdatedAt: timestamp(rn.updated),
		RunAttempt: 1, RunStarted: timestamp(rn.created),
		JobsURL: api + "/jobs", CancelURL: api + "/cancel", RerunURL: api + "/rerun",
		Actor:      senderJSON(s.APIURL(), s.URL()),
		Repository: s.repoJSONLocked(r),
	}
}

func (s *Server) repoJSONLocked(r *repo) repoJSON {
	return renderRepo(r.owner.login, r.name, r.owner.id, r.id, r.owner.org, s.APIURL(), s.URL())
}

// runLocked resolves {id} as a run of the request's repository.
func (s *Server) runLocked(w http.ResponseWriter, r *http.Request, who *identity) (*run, bool) {
	_, rp, ok := s.scopeLocked(w, r, who)
	if !ok {
		return nil, false
	}
	id, ok := pathID(w, r, "id")
	if !ok {
		return nil, false
	}
	rn := s.runs[id]
	if rn == nil || rn.repo != rp {
		writeError(w, http.StatusNotFound, "Not Found")
		return nil, false
	}
	return rn, true
}

// getJob answers GET /repos/{o}/{r}/actions/jobs/{id}.
func (s *Server) getJob(w http.ResponseWriter, r *http.Request, who *identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, rp, ok := s.scopeLocked(w, r, who)
	if !ok {
		return
	}
	id, ok := pathID(w, r, "id")
	if !ok {
		return
	}
	j := s.jobs[id]
	if j == nil || j.run.repo != rp {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	writeJSON(w, http.StatusOK, renderJob(s.jobSnapLocked(j), s.APIURL()))
}

// listRuns answers GET /repos/{o}/{r}/actions/runs, newest first, with the
// status filter matching a run's status or its conclusion.
func (s *Server) listRuns(w http.ResponseWriter, r *http.Request, who *identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, rp, ok := s.scopeLocked(w, r, who)
	if !ok {
		return
	}
	status := r.URL.Query().Get("status")
	var list []runJSON
	ids := slices.Sorted(maps.Keys(s.runs))
	for _, id := range slices.Backward(ids) {
		rn := s.runs[id]
		if rn.repo != rp {
			continue
		}
		if status == "" || status == rn.status || status == rn.conclusion {
			list = append(list, s.runJSONLocked(rn))
		}
	}
	page := paginate(w, r, list)
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(list), "workflow_runs": page})
}

// getRun answers GET /repos/{o}/{r}/actions/runs/{id}.
func (s *Server) getRun(w http.ResponseWriter, r *http.Request, who *identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rn, ok := s.runLocked(w, r, who); ok {
		writeJSON(w, http.StatusOK, s.runJSONLocked(rn))
	}
}

// listRunJobs answers GET /repos/{o}/{r}/actions/runs/{id}/jobs. Runs have
// one attempt, so filter=latest and filter=all agree.
func (s *Server) listRunJobs(w http.ResponseWriter, r *http.Request, who *identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rn, ok := s.runLocked(w, r, who)
	if !ok {
		return
	}
	list := make([]jobJSON, 0, len(rn.jobs))
	for _, j := range rn.jobs {
		list = append(list, renderJob(s.jobSnapLocked(j), s.APIURL()))
	}
	page := paginate(w, r, list)
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(list), "jobs": page})
}

// cancelRun answers POST /repos/{o}/{r}/actions/runs/{id}/cancel: 202 {}
// and the run is cancelled, or 409 if it already completed.
func (s *Server) cancelRun(w http.ResponseWriter, r *http.Request, who *identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rn, ok := s.runLocked(w, r, who)
	if !ok {
		return
	}
	if rn.status == "completed" {
		writeError(w, http.StatusConflict, "Cannot cancel a workflow run that is completed.")
		return
	}
	_ = s.cancelRunLocked(rn.id)
	writeJSON(w, http.StatusAccepted, map[string]any{})
}

// listOrgRepos answers GET /orgs/{org}/repos in creation order.
func (s *Server) listOrgRepos(w http.ResponseWriter, r *http.Request, who *identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, _, ok := s.scopeLocked(w, r, who)
	if !ok {
		return
	}
	list := []repoJSON{}
	for _, rp := range s.repoOrder {
		if rp.owner == a {
			list = append(list, s.repoJSONLocked(rp))
		}
	}
	writeJSON(w, http.StatusOK, paginate(w, r, list))
}
