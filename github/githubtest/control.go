package githubtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Control endpoints, for processes that cannot call the Server's methods.
// They need no credentials and are served only at the root, not under
// /api/v3/.
const (
	// ConnectPath is where a fake runner reports that it started:
	// POST {"runner_id": N} (and "wait": true to hold the call until the
	// runner's job has completed). The answer is 200
	// {"runner_id","runner_name","status":"online"} (with "job_id" and
	// "conclusion" when waiting), 404 for an unknown runner, 409 for a
	// runner that already connected. See ConnectRunner.
	ConnectPath = "/_githubtest/runners/connect"

	// RegisterPath plays `config.sh` with a registration token:
	// POST {"token","name","labels":[...],"url","runner_group","ephemeral",
	// "no_default_labels","replace"} answers 201 {"runner_id","runner_name"}.
	// See RegisterRunner.
	RegisterPath = "/_githubtest/runners/register"

	// QueuePath queues a job: POST {"owner","repo","labels","name",
	// "workflow","duration" (a Go duration string),"conclusion","run_id"}
	// answers 201 with {"job_id","run_id"}. See QueueJob.
	QueuePath = "/_githubtest/jobs"
)

// RegisterSpec is what `config.sh` is given.
type RegisterSpec struct {
	Token           string   `json:"token"`
	Name            string   `json:"name"`
	Labels          []string `json:"labels"`
	URL             string   `json:"url"`          // optional; must name the token's scope
	RunnerGroup     string   `json:"runner_group"` // default "Default"
	Ephemeral       bool     `json:"ephemeral"`
	NoDefaultLabels bool     `json:"no_default_labels"`
	Replace         bool     `json:"replace"`
}

// Errors of RegisterRunner, as config.sh would report them.
var (
	// ErrBadToken means the registration token was never issued, has
	// expired, or the runner URL names another scope.
	ErrBadToken = errors.New("githubtest: registration token unknown or expired")

	// ErrNameExists means a runner of that name is registered in the scope
	// and Replace was not set (or it is busy).
	ErrNameExists = errors.New("githubtest: a runner exists with the same name")
)

// RegisterRunner plays `config.sh --token`: it checks the registration
// token (and that URL, if given, names the token's scope), then registers an
// offline runner. Without NoDefaultLabels the runner also gets self-hosted,
// macOS and ARM64. Connect it with ConnectRunner.
func (s *Server) RegisterRunner(spec RegisterSpec) (Runner, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	tok, ok := s.regTokens[spec.Token]
	if !ok || time.Now().After(tok.expires) {
		return Runner{}, fmt.Errorf("register runner %s: %w", spec.Name, ErrBadToken)
	}
	scope := tok.owner.login
	if tok.repo != nil {
		scope = tok.repo.fullName()
	}
	if spec.URL != "" {
		u, err := url.Parse(spec.URL)
		if err != nil || !strings.EqualFold(strings.Trim(u.Path, "/"), scope) {
			return Runner{}, fmt.Errorf("register runner %s: url %s is not %s: %w",
				spec.Name, spec.URL, scope, ErrBadToken)
		}
	}
	group, err := groupByNameLocked(tok.owner, spec.RunnerGroup)
	if err != nil {
		return Runner{}, fmt.Errorf("register runner %s: %w", spec.Name, err)
	}
	if old := s.runnerNamedLocked(tok.owner, tok.repo, spec.Name); old != nil {
		if !spec.Replace || old.job != nil {
			return Runner{}, fmt.Errorf("register runner %s: %w", spec.Name, ErrNameExists)
		}
		s.removeRunnerLocked(old)
	}

	labels := spec.Labels
	if !spec.NoDefaultLabels {
		labels = append([]string{"self-hosted", "macOS", "ARM64"}, labels...)
	}
	rn := s.newRunnerLocked(tok.owner, tok.repo, group, spec.Name, labels, spec.Ephemeral)
	return runnerSnap(rn), nil
}

func (s *Server) controlRegister(w http.ResponseWriter, r *http.Request) {
	var spec RegisterSpec
	if err := json.NewDecoder(r.Body).Decode(&spec); err != nil {
		writeError(w, http.StatusBadRequest, "bad json: "+err.Error())
		return
	}
	rn, err := s.RegisterRunner(spec)
	switch {
	case errors.Is(err, ErrNameExists):
		writeError(w, http.StatusConflict, err.Error())
	case err != nil:
		writeError(w, http.StatusNotFound, err.Error())
	default:
		writeJSON(w, http.StatusCreated, map[string]any{"runner_id": rn.ID, "runner_name": rn.Name})
	}
}

func (s *Server) controlConnect(w http.ResponseWriter, r *http.Request) {
	var req struct {
		RunnerID int64 `json:"runner_id"`
		Wait     bool  `json:"wait"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "bad json: "+err.Error())
		return
	}

	s.mu.Lock()
	rn, err := s.connectLocked(req.RunnerID)
	s.mu.Unlock()
	switch {
	case errors.Is(err, ErrNoRunner):
		writeError(w, http.StatusNotFound, err.Error())
		return
	case err != nil:
		writeError(w, http.StatusConflict, err.Error())
		return
	}

	answer := map[string]any{"runner_id": rn.id, "runner_name": rn.name, "status": "online"}
	if req.Wait {
		select {
		case <-rn.finished:
		case <-r.Context().Done():
			return
		case <-s.ctx.Done():
			writeError(w, http.StatusServiceUnavailable, "server closing")
			return
		}
		s.mu.Lock()
		if j := rn.lastJob; j != nil {
			answer["job_id"], answer["conclusion"] = j.id, j.conclusion
		}
		s.mu.Unlock()
	}
	writeJSON(w, http.StatusOK, answer)
}

func (s *Server) controlQueue(w http.ResponseWriter, r *http.Request) {
	var req struct {
		JobSpec
		Duration string `json:"duration"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "bad json: "+err.Error())
		return
	}
	if req.Duration != "" {
		d, err := time.ParseDuration(req.Duration)
		if err != nil {
			writeError(w, http.StatusBadRequest, "bad duration: "+err.Error())
			return
		}
		req.JobSpec.Duration = d
	}
	j, err := s.queueJob(req.JobSpec)
	if err != nil {
		writeError(w, http.StatusNotFound, err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"job_id": j.ID, "run_id": j.RunID})
}

func (s *Server) controlCancel(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return
	}
	err := s.CancelRun(id)
	switch {
	case errors.Is(err, ErrNoRun):
		writeError(w, http.StatusNotFound, err.Error())
	case err != nil:
		writeError(w, http.StatusConflict, err.Error())
	default:
		writeJSON(w, http.StatusAccepted, map[string]any{})
	}
}
