package state

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Store is a state directory: state.json, the call log calls.jsonl, a lock
// file and one home directory per VM under homes/.
type Store struct {
	Dir string
}

// Call is one recorded invocation of the fake binary. EnvFile is the path
// given with -f to run, EnvFileMode its permission bits at the time of the
// call and EnvKeys the variable names it held; values are never recorded.
type Call struct {
	Args        []string  `json:"args"`
	EnvFile     string    `json:"env_file,omitempty"`
	EnvFileMode uint32    `json:"env_file_mode,omitempty"`
	EnvKeys     []string  `json:"env_keys,omitempty"`
	At          time.Time `json:"at"`
}

func (s Store) statePath() string { return filepath.Join(s.Dir, "state.json") }
func (s Store) callsPath() string { return filepath.Join(s.Dir, "calls.jsonl") }

// HomeDir is where the home of VM name lives.
func (s Store) HomeDir(name string) string { return filepath.Join(s.Dir, "homes", name) }

// lock takes the exclusive lock of the directory; the returned func frees it.
func (s Store) lock() (func(), error) {
	f, err := os.OpenFile(filepath.Join(s.Dir, "state.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock: %w", err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock state: %w", err)
	}
	return func() { f.Close() }, nil
}

func (s Store) load() (*State, error) {
	st := &State{}
	b, err := os.ReadFile(s.statePath())
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("read state: %w", err)
	default:
		if err := json.Unmarshal(b, st); err != nil {
			return nil, fmt.Errorf("decode state: %w", err)
		}
	}
	st.fill()
	return st, nil
}

func (s Store) save(st *State) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	tmp := s.statePath() + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	if err := os.Rename(tmp, s.statePath()); err != nil {
		return fmt.Errorf("replace state: %w", err)
	}
	return nil
}

// Update runs fn on the current state under the lock and saves the result
// unless fn fails.
func (s Store) Update(fn func(*State) error) error {
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	st, err := s.load()
	if err != nil {
		return err
	}
	if err := fn(st); err != nil {
		return err
	}
	return s.save(st)
}

// Read returns a snapshot of the state.
func (s Store) Read() (*State, error) {
	unlock, err := s.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	return s.load()
}

// Record appends c to the call log.
func (s Store) Record(c Call) error {
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode call: %w", err)
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	f, err := os.OpenFile(s.callsPath(), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("open call log: %w", err)
	}
	defer f.Close()
	if _, err := f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("append call: %w", err)
	}
	return nil
}

// Calls returns the call log, oldest first.
func (s Store) Calls() ([]Call, error) {
	unlock, err := s.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	f, err := os.Open(s.callsPath())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open call log: %w", err)
	}
	defer f.Close()
	var out []Call
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		var c Call
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("decode call: %w", err)
		}
		out = append(out, c)
	}
	return out, sc.Err()
}
