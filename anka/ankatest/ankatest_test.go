package ankatest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/anklet/anklet/anka/ankatest"
)

// anka runs the fake through the host's wrapper and returns stdout, stderr
// and the exit status.
func anka(t *testing.T, h *ankatest.Host, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(h.Path(), args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("run fake anka: %v", err)
	}
	return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
}

type envelope struct {
	Status        string          `json:"status"`
	Body          json.RawMessage `json:"body"`
	Message       string          `json:"message"`
	Code          int             `json:"code"`
	ExceptionType string          `json:"exception_type"`
}

// decode checks the envelope is one line with no trailing newline.
func decode(t *testing.T, out string) envelope {
	t.Helper()
	if strings.Contains(out, "\n") {
		t.Fatalf("envelope is not one line without a trailing newline: %q", out)
	}
	var e envelope
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatalf("decode %q: %v", out, err)
	}
	return e
}

func TestEnvelopeShape(t *testing.T) {
	h := ankatest.NewHost(t, ankatest.HostOptions{})

	if _, _, code := anka(t, h); code != 0 {
		t.Fatalf("bare anka exited %d, want 0", code)
	}
	out, _, code := anka(t, h, "-j", "version")
	e := decode(t, out)
	if code != 0 || e.Status != "OK" || !strings.Contains(string(e.Body), `"version":"3.9.0"`) {
		t.Fatalf("version: exit %d, %+v", code, e)
	}

	out, _, code = anka(t, h, "-j", "list", "nope")
	e = decode(t, out)
	if code != 1 || e.Status != "ERROR" || e.Code != 3 || e.Message != "nope: not found" ||
		e.ExceptionType == "" {
		t.Fatalf("list nope: exit %d, %+v", code, e)
	}

	h.AddTemplate(ankatest.Template{UUID: "t1", Tags: []string{"v1"}})
	anka(t, h, "-j", "clone", "t1", "vm")
	out, _, code = anka(t, h, "-j", "clone", "t1", "vm")
	if e = decode(t, out); code != 1 || e.Code != 18 {
		t.Fatalf("duplicate clone: exit %d, %+v", code, e)
	}
	out, _, code = anka(t, h, "-j", "delete", "vm")
	if e = decode(t, out); code != 1 || !strings.Contains(e.Message, "--yes") {
		t.Fatalf("delete without --yes: exit %d, %+v", code, e)
	}

	// The bare binary finds its state through Env.
	cmd := exec.Command(h.Binary(), "-j", "list", "vm")
	cmd.Env = append(os.Environ(), h.Env()...)
	if b, err := cmd.Output(); err != nil || decode(t, string(b)).Status != "OK" {
		t.Fatalf("bare binary with Env: %s, %v", b, err)
	}
}

func TestShowBody(t *testing.T) {
	h := ankatest.NewHost(t, ankatest.HostOptions{})
	h.AddTemplate(ankatest.Template{UUID: "t1", Name: "sonoma", Tags: []string{"v1"}, CPU: 6,
		RAM: 12 << 30})
	out, _, _ := anka(t, h, "-j", "show", "sonoma")
	var body map[string]any
	if err := json.Unmarshal(decode(t, out).Body, &body); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{
		"uuid": "t1", "name": "sonoma", "version": "v1", "status": "stopped",
		"cpu_cores": 6.0, "ram_size": float64(12 << 30), "ram": fmt.Sprint(12 << 30),
	} {
		if body[k] != want {
			t.Errorf("show %s = %v, want %v", k, body[k], want)
		}
	}
	for _, k := range []string{"image_size", "hard_drive", "access_date", "creation_date"} {
		if _, ok := body[k]; !ok {
			t.Errorf("show lacks %s", k)
		}
	}
}

func TestFaultTimesAndCalls(t *testing.T) {
	h := ankatest.NewHost(t, ankatest.HostOptions{})
	h.SetFault("version", ankatest.Fault{Code: 5, Message: "boom", Times: 2})
	for i := 0; i < 3; i++ {
		out, _, code := anka(t, h, "-j", "version")
		e := decode(t, out)
		if failed := i < 2; failed != (e.Status == "ERROR") || failed != (code == 1) {
			t.Fatalf("call %d: exit %d, %+v", i, code, e)
		}
	}
	calls := h.Calls()
	if len(calls) != 3 || strings.Join(calls[0].Args, " ") != "-j version" {
		t.Fatalf("calls = %v", calls)
	}
}

func TestRunnerRejectsBadJITConfig(t *testing.T) {
	for _, jit := range []string{"%%%", "bm90IGpzb24=", "e30="} { // bad base64, not JSON, {}
		cmd := exec.Command(ankatest.Build(t), "__runner", "--jitconfig", jit)
		cmd.Dir = t.TempDir()
		err := cmd.Run()
		if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 1 {
			t.Errorf("runner with jit %q: %v, want exit 1", jit, err)
		}
	}
}

// Many fake processes changing the state at once lose no update.
func TestParallelProcessesLoseNoUpdate(t *testing.T) {
	h := ankatest.NewHost(t, ankatest.HostOptions{})
	h.AddTemplate(ankatest.Template{UUID: "t1", Tags: []string{"v1"}})
	const n = 16

	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(h.Path(), "-j", "clone", "t1", fmt.Sprintf("vm-%d", i))
			_ = cmd.Run()
			codes[i] = cmd.ProcessState.ExitCode()
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != 0 {
			t.Errorf("clone %d exited %d", i, c)
		}
	}
	if got := len(h.VMs()); got != n {
		t.Fatalf("%d VMs after %d parallel clones", got, n)
	}
	if got := len(h.Calls()); got != n {
		t.Fatalf("%d calls recorded, want %d", got, n)
	}
}

func TestRunAndCopy(t *testing.T) {
	h := ankatest.NewHost(t, ankatest.HostOptions{})
	h.AddTemplate(ankatest.Template{UUID: "t1", Tags: []string{"v1"}})
	anka(t, h, "-j", "clone", "t1", "vm")

	envFile := filepath.Join(t.TempDir(), "env")
	if err := os.WriteFile(envFile, []byte("A=from-file\nB=\"kept\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, code := anka(t, h, "-j", "run", "-f", envFile, "-e", "A=from-flag", "vm",
		"bash", "-c", `echo "$A $B $HOME $(pwd)"; exit 3`)
	home := h.Home("vm")
	if code != 3 || out != fmt.Sprintf("from-flag \"kept\" %s %s\n", home, home) {
		t.Fatalf("run: exit %d, %q", code, out)
	}
	if r := h.Running(); len(r) != 1 || r[0] != "vm" {
		t.Fatalf("run did not start the VM: %v", r)
	}

	if err := os.WriteFile(filepath.Join(home, "result.txt"), []byte("ok"), 0o644); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "result.txt")
	out, _, code = anka(t, h, "-j", "cp", "-a", "vm:/Users/anka/result.txt", dest)
	if b, err := os.ReadFile(dest); code != 0 || err != nil || string(b) != "ok" {
		t.Fatalf("cp from guest: exit %d %s, %q %v", code, out, b, err)
	}
}
