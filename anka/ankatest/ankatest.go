// Package ankatest provides a fake Anka CLI for tests, in the manner of
// net/http/httptest: a real executable (built from ./cmd/anka) that answers
// `anka -j …` with the real CLI's one-line JSON envelope, keeps its world in
// a per-test state directory, and lets Go code seed and inspect that world.
//
// What the fake models:
//   - local templates and VMs (`list`, `list -r`, `show`, `show <vm> tag`,
//     `clone`, `start`, `stop`, `delete --yes`, `cp`, `mount`, `run`);
//   - a single registry (`registry list|list-repos|show|pull`, top-level
//     `pull`, `pull --check-download-size`); pulls print {"p":…} progress
//     lines before the envelope, set the local current tag, and with
//     --shrink drop the other local tags;
//   - the error codes consumers branch on: 3 not found, 18 already exists,
//     exit status 1 on ERROR, and "maximum number of running instances
//     exceeded" when a start would exceed the running limit (default 2);
//   - a home directory per VM where `cp` drops files and `run` executes
//     commands on the host, with the environment from -f/-e only;
//   - a GitHub Actions runner "pre-installed in the template": run.sh and
//     config.sh shims in every VM home. `run.sh --jitconfig X` decodes X and
//     POSTs {"runner_id":id} to <ServerUrl>/_githubtest/runners/connect.
//
// What it leaves out: several registries (--remote is accepted and ignored),
// real disk accounting, suspend, port forwarding, human-readable tables
// (without -j it prints JSON too), and processes that outlive a VM's
// deletion (a backgrounded runner keeps running until it exits).
//
// Faults and delays are keyed by operation name: version, license, list,
// show, clone, start, stop, delete, cp, mount, run, pull, registry list,
// registry list-repos, registry show, registry pull.
package ankatest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
)

const pkgPath = "github.com/anklet/anklet/anka/ankatest/cmd/anka"

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// Build compiles the fake anka binary once per test binary and returns its
// path. The result is kept in the system temp directory under a name derived
// from the fake's sources, so later test runs reuse it. It fails the test
// when the go tool is missing or the build fails.
func Build(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() { buildPath, buildErr = build() })
	if buildErr != nil {
		tb.Fatalf("ankatest: build fake anka: %v", buildErr)
	}
	return buildPath
}

func build() (string, error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("go tool not on PATH: %w", err)
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("cannot locate the ankatest sources")
	}
	src := filepath.Dir(file)
	sum, err := sourceHash(src)
	if err != nil {
		return "", err
	}

	dir := filepath.Join(os.TempDir(), fmt.Sprintf("ankatest-%d", os.Getuid()))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create build dir: %w", err)
	}
	out := filepath.Join(dir, "anka-"+sum)
	if fi, err := os.Stat(out); err == nil && fi.Mode()&0o100 != 0 {
		return out, nil
	}

	// Build to a private name and rename, so parallel test binaries never
	// see a half-written executable.
	tmp, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", fmt.Errorf("create build dir: %w", err)
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command(goTool, "build", "-o", filepath.Join(tmp, "anka"), pkgPath)
	cmd.Dir = src
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, b)
	}
	if err := os.Rename(filepath.Join(tmp, "anka"), out); err != nil {
		return "", fmt.Errorf("install fake anka: %w", err)
	}
	return out, nil
}

// sourceHash digests the fake binary's sources and the Go version.
func sourceHash(src string) (string, error) {
	var files []string
	for _, sub := range []string{"cmd", "internal"} {
		err := filepath.WalkDir(filepath.Join(src, sub), func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return "", fmt.Errorf("list fake sources: %w", err)
		}
	}
	sort.Strings(files)

	h := sha256.New()
	io.WriteString(h, runtime.Version())
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("read fake source: %w", err)
		}
		fmt.Fprintf(h, "%s %d\n", filepath.Base(f), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}
