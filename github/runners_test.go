package github

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/anklet/anklet/github/githubtest"
)

func TestJITConfigCreatesOfflineRunner(t *testing.T) {
	s := githubtest.NewServer(t)
	s.AddRepo("acme", "app")
	c := newTestClient(t, s)
	ctx := testContext(t)

	for _, scope := range []Scope{{Owner: "acme"}, {Owner: "acme", Repo: "app"}} {
		t.Run(scope.String(), func(t *testing.T) {
			name := "anklet-vm-" + strings.ReplaceAll(scope.String(), "/", "-")
			id, encoded, err := c.JITConfig(ctx, scope, name, 1, []string{"anka-template:x"})
			if err != nil {
				t.Fatalf("JITConfig: %v", err)
			}
			cfg, err := githubtest.DecodeJITConfig(encoded)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if cfg.AgentID != id || cfg.AgentName != name || cfg.ServerURL != s.URL() {
				t.Fatalf("config %+v, want id %d name %s server %s", cfg, id, name, s.URL())
			}

			runners, err := c.Runners(ctx, scope, name)
			if err != nil {
				t.Fatalf("Runners: %v", err)
			}
			if len(runners) != 1 || runners[0].ID != id || runners[0].Status != "offline" {
				t.Fatalf("runners %+v, want one offline runner %d", runners, id)
			}
		})
	}
}

func TestJITConfigReplacesStaleRunnerOfSameName(t *testing.T) {
	s := githubtest.NewServer(t)
	s.AddRepo("acme", "app")
	c := newTestClient(t, s)
	ctx := testContext(t)
	scope := Scope{Owner: "acme"}

	first, _, err := c.JITConfig(ctx, scope, "anklet-vm-1", 1, []string{"l"})
	if err != nil {
		t.Fatalf("first JITConfig: %v", err)
	}
	second, _, err := c.JITConfig(ctx, scope, "anklet-vm-1", 1, []string{"l"})
	if err != nil {
		t.Fatalf("second JITConfig: %v", err)
	}
	if second == first {
		t.Fatalf("second config reused runner %d", first)
	}
	runners := s.Runners()
	if len(runners) != 1 || runners[0].ID != second {
		t.Fatalf("runners %+v, want only %d", runners, second)
	}
	if n := s.Calls()["POST /orgs/{owner}/actions/runners/generate-jitconfig"]; n != 3 {
		t.Fatalf("generate-jitconfig calls = %d, want 3 (ok, 409, ok)", n)
	}
}

func TestJITConfigBusyNameAndUnavailable(t *testing.T) {
	s := githubtest.NewServer(t)
	s.AddRepo("acme", "app")
	c := newTestClient(t, s)
	ctx := testContext(t)
	scope := Scope{Owner: "acme"}

	id, _, err := c.JITConfig(ctx, scope, "anklet-vm-busy", 1, []string{"l"})
	if err != nil {
		t.Fatalf("JITConfig: %v", err)
	}
	s.QueueJob(githubtest.JobSpec{Owner: "acme", Repo: "app", Labels: []string{"l"},
		Duration: time.Hour})
	if err := s.ConnectRunner(id); err != nil {
		t.Fatalf("ConnectRunner: %v", err)
	}
	_, _, err = c.JITConfig(ctx, scope, "anklet-vm-busy", 1, []string{"l"})
	if !errors.Is(err, ErrRunnerBusy) {
		t.Fatalf("JITConfig on busy name: %v, want ErrRunnerBusy", err)
	}

	// An unknown group is a 404: the caller should fall back to tokens.
	_, _, err = c.JITConfig(ctx, scope, "anklet-vm-2", 99, []string{"l"})
	if !errors.Is(err, ErrJITUnavailable) {
		t.Fatalf("JITConfig with unknown group: %v, want ErrJITUnavailable", err)
	}
}

func TestRunnersPaginatesAndFiltersByPrefix(t *testing.T) {
	s := githubtest.NewServer(t)
	s.AddRepo("acme", "app")
	c := newTestClient(t, s)
	ctx := testContext(t)
	scope := Scope{Owner: "acme"}

	for i := range 250 {
		prefix := "anklet-vm-"
		if i%5 == 0 {
			prefix = "other-"
		}
		name := fmt.Sprintf("%s%03d", prefix, i)
		if _, _, err := c.JITConfig(ctx, scope, name, 1, []string{"l"}); err != nil {
			t.Fatalf("JITConfig %d: %v", i, err)
		}
	}

	all, err := c.Runners(ctx, scope, "")
	if err != nil {
		t.Fatalf("Runners: %v", err)
	}
	if len(all) != 250 {
		t.Fatalf("got %d runners, want 250", len(all))
	}
	ours, err := c.Runners(ctx, scope, "anklet-vm-")
	if err != nil {
		t.Fatalf("Runners with prefix: %v", err)
	}
	if len(ours) != 200 {
		t.Fatalf("got %d anklet runners, want 200", len(ours))
	}
	seen := map[int64]bool{}
	for _, r := range all {
		if seen[r.ID] {
			t.Fatalf("runner %d listed twice", r.ID)
		}
		seen[r.ID] = true
	}
	if n := s.Calls()["GET /orgs/{owner}/actions/runners"]; n != 6 {
		t.Fatalf("list calls = %d, want 6 (3 pages of 100, twice)", n)
	}
}

func TestRemoveRunner(t *testing.T) {
	s := githubtest.NewServer(t)
	s.AddRepo("acme", "app")
	c := newTestClient(t, s)
	ctx := testContext(t)
	scope := Scope{Owner: "acme", Repo: "app"}

	idle, _, err := c.JITConfig(ctx, scope, "idle", 1, []string{"l"})
	if err != nil {
		t.Fatalf("JITConfig: %v", err)
	}
	busy, _, err := c.JITConfig(ctx, scope, "busy", 1, []string{"busy"})
	if err != nil {
		t.Fatalf("JITConfig: %v", err)
	}
	s.QueueJob(githubtest.JobSpec{Owner: "acme", Repo: "app", Labels: []string{"busy"},
		Duration: time.Hour})
	if err := s.ConnectRunner(busy); err != nil {
		t.Fatalf("ConnectRunner: %v", err)
	}

	if err := c.RemoveRunner(ctx, scope, idle); err != nil {
		t.Fatalf("RemoveRunner idle: %v", err)
	}
	if err := c.RemoveRunner(ctx, scope, idle); err != nil {
		t.Fatalf("RemoveRunner of a removed runner: %v, want nil", err)
	}
	if err := c.RemoveRunner(ctx, scope, busy); !errors.Is(err, ErrRunnerBusy) {
		t.Fatalf("RemoveRunner busy: %v, want ErrRunnerBusy", err)
	}
	if got := s.Runners(); len(got) != 1 || got[0].ID != busy {
		t.Fatalf("runners %+v, want only the busy one", got)
	}
}

func TestRunnerGroupID(t *testing.T) {
	s := githubtest.NewServer(t)
	s.AddRepo("acme", "app")
	mac := s.AddRunnerGroup("acme", "mac")
	c := newTestClient(t, s)
	ctx := testContext(t)

	cases := []struct {
		scope Scope
		name  string
		want  int64
		err   error
	}{
		{Scope{Owner: "acme"}, "", 1, nil},
		{Scope{Owner: "acme"}, "Default", 1, nil},
		{Scope{Owner: "acme"}, "MAC", mac, nil},
		{Scope{Owner: "acme", Repo: "app"}, "mac", 1, nil},
		{Scope{Owner: "acme"}, "missing", 0, ErrNotFound},
	}
	for _, tc := range cases {
		got, err := c.RunnerGroupID(ctx, tc.scope, tc.name)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("RunnerGroupID(%s, %q) = %d, %v; want %d, %v",
				tc.scope, tc.name, got, err, tc.want, tc.err)
		}
	}
}

func TestRegistrationTokenRegistersRunner(t *testing.T) {
	s := githubtest.NewServer(t)
	s.AddRepo("acme", "app")
	c := newTestClient(t, s)
	ctx := testContext(t)

	for _, scope := range []Scope{{Owner: "acme"}, {Owner: "acme", Repo: "app"}} {
		tok, err := c.RegistrationToken(ctx, scope)
		if err != nil {
			t.Fatalf("RegistrationToken(%s): %v", scope, err)
		}
		url := c.WebURL() + "/" + scope.String()
		_, err = s.RegisterRunner(githubtest.RegisterSpec{
			Token: tok, Name: "r-" + strings.ReplaceAll(scope.String(), "/", "-"), URL: url,
		})
		if err != nil {
			t.Fatalf("register with token for %s at %s: %v", scope, url, err)
		}
	}
	if _, err := c.RegistrationToken(ctx, Scope{Owner: "nobody"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("RegistrationToken for unknown org: %v, want ErrNotFound", err)
	}
}
