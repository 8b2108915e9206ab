package anka

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// waitDelay bounds how long a finished or killed call may keep its output
// pipes open through a leftover child.
const waitDelay = 2 * time.Second

// Output limits: what a call keeps of its stdout (the envelope is at the
// end) and of its stderr (for error messages).
const (
	maxEnvelopeOutput = 8 << 20
	maxErrorOutput    = 4 << 10
)

// call describes one invocation.
type call struct {
	op       string   // for logs and errors: "clone", "registry pull"
	vm       string   // VM or template, for logs and errors
	args     []string // after "anka -j"
	timeout  time.Duration
	progress bool // stdout and stderr may carry {"p":…} progress lines
	bare     bool // run `anka` with no arguments at all
}

// start runs the call to completion, writing its output to stdout and
// stderr, and returns its exit status. It returns an *Error only when the
// process could not run or its context ended; then every process of its
// group has been killed.
func (c *CLI) start(ctx context.Context, cl call, stdout, stderr io.Writer) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, cl.timeout)
	defer cancel()

	argv := append([]string{"-j"}, cl.args...)
	if cl.bare {
		argv = nil
	}
	cmd := exec.CommandContext(ctx, c.opts.Path, argv...)
	cmd.Env = append(os.Environ(), c.opts.Env...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = waitDelay

	began := time.Now()
	if err := cmd.Start(); err != nil {
		return -1, &Error{Op: cl.op, VM: cl.vm, ExitCode: -1, Err: fmt.Errorf("start: %w", err)}
	}
	stop := c.reportWhileRunning(cl, began)
	err := cmd.Wait()
	stop()

	exit := cmd.ProcessState.ExitCode()
	c.log.Debug().Str("op", cl.op).Str("vm", cl.vm).Int("exit_code", exit).
		Dur("took", time.Since(began).Round(time.Millisecond)).Msg("anka: call finished")

	// A call that finished cleanly stands even if the context ended just after.
	if ctxErr := ctx.Err(); ctxErr != nil && err != nil {
		msg := ""
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			msg = fmt.Sprintf("timed out after %s", time.Since(began).Round(time.Millisecond))
		}
		return -1, &Error{Op: cl.op, VM: cl.vm, ExitCode: -1, Message: msg, Err: ctxErr}
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) && !errors.Is(err, exec.ErrWaitDelay) {
		return -1, &Error{Op: cl.op, VM: cl.vm, ExitCode: -1, Err: fmt.Errorf("wait: %w", err)}
	}
	return exit, nil
}

// reportWhileRunning logs "anka: still running" every ProgressInterval until
// the returned func is called. It names the subcommand and the VM only:
// argv may hold values that must not reach the logs.
func (c *CLI) reportWhileRunning(cl call, began time.Time) func() {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(c.opts.ProgressInterval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				c.log.Info().Str("op", cl.op).Str("vm", cl.vm).
					Dur("elapsed", time.Since(began).Round(time.Second)).Msg("anka: still running")
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// do runs a call that answers with an envelope and returns the envelope of
// a successful call, or an *Error.
func (c *CLI) do(ctx context.Context, cl call) (envelope, error) {
	if cl.timeout == 0 {
		cl.timeout = c.opts.Timeout
	}
	stdout := &tailBuffer{max: maxEnvelopeOutput}
	stderr := &tailBuffer{max: maxErrorOutput}
	var outW, errW io.Writer = stdout, stderr
	var pw, pe *progressWriter
	if cl.progress {
		pw, pe = c.progressWriter(cl, stdout), c.progressWriter(cl, stderr)
		outW, errW = pw, pe
	}

	exit, err := c.start(ctx, cl, outW, errW)
	if err != nil {
		return envelope{}, err
	}
	if pw != nil {
		pw.Flush()
		pe.Flush()
	}

	env, perr := parseEnvelope(stdout.Bytes())
	switch {
	case perr != nil && exit != 0:
		msg := snippet(stderr.Bytes())
		if msg == "" {
			msg = snippet(stdout.Bytes())
		}
		return envelope{}, &Error{Op: cl.op, VM: cl.vm, ExitCode: exit, Message: msg}
	case perr != nil:
		return envelope{}, badOutput(cl, "%v", perr)
	case exit != 0 || env.Status == statusError:
		return envelope{}, &Error{
			Op: cl.op, VM: cl.vm, Code: env.Code, Message: env.Message, ExitCode: exit,
		}
	case env.Status != statusOK:
		return envelope{}, badOutput(cl, "status %q", env.Status)
	}
	return env, nil
}
