package config

import "testing"

func TestFromReceiverEnv(t *testing.T) {
	c, err := FromReceiverEnv(baseEnv(t,
		"ANKLET_RECEIVER_PORT=58080", "ANKLET_RECEIVER_SECRET=whsec", "ANKLET_RECEIVER_OWNER=acme",
		"ANKLET_RECEIVER_REPO=app", "ANKLET_RECEIVER_HOOK_ID=42", "ANKLET_RECEIVER_TOKEN=tok",
		"ANKLET_RECEIVER_REDELIVER_HOURS=6", "ANKLET_RECEIVER_QUEUE_NAME=macs",
		"ANKLET_RECEIVER_BASE_URL=https://ghe.example/api/v3",
		"ANKLET_GLOBAL_DATABASE_URL=redis", "ANKLET_GLOBAL_DATABASE_PASSWORD=pw",
		"ANKLET_HOST_ID=container-1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Plugins) != 1 {
		t.Fatalf("plugins = %d, want 1", len(c.Plugins))
	}
	p := c.Plugins[0]
	eq(t, "name", p.Name, DefaultReceiverName)
	eq(t, "kind", p.Kind, KindReceiver)
	eq(t, "port", p.Port, 58080)
	eq(t, "secret", p.Secret, "whsec")
	eq(t, "owner", p.Owner, "acme")
	eq(t, "repo", p.Repo, "app")
	eq(t, "hook_id", p.HookID, int64(42))
	eq(t, "token", p.Token, "tok")
	eq(t, "redeliver_hours", p.RedeliverHours, 6)
	eq(t, "queue", p.Queue(), "macs")
	eq(t, "base_url", p.BaseURL, "https://ghe.example/api/v3")
	eq(t, "listen_address default", p.ListenAddress, "127.0.0.1")
	eq(t, "database url", p.Database.URL, "redis")
	eq(t, "database password", p.Database.Password, "pw")
	eq(t, "host_id", c.HostID, "container-1")
	if len(c.Warnings) != 0 {
		t.Errorf("warnings: %q", c.Warnings)
	}
}

func TestFromReceiverEnvProblems(t *testing.T) {
	_, err := FromReceiverEnv(baseEnv(t, "ANKLET_RECEIVER_PORT=http",
		"ANKLET_RECEIVER_OWNER=acme", "ANKLET_RECEIVER_SKIP_REDELIVER=ja",
		"ANKLET_RECEIVER_NAME=edge", "ANKLET_RECEIVER_LISTEN_ADDRESS=0.0.0.0"))
	assertProblems(t, err,
		`ANKLET_RECEIVER_PORT: "http" is not a whole number`,
		`ANKLET_RECEIVER_SKIP_REDELIVER: "ja" is not true or false`,
		`plugin "edge": secret is required (or set global_receiver_secret)`,
		`plugin "edge": port is required`,
	)
}
