package receiver

import (
	"bytes"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"

	"github.com/anklet/anklet/engine/config"
	"github.com/anklet/anklet/engine/daemon"
	"github.com/anklet/anklet/engine/metrics"
	"github.com/anklet/anklet/github/githubtest"
	"github.com/anklet/anklet/streams/redistest"
)

// TestRunServesAndStops runs the receiver as the daemon does: it listens on
// its own port, takes webhooks, and returns nil once stopping is closed.
func TestRunServesAndStops(t *testing.T) {
	b := setup(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopping := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- b.r.Run(ctx, stopping) }()
	<-b.r.Ready()

	addr := b.r.Addr().String()
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Errorf("listening on %s, want the loopback default", addr)
	}
	if err := Probe(ctx, addr, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	sender := *b.sender
	sender.URL = "http://" + addr + WebhookPath
	res, err := sender.Send(ctx, "workflow_job", uuid.NewString(), job(actionQueued, 701).Payload())
	if err != nil || word(res.Body) != ResultStored {
		t.Fatalf("webhook to Run's listener: %q %v", res.Body, err)
	}

	close(stopping)
	if err := <-done; err != nil {
		t.Errorf("Run after stopping: %v", err)
	}
	if err := Probe(ctx, addr, time.Second); err == nil {
		t.Errorf("still answering after Run returned")
	}
}

func TestRunCannotListen(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	b := setup(t, func(o *Options) { o.Port = ln.Addr().(*net.TCPAddr).Port })
	err = b.r.Run(context.Background(), make(chan struct{}))
	if err == nil || !strings.Contains(err.Error(), "listen") {
		t.Errorf("Run on a taken port: %v, want a listen error", err)
	}
}

// secrets records what a plugin asks to hide from the logs.
type secrets struct {
	mu   sync.Mutex
	list []string
}

func (s *secrets) Add(v ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list = append(s.list, v...)
}

// TestNewPlugin builds the receiver from a config entry through the
// daemon's registry, and checks secrets and metrics reach the daemon.
func TestNewPlugin(t *testing.T) {
	srv := redistest.Start(t)
	reg := metrics.NewRegistry(metrics.Options{Instance: "test"})
	hidden := &secrets{}
	env := daemon.Env{HostID: "host-1", Log: zerolog.Nop(), Metrics: reg, Secrets: hidden}
	entry := config.Plugin{
		Name: "rx", Kind: config.KindReceiver, Owner: testOwner, Secret: testSecret,
		Token: "ghp_token", ListenAddress: "127.0.0.1", Port: 0, SkipRedeliver: true,
		Database: config.Database{URL: "127.0.0.1", Port: srv.Port()},
	}

	p, err := daemon.NewPlugin(env, entry)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := p.(*Receiver)
	if !ok || r.Name() != "rx" {
		t.Fatalf("plugin %T %v, want *Receiver named rx", p, p)
	}
	t.Cleanup(func() { _ = r.Close() })
	if strings.Join(hidden.list, ",") != testSecret+",ghp_token" {
		t.Errorf("secrets registered: %q", hidden.list)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopping := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, stopping) }()
	<-r.Ready()
	snd := githubtest.Sender{URL: "http://" + r.Addr().String() + WebhookPath, Secret: testSecret}
	if _, err := snd.Send(ctx, "workflow_job", uuid.NewString(),
		job(actionQueued, 702).Payload()); err != nil {
		t.Fatal(err)
	}
	close(stopping)
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	if err := reg.WritePrometheus(ctx, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `result="stored"} 1`) {
		t.Errorf("metrics lack one stored webhook:\n%s", out.String())
	}

	entry.Secret = ""
	if _, err := daemon.NewPlugin(env, entry); err == nil ||
		!strings.Contains(err.Error(), "secret") {
		t.Errorf("entry without a secret: %v, want an error naming the secret", err)
	}
	if _, err := New(Options{}); err == nil {
		t.Errorf("New with no options succeeded")
	}
}
