package daemon

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestPidFileExcludesASecondHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "anklet.pid")
	first, err := AcquirePidFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != strconv.Itoa(os.Getpid()) {
		t.Fatalf("pid file holds %q, want our pid", got)
	}

	_, err = AcquirePidFile(path)
	if !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("second acquire: %v, want ErrAlreadyRunning", err)
	}
	if !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
		t.Errorf("error does not name the holder: %v", err)
	}

	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("pid file still there after release: %v", err)
	}
	if err := first.Release(); err != nil {
		t.Fatalf("second release: %v", err)
	}
	again, err := AcquirePidFile(path)
	if err != nil {
		t.Fatalf("acquire after release: %v", err)
	}
	again.Release()
}

func TestPidFileReplacesAStaleOne(t *testing.T) {
	path := filepath.Join(t.TempDir(), "anklet.pid")

	// A process that has exited leaves its pid behind and no lock.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := cmd.Process.Pid
	writeFile(t, path, strconv.Itoa(dead)+"\n")
	pf, err := AcquirePidFile(path)
	if err != nil {
		t.Fatalf("stale pid file not replaced: %v", err)
	}
	if pf.Replaced != dead || pf.ReplacedAlive {
		t.Errorf("Replaced = %d (alive %v), want %d (dead)", pf.Replaced, pf.ReplacedAlive, dead)
	}
	if got := readFile(t, path); got != strconv.Itoa(os.Getpid()) {
		t.Errorf("pid file holds %q", got)
	}
	pf.Release()

	// A live pid without the lock is most likely recycled: replaced, noted.
	writeFile(t, path, strconv.Itoa(os.Getppid()))
	pf, err = AcquirePidFile(path)
	if err != nil {
		t.Fatalf("unlocked pid file not replaced: %v", err)
	}
	if pf.Replaced != os.Getppid() || !pf.ReplacedAlive {
		t.Errorf("Replaced = %d (alive %v), want the live parent", pf.Replaced, pf.ReplacedAlive)
	}
	pf.Release()

	writeFile(t, path, "garbage")
	pf, err = AcquirePidFile(path)
	if err != nil || pf.Replaced != 0 {
		t.Fatalf("garbage pid file: %v, replaced %d", err, pf.Replaced)
	}
	pf.Release()
}

// Many processes starting and stopping at once never hold the file
// together, including when one removes it while another is opening it.
func TestPidFileRace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "anklet.pid")
	var holders, wins atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				pf, err := AcquirePidFile(path)
				if errors.Is(err, ErrAlreadyRunning) {
					continue
				}
				if err != nil {
					t.Error(err)
					return
				}
				if n := holders.Add(1); n != 1 {
					t.Errorf("%d holders at once", n)
				}
				if !stillAt(pf.file, path) {
					t.Error("holding a pid file that is no longer at its path")
				}
				runtime.Gosched()
				wins.Add(1)
				holders.Add(-1)
				if err := pf.Release(); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if wins.Load() == 0 {
		t.Fatal("nobody ever acquired the pid file")
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
