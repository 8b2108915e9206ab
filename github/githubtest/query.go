package githubtest

import (
	"fmt"
	"maps"
	"slices"
)

// Jobs returns every job, oldest first.
func (s *Server) Jobs() []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Job, 0, len(s.jobOrder))
	for _, j := range s.jobOrder {
		out = append(out, s.jobSnapLocked(j))
	}
	return out
}

// Job returns job id, and false if there is none.
func (s *Server) Job(id int64) (Job, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.jobs[id]
	if j == nil {
		return Job{}, false
	}
	return s.jobSnapLocked(j), true
}

// Runs returns every workflow run, oldest first.
func (s *Server) Runs() []Run {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := slices.Sorted(maps.Keys(s.runs))
	out := make([]Run, 0, len(ids))
	for _, id := range ids {
		rn := s.runs[id]
		r := Run{ID: rn.id, Owner: rn.repo.owner.login, Repo: rn.repo.name, Name: rn.name,
			Status: rn.status, Conclusion: rn.conclusion}
		for _, j := range rn.jobs {
			r.JobIDs = append(r.JobIDs, j.id)
		}
		out = append(out, r)
	}
	return out
}

// Runners returns the current runner registrations, by id. Ephemeral
// runners disappear once their job completes, as on GitHub.
func (s *Server) Runners() []Runner {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := slices.Sorted(maps.Keys(s.runners))
	out := make([]Runner, 0, len(ids))
	for _, id := range ids {
		out = append(out, runnerSnap(s.runners[id]))
	}
	return out
}

// Deliveries returns every delivery record, in the order made.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Delivery, 0, len(s.deliveries))
	for _, d := range s.deliveries {
		out = append(out, Delivery{
			ID: d.id, GUID: d.guid, Event: d.event, Action: d.action, Redelivery: d.redelivery,
			Status: d.status, StatusCode: d.statusCode, DeliveredAt: d.deliveredAt,
			Payload: d.payload, Headers: maps.Clone(d.reqHeaders),
		})
	}
	return out
}

// Calls returns how many requests each route received, keyed by the route
// pattern without the "/api/v3" prefix, e.g.
// "GET /repos/{owner}/{repo}/actions/runners". Requests no route matched
// count under "unknown route". Requests refused by faults or auth count too.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// TotalCalls returns the number of API requests received.
func (s *Server) TotalCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		n += c
	}
	return n
}

func (s *Server) jobSnapLocked(j *job) Job {
	r := j.run.repo
	return Job{
		ID: j.id, RunID: j.run.id, Owner: r.owner.login, Repo: r.name,
		Name: j.name, Workflow: j.run.name, Labels: slices.Clone(j.labels),
		Status: j.status, Conclusion: j.conclusion,
		RunnerID: j.runnerID, RunnerName: j.runnerName,
		RunnerGroupID: j.groupID, RunnerGroupName: j.groupName,
		CreatedAt: j.created, StartedAt: j.started, CompletedAt: j.completed,
		HTMLURL: fmt.Sprintf("%s/%s/actions/runs/%d/job/%d", s.URL(), r.fullName(), j.run.id, j.id),
	}
}

func runnerSnap(r *runner) Runner {
	out := Runner{
		ID: r.id, Name: r.name, Owner: r.owner.login, GroupID: r.group.id,
		Labels: slices.Clone(r.labels), Status: "offline", Busy: r.job != nil,
		Ephemeral: r.ephemeral,
	}
	if r.repo != nil {
		out.Repo = r.repo.name
	}
	if r.online {
		out.Status = "online"
	}
	if r.job != nil {
		out.JobID = r.job.id
	}
	return out
}
