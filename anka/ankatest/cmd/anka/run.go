package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/anklet/anklet/anka/ankatest/internal/state"
)

var runFlags = flags(
	"workdir=:-w,-D,--workdir", "inherit:-E", "env=:-e", "env-file=:-f,--env-file",
	"quiet:-q,--quiet", "background:-b,--background",
)

// callOf records argv as given. For run it also notes the env file's path,
// permission bits and variable names, never its values; args is argv
// without the global options.
func callOf(argv, args []string) state.Call {
	c := state.Call{Args: append([]string(nil), argv...), At: time.Now().UTC()}
	if args[0] != "run" {
		return c
	}
	o, _, err := parse(args[1:], runFlags, true)
	if err != nil || !o.has("env-file") {
		return c
	}
	c.EnvFile = o.get("env-file")
	if fi, err := os.Stat(c.EnvFile); err == nil {
		c.EnvFileMode = uint32(fi.Mode().Perm())
	}
	if vars, err := readEnvFile(c.EnvFile); err == nil {
		for _, kv := range vars {
			k, _, _ := strings.Cut(kv, "=")
			c.EnvKeys = append(c.EnvKeys, k)
		}
	}
	return c
}

// cmdRun executes the command on the host in the VM's home. Its stdout,
// stderr and exit code pass through, as with the real `anka run`.
func cmdRun(e *env, args []string, machine bool) int {
	o, pos, err := parse(args, runFlags, true)
	if err != nil {
		return emit(e, fail(1, "%v", err), machine)
	}
	if len(pos) < 2 {
		return emit(e, fail(1, "run: usage: run [options] <vm> <command>..."), machine)
	}

	var home string
	r := change(e, func(st *state.State) reply {
		m := st.Find(pos[0])
		if m == nil {
			return notFound(pos[0])
		}
		if r := startLocked(st, m); r.failed {
			return r
		}
		if m.Home == "" {
			m.Home = e.store.HomeDir(m.Name)
		}
		home = m.Home
		return ok(nil, "")
	})
	if r.failed {
		return emit(e, r, machine)
	}
	if err := os.MkdirAll(home, 0o755); err != nil {
		return emit(e, fail(1, "%v", err), machine)
	}
	vars, err := runEnv(o, home)
	if err != nil {
		return emit(e, fail(1, "%v", err), machine)
	}

	cmd := exec.Command(pos[1], pos[2:]...)
	cmd.Dir = filepath.Join(home, o.get("workdir"))
	cmd.Env = vars
	cmd.Stdout, cmd.Stderr = e.stdout, e.stderr
	if o.has("quiet") {
		cmd.Stdout = io.Discard
	}
	if o.has("background") {
		if err := cmd.Start(); err != nil {
			fmt.Fprintln(e.stderr, err)
			return 127
		}
		fmt.Fprintln(e.stdout, cmd.Process.Pid)
		return 0
	}
	return exitCode(cmd.Run(), e.stderr)
}

func exitCode(err error, stderr io.Writer) int {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	default:
		fmt.Fprintln(stderr, err)
		return 127
	}
}

// runEnv builds the guest environment: a bare login-less shell, then the
// host's variables with -E (not overriding), the env file, then -e.
func runEnv(o opts, home string) ([]string, error) {
	vars := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "USER=anka", "SHELL=/bin/bash",
		"TMPDIR=" + os.TempDir(),
	}
	if o.has("inherit") {
		for _, kv := range os.Environ() {
			vars = setVar(vars, kv, false)
		}
	}
	if f := o.get("env-file"); f != "" {
		fromFile, err := readEnvFile(f)
		if err != nil {
			return nil, err
		}
		for _, kv := range fromFile {
			vars = setVar(vars, kv, true)
		}
	}
	for _, kv := range o["env"] {
		if !strings.Contains(kv, "=") {
			return nil, fmt.Errorf("-e %s: want VAR=VALUE", kv)
		}
		vars = setVar(vars, kv, true)
	}
	return vars, nil
}

func setVar(vars []string, kv string, override bool) []string {
	k, _, _ := strings.Cut(kv, "=")
	for i, old := range vars {
		if strings.HasPrefix(old, k+"=") {
			if override {
				vars[i] = kv
			}
			return vars
		}
	}
	return append(vars, kv)
}

// readEnvFile reads VAR=VALUE lines; quotes are kept literally and empty
// lines are skipped.
func readEnvFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("env file: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" {
			continue
		}
		if k, _, ok := strings.Cut(line, "="); !ok || k == "" {
			return nil, fmt.Errorf("env file line %d: want VAR=VALUE", n)
		}
		out = append(out, line)
	}
	return out, sc.Err()
}

// runFault makes run fail the way a broken guest connection does: a message
// on stderr and exit code 125 unless the fault says otherwise.
func runFault(e *env, f *state.Fault) int {
	if f.Raw != "" {
		fmt.Fprint(e.stdout, f.Raw)
	}
	if f.Message != "" {
		fmt.Fprintln(e.stderr, f.Message)
	}
	if f.ExitCode == 0 && f.Raw == "" {
		return 125
	}
	return f.ExitCode
}
