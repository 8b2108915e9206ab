package handler

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// locksDir is where the host-wide lock files live, under work_dir.
const locksDir = "locks"

// errNoSlot reports that every VM slot of the host is taken.
var errNoSlot = errors.New("every VM slot of the host is taken")

// slotPath is the lock file of VM slot n.
func slotPath(workDir string, n int) string {
	return filepath.Join(workDir, locksDir, "slot-"+strconv.Itoa(n)+".lock")
}

// pullLockPath is the host's pull lock.
func pullLockPath(workDir string) string {
	return filepath.Join(workDir, locksDir, "pull.lock")
}

// acquireSlot takes the first free VM slot of the host, trying slots 0 to
// max-1 without waiting. It fails with errNoSlot when all are held. The
// file records who holds it (pid and plugin), for operators.
func acquireSlot(workDir string, max int, holder string) (*fileLock, error) {
	for n := range max {
		l, err := tryLock(slotPath(workDir, n))
		if errors.Is(err, errLocked) {
			continue
		}
		if err != nil {
			return nil, err
		}
		_ = l.write(fmt.Sprintf("pid=%d plugin=%s\n", os.Getpid(), holder))
		return l, nil
	}
	return nil, errNoSlot
}
