package daemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/anklet/anklet/engine/config"
	"github.com/anklet/anklet/streams/redistest"
)

const testPEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAfilekeybody0001\n" +
	"-----END RSA PRIVATE KEY-----\n"

// leaky is a handler that does everything a careless plugin might: logs a
// runtime secret, its whole config entry and a key it read, and fails with
// an error that quotes its token. The daemon's logs must show none of it.
type leaky struct {
	env   Env
	p     config.Plugin
	runs  atomic.Int32
	ready chan struct{}
}

func (l *leaky) Name() string { return l.p.Name }

func (l *leaky) Run(_ context.Context, stopping <-chan struct{}) error {
	if l.runs.Add(1) == 1 {
		jit := "eyJqaXQiOiJydW5uZXItY29uZmlnIn0="
		l.env.Secrets.Add(jit)
		key, _ := os.ReadFile(l.p.PrivateKey)
		l.env.Log.Info().Str("jit_config", jit).Str("key", string(key)).
			Interface("entry", l.p).Msg("starting runner")
		return fmt.Errorf("register runner with token %s: bad credentials", l.p.Token)
	}
	close(l.ready)
	<-stopping
	return nil
}

func TestRunKeepsSecretsOutOfTheLogs(t *testing.T) {
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "app.pem")
	writeFile(t, keyPath, testPEM)
	secrets := []string{"ghp_tokenAAAA1111", "whsec_BBBB2222", "redis-pw-CCCC3333",
		"eyJqaXQiOiJydW5uZXItY29uZmlnIn0=", "MIIEpAIBAAKCAQEAfilekeybody0001"}
	redis := redistest.Start(t, redistest.WithPassword("redis-pw-CCCC3333"))
	yaml := fmt.Sprintf(`work_dir: %[1]s/work
log:
  file_dir: %[1]s
global_database_url: 127.0.0.1
global_database_port: %[3]d
global_database_password: redis-pw-CCCC3333
global_receiver_secret: whsec_BBBB2222
plugins:
  - name: h1
    plugin: github
    owner: acme
    token: ghp_tokenAAAA1111
    app_id: 1
    private_key: %[2]s
`, dir, keyPath, redis.Port())
	cfgPath := filepath.Join(dir, "config.yml")
	writeFile(t, cfgPath, yaml)
	cfg, err := config.Load(cfgPath, []string{"HOME=" + dir})
	if err != nil {
		t.Fatal(err)
	}

	plugin := &leaky{ready: make(chan struct{})}
	registerForTest(t, config.KindHandler, func(env Env, p config.Plugin) (Plugin, error) {
		plugin.env, plugin.p = env, p
		return plugin, nil
	})
	stdout := &syncBuffer{}
	code := make(chan int, 1)
	go func() {
		code <- Run(context.Background(), cfg, Options{Version: "test", Stdout: stdout})
	}()
	receive(t, plugin.ready, "the plugin's second run")
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if c := <-code; c != 0 {
		t.Fatalf("exit code %d, want 0:\n%s", c, stdout.String())
	}

	file := readFile(t, filepath.Join(dir, "anklet.log"))
	for _, out := range []string{stdout.String(), file} {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("log output holds secret %q", s)
			}
		}
		for _, want := range []string{"loaded config", "starting runner",
			"register runner with token [redacted]: bad credentials", "anklet shut down"} {
			if !strings.Contains(out, want) {
				t.Errorf("log output lacks %q", want)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "work", "anklet.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pid file left behind: %v", err)
	}
	if t.Failed() {
		t.Logf("log:\n%s", file)
	}
}
