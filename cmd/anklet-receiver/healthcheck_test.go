package main

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestHealthcheckFlag(t *testing.T) {
	var status atomic.Int32
	status.Store(http.StatusOK)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthcheck" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(int(status.Load()))
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	env := []string{"HOME=" + t.TempDir(), "ANKLET_RECEIVER_PORT=" + port,
		"ANKLET_RECEIVER_LISTEN_ADDRESS=0.0.0.0",
		"ANKLET_RECEIVER_SECRET=whsec", "ANKLET_RECEIVER_OWNER=acme",
		"ANKLET_RECEIVER_SKIP_REDELIVER=true"}

	var stdout, stderr bytes.Buffer
	if code := run([]string{"-healthcheck"}, env, &stdout, &stderr); code != 0 {
		t.Fatalf("healthy receiver: exit %d\n%s", code, stderr.String())
	}
	status.Store(http.StatusServiceUnavailable)
	if code := run([]string{"-healthcheck"}, env, &stdout, &stderr); code != 1 {
		t.Fatalf("receiver answering 503: exit %d, want 1", code)
	}
	srv.Close()
	if code := run([]string{"-healthcheck"}, env, &stdout, &stderr); code != 1 {
		t.Fatalf("nothing listening: exit %d, want 1", code)
	}
	if code := run([]string{"-healthcheck"}, env[:2], &stdout, &stderr); code != 1 {
		t.Fatalf("incomplete configuration: exit %d, want 1", code)
	}
}
