package reconcile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/anklet/anklet/anka"
	"github.com/anklet/anklet/anka/ankatest"
	"github.com/anklet/anklet/engine/enginetest"
	"github.com/anklet/anklet/github"
	"github.com/anklet/anklet/github/githubtest"
)

// testContext ends with the test, and after 45*time.Second at the latest.
func testContext(t *testing.T) context.Context {
	t.Helper()
	return enginetest.Context(t, 45*time.Second)
}

// waitFor fails the test when cond does not hold within within.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	enginetest.WaitFor(t, within, what, cond)
}

// vmLocks plays the handlers' VM ownership: a VM is owned while some open
// file holds an exclusive flock on <dir>/<vm>.lock, the way a handler holds
// it from before the clone until the delete.
type vmLocks struct {
	t    *testing.T
	dir  string
	mu   sync.Mutex
	held map[string]*os.File
}

func newVMLocks(t *testing.T) *vmLocks {
	l := &vmLocks{t: t, dir: t.TempDir(), held: map[string]*os.File{}}
	t.Cleanup(func() {
		for vm := range l.held {
			l.release(vm)
		}
	})
	return l
}

func (l *vmLocks) path(vm string) string { return filepath.Join(l.dir, vm+".lock") }

// hold takes vm's lock through a file description of its own.
func (l *vmLocks) hold(vm string) {
	l.t.Helper()
	f, err := os.OpenFile(l.path(vm), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		l.t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		l.t.Fatalf("lock %s: %v", vm, err)
	}
	l.mu.Lock()
	l.held[vm] = f
	l.mu.Unlock()
}

func (l *vmLocks) release(vm string) {
	l.mu.Lock()
	f := l.held[vm]
	delete(l.held, vm)
	l.mu.Unlock()
	if f != nil {
		_ = f.Close() // closing the last descriptor drops the flock
	}
}

// owned reports whether a lock holder exists, by trying the lock itself.
func (l *vmLocks) owned(vm string) (bool, error) {
	f, err := os.Open(l.path(vm))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return false, syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}

// testTemplate is the template every fake host holds.
const testTemplate = "c0847bc9-5d2d-4dbc-ba6a-240f7ff08032"

// newAnkaHost returns a fake Anka host with one template and a CLI for it.
func newAnkaHost(t *testing.T) (*ankatest.Host, *anka.CLI) {
	t.Helper()
	h := ankatest.NewHost(t, ankatest.HostOptions{})
	h.AddTemplate(ankatest.Template{UUID: testTemplate, Name: "macos-15", Tags: []string{"v1"}})
	return h, anka.New(anka.Options{Path: h.Path(), Timeout: 20 * time.Second})
}

// clone creates VM name on the fake host.
func clone(t *testing.T, cli *anka.CLI, name string) {
	t.Helper()
	if err := cli.Clone(testContext(t), testTemplate, name, ""); err != nil {
		t.Fatalf("clone %s: %v", name, err)
	}
}

// vmNames lists the fake host's VMs by name.
func vmNames(h *ankatest.Host) map[string]bool {
	out := map[string]bool{}
	for _, vm := range h.VMs() {
		out[vm.Name] = true
	}
	return out
}

// newGitHub starts a fake GitHub with repository acme/app and returns it
// with a token client.
func newGitHub(t *testing.T) (*githubtest.Server, *github.Client) {
	t.Helper()
	s := githubtest.NewServer(t)
	s.AddRepo("acme", "app")
	c, err := github.New(testContext(t), github.Options{Token: s.Token(), BaseURL: s.URL()})
	if err != nil {
		t.Fatalf("github client: %v", err)
	}
	return s, c
}
