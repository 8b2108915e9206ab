package handler

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// vmsDir is where VM ownership records live, under work_dir.
const vmsDir = "vms"

// VMRecord is what an ownership record file says about the VM it guards.
type VMRecord struct {
	VM     string `json:"vm"`
	JobID  int64  `json:"job_id"`
	Queue  string `json:"queue"`
	Plugin string `json:"plugin"`
	Host   string `json:"host"`
	PID    int    `json:"pid"`
}

// VMRecordPath is the ownership record of vm: <work_dir>/vms/<vm>.lock.
func VMRecordPath(workDir, vm string) string {
	return filepath.Join(workDir, vmsDir, vm+".lock")
}

// VMOwned reports whether some live handler owns vm: true iff a process
// (this one included) holds the flock on its record file. A handler takes
// the lock before `anka clone` and keeps it until the VM is deleted, and
// the kernel drops it when the process dies, so a VM that is not owned was
// left behind and may be deleted. A missing record means not owned. Errors
// other than a missing file are returned with false.
func VMOwned(workDir, vm string) (bool, error) {
	f, err := os.Open(VMRecordPath(workDir, vm))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("check owner of vm %s: %w", vm, err)
	}
	defer f.Close()

	err = flockNB(f)
	switch {
	case errors.Is(err, errLocked):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("check owner of vm %s: %w", vm, err)
	}
	return false, nil // closing f drops the lock just taken
}

// ReadVMRecord returns what vm's record file says, for logs. The record
// may belong to a dead process; use VMOwned to tell.
func ReadVMRecord(workDir, vm string) (VMRecord, error) {
	b, err := os.ReadFile(VMRecordPath(workDir, vm))
	if err != nil {
		return VMRecord{}, fmt.Errorf("read record of vm %s: %w", vm, err)
	}
	var r VMRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return VMRecord{}, fmt.Errorf("read record of vm %s: %w", vm, err)
	}
	return r, nil
}

// RemoveStaleVMRecord deletes vm's record file unless a live handler owns
// it, and reports whether it did. It removes the file while holding its
// lock, so it can never take away the record of a VM being created. A
// missing record counts as removed.
func RemoveStaleVMRecord(workDir, vm string) (bool, error) {
	path := VMRecordPath(workDir, vm)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("remove record of vm %s: %w", vm, err)
	}
	defer f.Close()
	switch err := flockNB(f); {
	case errors.Is(err, errLocked):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("remove record of vm %s: %w", vm, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("remove record of vm %s: %w", vm, err)
	}
	return true, nil
}

// ownVM creates vm's record and locks it. The VM name is new, so the lock
// can only be busy for the instant a check holds it; ownVM retries for up
// to a second. It also retries when the file it locked was removed
// meanwhile (RemoveStaleVMRecord), so the lock it returns is on the file
// that others see.
func ownVM(workDir string, rec VMRecord) (*fileLock, error) {
	path := VMRecordPath(workDir, rec.VM)
	deadline := time.Now().Add(time.Second)
	for {
		l, err := tryLock(path)
		if err == nil && !l.current() {
			l.release(false)
			err = errLocked // the file was replaced: try again
		}
		if errors.Is(err, errLocked) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond) // bounded: a checker holds it for microseconds
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("own vm %s: %w", rec.VM, err)
		}
		b, _ := json.Marshal(rec)
		if err := l.write(string(b) + "\n"); err != nil {
			l.release(true)
			return nil, fmt.Errorf("own vm %s: %w", rec.VM, err)
		}
		return l, nil
	}
}
