package metrics

// help holds the HELP text of every family that families.writeText renders
// (the state families and the aggregator's output).
var help = map[string]string{
	// Process totals.
	familyTotalRunningVMs:               "VMs running on this host now.",
	"total_successful_runs_since_start": "Jobs finished with success since start.",
	"total_failed_runs_since_start":     "Jobs finished with failure since start.",
	"total_canceled_runs_since_start":   "Jobs canceled since start.",

	// Per plugin.
	familyPluginStatus:           "Current status of the plugin, in the status label; always 1.",
	familyPluginStatusSince:      "When the plugin entered its current status, Unix seconds.",
	"plugin_last_successful_run": "When the plugin's last successful job ended, Unix seconds.",
	"plugin_last_failed_run":     "When the plugin's last failed job ended, Unix seconds.",
	"plugin_last_canceled_run":   "When the plugin's last canceled job ended, Unix seconds.",
	familyPluginTotalRanVMs:      "VMs the plugin started since start.",

	"plugin_total_successful_runs_since_start": "Jobs the plugin finished with success.",
	"plugin_total_failed_runs_since_start":     "Jobs the plugin finished with failure.",
	"plugin_total_canceled_runs_since_start":   "Jobs of the plugin canceled.",

	// Host.
	"host_cpu_count":               "Logical CPUs of the host.",
	"host_cpu_used_count":          "Logical CPUs busy, from the usage percentage.",
	"host_cpu_usage_percentage":    "CPU usage since the previous reading, percent.",
	"host_memory_total_bytes":      "Memory of the host.",
	"host_memory_used_bytes":       "Memory in use.",
	"host_memory_available_bytes":  "Memory available to new processes.",
	"host_memory_usage_percentage": "Memory in use, percent.",
	"host_disk_total_bytes":        "Size of the file system holding VMs.",
	"host_disk_used_bytes":         "Space used on that file system.",
	"host_disk_available_bytes":    "Space free on that file system.",
	"host_disk_usage_percentage":   "Space used on that file system, percent.",

	// Durations.
	"anklet_queue_wait_seconds":   "Time jobs waited in the queue before a claim.",
	"anklet_pull_seconds":         "Time pulling VM templates took.",
	"anklet_clone_start_seconds":  "Time cloning and starting a VM took.",
	"anklet_registration_seconds": "Time a runner took to register with GitHub.",
	"anklet_job_duration_seconds": "Time jobs ran, from in-progress to their end.",

	// Events.
	familyRequeues:     "Jobs put back on the queue, by reason.",
	familyReconciled:   "Repairs made by the reconcilers, by what was repaired.",
	familyWebhooks:     "Webhook deliveries handled, by result.",
	familyRedeliveries: "Webhook redeliveries requested from GitHub.",
	familyRecoveries:   "Jobs taken over from hosts that died.",

	// Queues and the aggregator.
	familyQueueLength:  "Entries in the queue's work stream.",
	familyQueuePending: "Entries delivered to a handler and not yet acknowledged.",
	familyQueueLag:     "Entries not yet delivered to any handler.",
	familyLastUpdate:   "When the instance last published its snapshot, Unix seconds.",
}
