package handler

import (
	"context"
	"fmt"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/disk"
	"github.com/shirou/gopsutil/v4/mem"
)

// HostResources are the host's totals the capacity checks compare with.
type HostResources struct {
	CPUs        int    // logical CPUs
	MemoryBytes uint64 // physical memory
	DiskBytes   uint64 // size of the file system holding the templates
}

// diskPath is the file system whose size template_disk_buffer is a
// percentage of: the root, where Anka keeps its library by default.
const diskPath = "/"

// readHostResources reads the real host's totals with gopsutil.
func readHostResources(ctx context.Context) (HostResources, error) {
	var h HostResources
	n, err := cpu.CountsWithContext(ctx, true)
	if err != nil {
		return h, fmt.Errorf("host cpu count: %w", err)
	}
	vm, err := mem.VirtualMemoryWithContext(ctx)
	if err != nil {
		return h, fmt.Errorf("host memory: %w", err)
	}
	du, err := disk.UsageWithContext(ctx, diskPath)
	if err != nil {
		return h, fmt.Errorf("host disk %s: %w", diskPath, err)
	}
	return HostResources{CPUs: n, MemoryBytes: vm.Total, DiskBytes: du.Total}, nil
}
