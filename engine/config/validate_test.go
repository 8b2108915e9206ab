package config

import (
	"errors"
	"strings"
	"testing"
)

const receiverYAML = `
  - name: r1
    plugin: github_receiver
    owner: acme
    port: 8081
    secret: s
    skip_redeliver: true
`

func TestValidConfigHasNoProblems(t *testing.T) {
	mustLoad(t, handlerYAML+receiverYAML, baseEnv(t))
	mustLoad(t, "", baseEnv(t)) // no plugins: a metrics-only host
}

// Each case is one mistake and the exact line Load reports for it.
func TestValidationProblems(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		env  []string
		want string
	}{
		{"unknown kind", "plugins:\n  - {name: x, plugin: gitlab, owner: o, token: t}",
			nil, `plugin "x": plugin kind "gitlab" is not supported (use github or github_receiver)`},
		{"missing kind", "plugins:\n  - {name: x, owner: o, token: t}",
			nil, `plugin "x": plugin is required (github or github_receiver)`},
		{"missing name", "plugins:\n  - {plugin: github, owner: o, token: t}",
			nil, `plugins[0]: name is required`},
		{"name with a space", "plugins:\n  - {name: a b, plugin: github, owner: o, token: t}",
			nil, `plugin "a b": name must not contain white space`},
		{"duplicate names", handlerYAML + "  - {name: h1, plugin: github, owner: o, token: t}",
			nil, `plugin "h1": name is used by more than one plugin`},
		{"names with one env prefix",
			handlerYAML + "  - {name: H1, plugin: github, owner: o, token: t}", nil,
			`plugin "H1": name gives the same environment prefix H1_ as plugin "h1"`},
		{"name clashing with ANKLET_", "plugins:\n  - {name: anklet-global, plugin: github, " +
			"owner: o, token: t}", nil, `plugin "anklet-global": name gives the environment ` +
			`prefix ANKLET_GLOBAL_, which clashes with Anklet's own ANKLET_ variables`},
		{"handler without owner", "plugins:\n  - {name: x, plugin: github, token: t}",
			nil, `plugin "x": owner is required`},
		{"repo without owner", "plugins:\n  - {name: x, plugin: github, repo: r, token: t}",
			nil, `plugin "x": repo "r" is set without owner`},
		{"handler without credentials", "plugins:\n  - {name: x, plugin: github, owner: o}",
			nil, `plugin "x": credentials are required: token (or global_token), ` +
				`or app_id with private_key`},
		{"app id without key", "plugins:\n  - {name: x, plugin: github, owner: o, app_id: 3}",
			nil, `plugin "x": app_id is set without private_key (or global_private_key)`},
		{"key without app id", "plugins:\n  - {name: x, plugin: github, owner: o, " +
			"private_key: \"-----BEGIN KEY-----\"}", nil,
			`plugin "x": private_key is set without app_id`},
		{"installation without app", "plugins:\n  - {name: x, plugin: github, owner: o, " +
			"token: t, installation_id: 5}", nil, `plugin "x": installation_id is set without app_id`},
		{"missing private key file", "plugins:\n  - {name: x, plugin: github, owner: o, " +
			"app_id: 3, private_key: /nonexistent/key.pem}", nil,
			`plugin "x": private_key: file /nonexistent/key.pem does not exist ` +
				`(an inline key must start with -----BEGIN)`},
		{"missing global private key file", "global_private_key: /nonexistent/g.pem", nil,
			`global_private_key: file /nonexistent/g.pem does not exist ` +
				`(an inline key must start with -----BEGIN)`},
		{"receiver without secret", "plugins:\n  - {name: r, plugin: github_receiver, " +
			"owner: o, port: 80, skip_redeliver: true}", nil,
			`plugin "r": secret is required (or set global_receiver_secret)`},
		{"receiver without port", "plugins:\n  - {name: r, plugin: github_receiver, " +
			"owner: o, secret: s, skip_redeliver: true}", nil, `plugin "r": port is required`},
		{"receiver port out of range", "plugins:\n  - {name: r, plugin: github_receiver, " +
			"owner: o, secret: s, port: 70000, skip_redeliver: true}", nil,
			`plugin "r": port 70000 is out of range 1-65535`},
		{"receiver redelivery without hook", "plugins:\n  - {name: r, plugin: github_receiver, " +
			"owner: o, secret: s, port: 80, token: t}", nil,
			`plugin "r": hook_id is required to ask GitHub for redeliveries ` +
				`(or set skip_redeliver: true)`},
		{"receiver redelivery without credentials", "plugins:\n  - {name: r, " +
			"plugin: github_receiver, owner: o, secret: s, port: 80, hook_id: 9}", nil,
			`plugin "r": credentials are required: token (or global_token), ` +
				`or app_id with private_key`},
		{"metrics port out of range", "metrics:\n  port: 65536", nil,
			`metrics.port 65536 is out of range 1-65535`},
		{"metrics port from env out of range", "", []string{"ANKLET_METRICS_PORT=-1"},
			`metrics.port -1 is out of range 1-65535`},
		{"database port out of range", "global_database_port: 99999", nil,
			`global_database_port 99999 is out of range 1-65535`},
		{"database url with a scheme", "metrics:\n  database:\n    url: redis://h", nil,
			`metrics.database.url must be a host name such as localhost, not a URL`},
		{"cluster with a database number", "global_database_cluster_mode: true\n" +
			"global_database_database: 2", nil, `global_database_database must be 0 in cluster mode`},
		{"retry factor below one", "global_database_retry_backoff_factor: 0.5", nil,
			`global_database_retry_backoff_factor must be at least 1`},
		{"queue name with braces", handlerYAML + "    queue_name: a{b}", nil,
			`plugin "h1": queue_name "a{b}" must not contain braces or white space`},
		{"owner with a brace as queue", "plugins:\n  - {name: x, plugin: github, " +
			"owner: \"o}\", token: t}", nil,
			`plugin "x": owner (the default queue name) "o}" must not contain braces or white space`},
		{"base url", handlerYAML + "    base_url: ftp://x", nil,
			`plugin "h1": base_url "ftp://x" must be an http or https URL`},
		{"max running vms", handlerYAML + "    max_running_vms: 0", nil,
			`plugin "h1": max_running_vms must be at least 1`},
		{"disk buffer", handlerYAML + "    template_disk_buffer: 100", nil,
			`plugin "h1": template_disk_buffer must be a percentage from 0 to below 100`},
		{"mount without host path", handlerYAML + "    host_to_guest_folder_mounts: [':x']", nil,
			`plugin "h1": host_to_guest_folder_mounts entry ":x" has no host path`},
		{"host id with a space", "host_id: my mac", nil,
			`host_id "my mac" must be non-empty and hold no white space`},
		{"negative shutdown timeout", "shutdown_timeout_seconds: -5", nil,
			`shutdown_timeout_seconds must not be negative`},
		{"negative reconcile interval", "reconcile_interval_seconds: -1", nil,
			`reconcile_interval_seconds must not be negative`},
		{"wrong type, top level", "metrics:\n  port: [1]", nil,
			`metrics.port: expected a whole number, got a list`},
		{"wrong type, plugin", handlerYAML + "    skip_pull: sometimes", nil,
			`plugin "h1": skip_pull: expected true or false`},
		{"wrong type, flat global", "global_database_port: abc", nil,
			`global_database_port: expected a whole number`},
		{"wrong type, section", "metrics: 5", nil, `metrics: must be a block of keys`},
		{"plugins not a list", "plugins: {name: x}", nil,
			`plugins: must be a list of plugin entries`},
		{"plugin entry not a map", "plugins: [x]", nil, `plugins[0]: must be a block of keys`},
		{"unknown key with suggestion", "global_tokn: x", nil,
			`unknown key "global_tokn" (did you mean "global_token"?)`},
		{"unknown nested key", "metrics:\n  prot: 1", nil,
			`unknown key "metrics.prot" (did you mean "metrics.port"?)`},
		{"unknown plugin key", handlerYAML + "    max_running_vm: 1", nil,
			`plugin "h1": unknown key "max_running_vm" (did you mean "max_running_vms"?)`},
		{"unknown key without suggestion", "colour: blue", nil, `unknown key "colour"`},
		{"enterprise", handlerYAML + "    enterprise: big", nil,
			`plugin "h1": enterprise is not supported: Anklet works at organisation or ` +
				`repository scope; set owner (and repo) for each organisation`},
		{"workflows", handlerYAML + "    workflows: {include: [a]}", nil,
			`plugin "h1": workflows is not supported: choose which jobs a host runs with ` +
				`the runs-on labels`},
		{"log_file_dir", "log_file_dir: /tmp", nil,
			`log_file_dir is not supported: use log.file_dir (env ANKLET_LOG_FILE_DIR)`},
		{"metrics_urls", "metrics:\n  metrics_urls: [http://a]", nil,
			`metrics.metrics_urls is not supported: the aggregator reads every host's ` +
				`metrics from Redis`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeConfig(t, tc.yaml), baseEnv(t, tc.env...))
			assertProblems(t, err, tc.want)
		})
	}
}

// Load reports every problem at once rather than stopping at the first.
func TestLoadReportsEveryProblem(t *testing.T) {
	yaml := `global_tokn: x
metrics:
  port: abc
plugins:
  - {name: a b, plugin: gitlab}
  - {name: r, plugin: github_receiver, owner: o, skip_redeliver: true}
`
	_, err := Load(writeConfig(t, yaml), baseEnv(t, "ANKLET_METRICS_AGGREGATOR=perhaps"))
	assertProblems(t, err,
		`unknown key "global_tokn" (did you mean "global_token"?)`,
		`metrics.port: expected a whole number`,
		`ANKLET_METRICS_AGGREGATOR: "perhaps" is not true or false`,
		`plugin "a b": name must not contain white space`,
		`plugin "a b": plugin kind "gitlab" is not supported (use github or github_receiver)`,
		`plugin "a b": owner is required`,
		`plugin "r": secret is required (or set global_receiver_secret)`,
		`plugin "r": port is required`,
	)
}

// Validate works on a Config built in code, too.
func TestValidateBuiltInCode(t *testing.T) {
	c := &Config{WorkDir: "/w", PidFileDir: "/w", PluginsPath: "/p", DrainFile: "/d",
		HostID: "h", Log: Log{FileDir: "/l"}, Metrics: Metrics{Port: 1, ListenAddress: "x"},
		Plugins: []Plugin{{Name: "x", Kind: KindHandler, Owner: "o", Token: "t"}}}
	err := c.Validate()
	assertProblems(t, err, `plugin "x": max_running_vms must be at least 1`,
		`plugin "x": anka_path must not be empty`)

	c.Plugins = nil
	if err := c.Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
}

// A key pasted under the wrong name is not echoed back in a problem line.
func TestProblemsDoNotEchoSecrets(t *testing.T) {
	secret := "ghp_0123456789abcdefSECRET"
	yaml := handlerYAML + "    max_running_vms: " + secret + "\n    app_id: " + secret +
		"\n    private_key: \"" + strings.Repeat("A", 300) + secret + "\"\n"
	_, err := Load(writeConfig(t, yaml), baseEnv(t))
	if err == nil {
		t.Fatal("loaded")
	}
	var problems Problems
	if !errors.As(err, &problems) || len(problems) < 3 {
		t.Fatalf("want at least three problems, got %v", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatalf("problem lines echo the value:\n%s", err)
	}
}
