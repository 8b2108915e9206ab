package anka_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/anklet/anklet/anka"
)

func TestPingVersionLicense(t *testing.T) {
	b := setup(t)
	ctx := ctxFor(t)

	if err := b.cli.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	v, err := b.cli.Version(ctx)
	if err != nil {
		t.Fatalf("Version: %v", err)
	}
	if v.Version != "3.9.0" || v.Product == "" || v.Build == "" || !v.AtLeast("3.9.0") {
		t.Fatalf("Version = %+v", v)
	}
	l, err := b.cli.License(ctx)
	if err != nil {
		t.Fatalf("License: %v", err)
	}
	if l.Status != "valid" || l.Type != "com.veertu.anka.entplus" || l.MaxCores == 0 {
		t.Fatalf("License = %+v", l)
	}
}

func TestLicenseRejected(t *testing.T) {
	for _, tc := range []struct{ typ, status string }{
		{anka.LicenseDevelop, "valid"},
		{anka.LicenseRun, "valid"},
		{"com.veertu.anka.entplus", "expired"},
	} {
		b := setup(t)
		b.host.SetLicense(tc.typ, tc.status)
		l, err := b.cli.License(ctxFor(t))
		if !errors.Is(err, anka.ErrLicense) {
			t.Fatalf("License(%s, %s) = %+v, %v; want ErrLicense", tc.typ, tc.status, l, err)
		}
	}
}

func TestVMLifecycle(t *testing.T) {
	b := setup(t)
	ctx := ctxFor(t)
	vm := "anklet-vm-1"

	if err := b.cli.Clone(ctx, tmplUUID, vm, ""); err != nil {
		t.Fatalf("Clone: %v", err)
	}
	if err := b.cli.Clone(ctx, tmplUUID, vm, ""); !errors.Is(err, anka.ErrExists) {
		t.Fatalf("second Clone = %v, want ErrExists", err)
	}
	if err := b.cli.Clone(ctx, "no-such-template", "x", ""); !errors.Is(err, anka.ErrNotFound) {
		t.Fatalf("Clone of missing template = %v, want ErrNotFound", err)
	}
	if err := b.cli.Clone(ctx, tmplUUID, "y", "no-such-tag"); !errors.Is(err, anka.ErrNotFound) {
		t.Fatalf("Clone of missing tag = %v, want ErrNotFound", err)
	}

	if err := b.cli.Start(ctx, vm); err != nil {
		t.Fatalf("Start: %v", err)
	}
	info, err := b.cli.Show(ctx, vm)
	if err != nil {
		t.Fatalf("Show: %v", err)
	}
	if info.Name != vm || info.Status != "running" || info.CPUCores != 4 ||
		info.RAMSize != 8<<30 || info.ImageSize == 0 || info.Tag != tmplTag ||
		time.Since(info.AccessDate) > time.Hour {
		t.Fatalf("Show = %+v", info)
	}
	running, err := b.cli.ListRunning(ctx)
	if err != nil || len(running) != 1 || running[0].Name != vm {
		t.Fatalf("ListRunning = %+v, %v", running, err)
	}

	if err := b.cli.Stop(ctx, vm, true); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	running, err = b.cli.ListRunning(ctx)
	if err != nil || len(running) != 0 {
		t.Fatalf("ListRunning after stop = %+v, %v", running, err)
	}

	if err := b.cli.Start(ctx, vm); err != nil {
		t.Fatalf("Start again: %v", err)
	}
	home := b.host.Home(vm)
	if err := b.cli.Delete(ctx, vm); err != nil {
		t.Fatalf("Delete of a running VM: %v", err)
	}
	if _, err := os.Stat(home); !os.IsNotExist(err) {
		t.Fatalf("home of deleted VM: %v", err)
	}
	if err := b.cli.Delete(ctx, vm); err != nil {
		t.Fatalf("Delete of a deleted VM = %v, want nil", err)
	}
	if _, err := b.cli.Show(ctx, vm); !errors.Is(err, anka.ErrNotFound) {
		t.Fatalf("Show of deleted VM = %v, want ErrNotFound", err)
	}
	if err := b.cli.Start(ctx, vm); !errors.Is(err, anka.ErrNotFound) {
		t.Fatalf("Start of deleted VM = %v, want ErrNotFound", err)
	}
}

func TestListAndShowTags(t *testing.T) {
	b := setup(t)
	ctx := ctxFor(t)
	if err := b.cli.Clone(ctx, tmplUUID, "anklet-vm-a", "old"); err != nil {
		t.Fatal(err)
	}

	all, err := b.cli.List(ctx)
	if err != nil || len(all) != 2 {
		t.Fatalf("List = %+v, %v", all, err)
	}
	one, err := b.cli.List(ctx, tmplUUID)
	if err != nil || len(one) != 1 || one[0].UUID != tmplUUID || one[0].Tag != tmplTag {
		t.Fatalf("List(uuid) = %+v, %v", one, err)
	}
	_, err = b.cli.List(ctx, "nope")
	var ae *anka.Error
	if !errors.As(err, &ae) || !errors.Is(err, anka.ErrNotFound) || ae.Message != "nope: not found" ||
		ae.ExitCode != 1 {
		t.Fatalf("List(nope) = %v", err)
	}

	tags, err := b.cli.ShowTags(ctx, tmplUUID)
	if err != nil || !slices.Equal(tags, []string{tmplTag, "old"}) {
		t.Fatalf("ShowTags = %v, %v", tags, err)
	}
	vmTags, err := b.cli.ShowTags(ctx, "anklet-vm-a")
	if err != nil || !slices.Equal(vmTags, []string{"old"}) {
		t.Fatalf("ShowTags(vm) = %v, %v", vmTags, err)
	}
}

func TestMaxRunning(t *testing.T) {
	b := setup(t)
	ctx := ctxFor(t)
	for _, vm := range []string{"a", "b", "c"} {
		if err := b.cli.Clone(ctx, tmplUUID, vm, ""); err != nil {
			t.Fatal(err)
		}
	}
	for _, vm := range []string{"a", "b"} {
		if err := b.cli.Start(ctx, vm); err != nil {
			t.Fatalf("Start(%s): %v", vm, err)
		}
	}
	err := b.cli.Start(ctx, "c")
	if !errors.Is(err, anka.ErrMaxRunning) || errors.Is(err, anka.ErrNotFound) {
		t.Fatalf("third Start = %v, want ErrMaxRunning", err)
	}
	if got := b.host.Running(); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("Running = %v", got)
	}
}

func TestCopyAndMount(t *testing.T) {
	b := setup(t)
	ctx := ctxFor(t)
	vm := "anklet-vm-cp"
	if err := b.cli.Clone(ctx, tmplUUID, vm, ""); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	real := filepath.Join(dir, "script.bash")
	if err := os.WriteFile(real, []byte("#!/bin/sh\necho hi\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.bash")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if err := b.cli.Copy(ctx, link, vm); err != nil {
		t.Fatalf("Copy: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(b.host.Home(vm), "script.bash"))
	if err != nil || string(got) != "#!/bin/sh\necho hi\n" {
		t.Fatalf("copied file = %q, %v (the symlink must be resolved to its target)", got, err)
	}
	if err := b.cli.Copy(ctx, real, "no-such-vm"); !errors.Is(err, anka.ErrNotFound) {
		t.Fatalf("Copy to missing VM = %v, want ErrNotFound", err)
	}

	if err := b.cli.Mount(ctx, vm, dir, "cache"); err != nil {
		t.Fatalf("Mount: %v", err)
	}
	vms := b.host.VMs()
	resolved, _ := filepath.EvalSymlinks(dir)
	if len(vms) != 1 || !slices.Equal(vms[0].Mounts, []string{resolved + ":cache"}) {
		t.Fatalf("VMs = %+v", vms)
	}
}
