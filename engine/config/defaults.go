package config

import (
	"fmt"
	"os"
	"reflect"
	"strings"
)

// Defaults of keys that are not set. Paths starting with "~/" are under the
// home directory.
const (
	DefaultWorkDir                = "/tmp/anklet"
	DefaultPluginsPath            = "~/.config/anklet/plugins"
	DefaultDrainFile              = "~/.config/anklet/.drain"
	DefaultShutdownTimeoutSeconds = 300
	DefaultReconcileInterval      = 120
	DefaultMetricsPort            = 8080
	DefaultListenAddress          = "127.0.0.1"
	DefaultTemplateDiskBuffer     = 10.0
)

// pluginDefaults are the per-plugin defaults; template_disk_buffer comes
// from global_template_disk_buffer instead.
var pluginDefaults = map[string]any{
	"listen_address":               DefaultListenAddress,
	"redeliver_hours":              24,
	"redeliver_interval_seconds":   300,
	"registration_timeout_seconds": 80,
	"job_retry_attempts":           5,
	"lease_seconds":                30,
	"max_deliveries":               10,
	"max_running_vms":              2,
	"anka_path":                    "anka",
}

// applyDefaults fills the top-level keys that are unset. A key counts as
// unset when it is absent, null or an empty string.
func applyDefaults(raw map[string]any, env *environment) error {
	defaults := map[string]any{
		"work_dir":                    DefaultWorkDir,
		"plugins_path":                DefaultPluginsPath,
		"drain_file":                  DefaultDrainFile,
		"shutdown_timeout_seconds":    DefaultShutdownTimeoutSeconds,
		"reconcile_interval_seconds":  DefaultReconcileInterval,
		"global_template_disk_buffer": DefaultTemplateDiskBuffer,
		"metrics.port":                DefaultMetricsPort,
		"metrics.listen_address":      DefaultListenAddress,
	}
	if !isSet(raw, "host_id") {
		host, err := os.Hostname()
		if err != nil {
			return fmt.Errorf("default host_id: %w", err)
		}
		defaults["host_id"] = host
	}
	if !isSet(raw, "log.file_dir") {
		wd, err := os.Getwd()
		if err != nil {
			return fmt.Errorf("default log.file_dir: %w", err)
		}
		defaults["log.file_dir"] = wd
	}
	for key, v := range defaults {
		if !isSet(raw, key) {
			setPath(raw, key, v)
		}
	}
	if !isSet(raw, "pid_file_dir") {
		raw["pid_file_dir"] = raw["work_dir"]
	}
	return nil
}

// applyPluginDefaults fills a plugin entry's unset keys; raw is the merged
// top level, for global_template_disk_buffer.
func applyPluginDefaults(m, raw map[string]any) {
	for key, v := range pluginDefaults {
		if !isSet(m, key) {
			m[key] = v
		}
	}
	if !isSet(m, "template_disk_buffer") {
		m["template_disk_buffer"] = raw["global_template_disk_buffer"]
	}
}

func isSet(m map[string]any, key string) bool {
	if !hasPath(m, key) {
		return false
	}
	v := getPath(m, key)
	return v != nil && v != ""
}

func getPath(m map[string]any, key string) any {
	head, rest, nested := strings.Cut(key, ".")
	if !nested {
		return m[head]
	}
	sub, _ := m[head].(map[string]any)
	return getPath(sub, rest)
}

// finish expands "~/" in paths and applies the global_* settings to the
// plugins, as the original Anklet does: token, private key and folder
// mounts fill in what a plugin lacks; the receiver secret, the resource
// check switch and every non-empty database field override.
func (c *Config) finish(home string) {
	for _, p := range []*string{&c.WorkDir, &c.PidFileDir, &c.PluginsPath, &c.Log.FileDir,
		&c.DrainFile, &c.GlobalPrivateKey} {
		*p = expandPath(*p, home)
	}
	overrideDatabase(&c.Metrics.Database, c.GlobalDatabase)

	for i := range c.Plugins {
		p := &c.Plugins[i]
		if p.Token == "" {
			p.Token = c.GlobalToken
		}
		if p.PrivateKey == "" {
			p.PrivateKey = c.GlobalPrivateKey
		}
		p.PrivateKey = expandPath(p.PrivateKey, home)
		if p.IsReceiver() && c.GlobalReceiverSecret != "" {
			p.Secret = c.GlobalReceiverSecret
		}
		if c.GlobalSkipCPUAndMemoryResourceChecks {
			p.SkipCPUAndMemoryResourceChecks = true
		}
		if len(p.HostToGuestFolderMounts) == 0 {
			p.HostToGuestFolderMounts = c.GlobalHostToGuestFolderMounts
		}
		overrideDatabase(&p.Database, c.GlobalDatabase)
	}
}

// expandPath expands "~/" unless the value is an inline PEM block.
func expandPath(p, home string) string {
	if isPEM(p) {
		return p
	}
	return expandHome(p, home)
}

func isPEM(s string) bool {
	return strings.HasPrefix(strings.TrimSpace(s), "-----BEGIN")
}

// overrideDatabase copies every non-zero field of global into d.
func overrideDatabase(d *Database, global Database) {
	dst := reflect.ValueOf(d).Elem()
	src := reflect.ValueOf(global)
	for i := range src.NumField() {
		if !src.Field(i).IsZero() {
			dst.Field(i).Set(src.Field(i))
		}
	}
}
