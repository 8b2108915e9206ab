package anka

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// MaxRunOutput is how much of a Run's combined stdout and stderr is kept:
// the last 64 KiB.
const MaxRunOutput = 64 << 10

// RunResult is the outcome of a guest command that ran to its end.
type RunResult struct {
	// ExitCode is the guest command's exit status; ExitCommunication (125)
	// means the host lost the guest.
	ExitCode int
	// Output is the tail of the combined stdout and stderr.
	Output []byte
	// Truncated is true when earlier output was dropped.
	Truncated bool
}

// Run runs args as a command in the guest: `anka -j run [-f <env file>] <vm>
// <args…>`, for example Run(ctx, vm, env, "bash", "-c", "./start-runner.bash").
// The variables in env reach the guest only through an env file of mode 0600
// in a private temporary directory, removed when Run returns, whatever
// happens; they never appear in argv. args must hold no secrets.
//
// A command that ran returns its exit status in RunResult with a nil error,
// whatever the status. The error is an *Error when the call timed out
// (ErrTimeout) or was canceled, when the CLI could not run, or when anka
// itself refused (such as ErrNotFound for an unknown VM).
func (c *CLI) Run(
	ctx context.Context, vm string, env map[string]string, args ...string,
) (RunResult, error) {
	if len(args) == 0 {
		return RunResult{}, fmt.Errorf("anka run %s: no command", vm)
	}
	argv := []string{"run"}
	if len(env) > 0 {
		dir, err := os.MkdirTemp(c.opts.TempDir, "anklet-env-")
		if err != nil {
			return RunResult{}, fmt.Errorf("anka run %s: env file dir: %w", vm, err)
		}
		defer os.RemoveAll(dir)
		file := filepath.Join(dir, "env")
		if err := writeEnvFile(file, env); err != nil {
			return RunResult{}, fmt.Errorf("anka run %s: %w", vm, err)
		}
		argv = append(argv, "-f", file)
	}
	argv = append(append(argv, vm), args...)

	out := &tailBuffer{max: MaxRunOutput}
	cl := call{op: "run", vm: vm, args: argv, timeout: c.opts.RunTimeout}
	exit, err := c.start(ctx, cl, out, out)
	if err != nil {
		return RunResult{ExitCode: exit, Output: out.Bytes(), Truncated: out.Truncated()}, err
	}
	res := RunResult{ExitCode: exit, Output: out.Bytes(), Truncated: out.Truncated()}
	if exit != 0 {
		// anka answers with an envelope when it refused before the guest ran.
		if e, perr := parseEnvelope(out.Bytes()); perr == nil && e.Status == statusError {
			return res, &Error{Op: "run", VM: vm, Code: e.Code, Message: e.Message, ExitCode: exit}
		}
	}
	return res, nil
}

// writeEnvFile writes VAR=VALUE lines, sorted by name, to a new file of
// mode 0600. The CLI takes values literally, so a value cannot hold a line
// break.
func writeEnvFile(path string, env map[string]string) error {
	keys := make([]string, 0, len(env))
	for k, v := range env {
		if !validEnvName(k) {
			return fmt.Errorf("env file: invalid variable name %q", k)
		}
		if strings.ContainsAny(v, "\r\n\x00") {
			return fmt.Errorf("env file: value of %s holds a line break or NUL", k)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "=" + env[k] + "\n")
	}

	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("env file: %w", err)
	}
	_, werr := f.WriteString(b.String())
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		return fmt.Errorf("env file: %w", err)
	}
	return nil
}

func validEnvName(k string) bool {
	if k == "" {
		return false
	}
	for i, r := range k {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
