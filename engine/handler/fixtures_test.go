package handler

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/anklet/anklet/anka"
	"github.com/anklet/anklet/anka/ankatest"
	"github.com/anklet/anklet/github/githubtest"
)

// bareHost makes a host without local templates; the registry has the test
// template (tag v1) and any others given.
func (w *world) bareHost(id string, registry ...ankatest.Template) *host {
	w.t.Helper()
	fake := ankatest.NewHost(w.t, ankatest.HostOptions{})
	fake.AddRegistryTemplate(ankatest.Template{UUID: testTemplate, Tags: []string{testTag}})
	for _, t := range registry {
		fake.AddRegistryTemplate(t)
	}
	return &host{id: id, workDir: w.t.TempDir(), fake: fake,
		cli: anka.New(anka.Options{Path: fake.Path(), TempDir: w.t.TempDir()})}
}

// pluginsWithStart returns a plugins path like the shipped one, whose
// start-runner.bash first runs prelude (bash) and then the shipped script.
// prelude may exit 0 to leave the runner unstarted.
func pluginsWithStart(t *testing.T, prelude string) string {
	t.Helper()
	dir := t.TempDir()
	scripts := filepath.Join(dir, scriptsSubdir)
	if err := os.MkdirAll(scripts, 0o755); err != nil {
		t.Fatal(err)
	}
	shipped := filepath.Join(shippedPlugins, scriptsSubdir)
	for _, s := range []string{ScriptInstall, ScriptRegister} {
		b, err := os.ReadFile(filepath.Join(shipped, s))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(scripts, s), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	body := "#!/usr/bin/env bash\nset -euo pipefail\n" + prelude + "\nexec bash " +
		shellQuote(filepath.Join(shipped, ScriptStart)) + "\n"
	if err := os.WriteFile(filepath.Join(scripts, ScriptStart), []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// gatedPlugins returns a plugins path whose runners start only while the
// returned gate file exists; the gate starts closed.
func gatedPlugins(t *testing.T) (plugins, gate string) {
	t.Helper()
	gate = filepath.Join(t.TempDir(), "gate")
	prelude := "if [[ ! -e " + shellQuote(gate) + " ]]; then\n" +
		"  echo 'start-runner: held back by the test'; exit 0\nfi"
	return pluginsWithStart(t, prelude), gate
}

// open opens a gate made by gatedPlugins.
func open(t *testing.T, gate string) {
	t.Helper()
	if err := os.WriteFile(gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

func shellQuote(s string) string {
	out := "'"
	for _, c := range s {
		if c == '\'' {
			out += `'\''`
			continue
		}
		out += string(c)
	}
	return out + "'"
}

// githubtestSpec is a job of the test repository with exactly labels.
func githubtestSpec(labels ...string) githubtest.JobSpec {
	return githubtest.JobSpec{Owner: testOwner, Repo: testRepo, Labels: labels}
}

// heldPlugins returns a plugins path whose start-runner.bash waits, before
// starting the runner, until the file <dir>/<runner name> exists; while it
// waits, <dir>/waiting-<runner name> exists.
func heldPlugins(t *testing.T, dir string) string {
	t.Helper()
	d := shellQuote(dir)
	return pluginsWithStart(t, "touch "+d+"/waiting-\"$ANKLET_RUNNER_NAME\"\n"+
		"while [[ ! -e "+d+"/\"$ANKLET_RUNNER_NAME\" ]]; do sleep 0.05; done")
}

// held waits until vm's runner waits in a script of heldPlugins(dir).
func held(t *testing.T, dir, vm string) {
	t.Helper()
	waitFor(t, 20*time.Second, vm+"'s runner to wait for release", func() bool {
		_, err := os.Stat(filepath.Join(dir, "waiting-"+vm))
		return err == nil
	})
}
