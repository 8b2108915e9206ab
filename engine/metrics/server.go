package metrics

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Defaults of ServerOptions.
const (
	DefaultListenAddress = "127.0.0.1"
	DefaultPort          = 8080
)

// ErrServerStarted is returned by Start on a Server that was already
// started: a Server serves once; make a new one to serve again.
var ErrServerStarted = errors.New("metrics: server already started")

// ServerOptions configures a Server. Every field is optional.
type ServerOptions struct {
	// ListenAddress is the address to bind. Default "127.0.0.1", so metrics
	// are not exposed beyond the host unless asked for.
	ListenAddress string
	// Port is the TCP port. Default 8080.
	Port int
	// PortFixed says Port was configured explicitly: Start then fails when it
	// is taken. Otherwise Start tries the following ports (up to 100) and
	// logs the one it chose.
	PortFixed bool
	// Logger receives the chosen address and serving errors. The zero value
	// discards them.
	Logger zerolog.Logger
}

// Server serves a Source over HTTP on its own listener and mux:
//
//	GET /metrics               Prometheus text format (the default)
//	GET /metrics?format=json   JSON
//	GET /healthcheck           200 "ok"
//
// Any other path is 404. An unknown format is 400.
type Server struct {
	src  Source
	opts ServerOptions
	log  zerolog.Logger

	mu   sync.Mutex
	srv  *http.Server
	ln   net.Listener
	done chan struct{} // closed when Serve returned
}

// NewServer returns a server for src; nothing listens until Start.
func NewServer(src Source, opts ServerOptions) *Server {
	if opts.ListenAddress == "" {
		opts.ListenAddress = DefaultListenAddress
	}
	if opts.Port == 0 {
		opts.Port = DefaultPort
	}
	return &Server{src: src, opts: opts, log: opts.Logger}
}

// Handler returns the server's routes, for tests and for embedding.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", s.serveMetrics)
	mux.HandleFunc("GET /healthcheck", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok")
	})
	return mux
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	var write func(context.Context, io.Writer) error
	var contentType string
	switch format := r.URL.Query().Get("format"); format {
	case "", "prometheus":
		write, contentType = s.src.WritePrometheus, PrometheusContentType
	case "json":
		write, contentType = s.src.WriteJSON, JSONContentType
	default:
		http.Error(w, fmt.Sprintf("unsupported format %q: use format=prometheus (the default) "+
			"or format=json", format), http.StatusBadRequest)
		return
	}

	var buf bytes.Buffer
	if err := write(r.Context(), &buf); err != nil {
		s.log.Warn().Err(err).Msg("metrics: could not assemble metrics")
		http.Error(w, "metrics unavailable: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", contentType)
	_, _ = w.Write(buf.Bytes())
}

// Start binds the listener (see ServerOptions.PortFixed) and serves in the
// background until Shutdown or until ctx ends. It returns once the listener
// is bound, or the bind error.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return ErrServerStarted
	}

	ln, err := listen(ctx, s.opts.ListenAddress, s.opts.Port, s.opts.PortFixed)
	if err != nil {
		return fmt.Errorf("start metrics server: %w", err)
	}
	if chosen := ln.Addr().(*net.TCPAddr).Port; chosen != s.opts.Port {
		s.log.Warn().Int("port", s.opts.Port).Int("chosen_port", chosen).
			Msg("metrics: port in use; serving on the next free one")
	}
	s.log.Info().Str("addr", ln.Addr().String()).Msg("metrics: server listening")

	s.ln = ln
	s.srv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      30 * time.Second,
	}
	s.done = make(chan struct{})
	go s.serve(s.srv, ln, s.done)
	go s.stopWhenDone(ctx, s.done)
	return nil
}

func (s *Server) serve(srv *http.Server, ln net.Listener, done chan<- struct{}) {
	defer close(done)
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		s.log.Error().Err(err).Msg("metrics: server stopped")
	}
}

// stopWhenDone shuts the server down when ctx ends first.
func (s *Server) stopWhenDone(ctx context.Context, served <-chan struct{}) {
	select {
	case <-served:
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(sctx); err != nil {
			s.log.Warn().Err(err).Msg("metrics: server did not shut down cleanly")
		}
	}
}

// Addr is the bound address, such as "127.0.0.1:8081", or "" before Start.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Shutdown stops accepting requests, waits for those in flight until ctx
// ends, and returns once the server has stopped. It is a no-op before Start.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	srv, done := s.srv, s.done
	s.mu.Unlock()
	if srv == nil {
		return nil
	}

	err := srv.Shutdown(ctx)
	select {
	case <-done:
	case <-ctx.Done():
	}
	if err != nil {
		return fmt.Errorf("shut down metrics server: %w", err)
	}
	return nil
}
