package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/anklet/anklet/engine/enginetest"
)

func get(t *testing.T, url string) (int, string, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", url, err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
}

func TestServerRoutes(t *testing.T) {
	clk := newClock(start)
	r := newTestRegistry(t, "host-1", clk)
	driveScenario(r, clk)
	ts := httptest.NewServer(NewServer(r, ServerOptions{}).Handler())
	defer ts.Close()

	for _, path := range []string{"/metrics", "/metrics?format=prometheus"} {
		code, ctype, body := get(t, ts.URL+path)
		if code != http.StatusOK || ctype != PrometheusContentType {
			t.Fatalf("GET %s: %d %q", path, code, ctype)
		}
		fams := parseText(t, body)
		if got := value(t, fams, "total_successful_runs_since_start", nil); got != 3 {
			t.Errorf("GET %s: successes %v, want 3", path, got)
		}
	}

	code, ctype, body := get(t, ts.URL+"/metrics?format=json")
	var s Snapshot
	if code != http.StatusOK || ctype != JSONContentType || json.Unmarshal([]byte(body), &s) != nil {
		t.Fatalf("GET json: %d %q %s", code, ctype, body)
	}
	if s.TotalFailedRunsSinceStart != 1 || len(s.Plugins) != 2 {
		t.Errorf("json snapshot %+v", s)
	}

	code, _, body = get(t, ts.URL+"/metrics?format=xml")
	if code != http.StatusBadRequest || !strings.Contains(body, `unsupported format "xml"`) {
		t.Errorf("bad format: %d %q", code, body)
	}
	if code, _, body = get(t, ts.URL+"/healthcheck"); code != http.StatusOK || body != "ok" {
		t.Errorf("healthcheck: %d %q", code, body)
	}
	// The webhook route belongs to the receiver's own server, never here.
	for _, path := range []string{"/jobs/v1/receiver", "/metrics/v1", "/"} {
		if code, _, _ = get(t, ts.URL+path); code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, code)
		}
	}
	resp, err := http.Post(ts.URL+"/metrics", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /metrics: %d, want 405", resp.StatusCode)
	}
}

// occupy listens on a free loopback port and returns it.
func occupy(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

func TestServerFallsBackToTheNextFreePort(t *testing.T) {
	taken := occupy(t)
	r := newTestRegistry(t, "h", newClock(start))
	var logs enginetest.Buffer
	srv := NewServer(r, ServerOptions{Port: taken, Logger: zerolog.New(&logs)})
	if err := srv.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer shutdown(t, srv)

	_, portText, err := net.SplitHostPort(srv.Addr())
	if err != nil {
		t.Fatalf("Addr %q: %v", srv.Addr(), err)
	}
	port, _ := strconv.Atoi(portText)
	if port <= taken || port >= taken+portAttempts {
		t.Errorf("chose port %d, want one after %d", port, taken)
	}
	if want := fmt.Sprintf(`"chosen_port":%d`, port); !strings.Contains(logs.String(), want) {
		t.Errorf("the chosen port is not logged (want %s):\n%s", want, logs.String())
	}
	if code, _, body := get(t, "http://"+srv.Addr()+"/healthcheck"); code != 200 || body != "ok" {
		t.Errorf("healthcheck on the chosen port: %d %q", code, body)
	}
	if err := srv.Start(context.Background()); !errors.Is(err, ErrServerStarted) {
		t.Errorf("second Start: %v, want ErrServerStarted", err)
	}
}

func TestServerWithFixedPortFailsWhenTaken(t *testing.T) {
	taken := occupy(t)
	r := newTestRegistry(t, "h", newClock(start))
	srv := NewServer(r, ServerOptions{Port: taken, PortFixed: true})
	err := srv.Start(context.Background())
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("Start on a taken fixed port: %v, want EADDRINUSE", err)
	}
	if srv.Addr() != "" {
		t.Errorf("Addr %q after a failed Start", srv.Addr())
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown of a server never started: %v", err)
	}
}

func TestServerStopsWhenItsContextEnds(t *testing.T) {
	r := newTestRegistry(t, "h", newClock(start))
	srv := NewServer(r, ServerOptions{Port: occupy(t)})
	ctx, cancel := context.WithCancel(context.Background())
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	addr := srv.Addr()
	cancel()
	waitFor(t, 5*time.Second, "the server to stop listening", func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	shutdown(t, srv)
}

func shutdown(t *testing.T, srv *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}
