package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"unicode"
)

// Validate checks the configuration and returns [Problems] naming every
// problem found, or nil. [Load] calls it; call it yourself on a Config built
// in code. It reads the file system only to check that private key files
// exist.
func (c *Config) Validate() error {
	problems := append(Problems{}, c.loadProblems...)
	problems = append(problems, c.validateGlobals()...)
	problems = append(problems, c.validateNames()...)
	for i, p := range c.Plugins {
		problems = append(problems, validatePlugin(label(i, p), p)...)
	}
	if len(problems) == 0 {
		return nil
	}
	return problems
}

func (c *Config) validateGlobals() []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }

	paths := []struct{ key, v string }{{"work_dir", c.WorkDir}, {"pid_file_dir", c.PidFileDir},
		{"plugins_path", c.PluginsPath}, {"log.file_dir", c.Log.FileDir},
		{"drain_file", c.DrainFile}}
	for _, p := range paths {
		if p.v == "" {
			add("%s must not be empty", p.key)
		}
	}
	if c.HostID == "" || strings.IndexFunc(c.HostID, unicode.IsSpace) >= 0 {
		add("host_id %q must be non-empty and hold no white space", c.HostID)
	}
	if c.ReconcileIntervalSeconds < 0 {
		add("reconcile_interval_seconds must not be negative")
	}
	if c.ShutdownTimeoutSeconds < 0 {
		add("shutdown_timeout_seconds must not be negative")
	}
	out = append(out, checkPort("metrics.port", c.Metrics.Port, true)...)
	if c.Metrics.ListenAddress == "" {
		add("metrics.listen_address must not be empty")
	}
	if c.Metrics.SleepInterval < 0 {
		add("metrics.sleep_interval must not be negative")
	}
	if c.GlobalTemplateDiskBuffer < 0 || c.GlobalTemplateDiskBuffer >= 100 {
		add("global_template_disk_buffer must be a percentage from 0 to below 100")
	}
	out = append(out, checkDatabase("global_database_", c.GlobalDatabase)...)
	out = append(out, checkDatabase("metrics.database.", c.Metrics.Database)...)
	if c.GlobalPrivateKey != "" {
		out = append(out, checkPrivateKey("global_private_key", c.GlobalPrivateKey)...)
	}
	return out
}

// validateNames checks that plugin names are present, hold no white space,
// and are unique, also once normalised into environment variable prefixes.
func (c *Config) validateNames() []string {
	var out []string
	byName := map[string]bool{}
	byPrefix := map[string]string{}
	for i, p := range c.Plugins {
		switch {
		case p.Name == "":
			out = append(out, fmt.Sprintf("plugins[%d]: name is required", i))
			continue
		case strings.IndexFunc(p.Name, unicode.IsSpace) >= 0:
			out = append(out, fmt.Sprintf("plugin %q: name must not contain white space", p.Name))
		}
		if byName[p.Name] {
			out = append(out, fmt.Sprintf("plugin %q: name is used by more than one plugin", p.Name))
			continue
		}
		byName[p.Name] = true
		prefix := EnvPrefix(p.Name)
		if strings.HasPrefix(prefix, "ANKLET_") {
			out = append(out, fmt.Sprintf(
				"plugin %q: name gives the environment prefix %s, which clashes with "+
					"Anklet's own ANKLET_ variables", p.Name, prefix))
		}
		if other, ok := byPrefix[prefix]; ok {
			out = append(out, fmt.Sprintf(
				"plugin %q: name gives the same environment prefix %s as plugin %q",
				p.Name, prefix, other))
		}
		byPrefix[prefix] = p.Name
	}
	return out
}

func label(i int, p Plugin) string {
	if p.Name == "" {
		return fmt.Sprintf("plugins[%d]", i)
	}
	return fmt.Sprintf("plugin %q", p.Name)
}

func checkPort(key string, port int, required bool) []string {
	switch {
	case port == 0 && required:
		return []string{key + " is required"}
	case port < 0 || port > 65535:
		return []string{fmt.Sprintf("%s %d is out of range 1-65535", key, port)}
	}
	return nil
}

func checkDatabase(prefix string, d Database) []string {
	var out []string
	add := func(format string, args ...any) {
		out = append(out, prefix+fmt.Sprintf(format, args...))
	}
	if strings.Contains(d.URL, "://") {
		add("url must be a host name such as localhost, not a URL")
	}
	if d.Port < 0 || d.Port > 65535 {
		add("port %d is out of range 1-65535", d.Port)
	}
	if d.Database < 0 {
		add("database must not be negative")
	}
	if d.ClusterMode && d.Database != 0 {
		add("database must be 0 in cluster mode")
	}
	if d.MaxRetries < -1 {
		add("max_retries must be -1 (never retry) or more")
	}
	if d.RetryDelay < 0 {
		add("retry_delay must not be negative")
	}
	if d.RetryBackoffFactor != 0 && d.RetryBackoffFactor < 1 {
		add("retry_backoff_factor must be at least 1")
	}
	return out
}

// checkPrivateKey accepts an inline PEM block or a path to an existing
// file. It shows the value only when it looks like a path, never a key.
func checkPrivateKey(key, v string) []string {
	if isPEM(v) {
		return nil
	}
	_, err := os.Stat(v)
	if err == nil {
		return nil
	}
	shown := "(value not shown)"
	if len(v) <= 200 && !strings.ContainsAny(v, "\r\n") {
		shown = v
	}
	if os.IsNotExist(err) {
		return []string{fmt.Sprintf(
			"%s: file %s does not exist (an inline key must start with -----BEGIN)", key, shown)}
	}
	var pathErr *os.PathError
	if errors.As(err, &pathErr) {
		err = pathErr.Err // the PathError would repeat the value
	}
	return []string{fmt.Sprintf("%s: cannot read file %s: %v", key, shown, err)}
}

func checkURL(key, v string) []string {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return []string{fmt.Sprintf("%s %q must be an http or https URL", key, v)}
	}
	return nil
}
