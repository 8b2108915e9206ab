package config

// Plugin is one entry of the plugins list: a handler (kind "github") or a
// webhook receiver (kind "github_receiver"). Both kinds share the struct;
// the kind decides which fields matter. Defaults are filled in by [Load]
// and [FromReceiverEnv].
type Plugin struct {
	// Name identifies the plugin; it must be unique and hold no white
	// space. Its normalised form prefixes the plugin's environment
	// variables (see [EnvPrefix]).
	Name string `yaml:"name"`
	// Kind is "github" or "github_receiver" (YAML key "plugin").
	Kind string `yaml:"plugin"`

	// Owner is the GitHub organisation or user. Required.
	Owner string `yaml:"owner"`
	// Repo narrows the scope to one repository of Owner.
	Repo string `yaml:"repo"`
	// QueueName names the Redis queue; empty means Owner (see
	// [Plugin.Queue]).
	QueueName string `yaml:"queue_name"`

	// Token is a GitHub personal access token. Default: global_token.
	Token string `yaml:"token"`
	// AppID, InstallationID and PrivateKey authenticate as a GitHub App.
	// InstallationID 0 means look it up. PrivateKey is a file path or an
	// inline PEM block; default: global_private_key.
	AppID          int64  `yaml:"app_id"`
	InstallationID int64  `yaml:"installation_id"`
	PrivateKey     string `yaml:"private_key"`
	// BaseURL is the GitHub API URL; empty means https://api.github.com/.
	BaseURL string `yaml:"base_url"`

	// ListenAddress is the receiver's listen address. Default 127.0.0.1.
	ListenAddress string `yaml:"listen_address"`
	// Port is the receiver's listen port. Required for receivers.
	Port int `yaml:"port"`
	// Secret is the webhook HMAC secret. Required for receivers; replaced
	// by global_receiver_secret when that is set.
	Secret string `yaml:"secret"`
	// HookID is the webhook's id, needed to ask GitHub for redeliveries.
	HookID int64 `yaml:"hook_id"`
	// RedeliverHours is how far back the receiver looks for failed
	// deliveries. Default 24.
	RedeliverHours int `yaml:"redeliver_hours"`
	// RedeliverIntervalSeconds is the period of that look. Default 300.
	RedeliverIntervalSeconds int `yaml:"redeliver_interval_seconds"`
	// SkipRedeliver turns redelivery off.
	SkipRedeliver bool `yaml:"skip_redeliver"`

	// RegistryURL is the Anka registry to pull templates from.
	RegistryURL string `yaml:"registry_url"`
	// SleepInterval is the handler's pause between polls, in seconds.
	// Default 0.
	SleepInterval int `yaml:"sleep_interval"`
	// RunnerGroup is the runner group runners register in.
	RunnerGroup string `yaml:"runner_group"`
	// SkipPull trusts templates to be present and never pulls.
	SkipPull bool `yaml:"skip_pull"`
	// RegistrationTimeoutSeconds bounds the wait for a runner to pick up a
	// job before the job is retried on a new VM. Default 80.
	RegistrationTimeoutSeconds int `yaml:"registration_timeout_seconds"`
	// TemplateDiskBuffer is the percentage of disk kept free when pulling.
	// Default: global_template_disk_buffer (10).
	TemplateDiskBuffer float64 `yaml:"template_disk_buffer"`
	// JobRetryAttempts is how many times a failing job is retried before it
	// fails. Default 5; ANKLET_JOB_RETRY_ATTEMPTS sets it for all plugins.
	JobRetryAttempts int `yaml:"job_retry_attempts"`
	// SkipCPUAndMemoryResourceChecks allows VMs to overcommit the host.
	SkipCPUAndMemoryResourceChecks bool `yaml:"skip_cpu_and_memory_resource_checks"`
	// HostToGuestFolderMounts are "host_path[:guest_name]" entries mounted
	// into each VM. Default: global_host_to_guest_folder_mounts.
	HostToGuestFolderMounts []string `yaml:"host_to_guest_folder_mounts"`
	// LeaseSeconds is the lifetime of a claim that is not renewed.
	// Default 30.
	LeaseSeconds int `yaml:"lease_seconds"`
	// MaxDeliveries is how often a job may be claimed before it goes to the
	// dead-letter stream. Default 10.
	MaxDeliveries int `yaml:"max_deliveries"`
	// MaxRunningVMs is the number of VMs this host runs at once. Default 2,
	// the limit of Apple's macOS licence.
	MaxRunningVMs int `yaml:"max_running_vms"`
	// AnkaPath is the anka executable. Default "anka" (found on PATH).
	AnkaPath string `yaml:"anka_path"`

	// Database is the plugin's Redis; the global_database_* values
	// override it field by field.
	Database Database `yaml:"database"`
}

// Queue is the plugin's queue name: QueueName, or Owner when that is empty.
func (p Plugin) Queue() string {
	if p.QueueName != "" {
		return p.QueueName
	}
	return p.Owner
}

// IsReceiver reports whether the plugin is a webhook receiver.
func (p Plugin) IsReceiver() bool { return p.Kind == KindReceiver }

// IsHandler reports whether the plugin is a job handler.
func (p Plugin) IsHandler() bool { return p.Kind == KindHandler }
