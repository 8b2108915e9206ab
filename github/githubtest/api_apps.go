package githubtest

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// installationPermissions are what the test App's installations grant.
var installationPermissions = map[string]string{
	"actions": "write", "administration": "write", "metadata": "read",
	"organization_self_hosted_runners": "write", "organization_hooks": "read",
}

func (s *Server) installationJSONLocked(a *account) map[string]any {
	kind := "User"
	if a.org {
		kind = "Organization"
	}
	now := timestamp(time.Now())
	return map[string]any{
		"id": a.installationID, "app_id": s.cfg.appID, "app_slug": "anklet-test",
		"target_id": a.id, "target_type": kind,
		"account": renderUser(a.login, a.id, a.org, s.APIURL(), s.URL()),
		"access_tokens_url": fmt.Sprintf("%sapp/installations/%d/access_tokens",
			s.APIURL(), a.installationID),
		"repositories_url":     s.APIURL() + "installation/repositories",
		"html_url":             fmt.Sprintf("%s/settings/installations/%d", s.URL(), a.installationID),
		"permissions":          installationPermissions,
		"repository_selection": "all",
		"events":               []string{"workflow_job"},
		"created_at":           now,
		"updated_at":           now,
	}
}

func (s *Server) sortedAccountsLocked() []*account {
	out := make([]*account, 0, len(s.accounts))
	for _, a := range s.accounts {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *account) int { return cmp.Compare(a.id, b.id) })
	return out
}

// getApp answers GET /app.
func (s *Server) getApp(w http.ResponseWriter, _ *http.Request, _ *identity) {
	writeJSON(w, http.StatusOK, map[string]any{
		"id": s.cfg.appID, "slug": "anklet-test", "name": "Anklet Test",
		"permissions": installationPermissions, "events": []string{"workflow_job"},
	})
}

// listInstallations answers GET /app/installations: one per account.
func (s *Server) listInstallations(w http.ResponseWriter, r *http.Request, _ *identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []map[string]any
	for _, a := range s.sortedAccountsLocked() {
		list = append(list, s.installationJSONLocked(a))
	}
	writeJSON(w, http.StatusOK, paginate(w, r, list))
}

// getInstallation answers GET /app/installations/{id}.
func (s *Server) getInstallation(w http.ResponseWriter, r *http.Request, _ *identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.installationLocked(w, r); ok {
		writeJSON(w, http.StatusOK, s.installationJSONLocked(a))
	}
}

func (s *Server) installationLocked(w http.ResponseWriter, r *http.Request) (*account, bool) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return nil, false
	}
	for _, a := range s.accounts {
		if a.installationID == id {
			return a, true
		}
	}
	writeError(w, http.StatusNotFound, "Not Found")
	return nil, false
}

// createAccessToken answers POST /app/installations/{id}/access_tokens with
// a one-hour ghs_ token (201). The optional body (ghinstallation sends
// "null") is ignored: tokens cover the whole installation.
func (s *Server) createAccessToken(w http.ResponseWriter, r *http.Request, _ *identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.installationLocked(w, r)
	if !ok {
		return
	}
	tok := "ghs_" + s.randomString(36)
	expires := time.Now().Add(time.Hour)
	s.instTokens[tok] = instToken{account: a, expires: expires}
	writeJSON(w, http.StatusCreated, map[string]any{
		"token": tok, "expires_at": expires.UTC().Format(time.RFC3339),
		"permissions": installationPermissions, "repository_selection": "all",
	})
}

// findInstallation answers GET /orgs/{o}/installation,
// /repos/{o}/{r}/installation and /users/{u}/installation.
func (s *Server) findInstallation(w http.ResponseWriter, r *http.Request, _ *identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	who := &identity{kind: appIdentity}
	a, _, ok := s.scopeLocked(w, r, who)
	if ok {
		writeJSON(w, http.StatusOK, s.installationJSONLocked(a))
	}
}

// getUser answers GET /user: the token's user for a personal access token,
// 403 for an installation token, as GitHub does.
func (s *Server) getUser(w http.ResponseWriter, _ *http.Request, who *identity) {
	if who.kind == installationIdentity {
		writeErrorDoc(w, http.StatusForbidden, "Resource not accessible by integration",
			"https://docs.github.com/rest/users/users#get-the-authenticated-user")
		return
	}
	u := senderJSON(s.APIURL(), s.URL())
	writeJSON(w, http.StatusOK, u)
}

// getRateLimit answers GET /rate_limit from the caller's core budget.
func (s *Server) getRateLimit(w http.ResponseWriter, _ *http.Request, _ *identity) {
	h := w.Header()
	core := map[string]any{
		"limit": atoi(h.Get("X-RateLimit-Limit")), "used": atoi(h.Get("X-RateLimit-Used")),
		"remaining": atoi(h.Get("X-RateLimit-Remaining")), "reset": atoi(h.Get("X-RateLimit-Reset")),
		"resource": "core",
	}
	other := func(limit int, name string) map[string]any {
		return map[string]any{"limit": limit, "used": 0, "remaining": limit,
			"reset": time.Now().Add(time.Hour).Unix(), "resource": name}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"resources": map[string]any{
			"core": core, "search": other(30, "search"), "graphql": other(5000, "graphql"),
			"actions_runner_registration": other(10000, "actions_runner_registration"),
		},
		"rate": core,
	})
}

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
