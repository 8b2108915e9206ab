package githubtest

import (
	"net/http"
	"strconv"
	"strings"
)

// scopeLocked resolves the request's {owner} (and {repo}, if the route has
// one) as visible to who. It answers 404 and returns false when the
// organization or repository does not exist or who may not see it; an
// /orgs/ route on a user account is not found either.
func (s *Server) scopeLocked(
	w http.ResponseWriter, r *http.Request, who *identity,
) (*account, *repo, bool) {
	a := s.accounts[strings.ToLower(r.PathValue("owner"))]
	if a == nil || !who.can(a) {
		writeError(w, http.StatusNotFound, "Not Found")
		return nil, nil, false
	}
	name := r.PathValue("repo")
	if name == "" {
		if !a.org && strings.Contains(r.URL.Path, "/orgs/") {
			writeError(w, http.StatusNotFound, "Not Found")
			return nil, nil, false
		}
		return a, nil, true
	}
	rp := s.findRepoLocked(a.login, name)
	if rp == nil {
		writeError(w, http.StatusNotFound, "Not Found")
		return nil, nil, false
	}
	return a, rp, true
}

// pathID parses path value key as an id, answering 404 when it is not one.
func pathID(w http.ResponseWriter, r *http.Request, key string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(key), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, http.StatusNotFound, "Not Found")
		return 0, false
	}
	return id, true
}

// inScope reports whether runner rn is registered at exactly a/rp.
func inScope(rn *runner, a *account, rp *repo) bool {
	return rn.owner == a && rn.repo == rp
}
