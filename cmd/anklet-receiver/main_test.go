package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckFromEnvironment(t *testing.T) {
	env := []string{"HOME=" + t.TempDir(), "ANKLET_RECEIVER_PORT=58010",
		"ANKLET_RECEIVER_SECRET=whsec", "ANKLET_RECEIVER_OWNER=acme",
		"ANKLET_RECEIVER_SKIP_REDELIVER=true"}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-check"}, env, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	if stdout.String() != "config ok\n" {
		t.Fatalf("stdout %q", stdout.String())
	}

	stdout.Reset()
	if code := run([]string{"-check"}, env[:2], &stdout, &stderr); code != 2 {
		t.Fatalf("incomplete environment: exit %d, want 2", code)
	}
	if !strings.Contains(stderr.String(),
		`config: plugin "receiver": secret is required (or set global_receiver_secret)`) {
		t.Fatalf("stderr:\n%s", stderr.String())
	}
}

func TestFileWithoutReceivers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yml")
	yaml := "plugins:\n  - {name: h1, plugin: github, owner: acme, token: t}\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	code := run([]string{"-c", path, "-check"}, []string{"HOME=" + dir}, &bytes.Buffer{},
		&stderr)
	if code != 2 || !strings.Contains(stderr.String(), "no github_receiver plugin is configured") {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
}

func TestVersion(t *testing.T) {
	var stdout bytes.Buffer
	if code := run([]string{"-version"}, nil, &stdout, &bytes.Buffer{}); code != 0 ||
		stdout.String() != "dev\n" {
		t.Fatalf("exit %d, printed %q", code, stdout.String())
	}
}
