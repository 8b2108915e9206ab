package anka

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// TemplatePresent reports whether template uuid is on the host with tag as
// its current tag (`anka -j list <uuid>`). An empty tag accepts any local
// tag. A template that is missing or carries another tag is not present; a
// template whose status is "failed" is an error wrapping ErrFailedState.
func (c *CLI) TemplatePresent(ctx context.Context, uuid, tag string) (bool, error) {
	vms, err := c.List(ctx, uuid)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if len(vms) == 0 {
		return false, nil
	}
	t := vms[0]
	if t.Status == "failed" {
		return false, fmt.Errorf("template %s: %w", uuid, ErrFailedState)
	}
	return tag == "" || t.Tag == tag, nil
}

// RunningUsage sums what the running VMs hold: their count, CPU cores and
// RAM in bytes, from `anka -j list -r` and `anka -j show` of each. A VM
// deleted between the two calls is skipped.
func (c *CLI) RunningUsage(ctx context.Context) (vms int, cpu int, ramBytes uint64, err error) {
	running, err := c.ListRunning(ctx)
	if err != nil {
		return 0, 0, 0, err
	}
	for _, vm := range running {
		id := vm.Name
		if id == "" {
			id = vm.UUID
		}
		info, err := c.Show(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return 0, 0, 0, err
		}
		vms++
		cpu += info.CPUCores
		ramBytes += info.RAMSize
	}
	return vms, cpu, ramBytes, nil
}

// VMsWithPrefix lists the VMs whose name starts with prefix, such as
// "anklet-vm-", to find VMs this host created.
func (c *CLI) VMsWithPrefix(ctx context.Context, prefix string) ([]VM, error) {
	all, err := c.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []VM
	for _, vm := range all {
		if strings.HasPrefix(vm.Name, prefix) {
			out = append(out, vm)
		}
	}
	return out, nil
}
