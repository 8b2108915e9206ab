package metrics

import (
	"context"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/disk"
	"github.com/shirou/gopsutil/v4/mem"
)

// HostStats are the host's figures, read at scrape or publish time. A
// figure that could not be read is zero (the failure is logged).
type HostStats struct {
	CPUCount              int     `json:"host_cpu_count"`
	CPUUsedCount          int     `json:"host_cpu_used_count"`
	CPUUsagePercentage    float64 `json:"host_cpu_usage_percentage"`
	MemoryTotalBytes      uint64  `json:"host_memory_total_bytes"`
	MemoryUsedBytes       uint64  `json:"host_memory_used_bytes"`
	MemoryAvailableBytes  uint64  `json:"host_memory_available_bytes"`
	MemoryUsagePercentage float64 `json:"host_memory_usage_percentage"`
	DiskTotalBytes        uint64  `json:"host_disk_total_bytes"`
	DiskUsedBytes         uint64  `json:"host_disk_used_bytes"`
	DiskAvailableBytes    uint64  `json:"host_disk_available_bytes"`
	DiskUsagePercentage   float64 `json:"host_disk_usage_percentage"`
}

// readHostStats reads the host's figures with gopsutil. The CPU count is of
// logical CPUs (what VMs are given); the usage is since the previous read
// by any registry in the process; the disk figures are of Options.DiskPath,
// with "available" meaning free space.
func (r *Registry) readHostStats(ctx context.Context) HostStats {
	var h HostStats

	if n, err := cpu.CountsWithContext(ctx, true); err != nil {
		r.log.Warn().Err(err).Msg("metrics: read CPU count")
	} else {
		h.CPUCount = n
	}
	if pct, err := cpu.PercentWithContext(ctx, 0, false); err != nil || len(pct) == 0 {
		r.log.Warn().Err(err).Msg("metrics: read CPU usage")
	} else {
		h.CPUUsagePercentage = pct[0]
		h.CPUUsedCount = int(float64(h.CPUCount) * pct[0] / 100)
	}

	if vmem, err := mem.VirtualMemoryWithContext(ctx); err != nil {
		r.log.Warn().Err(err).Msg("metrics: read memory usage")
	} else {
		h.MemoryTotalBytes = vmem.Total
		h.MemoryUsedBytes = vmem.Used
		h.MemoryAvailableBytes = vmem.Available
		h.MemoryUsagePercentage = vmem.UsedPercent
	}

	if du, err := disk.UsageWithContext(ctx, r.diskPath); err != nil {
		r.log.Warn().Err(err).Str("path", r.diskPath).Msg("metrics: read disk usage")
	} else {
		h.DiskTotalBytes = du.Total
		h.DiskUsedBytes = du.Used
		h.DiskAvailableBytes = du.Free
		h.DiskUsagePercentage = du.UsedPercent
	}
	return h
}
