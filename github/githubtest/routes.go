package githubtest

import (
	"net/http"
	"strings"
)

// access says which credentials a route takes.
type access int

const (
	byToken access = iota // a personal access token or installation token
	byJWT                 // the App's JWT
	byAny                 // any credentials, or none
)

type handler func(w http.ResponseWriter, r *http.Request, who *identity)

// routes registers every GitHub route at "/" and under "/api/v3/", and the
// control endpoints at "/_githubtest/".
func (s *Server) routes(mux *http.ServeMux) {
	api := []struct {
		pattern string
		access  access
		h       handler
	}{
		{"POST /repos/{owner}/{repo}/actions/runners/registration-token", byToken, s.registrationToken},
		{"POST /orgs/{owner}/actions/runners/registration-token", byToken, s.registrationToken},
		{"POST /repos/{owner}/{repo}/actions/runners/remove-token", byToken, s.removeToken},
		{"POST /orgs/{owner}/actions/runners/remove-token", byToken, s.removeToken},
		{"POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig", byToken, s.generateJIT},
		{"POST /orgs/{owner}/actions/runners/generate-jitconfig", byToken, s.generateJIT},
		{"GET /repos/{owner}/{repo}/actions/runners", byToken, s.listRunners},
		{"GET /orgs/{owner}/actions/runners", byToken, s.listRunners},
		{"GET /repos/{owner}/{repo}/actions/runners/{id}", byToken, s.getRunner},
		{"GET /orgs/{owner}/actions/runners/{id}", byToken, s.getRunner},
		{"DELETE /repos/{owner}/{repo}/actions/runners/{id}", byToken, s.deleteRunner},
		{"DELETE /orgs/{owner}/actions/runners/{id}", byToken, s.deleteRunner},
		{"GET /orgs/{owner}/actions/runner-groups", byToken, s.listRunnerGroups},

		{"GET /repos/{owner}/{repo}/actions/jobs/{id}", byToken, s.getJob},
		{"GET /repos/{owner}/{repo}/actions/runs", byToken, s.listRuns},
		{"GET /repos/{owner}/{repo}/actions/runs/{id}", byToken, s.getRun},
		{"GET /repos/{owner}/{repo}/actions/runs/{id}/jobs", byToken, s.listRunJobs},
		{"POST /repos/{owner}/{repo}/actions/runs/{id}/cancel", byToken, s.cancelRun},
		{"GET /orgs/{owner}/repos", byToken, s.listOrgRepos},

		{"GET /repos/{owner}/{repo}/hooks/{hook}/deliveries", byToken, s.listDeliveries},
		{"GET /repos/{owner}/{repo}/hooks/{hook}/deliveries/{id}", byToken, s.getDelivery},
		{"POST /repos/{owner}/{repo}/hooks/{hook}/deliveries/{id}/attempts", byToken, s.redeliver},
		{"GET /orgs/{owner}/hooks/{hook}/deliveries", byToken, s.listDeliveries},
		{"GET /orgs/{owner}/hooks/{hook}/deliveries/{id}", byToken, s.getDelivery},
		{"POST /orgs/{owner}/hooks/{hook}/deliveries/{id}/attempts", byToken, s.redeliver},
		{"GET /app/hook/deliveries", byJWT, s.listDeliveries},
		{"GET /app/hook/deliveries/{id}", byJWT, s.getDelivery},
		{"POST /app/hook/deliveries/{id}/attempts", byJWT, s.redeliver},

		{"GET /app", byJWT, s.getApp},
		{"GET /app/installations", byJWT, s.listInstallations},
		{"GET /app/installations/{id}", byJWT, s.getInstallation},
		{"POST /app/installations/{id}/access_tokens", byJWT, s.createAccessToken},
		{"GET /orgs/{owner}/installation", byJWT, s.findInstallation},
		{"GET /repos/{owner}/{repo}/installation", byJWT, s.findInstallation},
		{"GET /users/{owner}/installation", byJWT, s.findInstallation},

		{"GET /user", byToken, s.getUser},
		{"GET /rate_limit", byAny, s.getRateLimit},
	}
	for _, rt := range api {
		method, path, _ := strings.Cut(rt.pattern, " ")
		h := s.api(rt.pattern, rt.access, rt.h)
		mux.Handle(rt.pattern, h)
		mux.Handle(method+" /api/v3"+path, h)
	}
	mux.Handle("/", s.api("unknown route", byAny, notFoundRoute))

	mux.HandleFunc("POST "+ConnectPath, s.controlConnect)
	mux.HandleFunc("POST "+RegisterPath, s.controlRegister)
	mux.HandleFunc("POST "+QueuePath, s.controlQueue)
	mux.HandleFunc("POST /_githubtest/runs/{id}/cancel", s.controlCancel)
}

// api wraps an API handler with what every GitHub answer goes through:
// counting, injected latency, authentication, rate limiting and faults.
func (s *Server) api(route string, acc access, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.count(route)
		if !s.delay(r) {
			return
		}
		who, ok := s.authenticate(w, r, acc)
		if !ok {
			return
		}
		if !s.admit(w, who, route != "GET /rate_limit") {
			return
		}
		h(w, r, who)
	})
}

func (s *Server) count(route string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[route]++
}

func notFoundRoute(w http.ResponseWriter, _ *http.Request, _ *identity) {
	writeError(w, http.StatusNotFound, "Not Found")
}
