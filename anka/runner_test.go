package anka_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pluginDir holds the shipped plugin scripts.
const pluginDir = "../testdata/plugins/handlers/github"

func copyScripts(t *testing.T, b bundle, vm string) {
	t.Helper()
	for _, s := range []string{"install-runner.bash", "register-runner.bash", "start-runner.bash"} {
		if err := b.cli.Copy(ctxFor(t), filepath.Join(pluginDir, s), vm); err != nil {
			t.Fatalf("Copy %s: %v", s, err)
		}
	}
}

// jitConfig encodes a config the way GitHub's generate-jitconfig does.
func jitConfig(t *testing.T, id int64, name, serverURL string) string {
	t.Helper()
	runner, err := json.Marshal(map[string]any{
		"AgentId": id, "AgentName": name, "ServerUrl": serverURL, "PoolId": 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	files, err := json.Marshal(map[string]string{
		".runner":      base64.StdEncoding.EncodeToString(runner),
		".credentials": base64.StdEncoding.EncodeToString([]byte(`{"Scheme":"OAuth"}`)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(files)
}

// The shipped scripts start the runner pre-installed in the template, which
// reports to the fake GitHub with the runner id from its JIT config.
func TestStartRunnerJIT(t *testing.T) {
	connected := make(chan int64, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/_githubtest/runners/connect" {
			http.NotFound(w, r)
			return
		}
		var body struct {
			RunnerID int64 `json:"runner_id"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		connected <- body.RunnerID
	}))
	defer srv.Close()

	b := setup(t)
	ctx := ctxFor(t)
	vm := "anklet-vm-jit"
	cloned(t, b, vm)
	if err := b.cli.Start(ctx, vm); err != nil {
		t.Fatal(err)
	}
	copyScripts(t, b, vm)

	res, err := b.cli.Run(ctx, vm, nil, "bash", "-c", "./install-runner.bash")
	if err != nil || res.ExitCode != 0 || !strings.Contains(string(res.Output), "already installed") {
		t.Fatalf("install-runner = %+v (%s), %v", res, res.Output, err)
	}

	jit := jitConfig(t, 4242, vm, srv.URL)
	res, err = b.cli.Run(ctx, vm, map[string]string{"ANKLET_JIT_CONFIG": jit},
		"bash", "-c", "./start-runner.bash")
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("start-runner = %+v (%s), %v", res, res.Output, err)
	}
	if strings.Contains(string(res.Output), jit) {
		t.Fatal("start-runner printed the JIT config")
	}

	select {
	case id := <-connected:
		if id != 4242 {
			t.Fatalf("runner connected as %d, want 4242", id)
		}
	case <-time.After(15 * time.Second):
		log, _ := os.ReadFile(filepath.Join(b.host.Home(vm), "runner.log"))
		t.Fatalf("runner never connected; runner.log:\n%s", log)
	}
	waitFor(t, 10*time.Second, "the runner to exit", func() bool {
		log, _ := os.ReadFile(filepath.Join(b.host.Home(vm), "runner.log"))
		return strings.Contains(string(log), "Exiting runner")
	})
	assertNoSecretInArgv(t, b.host, jit)
}

// Without a JIT config the scripts register with a token, passing every
// value as one argument (no eval, no word splitting).
func TestRegisterRunnerFallback(t *testing.T) {
	b := setup(t)
	ctx := ctxFor(t)
	vm := "anklet-vm-reg"
	cloned(t, b, vm)
	copyScripts(t, b, vm)
	token := "AABBCC-registration-token"
	env := map[string]string{
		"ANKLET_RUNNER_URL":         "https://github.com/acme/app",
		"ANKLET_REGISTRATION_TOKEN": token,
		"ANKLET_RUNNER_NAME":        vm,
		"ANKLET_RUNNER_LABELS":      "self-hosted,anka-template:x; rm -rf /",
		"ANKLET_RUNNER_GROUP":       "macOS builders",
	}

	res, err := b.cli.Run(ctx, vm, env, "bash", "-c", "./register-runner.bash")
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("register-runner = %+v (%s), %v", res, res.Output, err)
	}
	raw, err := os.ReadFile(filepath.Join(b.host.Home(vm), ".runner"))
	if err != nil {
		t.Fatal(err)
	}
	var conf map[string]any
	if err := json.Unmarshal(raw, &conf); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"AgentName": vm, "ServerUrl": "https://github.com/acme/app",
		"Labels": "self-hosted,anka-template:x; rm -rf /", "RunnerGroup": "macOS builders",
		"Ephemeral": true, "DisableUpdate": true, "NoDefaultLabels": true, "Unattended": true,
	}
	for k, v := range want {
		if conf[k] != v {
			t.Errorf(".runner %s = %v, want %v", k, conf[k], v)
		}
	}

	res, err = b.cli.Run(ctx, vm, nil, "bash", "-c", "./start-runner.bash")
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("start-runner without JIT = %+v (%s), %v", res, res.Output, err)
	}
	waitFor(t, 10*time.Second, "the registered runner to run", func() bool {
		log, _ := os.ReadFile(filepath.Join(b.host.Home(vm), "runner.log"))
		return strings.Contains(string(log), "Listening for Jobs")
	})

	delete(env, "ANKLET_REGISTRATION_TOKEN")
	res, err = b.cli.Run(ctx, vm, env, "bash", "-c", "./register-runner.bash")
	if err != nil || res.ExitCode == 0 {
		t.Fatalf("register-runner without a token = %+v, %v; want a failure", res, err)
	}
	assertNoSecretInArgv(t, b.host, token)
}
