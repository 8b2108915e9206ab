package reconcile

import (
	"fmt"
	"testing"
	"time"

	"github.com/anklet/anklet/github"
	"github.com/anklet/anklet/github/githubtest"
)

// fakeClock is a settable clock for grace periods.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time          { return c.now }
func (c *fakeClock) advance(d time.Duration) { c.now = c.now.Add(d) }

// register registers an offline ephemeral runner in acme/app.
func register(t *testing.T, s *githubtest.Server, c *github.Client, name string,
	labels ...string) githubtest.Runner {
	t.Helper()
	tok, err := c.RegistrationToken(testContext(t), github.Scope{Owner: "acme", Repo: "app"})
	if err != nil {
		t.Fatal(err)
	}
	rn, err := s.RegisterRunner(githubtest.RegisterSpec{Token: tok, Name: name,
		Labels: append([]string{"anka-template:x"}, labels...), Ephemeral: true,
		NoDefaultLabels: true})
	if err != nil {
		t.Fatal(err)
	}
	return rn
}

func runnerNames(s *githubtest.Server) map[string]bool {
	out := map[string]bool{}
	for _, r := range s.Runners() {
		out[r.Name] = true
	}
	return out
}

func TestOrphanRunnersRemovedAfterGrace(t *testing.T) {
	s, c := newGitHub(t)
	const orphans = 130 // more than one page of 100
	for i := range orphans {
		register(t, s, c, fmt.Sprintf("anklet-vm-orphan-%03d", i))
	}
	online := register(t, s, c, "anklet-vm-online", "online-only")
	busy := register(t, s, c, "anklet-vm-busy", "busy-only")
	flaky := register(t, s, c, "anklet-vm-late", "late-only")
	register(t, s, c, "anklet-vm-owned")
	register(t, s, c, "build-mac-mini")
	for _, id := range []int64{online.ID, busy.ID} {
		if err := s.ConnectRunner(id); err != nil {
			t.Fatal(err)
		}
	}
	s.QueueJob(githubtest.JobSpec{Owner: "acme", Repo: "app", Duration: time.Hour,
		Labels: []string{"anka-template:x", "busy-only"}})
	waitFor(t, 5*time.Second, "busy runner", func() bool {
		for _, r := range s.Runners() {
			if r.ID == busy.ID {
				return r.Busy
			}
		}
		return false
	})

	locks := newVMLocks(t)
	locks.hold("anklet-vm-owned")
	clock := &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	o, err := NewOrphanRunners(RunnerOptions{GitHub: c, Scope: github.Scope{Owner: "acme",
		Repo: "app"}, Owned: locks.owned, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	listCalls := func() int { return s.Calls()["GET /repos/{owner}/{repo}/actions/runners"] }

	before := listCalls()
	r := pass(t, o)
	want := Report{Seen: orphans + 4, Marked: orphans + 1} // the orphans and anklet-vm-late
	if r != want {
		t.Fatalf("first pass: %+v, want %+v", r, want)
	}
	if n := listCalls() - before; n < 2 {
		t.Fatalf("a pass listed %d pages for %d runners; want every page", n, orphans+5)
	}

	// The late runner comes online: its mark must go.
	if err := s.ConnectRunner(flaky.ID); err != nil {
		t.Fatal(err)
	}
	clock.advance(DefaultRunnerGrace / 2)
	if r = pass(t, o); r.Removed != 0 || r.Marked != 0 {
		t.Fatalf("pass within the grace period: %+v, want nothing done", r)
	}
	clock.advance(DefaultRunnerGrace / 2)
	if r = pass(t, o); r.Removed != orphans || r.Failed != 0 {
		t.Fatalf("pass after the grace period: %+v, want %d removed", r, orphans)
	}

	left := runnerNames(s)
	for _, name := range []string{"anklet-vm-online", "anklet-vm-busy", "anklet-vm-late",
		"anklet-vm-owned", "build-mac-mini"} {
		if !left[name] {
			t.Errorf("runner %s was removed", name)
		}
	}
	if len(left) != 5 {
		t.Errorf("runners left: %v, want the 5 kept ones", left)
	}
}

func TestOrphanRunnersNeedsTwoPasses(t *testing.T) {
	s, c := newGitHub(t)
	register(t, s, c, "anklet-vm-a")
	clock := &fakeClock{now: time.Now()}
	o, err := NewOrphanRunners(RunnerOptions{GitHub: c,
		Scope: github.Scope{Owner: "acme", Repo: "app"}, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	// However old the runner is, the first sight only marks it.
	clock.advance(24 * time.Hour)
	if r := pass(t, o); r != (Report{Seen: 1, Marked: 1}) {
		t.Fatalf("first pass: %+v", r)
	}
	clock.advance(DefaultRunnerGrace)
	if r := pass(t, o); r != (Report{Seen: 1, Removed: 1}) {
		t.Fatalf("second pass: %+v", r)
	}
	if len(s.Runners()) != 0 {
		t.Fatalf("runners left: %+v", s.Runners())
	}
}

func TestOrphanRunnersListFailure(t *testing.T) {
	_, c := newGitHub(t)
	o, err := NewOrphanRunners(RunnerOptions{GitHub: c,
		Scope: github.Scope{Owner: "acme", Repo: "missing"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Pass(testContext(t)); err == nil {
		t.Fatal("pass succeeded although GitHub could not list the runners")
	}
}
