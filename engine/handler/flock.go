package handler

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// errLocked reports a lock file another open file holds.
var errLocked = errors.New("held by another process or handler")

// fileLock is an exclusive flock on a file. The kernel drops it when the
// file is closed or the process dies, so a crash never leaves it held.
// flock locks belong to the open file, so two handlers in one process
// exclude each other as two processes do.
type fileLock struct {
	f    *os.File
	path string
}

// tryLock opens (creating it, and its directory, when missing) the file at
// path and takes an exclusive flock without waiting. It fails with
// errLocked when another open file holds it.
func tryLock(path string) (*fileLock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := flockNB(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &fileLock{f: f, path: path}, nil
}

// flockNB takes an exclusive flock on f without blocking.
func flockNB(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return errLocked
		}
		return err
	}
}

// current reports whether the locked file is still the one at its path:
// another process may have removed it (and a third created a new one)
// between the open and the lock.
func (l *fileLock) current() bool {
	held, err := l.f.Stat()
	if err != nil {
		return false
	}
	now, err := os.Stat(l.path)
	return err == nil && os.SameFile(held, now)
}

// write replaces the file's content with s, for operators who look at
// who holds a lock. Failures are returned but do not release the lock.
func (l *fileLock) write(s string) error {
	if err := l.f.Truncate(0); err != nil {
		return fmt.Errorf("write %s: %w", l.path, err)
	}
	if _, err := l.f.WriteAt([]byte(s), 0); err != nil {
		return fmt.Errorf("write %s: %w", l.path, err)
	}
	return nil
}

// release drops the lock; remove also deletes the file first, so no other
// process can mistake it for a record of something still owned. Calling it
// on a nil lock, or twice, does nothing.
func (l *fileLock) release(remove bool) {
	if l == nil || l.f == nil {
		return
	}
	if remove {
		_ = os.Remove(l.path)
	}
	_ = l.f.Close()
	l.f = nil
}
