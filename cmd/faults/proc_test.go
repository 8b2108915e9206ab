package faults

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// proc is one running anklet or anklet-receiver. It runs in a process group
// of its own, so a kill takes its children (anka calls, runner scripts)
// with it, as a host crash would.
type proc struct {
	name    string
	cmd     *exec.Cmd
	out     *os.File // stdout and stderr: panics and early failures
	done    chan struct{}
	started time.Time
}

// startProc runs bin -c config with env, its output going to outPath. The
// process is killed when the test ends, if it still runs.
func startProc(t *testing.T, name, bin, config, outPath string, env []string) *proc {
	t.Helper()
	out, err := os.OpenFile(outPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", config)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		out.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	p := &proc{name: name, cmd: cmd, out: out, done: make(chan struct{}), started: time.Now()}
	go func() {
		_ = cmd.Wait()
		out.Close()
		close(p.done)
	}()
	t.Cleanup(p.kill)
	return p
}

// alive reports whether the process still runs.
func (p *proc) alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// kill ends the process and its children with SIGKILL and waits for it.
func (p *proc) kill() {
	if !p.alive() {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}

// stop asks the process to shut down (SIGINT) and waits up to d, then
// kills it. It reports whether the process stopped by itself.
func (p *proc) stop(d time.Duration) bool {
	if !p.alive() {
		return true
	}
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.done:
		return true
	case <-t.C:
		p.kill()
		return false
	}
}

// exitCode is the exit status once the process ended, -1 while it runs.
func (p *proc) exitCode() int {
	if p.alive() {
		return -1
	}
	return p.cmd.ProcessState.ExitCode()
}
