package reconcile

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/anklet/anklet/anka/ankatest"
)

func newOrphanVMs(t *testing.T, opts VMOptions) *OrphanVMs {
	t.Helper()
	o, err := NewOrphanVMs(opts)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func pass(t *testing.T, p interface {
	Pass(context.Context) (Report, error)
}) Report {
	t.Helper()
	r, err := p.Pass(testContext(t))
	if err != nil {
		t.Fatalf("pass: %v", err)
	}
	return r
}

func TestOrphanVMsMarkThenDelete(t *testing.T) {
	h, cli := newAnkaHost(t)
	locks := newVMLocks(t)
	for _, name := range []string{"anklet-vm-owned", "anklet-vm-orphan", "anklet-vm-later",
		"dev-sonoma"} {
		clone(t, cli, name)
	}
	locks.hold("anklet-vm-owned")
	o := newOrphanVMs(t, VMOptions{Anka: cli, Owned: locks.owned})

	r := pass(t, o)
	if r != (Report{Seen: 3, Marked: 2}) {
		t.Fatalf("first pass: %+v, want 3 seen, 2 marked, nothing removed", r)
	}
	if got := len(h.VMs()); got != 4 {
		t.Fatalf("first pass deleted VMs: %d left, want 4", got)
	}

	// A handler takes anklet-vm-later between the passes: it must be kept.
	locks.hold("anklet-vm-later")
	r = pass(t, o)
	if r != (Report{Seen: 3, Removed: 1}) {
		t.Fatalf("second pass: %+v, want the one orphan removed", r)
	}
	vms := vmNames(h)
	if vms["anklet-vm-orphan"] || !vms["anklet-vm-owned"] || !vms["anklet-vm-later"] ||
		!vms["dev-sonoma"] {
		t.Fatalf("after second pass VMs are %v", vms)
	}

	// Its owner lets go: it is marked afresh, not deleted at once.
	locks.release("anklet-vm-later")
	if r = pass(t, o); r != (Report{Seen: 2, Marked: 1}) {
		t.Fatalf("third pass: %+v, want anklet-vm-later marked again", r)
	}
	if r = pass(t, o); r != (Report{Seen: 2, Removed: 1}) {
		t.Fatalf("fourth pass: %+v, want anklet-vm-later removed", r)
	}
	vms = vmNames(h)
	if vms["anklet-vm-later"] || !vms["anklet-vm-owned"] || !vms["dev-sonoma"] {
		t.Fatalf("after fourth pass VMs are %v", vms)
	}

	for _, c := range h.Calls() {
		if slices.Contains(c.Args, "delete") && slices.Contains(c.Args, "dev-sonoma") {
			t.Errorf("reconciler deleted a VM not named anklet-vm-*: %s", c)
		}
	}
}

func TestOrphanVMsOwnerCheckFailureKeepsVM(t *testing.T) {
	h, cli := newAnkaHost(t)
	clone(t, cli, "anklet-vm-a")
	fail := true
	owned := func(string) (bool, error) {
		if fail {
			return false, errors.New("lock dir unreadable")
		}
		return false, nil
	}
	o := newOrphanVMs(t, VMOptions{Anka: cli, Owned: owned})

	for range 2 {
		if r := pass(t, o); r != (Report{Seen: 1, Failed: 1}) {
			t.Fatalf("pass with failing owner check: %+v", r)
		}
	}
	fail = false
	if r := pass(t, o); r.Marked != 1 || r.Removed != 0 {
		t.Fatalf("first pass after the failures must only mark: %+v", r)
	}
	if !vmNames(h)["anklet-vm-a"] {
		t.Fatal("VM deleted although its owner could not be checked")
	}
}

func TestOrphanVMsDeleteFailureRetried(t *testing.T) {
	h, cli := newAnkaHost(t)
	clone(t, cli, "anklet-vm-a")
	o := newOrphanVMs(t, VMOptions{Anka: cli, Owned: newVMLocks(t).owned})
	pass(t, o)

	h.SetFault("delete", ankatest.Fault{ExitCode: 1, Code: 42, Message: "busy", Times: 1})
	if r := pass(t, o); r != (Report{Seen: 1, Failed: 1}) {
		t.Fatalf("pass with failing delete: %+v", r)
	}
	if r := pass(t, o); r != (Report{Seen: 1, Removed: 1}) {
		t.Fatalf("pass after the failure: %+v, want the VM removed", r)
	}
	if len(h.VMs()) != 0 {
		t.Fatalf("VMs left: %v", h.VMs())
	}
}

func TestOrphanVMsListFailure(t *testing.T) {
	h, cli := newAnkaHost(t)
	h.SetFault("list", ankatest.Fault{ExitCode: 1, Code: 1, Message: "daemon down"})
	o := newOrphanVMs(t, VMOptions{Anka: cli, Owned: newVMLocks(t).owned})
	if _, err := o.Pass(testContext(t)); err == nil {
		t.Fatal("pass succeeded although anka list failed")
	}
}

func TestNewOrphanVMsNeedsOwned(t *testing.T) {
	_, cli := newAnkaHost(t)
	if _, err := NewOrphanVMs(VMOptions{Anka: cli}); err == nil {
		t.Fatal("NewOrphanVMs accepted options without Owned")
	}
}

func TestOrphanVMsRun(t *testing.T) {
	h, cli := newAnkaHost(t)
	clone(t, cli, "anklet-vm-a")
	reports := make(chan Report, 100)
	o := newOrphanVMs(t, VMOptions{Anka: cli, Owned: newVMLocks(t).owned,
		Interval: 20 * time.Millisecond, OnPass: func(r Report) { reports <- r }})

	ctx, cancel := context.WithCancel(testContext(t))
	done := make(chan error, 1)
	go func() { done <- o.Run(ctx) }()

	var got []Report
	for !slices.ContainsFunc(got, func(r Report) bool { return r.Removed == 1 }) {
		select {
		case r := <-reports:
			got = append(got, r)
		case <-time.After(20 * time.Second):
			t.Fatalf("no pass removed the orphan; reports %+v", got)
		}
	}
	if got[0].Marked != 1 {
		t.Errorf("first pass at start should mark the orphan: %+v", got[0])
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run returned %v after cancel, want nil", err)
	}
	if len(h.VMs()) != 0 {
		t.Fatalf("VMs left: %v", h.VMs())
	}
}
