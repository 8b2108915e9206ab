package githubtest

import (
	"fmt"
	"strings"
)

// installationBase offsets installation ids from account ids.
const installationBase = 60000000

// AddRepo creates repository owner/repo, and organization owner if it does
// not exist yet. Adding an existing repository does nothing.
func (s *Server) AddRepo(owner, repo string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repoLocked(s.accountLocked(owner, true), repo)
}

// AddUserRepo creates repository owner/repo owned by user owner (no
// organization endpoints, no organization object in payloads).
func (s *Server) AddUserRepo(owner, repo string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repoLocked(s.accountLocked(owner, false), repo)
}

// AddRunnerGroup adds a runner group called name to organization org
// (created if unknown) and returns its id. Every organization starts with
// group 1, "Default".
func (s *Server) AddRunnerGroup(org, name string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accountLocked(org, true)
	s.nextGroup++
	g := &runnerGroup{id: s.nextGroup, name: name}
	a.groups = append(a.groups, g)
	return g.id
}

// accountLocked returns account login, creating it (as an organization if
// org) when unknown.
func (s *Server) accountLocked(login string, org bool) *account {
	key := strings.ToLower(login)
	if a := s.accounts[key]; a != nil {
		return a
	}
	s.nextAccount++
	a := &account{login: login, id: s.nextAccount, org: org}
	a.installationID = installationBase + s.nextAccount%1000000
	if org {
		a.groups = []*runnerGroup{{id: 1, name: "Default"}}
	}
	s.accounts[key] = a
	return a
}

// repoLocked returns repository name of owner, creating it when unknown.
func (s *Server) repoLocked(owner *account, name string) *repo {
	key := strings.ToLower(owner.login + "/" + name)
	if r := s.repos[key]; r != nil {
		return r
	}
	s.nextRepo++
	r := &repo{id: s.nextRepo, owner: owner, name: name}
	s.repos[key] = r
	s.repoOrder = append(s.repoOrder, r)
	return r
}

// findRepoLocked looks up owner/name without creating anything.
func (s *Server) findRepoLocked(owner, name string) *repo {
	return s.repos[strings.ToLower(owner+"/"+name)]
}

// groupLocked returns the group id of account a, or nil. Repository
// runners only have the Default group.
func groupLocked(a *account, id int64) *runnerGroup {
	if !a.org {
		if id == 1 {
			return &runnerGroup{id: 1, name: "Default"}
		}
		return nil
	}
	for _, g := range a.groups {
		if g.id == id {
			return g
		}
	}
	return nil
}

// groupByNameLocked returns the group called name (case-insensitive) of a;
// an empty name means Default.
func groupByNameLocked(a *account, name string) (*runnerGroup, error) {
	if name == "" || !a.org {
		return groupLocked(a, 1), nil
	}
	for _, g := range a.groups {
		if strings.EqualFold(g.name, name) {
			return g, nil
		}
	}
	return nil, fmt.Errorf("could not find any runner group named %q", name)
}
