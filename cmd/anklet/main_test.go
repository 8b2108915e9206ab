package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/anklet/anklet/streams/redistest"
)

func TestVersionFlag(t *testing.T) {
	var stdout bytes.Buffer
	if code := run([]string{"-version"}, nil, &stdout, &bytes.Buffer{}); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if stdout.String() != "dev\n" {
		t.Fatalf("printed %q, want dev", stdout.String())
	}
}

func TestHelpExitsZeroAndUnknownFlagsTwo(t *testing.T) {
	var stderr bytes.Buffer
	if code := run([]string{"-h"}, nil, &bytes.Buffer{}, &stderr); code != 0 ||
		!strings.Contains(stderr.String(), "-check") {
		t.Fatalf("-h: exit %d, usage %q", code, stderr.String())
	}
	if code := run([]string{"-nope"}, nil, &bytes.Buffer{}, &bytes.Buffer{}); code != 2 {
		t.Fatalf("-nope: exit %d, want 2", code)
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yml")
	bad := filepath.Join(dir, "bad.yml")
	writeFile(t, good, "plugins:\n  - {name: h1, plugin: github, owner: acme, token: t}\n")
	writeFile(t, bad, "global_tokn: x\nplugins:\n  - {name: h1, plugin: gitlab, owner: acme}\n")
	env := []string{"HOME=" + dir, "ANKLET_UNKNOWN=1"}

	var stdout, stderr bytes.Buffer
	if code := run([]string{"-c", good, "-check"}, env, &stdout, &stderr); code != 0 {
		t.Fatalf("good config: exit %d\n%s", code, stderr.String())
	}
	want := "warning: environment variable ANKLET_UNKNOWN is not a setting Anklet reads\n" +
		"config ok\n"
	if stdout.String() != want {
		t.Fatalf("stdout %q, want %q", stdout.String(), want)
	}

	stdout.Reset()
	if code := run([]string{"-check", "-c", bad}, env, &stdout, &stderr); code != 2 {
		t.Fatalf("bad config: exit %d, want 2", code)
	}
	for _, line := range []string{
		`config: unknown key "global_tokn" (did you mean "global_token"?)`,
		`config: plugin "h1": plugin kind "gitlab" is not supported (use github or ` +
			`github_receiver)`,
	} {
		if !strings.Contains(stderr.String(), line+"\n") {
			t.Errorf("stderr lacks %q:\n%s", line, stderr.String())
		}
	}

	stderr.Reset()
	levelEnv := append(env, "LOG_LEVEL=chatty")
	if code := run([]string{"-c", good, "-check"}, levelEnv, &stdout, &stderr); code != 2 ||
		!strings.Contains(stderr.String(), `config: LOG_LEVEL "chatty" is not one of`) {
		t.Fatalf("bad LOG_LEVEL: exit %d, stderr %q", code, stderr.String())
	}

	stderr.Reset()
	if code := run([]string{"-c", filepath.Join(dir, "none.yml")}, env, &stdout,
		&stderr); code != 2 || !strings.Contains(stderr.String(), "none.yml") {
		t.Fatalf("missing file: exit %d, stderr %q", code, stderr.String())
	}
}

func TestUsageErrors(t *testing.T) {
	var stderr bytes.Buffer
	if code := run([]string{"frobnicate"}, nil, &bytes.Buffer{}, &stderr); code != 2 ||
		!strings.Contains(stderr.String(), `unknown subcommand "frobnicate"`) {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	if code := run([]string{"-nope"}, nil, &bytes.Buffer{}, &stderr); code != 2 {
		t.Fatalf("unknown flag: exit %d", code)
	}
}

// The built binary: SIGINT makes it shut down cleanly with exit code 0.
func TestBinaryShutsDownOnSIGINT(t *testing.T) {
	bin := build(t, "-ldflags", "-X main.version=9.9.9-test")

	out, err := exec.Command(bin, "-version").Output()
	if err != nil || string(out) != "9.9.9-test\n" {
		t.Fatalf("-version printed %q (%v), want the -ldflags value", out, err)
	}

	d := start(t, bin)
	d.waitLine(t, "anklet started")
	if err := d.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := d.wait(t); code != 0 {
		t.Fatalf("exit code %d, want 0\n%s", code, d.output())
	}
	for _, want := range []string{"shutting down: waiting for plugins", "anklet shut down"} {
		if !strings.Contains(d.output(), want) {
			t.Errorf("output lacks %q:\n%s", want, d.output())
		}
	}
	if _, err := os.Stat(filepath.Join(d.dir, "anklet.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pid file left behind: %v", err)
	}
}

// A second SIGINT during a slow shutdown ends the process promptly, long
// before the shutdown grace would.
func TestBinarySecondSignalStopsNow(t *testing.T) {
	bin := build(t, "-tags", "anklet_testhook")
	d := start(t, bin)
	d.waitLine(t, "anklet started")
	if err := d.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	d.waitLine(t, "testhook: stopping slowly")

	// A second anklet cannot start while the first still holds the pid file.
	second := exec.Command(bin, "-c", d.config)
	second.Env = d.cmd.Env
	secondOut, _ := second.CombinedOutput()
	if second.ProcessState.ExitCode() != 1 || !bytes.Contains(secondOut, []byte("already running")) {
		t.Errorf("second anklet: exit %d\n%s", second.ProcessState.ExitCode(), secondOut)
	}

	if err := d.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := d.wait(t); code != 1 {
		t.Fatalf("exit code %d, want 1 after a forced stop\n%s", code, d.output())
	}
	for _, want := range []string{"second signal: stopping now", "anklet shut down"} {
		if !strings.Contains(d.output(), want) {
			t.Errorf("output lacks %q:\n%s", want, d.output())
		}
	}
}

// build compiles this command into a temporary directory.
func build(t *testing.T, args ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "anklet")
	cmd := exec.Command("go", append(append([]string{"build", "-o", bin}, args...), ".")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// daemonProcess is a running anklet whose stdout is collected line by line.
type daemonProcess struct {
	cmd    *exec.Cmd
	dir    string
	config string

	mu     sync.Mutex
	lines  []string
	notify chan struct{}
	done   chan struct{}
}

// start runs bin with a configuration of no plugins in a fresh directory.
func start(t *testing.T, bin string) *daemonProcess {
	t.Helper()
	dir := t.TempDir()
	config := filepath.Join(dir, "config.yml")
	redis := redistest.Start(t)
	writeFile(t, config, fmt.Sprintf("work_dir: %s\nlog:\n  file_dir: %s\n"+
		"shutdown_timeout_seconds: 600\nglobal_database_url: 127.0.0.1\n"+
		"global_database_port: %d\n", dir, dir, redis.Port()))

	d := &daemonProcess{dir: dir, config: config, notify: make(chan struct{}, 1),
		done: make(chan struct{})}
	d.cmd = exec.Command(bin, "-c", config)
	d.cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	stdout, err := d.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	d.cmd.Stderr = d.cmd.Stdout
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(d.done)
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			d.mu.Lock()
			d.lines = append(d.lines, scanner.Text())
			d.mu.Unlock()
			select {
			case d.notify <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		if d.cmd.ProcessState == nil {
			_ = d.cmd.Process.Kill()
			_ = d.cmd.Wait()
		}
	})
	return d
}

func (d *daemonProcess) output() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return strings.Join(d.lines, "\n")
}

// waitLine waits until a line containing text has been printed.
func (d *daemonProcess) waitLine(t *testing.T, text string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for !strings.Contains(d.output(), text) {
		select {
		case <-d.notify:
		case <-d.done:
			if !strings.Contains(d.output(), text) {
				t.Fatalf("anklet exited without printing %q:\n%s", text, d.output())
			}
		case <-deadline:
			t.Fatalf("anklet did not print %q:\n%s", text, d.output())
		}
	}
}

// wait waits for the process to exit and returns its exit code.
func (d *daemonProcess) wait(t *testing.T) int {
	t.Helper()
	exited := make(chan error, 1)
	go func() {
		<-d.done // all output read
		exited <- d.cmd.Wait()
	}()
	select {
	case err := <-exited:
		var exitErr *exec.ExitError
		if err != nil && !errors.As(err, &exitErr) {
			t.Fatal(err)
		}
		return d.cmd.ProcessState.ExitCode()
	case <-time.After(30 * time.Second):
		t.Fatalf("anklet did not exit:\n%s", d.output())
		return -1
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
