package handler

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary play a process that holds a lock, for the
// kill -9 test.
func TestMain(m *testing.M) {
	if path := os.Getenv("ANKLET_TEST_HOLD_LOCK"); path != "" {
		if _, err := tryLock(path); err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString("locked\n")
		select {} // hold it until killed
	}
	code := m.Run()
	if code == 0 {
		if leaked := leakedGoroutines(5 * time.Second); leaked != "" {
			os.Stderr.WriteString("goroutines of the handler outlived the tests:\n" + leaked)
			code = 1
		}
	}
	os.Exit(code)
}

// leakedGoroutines waits up to d for every goroutine running a method of
// this package to end, and returns the stacks of those that did not.
func leakedGoroutines(d time.Duration) string {
	deadline := time.Now().Add(d)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		var leaked []string
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "engine/handler.(*") {
				leaked = append(leaked, g)
			}
		}
		if len(leaked) == 0 || time.Now().After(deadline) {
			return strings.Join(leaked, "\n\n")
		}
		<-tick.C
	}
}

func TestVMOwned(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const vm = "anklet-vm-test"

	if owned, err := VMOwned(dir, vm); owned || err != nil {
		t.Fatalf("VMOwned without a record = %v, %v; want false, nil", owned, err)
	}
	l, err := ownVM(dir, VMRecord{VM: vm, JobID: 7, Queue: "acme", Plugin: "p", PID: os.Getpid()})
	if err != nil {
		t.Fatal(err)
	}
	if owned, err := VMOwned(dir, vm); !owned || err != nil {
		t.Fatalf("VMOwned while held = %v, %v; want true, nil", owned, err)
	}
	rec, err := ReadVMRecord(dir, vm)
	if err != nil || rec.JobID != 7 || rec.Queue != "acme" || rec.PID != os.Getpid() {
		t.Fatalf("ReadVMRecord = %+v, %v", rec, err)
	}
	// Checking twice must not take the lock from its owner.
	if owned, _ := VMOwned(dir, vm); !owned {
		t.Fatal("a second check found the VM unowned")
	}

	if removed, err := RemoveStaleVMRecord(dir, vm); removed || err != nil {
		t.Fatalf("RemoveStaleVMRecord of an owned VM = %v, %v; want false, nil", removed, err)
	}
	l.release(false) // as a crash would: the file stays, unlocked
	unowned(t, dir, vm)
	if removed, err := RemoveStaleVMRecord(dir, vm); !removed || err != nil {
		t.Fatalf("RemoveStaleVMRecord of a stale record = %v, %v; want true, nil", removed, err)
	}

	l, err = ownVM(dir, VMRecord{VM: vm})
	if err != nil {
		t.Fatal(err)
	}
	l.release(true)
	unowned(t, dir, vm)
	if _, err := os.Stat(VMRecordPath(dir, vm)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("record file left after release: %v", err)
	}
}

// unowned waits until vm's record is not held. A process forked by a
// parallel test before a release keeps the lock until it execs, briefly.
func unowned(t *testing.T, dir, vm string) {
	t.Helper()
	waitFor(t, 5*time.Second, vm+" to be unowned", func() bool {
		owned, err := VMOwned(dir, vm)
		if err != nil {
			t.Fatal(err)
		}
		return !owned
	})
}

func TestSlotsAreHostWide(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, err := acquireSlot(dir, 2, "a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := acquireSlot(dir, 2, "b")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acquireSlot(dir, 2, "c"); !errors.Is(err, errNoSlot) {
		t.Fatalf("third slot of two: %v, want errNoSlot", err)
	}
	a.release(false)
	// A process forked (by a parallel test) before the release holds the
	// file until it execs, so the slot may take a moment to come free.
	var c *fileLock
	waitFor(t, 5*time.Second, "the released slot", func() bool {
		c, err = acquireSlot(dir, 2, "c")
		return err == nil
	})
	b.release(false)
	c.release(false)
}

// A process killed with SIGKILL releases its locks: the kernel drops them.
func TestKilledProcessReleasesLock(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := VMRecordPath(dir, "anklet-vm-killed")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "ANKLET_TEST_HOLD_LOCK="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	if _, err := out.Read(buf); err != nil || string(buf) != "locked\n" {
		t.Fatalf("helper did not lock: %q %v", buf, err)
	}

	if owned, _ := VMOwned(dir, "anklet-vm-killed"); !owned {
		t.Fatal("VM not owned while the helper holds the lock")
	}
	if _, err := tryLock(path); !errors.Is(err, errLocked) {
		t.Fatalf("lock held by another process: tryLock = %v, want errLocked", err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	waitFor(t, 5*time.Second, "the lock to be released", func() bool {
		owned, _ := VMOwned(dir, "anklet-vm-killed")
		return !owned
	})
}
