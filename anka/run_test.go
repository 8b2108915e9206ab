package anka_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anklet/anklet/anka"
	"github.com/anklet/anklet/anka/ankatest"
)

func cloned(t *testing.T, b bundle, vm string) {
	t.Helper()
	if err := b.cli.Clone(ctxFor(t), tmplUUID, vm, ""); err != nil {
		t.Fatalf("Clone: %v", err)
	}
}

func TestRunPassesEnvThroughPrivateFile(t *testing.T) {
	b := setup(t)
	ctx := ctxFor(t)
	cloned(t, b, "anklet-vm-run")
	secret := "ghr_s3cr3t-registration-token"

	res, err := b.cli.Run(ctx, "anklet-vm-run",
		map[string]string{"ANKLET_REGISTRATION_TOKEN": secret, "ANKLET_RUNNER_NAME": "n 1"},
		"bash", "-c", `printf '%s|%s|%s' "$ANKLET_REGISTRATION_TOKEN" "$ANKLET_RUNNER_NAME" "$PWD"`)
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("Run = %+v, %v", res, err)
	}
	want := secret + "|n 1|" + b.host.Home("anklet-vm-run")
	if string(res.Output) != want {
		t.Fatalf("guest saw %q, want %q", res.Output, want)
	}

	calls := b.host.Calls()
	run := calls[len(calls)-1]
	if run.Args[1] != "run" || run.Args[2] != "-f" || run.Args[4] != "anklet-vm-run" {
		t.Fatalf("run argv = %q, want anka -j run -f <file> <vm> …", run.Args)
	}
	if run.EnvFileMode != 0o600 {
		t.Fatalf("env file mode = %v, want 0600", run.EnvFileMode)
	}
	if strings.Join(run.EnvKeys, ",") != "ANKLET_REGISTRATION_TOKEN,ANKLET_RUNNER_NAME" {
		t.Fatalf("env file keys = %v", run.EnvKeys)
	}
	if _, err := os.Stat(filepath.Dir(run.EnvFile)); !os.IsNotExist(err) {
		t.Fatalf("env file directory still exists after Run: %v", err)
	}
	assertNoSecretInArgv(t, b.host, secret)
	if strings.Contains(b.logs.String(), secret) {
		t.Fatal("secret reached the driver's log")
	}
}

func TestRunExitCodeAndOutputBound(t *testing.T) {
	b := setup(t)
	ctx := ctxFor(t)
	cloned(t, b, "vm")

	res, err := b.cli.Run(ctx, "vm", nil, "bash", "-c", "echo out; echo err >&2; exit 7")
	if err != nil || res.ExitCode != 7 || string(res.Output) != "out\nerr\n" {
		t.Fatalf("Run = %+v (%q), %v", res, res.Output, err)
	}
	if c := b.host.Calls(); c[len(c)-1].EnvFile != "" {
		t.Fatal("Run without env passed an env file")
	}

	res, err = b.cli.Run(ctx, "vm", nil,
		"bash", "-c", "head -c 200000 /dev/zero | tr '\\0' x; echo END")
	if err != nil || !res.Truncated || len(res.Output) != anka.MaxRunOutput ||
		!strings.HasSuffix(string(res.Output), "xEND\n") {
		t.Fatalf("big output: truncated=%v len=%d, %v", res.Truncated, len(res.Output), err)
	}

	_, err = b.cli.Run(ctx, "missing", nil, "true")
	if !errors.Is(err, anka.ErrNotFound) {
		t.Fatalf("Run on missing VM = %v, want ErrNotFound", err)
	}
	if _, err := b.cli.Run(ctx, "vm", map[string]string{"A": "x\ny"}, "true"); err == nil {
		t.Fatal("Run accepted a value with a line break")
	}
	if _, err := b.cli.Run(ctx, "vm", map[string]string{"1A": "x"}, "true"); err == nil {
		t.Fatal("Run accepted an invalid variable name")
	}
}

func TestRunCommunicationFault(t *testing.T) {
	b := setup(t)
	cloned(t, b, "vm")
	b.host.SetFault("run", ankatest.Fault{Message: "-anka: communication timeout", Times: 1})

	res, err := b.cli.Run(ctxFor(t), "vm", nil, "true")
	if err != nil || res.ExitCode != anka.ExitCommunication {
		t.Fatalf("Run with fault = %+v, %v", res, err)
	}
}

// A canceled Run kills the whole process group (down to the guest command's
// own children) and still removes the env file.
func TestRunCancelKillsGroupAndRemovesEnvFile(t *testing.T) {
	b := setup(t)
	cloned(t, b, "vm")
	pidFile := filepath.Join(t.TempDir(), "pid")

	ctx, cancel := context.WithCancel(ctxFor(t))
	done := make(chan error, 1)
	go func() {
		_, err := b.cli.Run(ctx, "vm", map[string]string{"SECRET": "zzz"},
			"bash", "-c", "sleep 60 & echo $! > "+pidFile+"; wait")
		done <- err
	}()
	var pid string
	waitFor(t, 10*time.Second, "the guest to start", func() bool {
		b, _ := os.ReadFile(pidFile)
		pid = string(b)
		return strings.HasSuffix(pid, "\n")
	})
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) || errors.Is(err, anka.ErrTimeout) {
		t.Fatalf("canceled Run = %v, want context.Canceled", err)
	}

	calls := b.host.Calls()
	if f := calls[len(calls)-1].EnvFile; f == "" {
		t.Fatal("no env file recorded")
	} else if _, err := os.Stat(f); !os.IsNotExist(err) {
		t.Fatalf("env file survived a canceled Run: %v", err)
	}
	waitFor(t, 5*time.Second, "the guest's child to die", func() bool {
		return !alive(strings.TrimSpace(pid))
	})
}

// alive reports whether a process exists and is not a zombie.
func alive(pid string) bool {
	if pid == "" {
		return true
	}
	stat, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}
