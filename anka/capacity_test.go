package anka_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/anklet/anklet/anka"
)

func TestTemplatePresent(t *testing.T) {
	b := setup(t)
	ctx := ctxFor(t)

	for _, tc := range []struct {
		uuid, tag string
		want      bool
	}{
		{tmplUUID, tmplTag, true},
		{tmplUUID, "", true},
		{tmplUUID, "old", false},
		{"missing-uuid", "", false},
	} {
		got, err := b.cli.TemplatePresent(ctx, tc.uuid, tc.tag)
		if err != nil || got != tc.want {
			t.Errorf("TemplatePresent(%s, %q) = %v, %v; want %v", tc.uuid, tc.tag, got, err, tc.want)
		}
	}

	b.host.SetStatus(tmplUUID, "failed")
	if _, err := b.cli.TemplatePresent(ctx, tmplUUID, tmplTag); !errors.Is(err, anka.ErrFailedState) {
		t.Fatal("TemplatePresent of a failed template: no error")
	}
}

func TestRunningUsageAndPrefix(t *testing.T) {
	b := setup(t)
	ctx := ctxFor(t)

	vms, cpu, ram, err := b.cli.RunningUsage(ctx)
	if err != nil || vms != 0 || cpu != 0 || ram != 0 {
		t.Fatalf("RunningUsage of idle host = %d, %d, %d, %v", vms, cpu, ram, err)
	}
	for _, vm := range []string{"anklet-vm-1", "anklet-vm-2", "other"} {
		cloned(t, b, vm)
	}
	for _, vm := range []string{"anklet-vm-1", "other"} {
		if err := b.cli.Start(ctx, vm); err != nil {
			t.Fatal(err)
		}
	}

	vms, cpu, ram, err = b.cli.RunningUsage(ctx)
	if err != nil || vms != 2 || cpu != 8 || ram != 16<<30 {
		t.Fatalf("RunningUsage = %d VMs, %d cores, %d bytes, %v; want 2, 8, 16 GiB", vms, cpu, ram, err)
	}

	ours, err := b.cli.VMsWithPrefix(ctx, "anklet-vm-")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, vm := range ours {
		names = append(names, vm.Name)
	}
	if !slices.Equal(names, []string{"anklet-vm-1", "anklet-vm-2"}) {
		t.Fatalf("VMsWithPrefix = %v", names)
	}
}
