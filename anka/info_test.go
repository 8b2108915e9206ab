package anka

import (
	"os"
	"path/filepath"
	"testing"
)

func TestVersionAtLeast(t *testing.T) {
	cases := []struct {
		have, want string
		ok         bool
	}{
		{"3.9.0", "3.9.0", true},
		{"3.9.0 (build 215)", "3.9.0", true},
		{"3.10.1", "3.9.0", true},
		{"4", "3.9.0", true},
		{"3.8.9", "3.9.0", false},
		{"2.5.7", "3.9.0", false},
		{"", "3.9.0", false},
		{"3.x", "3.9.0", false},
	}
	for _, tc := range cases {
		if got := (Version{Version: tc.have}).AtLeast(tc.want); got != tc.ok {
			t.Errorf("%q AtLeast %q = %v, want %v", tc.have, tc.want, got, tc.ok)
		}
	}
}

func TestDownloadSizeFits(t *testing.T) {
	cases := []struct {
		d      DownloadSize
		buffer uint64
		fits   bool
	}{
		{DownloadSize{Local: true}, 1 << 40, true},
		{DownloadSize{Size: 10, Cached: 0, Available: 20}, 10, true},
		{DownloadSize{Size: 10, Cached: 0, Available: 20}, 11, false},
		{DownloadSize{Size: 30, Cached: 25, Available: 10}, 5, true},
		{DownloadSize{Size: 5, Cached: 10, Available: 1}, 1, true},
		{DownloadSize{Size: 5, Available: 1}, 2, false},
	}
	for _, tc := range cases {
		if got := tc.d.Fits(tc.buffer); got != tc.fits {
			t.Errorf("%+v Fits(%d) = %v, want %v", tc.d, tc.buffer, got, tc.fits)
		}
	}
}

func TestWriteEnvFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "env")
	err := writeEnvFile(path, map[string]string{"B": `quoted "x" $y`, "A_1": "", "_C": "a=b"})
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, %v", fi.Mode(), err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "A_1=\nB=quoted \"x\" $y\n_C=a=b\n" {
		t.Fatalf("content = %q", got)
	}
	if err := writeEnvFile(path, map[string]string{"A": "1"}); err == nil {
		t.Fatal("overwrote an existing env file")
	}
	for _, bad := range []map[string]string{
		{"": "x"}, {"A-B": "x"}, {"9A": "x"}, {"A": "line\nbreak"}, {"A": "nul\x00"},
	} {
		if err := writeEnvFile(filepath.Join(t.TempDir(), "e"), bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
