package daemon

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	zlog "github.com/rs/zerolog/log"
)

func TestDraining(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".drain")
	if Draining(path) {
		t.Fatal("draining without a drain file")
	}
	writeFile(t, path, "")
	if !Draining(path) {
		t.Fatal("not draining with a drain file")
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if Draining(path) {
		t.Fatal("still draining after the file was removed")
	}
}

// A drain file that cannot be checked counts as absent, with a warning that
// is not repeated on every call.
func TestDrainingFailsOpen(t *testing.T) {
	logs := &syncBuffer{}
	saved := zlog.Logger
	zlog.Logger = zerolog.New(logs)
	defer func() { zlog.Logger = saved }()

	notADir := filepath.Join(t.TempDir(), "file")
	writeFile(t, notADir, "")
	path := filepath.Join(notADir, ".drain") // stat fails with ENOTDIR
	for range 3 {
		if Draining(path) {
			t.Fatal("an unreadable drain file counted as draining")
		}
	}
	if n := strings.Count(logs.String(), "cannot check the drain file"); n != 1 {
		t.Fatalf("%d warnings, want 1:\n%s", n, logs.String())
	}
}
