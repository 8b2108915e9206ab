package daemon

import (
	"errors"
	"io/fs"
	"os"
	"sync"
	"time"

	zlog "github.com/rs/zerolog/log"
)

// drainWarnEvery bounds how often Draining repeats a warning for one path.
const drainWarnEvery = time.Minute

var drainWarned = struct {
	sync.Mutex
	at map[string]time.Time
}{at: map[string]time.Time{}}

// Draining reports whether the drain file at path (config drain_file,
// default ~/.config/anklet/.drain) exists. Handlers call it before each
// claim and take no new job while it does; work in flight continues.
//
// It fails open: when the file cannot be checked for any reason other than
// its absence (a permission error, say), it logs a warning through
// zerolog's global logger, at most once a minute per path, and reports
// false, so a broken check cannot silently stop a fleet from taking jobs.
func Draining(path string) bool {
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return true
	case errors.Is(err, fs.ErrNotExist):
		return false
	}

	drainWarned.Lock()
	last, seen := drainWarned.at[path]
	warn := !seen || time.Since(last) >= drainWarnEvery
	if warn {
		drainWarned.at[path] = time.Now()
	}
	drainWarned.Unlock()
	if warn {
		zlog.Warn().Err(err).Str("drain_file", path).
			Msg("cannot check the drain file; taking jobs as if it were absent")
	}
	return false
}
