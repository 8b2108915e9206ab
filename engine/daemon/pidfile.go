package daemon

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ErrAlreadyRunning is returned by [AcquirePidFile] while another process
// holds the pid file.
var ErrAlreadyRunning = errors.New("already running")

// PidFile is a held pid file: it names this process and stays locked
// (flock) until [PidFile.Release] or the process's exit.
//
// The lock, not the pid inside, decides whether another daemon is alive:
// a pid read from a file can belong to an unrelated process after a reboot,
// while the kernel drops a lock the moment its holder dies. So a file that
// nobody has locked is stale whatever pid it names, and is replaced.
type PidFile struct {
	path string
	file *os.File
	// Replaced is the pid a stale file named, or 0.
	Replaced int
	// ReplacedAlive tells that Replaced is a live process (kill(pid, 0)
	// succeeded) that did not hold the lock: a recycled pid, most likely.
	ReplacedAlive bool
}

// AcquirePidFile creates or takes over the pid file at path and writes this
// process's pid into it. It fails with [ErrAlreadyRunning] (naming the pid)
// while another process holds the file, and two processes starting at the
// same instant cannot both succeed.
func AcquirePidFile(path string) (*PidFile, error) {
	for range 10 {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("open pid file: %w", err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			pid := readPid(f)
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, fmt.Errorf("%w as pid %d (pid file %s)", ErrAlreadyRunning, pid, path)
			}
			return nil, fmt.Errorf("lock pid file %s: %w", path, err)
		}

		// A process that exits removes its file before unlocking it; if that
		// happened between our open and our lock, we locked a file no longer
		// at path. Start again with whatever is there now.
		if !stillAt(f, path) {
			f.Close()
			continue
		}

		pf := &PidFile{path: path, file: f, Replaced: readPid(f)}
		if pf.Replaced == os.Getpid() {
			pf.Replaced = 0
		}
		pf.ReplacedAlive = pf.Replaced > 0 && processAlive(pf.Replaced)
		if err := writePid(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("write pid file %s: %w", path, err)
		}
		return pf, nil
	}
	return nil, fmt.Errorf("pid file %s keeps changing; is another anklet starting and "+
		"stopping?", path)
}

// Path is the pid file's path.
func (p *PidFile) Path() string { return p.path }

// Release removes the pid file and drops the lock. It is safe to call more
// than once.
func (p *PidFile) Release() error {
	if p.file == nil {
		return nil
	}
	var err error
	if stillAt(p.file, p.path) {
		err = os.Remove(p.path)
	}
	err = errors.Join(err, p.file.Close())
	p.file = nil
	if err != nil {
		return fmt.Errorf("release pid file %s: %w", p.path, err)
	}
	return nil
}

func stillAt(f *os.File, path string) bool {
	open, err := f.Stat()
	if err != nil {
		return false
	}
	now, err := os.Stat(path)
	return err == nil && os.SameFile(open, now)
}

func readPid(f *os.File) int {
	buf := make([]byte, 32)
	n, _ := f.ReadAt(buf, 0)
	pid, err := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

func writePid(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0); err != nil {
		return err
	}
	return f.Sync()
}

// processAlive reports whether pid exists: kill(pid, 0) succeeds, or fails
// only for lack of permission.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
