package config

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

const pemKey = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAsecretbody\n" +
	"-----END RSA PRIVATE KEY-----"

// secretConfig loads a configuration holding one of every kind of secret
// and returns it with the secret values.
func secretConfig(t *testing.T) (*Config, []string) {
	secrets := []string{"ghp_globaltoken111", "ghp_plugintoken222", "whsec_receiver333",
		"global-db-pw-444", "metrics-db-pw-555", "plugin-db-pw-666", pemKey}
	yaml := `global_token: ghp_globaltoken111
global_receiver_secret: whsec_receiver333
global_database_password: global-db-pw-444
metrics:
  database:
    password: metrics-db-pw-555
plugins:
  - name: h1
    plugin: github
    owner: acme
    token: ghp_plugintoken222
    database:
      password: plugin-db-pw-666
  - name: h2
    plugin: github
    owner: acme
    app_id: 1
  - name: r1
    plugin: github_receiver
    owner: acme
    port: 8081
    skip_redeliver: true
`
	env := baseEnv(t, "ANKLET_GLOBAL_PRIVATE_KEY="+pemKey)
	return mustLoad(t, yaml, env), secrets
}

func TestRedacted(t *testing.T) {
	c, secrets := secretConfig(t)
	r := c.Redacted()

	var buf bytes.Buffer
	log := zerolog.New(&buf)
	log.Info().Object("config", c).Msg("loaded config")
	log.Info().Interface("redacted", r).Msg("as a struct")
	log.Info().Object("plugin", c.Plugins[0]).Msg("one plugin")
	for _, s := range secrets {
		if strings.Contains(buf.String(), s) || strings.Contains(buf.String(), jsonish(s)) {
			t.Errorf("log output holds secret %q", s)
		}
	}
	for _, want := range []string{`"global_token":"[redacted]"`, `"name":"h1"`,
		`"password":"[redacted]"`, `"owner":"acme"`, `"token":"[redacted]"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log output lacks %s:\n%s", want, buf.String())
		}
	}

	// The original is untouched, and unset secrets stay visibly unset.
	eq(t, "original token", c.Plugins[0].Token, "ghp_plugintoken222")
	eq(t, "unset secret", r.Plugins[0].Secret, "")

	// The global password replaced the metrics and plugin ones (index 4 and
	// 5), so those are no longer in the configuration at all.
	got := strings.Join(c.Secrets(), "\n")
	for _, s := range []string{secrets[0], secrets[1], secrets[2], secrets[3], secrets[6]} {
		if !strings.Contains(got, s) {
			t.Errorf("Secrets() lacks %q", s)
		}
	}
}

// jsonish is s as it appears inside a JSON string.
func jsonish(s string) string { return strings.ReplaceAll(s, "\n", `\n`) }
