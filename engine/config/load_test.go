package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeConfig writes yaml into a temporary config.yml and returns its path.
func writeConfig(t *testing.T, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// baseEnv keeps tests independent of the machine's home and environment.
func baseEnv(t *testing.T, extra ...string) []string {
	return append([]string{"HOME=" + t.TempDir()}, extra...)
}

func mustLoad(t *testing.T, yaml string, env []string) *Config {
	t.Helper()
	path := ""
	if yaml != "" {
		path = writeConfig(t, yaml)
	}
	c, err := Load(path, env)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

const handlerYAML = `
plugins:
  - name: h1
    plugin: github
    owner: acme
    token: file-token
`

func TestLoadPrecedence(t *testing.T) {
	cases := []struct {
		name  string
		yaml  string
		env   []string
		check func(t *testing.T, c *Config)
	}{{
		name: "file only",
		yaml: "work_dir: /srv/anklet\nhost_id: mac-1\nmetrics:\n  port: 9100\n" + handlerYAML,
		check: func(t *testing.T, c *Config) {
			eq(t, "work_dir", c.WorkDir, "/srv/anklet")
			eq(t, "pid_file_dir", c.PidFileDir, "/srv/anklet")
			eq(t, "host_id", c.HostID, "mac-1")
			eq(t, "metrics.port", c.Metrics.Port, 9100)
			eq(t, "token", c.Plugins[0].Token, "file-token")
		},
	}, {
		name: "env only",
		env: []string{"ANKLET_WORK_DIR=/var/anklet", "ANKLET_HOST_ID=mac-2",
			"ANKLET_METRICS_PORT=9200", "ANKLET_METRICS_AGGREGATOR=true",
			"ANKLET_GLOBAL_DATABASE_URL=redis.internal", "ANKLET_GLOBAL_DATABASE_PORT=6380",
			"ANKLET_GLOBAL_DATABASE_CLUSTER_MODE=true", "ANKLET_LOG_FILE_DIR=/var/log",
			"ANKLET_PID_FILE_DIR=/run", "ANKLET_PLUGINS_PATH=/opt/plugins",
			"ANKLET_GLOBAL_HOST_TO_GUEST_FOLDER_MOUNTS=/a:x, /b ,",
			"ANKLET_METRICS_DATABASE_DATABASE=0", "ANKLET_SHUTDOWN_TIMEOUT_SECONDS=20", "ANKLET_RECONCILE_INTERVAL_SECONDS=7",
			"ANKLET_DRAIN_FILE=/tmp/drain"},
		check: func(t *testing.T, c *Config) {
			eq(t, "work_dir", c.WorkDir, "/var/anklet")
			eq(t, "host_id", c.HostID, "mac-2")
			eq(t, "metrics.port", c.Metrics.Port, 9200)
			eq(t, "metrics.aggregator", c.Metrics.Aggregator, true)
			eq(t, "global url", c.GlobalDatabase.URL, "redis.internal")
			eq(t, "global port", c.GlobalDatabase.Port, 6380)
			eq(t, "global cluster", c.GlobalDatabase.ClusterMode, true)
			eq(t, "metrics db url", c.Metrics.Database.URL, "redis.internal")
			eq(t, "log.file_dir", c.Log.FileDir, "/var/log")
			eq(t, "pid_file_dir", c.PidFileDir, "/run")
			eq(t, "plugins_path", c.PluginsPath, "/opt/plugins")
			eq(t, "mounts", strings.Join(c.GlobalHostToGuestFolderMounts, "|"), "/a:x|/b")
			eq(t, "shutdown", c.ShutdownTimeoutSeconds, 20)
			eq(t, "reconcile", c.ReconcileIntervalSeconds, 7)
			eq(t, "drain", c.DrainFile, "/tmp/drain")
		},
	}, {
		name: "env wins over the file",
		yaml: "work_dir: /from/file\nmetrics:\n  port: 9100\n  listen_address: 10.0.0.1\n" +
			handlerYAML,
		env: []string{"ANKLET_WORK_DIR=/from/env", "ANKLET_METRICS_PORT=9300",
			"H1_TOKEN=env-token", "H1_MAX_RUNNING_VMS=1"},
		check: func(t *testing.T, c *Config) {
			eq(t, "work_dir", c.WorkDir, "/from/env")
			eq(t, "metrics.port", c.Metrics.Port, 9300)
			eq(t, "listen_address", c.Metrics.ListenAddress, "10.0.0.1")
			eq(t, "token", c.Plugins[0].Token, "env-token")
			eq(t, "max_running_vms", c.Plugins[0].MaxRunningVMs, 1)
		},
	}, {
		name: "plugin env with an odd name",
		yaml: "plugins:\n  - name: my-runner.1\n    plugin: github\n    owner: acme\n",
		env: []string{"MY_RUNNER_1_TOKEN=odd-token", "MY_RUNNER_1_SKIP_PULL=true",
			"MY_RUNNER_1_DATABASE_URL=plugin-redis", "MY_RUNNER_1_DATABASE_DATABASE=4",
			"MY_RUNNER_1_HOST_TO_GUEST_FOLDER_MOUNTS=/x,/y:z",
			"MY_RUNNER_1_TEMPLATE_DISK_BUFFER=12.5", "MY_RUNNER_1_APP_ID=77"},
		check: func(t *testing.T, c *Config) {
			p := c.Plugins[0]
			eq(t, "token", p.Token, "odd-token")
			eq(t, "skip_pull", p.SkipPull, true)
			eq(t, "database.url", p.Database.URL, "plugin-redis")
			eq(t, "database.database", p.Database.Database, 4)
			eq(t, "mounts", strings.Join(p.HostToGuestFolderMounts, "|"), "/x|/y:z")
			eq(t, "template_disk_buffer", p.TemplateDiskBuffer, 12.5)
			eq(t, "app_id", p.AppID, int64(77))
		},
	}, {
		name: "database override order: plugin file < plugin env < global file < global env",
		yaml: `global_database_user: global-user
global_database_password: global-pw
plugins:
  - name: h1
    plugin: github
    owner: acme
    token: t
    database:
      url: plugin-host
      port: 7000
      user: plugin-user
      database: 2
`,
		env: []string{"H1_DATABASE_PORT=7001", "ANKLET_GLOBAL_DATABASE_USER=env-user"},
		check: func(t *testing.T, c *Config) {
			d := c.Plugins[0].Database
			eq(t, "url (plugin file)", d.URL, "plugin-host")
			eq(t, "port (plugin env)", d.Port, 7001)
			eq(t, "user (global env)", d.User, "env-user")
			eq(t, "password (global file)", d.Password, "global-pw")
			eq(t, "database (plugin file)", d.Database, 2)
		},
	}, {
		name: "defaults",
		yaml: handlerYAML + `  - name: r1
    plugin: github_receiver
    owner: acme
    port: 8081
    secret: s
    skip_redeliver: true
`,
		check: func(t *testing.T, c *Config) {
			plugins := c.PluginsPath
			eq(t, "work_dir", c.WorkDir, DefaultWorkDir)
			eq(t, "pid_file_dir", c.PidFileDir, DefaultWorkDir)
			eq(t, "plugins_path suffix", strings.HasSuffix(plugins, "/.config/anklet/plugins"), true)
			eq(t, "plugins_path expanded", strings.HasPrefix(plugins, "~"), false)
			eq(t, "drain_file", strings.HasSuffix(c.DrainFile, "/.config/anklet/.drain"), true)
			wd, _ := os.Getwd()
			eq(t, "log.file_dir", c.Log.FileDir, wd)
			host, _ := os.Hostname()
			eq(t, "host_id", c.HostID, host)
			eq(t, "shutdown", c.ShutdownTimeoutSeconds, DefaultShutdownTimeoutSeconds)
			eq(t, "reconcile", c.ReconcileIntervalSeconds, DefaultReconcileInterval)
			eq(t, "metrics.port", c.Metrics.Port, 8080)
			eq(t, "metrics.listen_address", c.Metrics.ListenAddress, "127.0.0.1")
			h, r := c.Plugins[0], c.Plugins[1]
			eq(t, "registration_timeout_seconds", h.RegistrationTimeoutSeconds, 80)
			eq(t, "template_disk_buffer", h.TemplateDiskBuffer, 10.0)
			eq(t, "job_retry_attempts", h.JobRetryAttempts, 5)
			eq(t, "lease_seconds", h.LeaseSeconds, 30)
			eq(t, "max_deliveries", h.MaxDeliveries, 10)
			eq(t, "max_running_vms", h.MaxRunningVMs, 2)
			eq(t, "anka_path", h.AnkaPath, "anka")
			eq(t, "queue", h.Queue(), "acme")
			eq(t, "listen_address", r.ListenAddress, "127.0.0.1")
			eq(t, "redeliver_hours", r.RedeliverHours, 24)
			eq(t, "redeliver_interval_seconds", r.RedeliverIntervalSeconds, 300)
		},
	}, {
		name: "explicit zeros are kept",
		yaml: "shutdown_timeout_seconds: 0\n" + handlerYAML +
			"    job_retry_attempts: 0\n    template_disk_buffer: 0\n",
		check: func(t *testing.T, c *Config) {
			eq(t, "shutdown", c.ShutdownTimeoutSeconds, 0)
			eq(t, "job_retry_attempts", c.Plugins[0].JobRetryAttempts, 0)
			eq(t, "template_disk_buffer", c.Plugins[0].TemplateDiskBuffer, 0.0)
		},
	}, {
		name: "job retry attempts: global env, then plugin env",
		yaml: handlerYAML + "    job_retry_attempts: 9\n" +
			"  - name: h2\n    plugin: github\n    owner: acme\n    token: t\n",
		env: []string{"ANKLET_JOB_RETRY_ATTEMPTS=3", "H2_JOB_RETRY_ATTEMPTS=7"},
		check: func(t *testing.T, c *Config) {
			eq(t, "h1", c.Plugins[0].JobRetryAttempts, 3)
			eq(t, "h2", c.Plugins[1].JobRetryAttempts, 7)
		},
	}, {
		name: "globals fill and override plugins",
		yaml: `global_token: global-token
global_private_key: "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----"
global_receiver_secret: global-secret
global_template_disk_buffer: 20
global_skip_cpu_and_memory_resource_checks: true
global_host_to_guest_folder_mounts: [/shared]
plugins:
  - name: h1
    plugin: github
    owner: acme
    token: own-token
    host_to_guest_folder_mounts: [/own]
  - name: h2
    plugin: github
    owner: acme
    template_disk_buffer: 5
  - name: r1
    plugin: github_receiver
    owner: acme
    port: 8081
    secret: own-secret
    skip_redeliver: true
`,
		check: func(t *testing.T, c *Config) {
			h1, h2, r1 := c.Plugins[0], c.Plugins[1], c.Plugins[2]
			eq(t, "h1 token kept", h1.Token, "own-token")
			eq(t, "h2 token filled", h2.Token, "global-token")
			eq(t, "h2 key filled", strings.HasPrefix(h2.PrivateKey, "-----BEGIN"), true)
			eq(t, "receiver secret overridden", r1.Secret, "global-secret")
			eq(t, "h1 disk buffer from global", h1.TemplateDiskBuffer, 20.0)
			eq(t, "h2 disk buffer own", h2.TemplateDiskBuffer, 5.0)
			eq(t, "skip checks forced", h1.SkipCPUAndMemoryResourceChecks, true)
			eq(t, "h1 mounts own", strings.Join(h1.HostToGuestFolderMounts, ","), "/own")
			eq(t, "h2 mounts global", strings.Join(h2.HostToGuestFolderMounts, ","), "/shared")
		},
	}, {
		name: "quoted numbers as in the original's metrics.port",
		yaml: "metrics:\n  port: \"8181\"\n",
		check: func(t *testing.T, c *Config) {
			eq(t, "metrics.port", c.Metrics.Port, 8181)
		},
	}, {
		name: "empty env values are ignored",
		yaml: "work_dir: /from/file\n",
		env:  []string{"ANKLET_WORK_DIR="},
		check: func(t *testing.T, c *Config) {
			eq(t, "work_dir", c.WorkDir, "/from/file")
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.check(t, mustLoad(t, tc.yaml, baseEnv(t, tc.env...)))
		})
	}
}

func TestLoadExpandsHome(t *testing.T) {
	home := t.TempDir()
	key := filepath.Join(home, "key.pem")
	if err := os.WriteFile(key, []byte("k"), 0o600); err != nil {
		t.Fatal(err)
	}
	yaml := "work_dir: ~/work\nplugins:\n  - name: h\n    plugin: github\n    owner: o\n" +
		"    app_id: 1\n    private_key: ~/key.pem\n"
	c, err := Load(writeConfig(t, yaml), []string{"HOME=" + home})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "work_dir", c.WorkDir, filepath.Join(home, "work"))
	eq(t, "private_key", c.Plugins[0].PrivateKey, key)
}

func TestLoadBadEnvValuesNameTheVariable(t *testing.T) {
	env := baseEnv(t, "ANKLET_METRICS_PORT=eighty", "ANKLET_METRICS_AGGREGATOR=yes please",
		"H1_SKIP_PULL=maybe", "H1_APP_ID=1x", "ANKLET_GLOBAL_TEMPLATE_DISK_BUFFER=ten")
	_, err := Load(writeConfig(t, handlerYAML), env)
	want := []string{
		`ANKLET_METRICS_PORT: "eighty" is not a whole number`,
		`ANKLET_METRICS_AGGREGATOR: "yes please" is not true or false`,
		`H1_SKIP_PULL: "maybe" is not true or false`,
		`H1_APP_ID: "1x" is not a whole number`,
		`ANKLET_GLOBAL_TEMPLATE_DISK_BUFFER: "ten" is not a number`,
	}
	assertProblems(t, err, want...)
}

func TestLoadUnreadableFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "missing.yml"), baseEnv(t))
	if err == nil || !strings.Contains(err.Error(), "missing.yml") {
		t.Fatalf("err = %v, want one naming the file", err)
	}
	var problems Problems
	if errors.As(err, &problems) {
		t.Fatalf("a missing file is not a list of problems: %v", err)
	}
	_, err = Load(writeConfig(t, "plugins: [\n"), baseEnv(t))
	if err == nil {
		t.Fatal("broken YAML loaded")
	}
}

func TestWarnings(t *testing.T) {
	c := mustLoad(t, "", baseEnv(t, "ANKLET_WORKDIR=/x", "ANKLET_METRICS_URLS=http://a",
		"ANKLET_CONFIG_FILE_NAME=other.yml", "UNRELATED=1"))
	want := []string{
		"environment variable ANKLET_METRICS_URLS has no effect: " +
			"the aggregator reads every host's metrics from Redis",
		"environment variable ANKLET_WORKDIR is not a setting Anklet reads",
	}
	if !slices.Equal(c.Warnings, want) {
		t.Fatalf("warnings:\n%s\nwant:\n%s", strings.Join(c.Warnings, "\n"),
			strings.Join(want, "\n"))
	}
}

func TestDefaultPath(t *testing.T) {
	eq(t, "default", defaultPath([]string{"HOME=/u"}), "/u/.config/anklet/config.yml")
	eq(t, "named", defaultPath([]string{"HOME=/u", "ANKLET_CONFIG_FILE_NAME=ci.yml"}),
		"/u/.config/anklet/ci.yml")
}

func TestEnvPrefix(t *testing.T) {
	for name, want := range map[string]string{
		"my-runner.1": "MY_RUNNER_1_", "handler": "HANDLER_", "a b/c": "A_B_C_",
		"Ünï": "_N__",
	} {
		eq(t, name, EnvPrefix(name), want)
	}
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// assertProblems checks that err is Problems holding each wanted line.
func assertProblems(t *testing.T, err error, want ...string) {
	t.Helper()
	var problems Problems
	if !errors.As(err, &problems) {
		t.Fatalf("err = %v, want Problems", err)
	}
	for _, w := range want {
		if !slices.Contains(problems, w) {
			t.Errorf("missing problem %q in:\n%s", w, problems.Error())
		}
	}
}

// TestREADMEGlobalEnvironmentVariables sets each variable of the README's
// global key table that TestLoadPrecedence leaves out, and checks it lands.
func TestREADMEGlobalEnvironmentVariables(t *testing.T) {
	c := mustLoad(t, handlerYAML+`  - name: r1
    plugin: github_receiver
    owner: acme
    port: 8081
    secret: own
    skip_redeliver: true
`, baseEnv(t,
		"ANKLET_LOG_SPLIT_BY_PLUGIN=true", "ANKLET_METRICS_LISTEN_ADDRESS=0.0.0.0",
		"ANKLET_METRICS_SLEEP_INTERVAL=15", "ANKLET_METRICS_DATABASE_URL=metrics-redis",
		"ANKLET_GLOBAL_TOKEN=env-token", "ANKLET_GLOBAL_RECEIVER_SECRET=env-secret",
		"ANKLET_GLOBAL_SKIP_CPU_AND_MEMORY_RESOURCE_CHECKS=true",
		"ANKLET_GLOBAL_DATABASE_TLS_ENABLED=true", "ANKLET_GLOBAL_DATABASE_TLS_INSECURE=true",
		"ANKLET_GLOBAL_DATABASE_MAX_RETRIES=4", "ANKLET_GLOBAL_DATABASE_RETRY_DELAY=250",
		"ANKLET_GLOBAL_DATABASE_RETRY_BACKOFF_FACTOR=1.5",
		"ANKLET_GLOBAL_DATABASE_DATABASE=5"))
	eq(t, "log.split_by_plugin", c.Log.SplitByPlugin, true)
	eq(t, "metrics.listen_address", c.Metrics.ListenAddress, "0.0.0.0")
	eq(t, "metrics.sleep_interval", c.Metrics.SleepInterval, 15)
	eq(t, "metrics.database.url", c.Metrics.Database.URL, "metrics-redis")
	eq(t, "global_token", c.GlobalToken, "env-token")
	h, r := c.Plugins[0], c.Plugins[1]
	eq(t, "h1 token (own file value kept)", h.Token, "file-token")
	eq(t, "receiver secret", r.Secret, "env-secret")
	eq(t, "skip checks", h.SkipCPUAndMemoryResourceChecks, true)
	g := c.GlobalDatabase
	eq(t, "tls_enabled", g.TLSEnabled, true)
	eq(t, "tls_insecure", g.TLSInsecure, true)
	eq(t, "max_retries", g.MaxRetries, 4)
	eq(t, "retry_delay", g.RetryDelay, 250)
	eq(t, "retry_backoff_factor", g.RetryBackoffFactor, 1.5)
	eq(t, "database", g.Database, 5)
	eq(t, "plugin database from global", h.Database.Database, 5)
	eq(t, "plugin tls from global", h.Database.TLSEnabled, true)
	eq(t, "metrics database from global", c.Metrics.Database.Database, 5)
}
