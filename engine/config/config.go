// Package config loads Anklet's configuration from a YAML file and the
// environment, fills in defaults, and checks it.
//
// The keys and environment variables are those of the original Anklet, so an
// existing config.yml keeps working; keys that used to be accepted and
// ignored now either work or are rejected with a message saying what to do.
// Every problem is reported at once, one line each, by [Load] and
// [Config.Validate].
package config

// Plugin kinds.
const (
	// KindHandler runs GitHub Actions jobs on Anka VMs.
	KindHandler = "github"
	// KindReceiver receives GitHub webhooks and queues jobs.
	KindReceiver = "github_receiver"
)

// Config is the whole configuration of one Anklet process. Paths are
// absolute after [Load]: a leading "~/" is expanded to the home directory.
type Config struct {
	// WorkDir holds host-wide lock files shared by every anklet process on
	// the host. Default /tmp/anklet; created at startup.
	WorkDir string `yaml:"work_dir"`
	// PidFileDir holds anklet.pid. Default: WorkDir.
	PidFileDir string `yaml:"pid_file_dir"`
	// PluginsPath holds the handler's guest scripts under handlers/github/.
	// Default ~/.config/anklet/plugins.
	PluginsPath string `yaml:"plugins_path"`
	// HostID names this host in events and consumer names. Default: the
	// host name.
	HostID string `yaml:"host_id"`
	// DrainFile, while it exists, stops handlers from claiming new jobs.
	// Default ~/.config/anklet/.drain.
	DrainFile string `yaml:"drain_file"`
	// ShutdownTimeoutSeconds bounds a graceful shutdown: after the first
	// SIGINT or SIGTERM, plugins get this long to finish or hand back their
	// work before they are cancelled. Default 300; 0 cancels them at once.
	ShutdownTimeoutSeconds int `yaml:"shutdown_timeout_seconds"`
	// ReconcileIntervalSeconds is how often the orphan-VM reconciler looks
	// for VMs no live job owns; the orphan-runner and lost-webhook
	// reconcilers run every 2.5 intervals. Default 120; 0 also means 120.
	ReconcileIntervalSeconds int `yaml:"reconcile_interval_seconds"`

	// Log configures the log files.
	Log Log `yaml:"log"`

	// GlobalDatabase is read from the global_database_* keys. Each non-empty
	// field overrides the same field of every plugin's and the metrics'
	// database block.
	GlobalDatabase Database `yaml:"global_database,flat"`
	// GlobalPrivateKey is used by plugins without their own private_key.
	GlobalPrivateKey string `yaml:"global_private_key"`
	// GlobalToken is used by plugins without their own token.
	GlobalToken string `yaml:"global_token"`
	// GlobalReceiverSecret, when set, replaces every receiver's secret.
	GlobalReceiverSecret string `yaml:"global_receiver_secret"`
	// GlobalTemplateDiskBuffer is the template_disk_buffer of handlers that
	// do not set their own. Default 10.
	GlobalTemplateDiskBuffer float64 `yaml:"global_template_disk_buffer"`
	// GlobalSkipCPUAndMemoryResourceChecks, when true, turns the checks off
	// for every handler.
	GlobalSkipCPUAndMemoryResourceChecks bool `yaml:"global_skip_cpu_and_memory_resource_checks"`
	// GlobalHostToGuestFolderMounts are the mounts of handlers that list
	// none of their own.
	GlobalHostToGuestFolderMounts []string `yaml:"global_host_to_guest_folder_mounts"`

	// Metrics configures the metrics server or the aggregator.
	Metrics Metrics `yaml:"metrics"`

	// Plugins are the handlers and receivers this process runs.
	Plugins []Plugin `yaml:"plugins"`

	// Warnings are things worth telling the operator that do not stop
	// Anklet, such as an ANKLET_ environment variable nothing reads. The
	// daemon logs them at startup.
	Warnings []string `yaml:"-"`

	// loadProblems are the problems found while reading keys, reported by
	// Validate with the others.
	loadProblems []string
}

// Log configures the log files.
type Log struct {
	// FileDir receives anklet.log. Default: the working directory. It must
	// exist.
	FileDir string `yaml:"file_dir"`
	// SplitByPlugin also writes each plugin's lines, at DEBUG, to
	// anklet-<name>.log in FileDir.
	SplitByPlugin bool `yaml:"split_by_plugin"`
}

// Metrics configures the metrics server, or the aggregator in aggregator
// mode.
type Metrics struct {
	// Port of the metrics (or aggregator) HTTP server. Default 8080.
	Port int `yaml:"port"`
	// ListenAddress of that server. Default 127.0.0.1.
	ListenAddress string `yaml:"listen_address"`
	// Aggregator turns this process into the metrics aggregator; no plugin
	// runs in this mode.
	Aggregator bool `yaml:"aggregator"`
	// SleepInterval is the aggregator's refresh period in seconds; 0 leaves
	// the choice to the metrics package.
	SleepInterval int `yaml:"sleep_interval"`
	// Database is the aggregator's Redis; the global_database_* values
	// override it field by field.
	Database Database `yaml:"database"`
}
