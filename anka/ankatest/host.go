package ankatest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anklet/anklet/anka/ankatest/internal/state"
)

// EnvVar is the environment variable that points the fake binary at its
// state directory.
const EnvVar = state.EnvVar

// HostOptions configures NewHost.
type HostOptions struct {
	// MaxRunning is how many VMs may run at once; default 2.
	MaxRunning int
	// Binary is the fake executable; default Build(tb).
	Binary string
}

// Host is one fake Anka host: a state directory and a wrapper script that
// runs the fake binary against it. Its methods fail the test on error and
// must be called from the test's goroutine.
type Host struct {
	tb    testing.TB
	store state.Store
	bin   string
	path  string
}

// NewHost creates a fake host with an empty world in a test temp directory.
func NewHost(tb testing.TB, opts HostOptions) *Host {
	tb.Helper()
	if opts.Binary == "" {
		opts.Binary = Build(tb)
	}
	dir := tb.TempDir()
	h := &Host{tb: tb, store: state.Store{Dir: dir}, bin: opts.Binary}

	h.path = filepath.Join(dir, "bin", "anka")
	script := "#!/bin/sh\n" + EnvVar + "=" + shellQuote(dir) + " exec " +
		shellQuote(opts.Binary) + " \"$@\"\n"
	if err := os.MkdirAll(filepath.Dir(h.path), 0o755); err != nil {
		tb.Fatalf("ankatest: %v", err)
	}
	if err := os.WriteFile(h.path, []byte(script), 0o755); err != nil {
		tb.Fatalf("ankatest: write wrapper: %v", err)
	}
	h.update(func(st *state.State) {
		if opts.MaxRunning > 0 {
			st.MaxRunning = opts.MaxRunning
		}
	})
	return h
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// Path is an executable that behaves as `anka` on this host (a wrapper that
// sets the state directory), for use as the driver's path.
func (h *Host) Path() string { return h.path }

// Binary is the fake executable itself; run it with Env.
func (h *Host) Binary() string { return h.bin }

// Env is the environment the bare Binary needs to find this host's state.
func (h *Host) Env() []string { return []string{EnvVar + "=" + h.store.Dir} }

// Dir is the state directory.
func (h *Host) Dir() string { return h.store.Dir }

// Home is the home directory of VM name, where `cp` drops files.
func (h *Host) Home(name string) string { return h.store.HomeDir(name) }

func (h *Host) update(fn func(*state.State)) {
	h.tb.Helper()
	err := h.store.Update(func(st *state.State) error { fn(st); return nil })
	if err != nil {
		h.tb.Fatalf("ankatest: update state: %v", err)
	}
}

func (h *Host) read() *state.State {
	h.tb.Helper()
	st, err := h.store.Read()
	if err != nil {
		h.tb.Fatalf("ankatest: read state: %v", err)
	}
	return st
}

// Fault makes an operation fail. ExitCode defaults to 1 (125 for run); Code
// and Message fill the error envelope. Times limits the fault to the next
// Times calls; 0 means every call until ClearFault. Raw, when set, is
// printed on stdout verbatim instead of an envelope (to feed the driver
// malformed output), with ExitCode as given.
type Fault struct {
	ExitCode int
	Code     int
	Message  string
	Times    int
	Raw      string
}

// SetFault injects f into operation op (see the package doc for names).
func (h *Host) SetFault(op string, f Fault) {
	h.tb.Helper()
	h.update(func(st *state.State) {
		st.Faults[op] = &state.Fault{
			ExitCode: f.ExitCode, Code: f.Code, Message: f.Message, Times: f.Times, Raw: f.Raw,
		}
	})
}

// ClearFault removes any fault of op.
func (h *Host) ClearFault(op string) {
	h.tb.Helper()
	h.update(func(st *state.State) { delete(st.Faults, op) })
}

// SetDelay makes every call of op wait d before acting (pulls print their
// progress lines meanwhile). Zero removes the delay.
func (h *Host) SetDelay(op string, d time.Duration) {
	h.tb.Helper()
	h.update(func(st *state.State) {
		if d <= 0 {
			delete(st.Delays, op)
			return
		}
		st.Delays[op] = d
	})
}

// SetMaxRunning sets how many VMs may run at once (default 2).
func (h *Host) SetMaxRunning(n int) {
	h.tb.Helper()
	h.update(func(st *state.State) { st.MaxRunning = n })
}

// SetLicense changes what `license show` reports (default
// com.veertu.anka.entplus, valid).
func (h *Host) SetLicense(licenseType, status string) {
	h.tb.Helper()
	h.update(func(st *state.State) { st.License = state.License{Type: licenseType, Status: status} })
}

// SetAvailableDisk sets the free disk, in bytes, that a download size check
// reports (default 500 GiB).
func (h *Host) SetAvailableDisk(n uint64) {
	h.tb.Helper()
	h.update(func(st *state.State) { st.AvailableDisk = n })
}

// SetStatus forces the status of a VM or template (such as "failed").
func (h *Host) SetStatus(name, status string) {
	h.tb.Helper()
	h.update(func(st *state.State) {
		m := st.Find(name)
		if m == nil {
			h.tb.Fatalf("ankatest: SetStatus: %s: not found", name)
		}
		m.Status = status
	})
}

// Call is one recorded invocation: the argv after the program name, plus,
// for run with -f, the env file's path, permission bits and variable names
// (never the values).
type Call struct {
	Args        []string
	EnvFile     string
	EnvFileMode os.FileMode
	EnvKeys     []string
	At          time.Time
}

// PeakRunning is the most VMs that ran at once, replayed from the call log:
// a start adds its VM, a stop or delete removes it.
func (h *Host) PeakRunning() int {
	h.tb.Helper()
	running := map[string]bool{}
	peak := 0
	for _, c := range h.Calls() {
		args := c.Args
		for len(args) > 0 && strings.HasPrefix(args[0], "-") {
			args = args[1:] // global flags such as -j
		}
		if len(args) < 2 {
			continue
		}
		switch args[0] {
		case "start":
			running[args[len(args)-1]] = true
		case "delete", "stop":
			delete(running, args[len(args)-1])
		}
		peak = max(peak, len(running))
	}
	return peak
}

// Calls returns every invocation so far, oldest first.
func (h *Host) Calls() []Call {
	h.tb.Helper()
	calls, err := h.store.Calls()
	if err != nil {
		h.tb.Fatalf("ankatest: read calls: %v", err)
	}
	out := make([]Call, len(calls))
	for i, c := range calls {
		out[i] = Call{
			Args: c.Args, EnvFile: c.EnvFile, EnvFileMode: os.FileMode(c.EnvFileMode),
			EnvKeys: c.EnvKeys, At: c.At,
		}
	}
	return out
}

// String renders the call as a command line, for failure messages.
func (c Call) String() string { return fmt.Sprintf("anka %s", strings.Join(c.Args, " ")) }
