// Package redistest starts private redis-server processes for tests, in the
// manner of net/http/httptest: each Server listens on a free loopback port,
// keeps its files in a temporary directory, and can be stopped, killed and
// restarted on the same port so tests can exercise outages and persistence.
//
// Tests never share a server with the machine's own Redis.
package redistest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Binary is the redis-server executable; REDIS_SERVER overrides it.
func Binary() string {
	if b := os.Getenv("REDIS_SERVER"); b != "" {
		return b
	}
	return "redis-server"
}

// startTimeout bounds how long a server may take to say it is ready.
const startTimeout = 15 * time.Second

// Option configures a Server.
type Option func(*config)

type config struct {
	aof      string // "", "everysec" or "always"
	password string
	extra    []string
}

// WithAOF turns on the append-only file with the given fsync policy
// ("everysec" or "always"), so that a restart keeps what was written.
func WithAOF(fsync string) Option {
	return func(c *config) { c.aof = fsync }
}

// WithPassword makes the server require password (requirepass); Options and
// Client then authenticate with it.
func WithPassword(password string) Option {
	return func(c *config) { c.password = password }
}

// WithArgs passes extra redis-server arguments, such as "--maxmemory", "1mb".
func WithArgs(args ...string) Option {
	return func(c *config) { c.extra = append(c.extra, args...) }
}

// Server is one private redis-server process.
type Server struct {
	tb   testing.TB
	cfg  config
	dir  string
	port int

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// Start starts a redis-server on a free loopback port and stops it when the
// test ends. It fails the test with a clear message when the binary is
// missing.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	if _, err := exec.LookPath(Binary()); err != nil {
		tb.Fatalf("redistest: %s not found on PATH (install it: apt-get install redis-server): %v",
			Binary(), err)
	}
	s := &Server{tb: tb, dir: tb.TempDir()}
	for _, o := range opts {
		o(&s.cfg)
	}

	var err error
	for range 5 {
		s.port, err = freePort()
		if err != nil {
			continue
		}
		if err = s.start(); err == nil {
			break
		}
	}
	if err != nil {
		tb.Fatalf("redistest: start redis-server: %v", err)
	}
	tb.Cleanup(func() { s.Kill() })
	return s
}

// Addr is the server's host:port on 127.0.0.1.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Port is the server's TCP port.
func (s *Server) Port() int { return s.port }

// Dir is the server's working directory (where the AOF lives).
func (s *Server) Dir() string { return s.dir }

// Client returns a go-redis client for the server, closed when the test ends.
// Retries are off and timeouts short, so an outage shows up at once.
func (s *Server) Client() *redis.Client {
	c := redis.NewClient(s.Options())
	s.tb.Cleanup(func() { _ = c.Close() })
	return c
}

// Options returns client options for the server.
func (s *Server) Options() *redis.Options {
	return &redis.Options{
		Addr:         s.Addr(),
		Password:     s.cfg.password,
		MaxRetries:   -1,
		DialTimeout:  time.Second,
		ReadTimeout:  2 * time.Second,
		WriteTimeout: 2 * time.Second,
	}
}

// Running reports whether the process is alive.
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done == nil {
		return false
	}
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// Kill ends the process with SIGKILL, as a crash would, and waits for it.
// What the AOF had not yet written is lost.
func (s *Server) Kill() {
	s.signal(syscall.SIGKILL)
}

// Stop shuts the server down cleanly (SIGTERM): the AOF is flushed first.
func (s *Server) Stop() {
	s.signal(syscall.SIGTERM)
}

// Restart starts the server again on the same port and directory, after a
// Kill or Stop. With AOF on, the data written before comes back.
func (s *Server) Restart() {
	s.tb.Helper()
	if s.Running() {
		s.Stop()
	}
	var err error
	for range 50 {
		// The port may still be held by a socket in TIME_WAIT of an old
		// client; redis-server sets SO_REUSEADDR, so this rarely loops.
		if err = s.start(); err == nil {
			return
		}
		if !strings.Contains(err.Error(), "Address already in use") {
			break
		}
		<-time.After(20 * time.Millisecond)
	}
	s.tb.Fatalf("redistest: restart redis-server: %v", err)
}

func (s *Server) signal(sig syscall.Signal) {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	if cmd == nil || done == nil {
		return
	}
	select {
	case <-done:
		return
	default:
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

func (s *Server) args() []string {
	args := []string{
		"--port", strconv.Itoa(s.port),
		"--bind", "127.0.0.1",
		"--dir", s.dir,
		"--save", "",
		"--daemonize", "no",
		"--loglevel", "notice",
		"--logfile", "",
		"--protected-mode", "yes",
	}
	if s.cfg.password != "" {
		args = append(args, "--requirepass", s.cfg.password)
	}
	if s.cfg.aof != "" {
		args = append(args, "--appendonly", "yes", "--appendfsync", s.cfg.aof)
	} else {
		args = append(args, "--appendonly", "no")
	}
	return append(args, s.cfg.extra...)
}

// start runs redis-server and waits until its log says it accepts
// connections, or it exits.
func (s *Server) start() error {
	cmd := exec.Command(Binary(), s.args()...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = cmd.Stdout
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return err
	}

	ready := make(chan struct{})
	var logTail strings.Builder
	var logMu sync.Mutex
	go func() {
		sc := bufio.NewScanner(out)
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			logMu.Lock()
			if logTail.Len() < 8<<10 {
				logTail.WriteString(line + "\n")
			}
			logMu.Unlock()
			if !signalled && strings.Contains(line, "Ready to accept connections") {
				close(ready)
				signalled = true
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()

	select {
	case <-ready:
	case <-done:
		logMu.Lock()
		defer logMu.Unlock()
		return fmt.Errorf("redis-server exited: %s", strings.TrimSpace(logTail.String()))
	case <-time.After(startTimeout):
		_ = cmd.Process.Kill()
		<-done
		return errors.New("redis-server did not become ready in time")
	}

	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	return s.ping()
}

func (s *Server) ping() error {
	c := redis.NewClient(s.Options())
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.Ping(ctx).Err()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
