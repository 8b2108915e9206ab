package githubtest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

type labelJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

type runnerJSON struct {
	ID        int64       `json:"id"`
	Name      string      `json:"name"`
	OS        string      `json:"os"`
	Status    string      `json:"status"`
	Busy      bool        `json:"busy"`
	Ephemeral bool        `json:"ephemeral"`
	Labels    []labelJSON `json:"labels"`
}

// readOnlyLabels are the labels a runner gives itself; the rest are custom.
var readOnlyLabels = []string{"self-hosted", "macos", "linux", "windows", "x64", "arm64"}

func (s *Server) runnerJSONLocked(rn *runner) runnerJSON {
	snap := runnerSnap(rn)
	out := runnerJSON{ID: rn.id, Name: rn.name, OS: or(rn.os, "unknown"), Status: snap.Status,
		Busy: snap.Busy, Ephemeral: rn.ephemeral, Labels: []labelJSON{}}
	for _, l := range rn.labels {
		key := strings.ToLower(l)
		id := s.labelIDs[key]
		if id == 0 {
			id = int64(len(s.labelIDs) + 1)
			s.labelIDs[key] = id
		}
		kind := "custom"
		if slices.Contains(readOnlyLabels, key) {
			kind = "read-only"
		}
		out.Labels = append(out.Labels, labelJSON{ID: id, Name: l, Type: kind})
	}
	return out
}

// registrationToken answers POST …/actions/runners/registration-token.
func (s *Server) registrationToken(w http.ResponseWriter, r *http.Request, who *identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, rp, ok := s.scopeLocked(w, r, who)
	if !ok {
		return
	}
	tok := "A" + strings.ToUpper(s.randomString(28))
	expires := time.Now().Add(time.Hour)
	s.regTokens[tok] = regToken{owner: a, repo: rp, expires: expires}
	writeJSON(w, http.StatusCreated, map[string]string{
		"token": tok, "expires_at": formatTime(expires),
	})
}

// removeToken answers POST …/actions/runners/remove-token.
func (s *Server) removeToken(w http.ResponseWriter, r *http.Request, who *identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, _, ok := s.scopeLocked(w, r, who); !ok {
		return
	}
	tok := "A" + strings.ToUpper(s.randomString(28))
	writeJSON(w, http.StatusCreated, map[string]string{
		"token": tok, "expires_at": formatTime(time.Now().Add(time.Hour)),
	})
}

// generateJIT answers POST …/actions/runners/generate-jitconfig: 422 for a
// missing field, 404 for an unknown group, 409 for a taken name, else 201
// with a new offline ephemeral runner and its encoded config.
func (s *Server) generateJIT(w http.ResponseWriter, r *http.Request, who *identity) {
	var body map[string]json.RawMessage
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err := json.Unmarshal(raw, &body); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	for _, key := range []string{"name", "runner_group_id", "labels"} {
		if _, ok := body[key]; !ok {
			writeError(w, http.StatusUnprocessableEntity,
				"Invalid input: object is missing required key: "+key)
			return
		}
	}
	var req struct {
		Name    string   `json:"name"`
		GroupID int64    `json:"runner_group_id"`
		Labels  []string `json:"labels"`
	}
	if err := json.Unmarshal(raw, &req); err != nil || req.Name == "" ||
		len(req.Labels) == 0 || len(req.Labels) > 100 {
		writeError(w, http.StatusUnprocessableEntity, "Invalid input: name must be set "+
			"and labels must hold 1 to 100 items")
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	a, rp, ok := s.scopeLocked(w, r, who)
	if !ok {
		return
	}
	group := groupLocked(a, req.GroupID)
	if group == nil || (rp != nil && group.id != 1) {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	if s.runnerNamedLocked(a, rp, req.Name) != nil {
		writeError(w, http.StatusConflict,
			fmt.Sprintf("Already exists - A runner with the name %s already exists.", req.Name))
		return
	}

	rn := s.newRunnerLocked(a, rp, group, req.Name, req.Labels, true)
	writeJSON(w, http.StatusCreated, map[string]any{
		"runner":             s.runnerJSONLocked(rn),
		"encoded_jit_config": s.encodeJIT(rn),
	})
}

// newRunnerLocked registers an offline runner.
func (s *Server) newRunnerLocked(
	a *account, rp *repo, g *runnerGroup, name string, labels []string, ephemeral bool,
) *runner {
	s.nextRunner++
	rn := &runner{
		id: s.nextRunner, name: name, owner: a, repo: rp, group: g,
		labels: slices.Clone(labels), ephemeral: ephemeral, finished: make(chan struct{}),
	}
	s.runners[rn.id] = rn
	return rn
}

func (s *Server) runnerNamedLocked(a *account, rp *repo, name string) *runner {
	for _, rn := range s.runners {
		if inScope(rn, a, rp) && strings.EqualFold(rn.name, name) {
			return rn
		}
	}
	return nil
}

// listRunners answers GET …/actions/runners, paginated, with the exact
// `name` filter.
func (s *Server) listRunners(w http.ResponseWriter, r *http.Request, who *identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, rp, ok := s.scopeLocked(w, r, who)
	if !ok {
		return
	}
	name := r.URL.Query().Get("name")
	var list []runnerJSON
	for _, rn := range s.sortedRunnersLocked() {
		if inScope(rn, a, rp) && (name == "" || rn.name == name) {
			list = append(list, s.runnerJSONLocked(rn))
		}
	}
	page := paginate(w, r, list)
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(list), "runners": page})
}

func (s *Server) sortedRunnersLocked() []*runner {
	out := make([]*runner, 0, len(s.runners))
	for _, rn := range s.runners {
		out = append(out, rn)
	}
	slices.SortFunc(out, func(a, b *runner) int { return cmp.Compare(a.id, b.id) })
	return out
}

// getRunner answers GET …/actions/runners/{id}.
func (s *Server) getRunner(w http.ResponseWriter, r *http.Request, who *identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rn, ok := s.runnerInScope(w, r, who)
	if ok {
		writeJSON(w, http.StatusOK, s.runnerJSONLocked(rn))
	}
}

// deleteRunner answers DELETE …/actions/runners/{id}: 204, or 422 while
// the runner runs a job.
func (s *Server) deleteRunner(w http.ResponseWriter, r *http.Request, who *identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rn, ok := s.runnerInScope(w, r, who)
	if !ok {
		return
	}
	if rn.job != nil {
		writeJSON(w, http.StatusUnprocessableEntity, apiError{
			Message: "Bad request - Runner " + rn.name +
				" is currently running a job and cannot be deleted.",
			DocumentationURL: docsURL, Status: "422",
		})
		return
	}
	s.removeRunnerLocked(rn)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) runnerInScope(
	w http.ResponseWriter, r *http.Request, who *identity,
) (*runner, bool) {
	a, rp, ok := s.scopeLocked(w, r, who)
	if !ok {
		return nil, false
	}
	id, ok := pathID(w, r, "id")
	if !ok {
		return nil, false
	}
	rn := s.runners[id]
	if rn == nil || !inScope(rn, a, rp) {
		writeError(w, http.StatusNotFound, "Not Found")
		return nil, false
	}
	return rn, true
}

// listRunnerGroups answers GET /orgs/{org}/actions/runner-groups.
func (s *Server) listRunnerGroups(w http.ResponseWriter, r *http.Request, who *identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, _, ok := s.scopeLocked(w, r, who)
	if !ok {
		return
	}
	var list []map[string]any
	for _, g := range a.groups {
		list = append(list, map[string]any{
			"id": g.id, "name": g.name, "visibility": "all", "default": g.id == 1,
			"runners_url": fmt.Sprintf("%sorgs/%s/actions/runner-groups/%d/runners",
				s.APIURL(), a.login, g.id),
			"inherited":                  false,
			"allows_public_repositories": false,
			"restricted_to_workflows":    false,
			"selected_workflows":         []string{},
		})
	}
	page := paginate(w, r, list)
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(list), "runner_groups": page})
}
