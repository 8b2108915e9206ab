package anka_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anklet/anklet/anka"
)

// runnerArchive builds a stand-in for a runner release: a tar.gz with run.sh.
func runnerArchive(t *testing.T) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	body := []byte("#!/bin/sh\necho runner\n")
	hdr := &tar.Header{Name: "run.sh", Mode: 0o755, Size: int64(len(body))}
	if err := tw.WriteHeader(hdr); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(tw.Close(), gz.Close()); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return buf.Bytes(), hex.EncodeToString(sum[:])
}

// install-runner.bash downloads the pinned release when the template lacks
// the runner, and refuses an archive whose checksum does not match.
func TestInstallRunnerDownloads(t *testing.T) {
	archive, sum := runnerArchive(t)
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "release.tar.gz"), archive, 0o644); err != nil {
		t.Fatal(err)
	}
	// A curl stand-in: records the URL and writes the archive to --output.
	curl := `#!/bin/sh
out=""; url=""
while [ $# -gt 0 ]; do
  case "$1" in --output) out="$2"; shift ;; http*) url="$1" ;; esac
  shift
done
echo "$url" >> "` + bin + `/urls"
cp "` + bin + `/release.tar.gz" "$out"
`
	if err := os.WriteFile(filepath.Join(bin, "curl"), []byte(curl), 0o755); err != nil {
		t.Fatal(err)
	}
	b := setup(t, func(o *anka.Options) {
		o.Env = []string{"PATH=" + bin + ":" + os.Getenv("PATH")}
	})
	ctx := ctxFor(t)
	vm := "anklet-vm-install"
	cloned(t, b, vm)
	copyScripts(t, b, vm)
	if err := os.Remove(filepath.Join(b.host.Home(vm), "run.sh")); err != nil {
		t.Fatal(err)
	}

	wrong := map[string]string{"ANKLET_RUNNER_SHA256": strings.Repeat("0", 64)}
	res, err := b.cli.Run(ctx, vm, wrong, "bash", "-c", "./install-runner.bash")
	if err != nil || res.ExitCode == 0 || !strings.Contains(string(res.Output), "sha256 mismatch") {
		t.Fatalf("install with a wrong checksum = %+v (%s), %v", res, res.Output, err)
	}

	res, err = b.cli.Run(ctx, vm, map[string]string{"ANKLET_RUNNER_SHA256": sum},
		"bash", "-c", "./install-runner.bash")
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("install = %+v (%s), %v", res, res.Output, err)
	}
	runner := filepath.Join(b.host.Home(vm), "actions-runner", "run.sh")
	if _, err := os.Stat(runner); err != nil {
		t.Fatalf("runner not extracted: %v", err)
	}
	urls, _ := os.ReadFile(filepath.Join(bin, "urls"))
	for _, u := range strings.Fields(string(urls)) {
		if !strings.HasPrefix(u, "https://github.com/actions/runner/releases/download/v") ||
			!strings.HasSuffix(u, ".tar.gz") {
			t.Fatalf("downloaded from %s", u)
		}
	}

	// Installed now: a second run downloads nothing.
	res, err = b.cli.Run(ctx, vm, nil, "bash", "-c", "./install-runner.bash")
	if err != nil || res.ExitCode != 0 || !strings.Contains(string(res.Output), "already installed") {
		t.Fatalf("second install = %+v (%s), %v", res, res.Output, err)
	}
	if got, _ := os.ReadFile(filepath.Join(bin, "urls")); len(got) != len(urls) {
		t.Fatal("second install downloaded again")
	}
}
