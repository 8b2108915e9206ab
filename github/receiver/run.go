package receiver

import (
	"context"
	"errors"
	"fmt"
	stdlog "log"
	"net"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"github.com/anklet/anklet/engine/metrics"
)

// HTTP server limits. GitHub gives a delivery 10 s in all.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 15 * time.Second
	writeTimeout      = 15 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
	// shutdownGrace bounds how long webhooks in flight may finish once
	// stopping is closed.
	shutdownGrace = 10 * time.Second
)

// Run listens on ListenAddress:Port and serves webhooks, and makes
// redelivery passes, until stopping is closed; webhooks in flight are then
// answered (for at most 10 s) and Run returns nil. When ctx ends it closes
// the listener and open connections at once. It returns an error when it
// cannot listen, when serving fails, or when the redelivery loop panicked;
// a failed GitHub API or Redis never ends it.
func (r *Receiver) Run(ctx context.Context, stopping <-chan struct{}) error {
	ln, err := net.Listen("tcp", r.listenAddr())
	if err != nil {
		return fmt.Errorf("receiver %s: listen on %s: %w", r.opts.Name, r.listenAddr(), err)
	}
	r.mu.Lock()
	r.addr = ln.Addr()
	r.mu.Unlock()

	srv := &http.Server{
		Handler:           r.mux,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          stdlog.New(debugWriter{r.log}, "", 0),
		// Requests end with ctx, not with stopping: webhooks in flight may
		// finish after stopping is closed.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	loopCtx, stopLoop := context.WithCancel(ctx)
	defer stopLoop()
	looped := make(chan error, 1)
	go func() { looped <- r.redeliverLoop(loopCtx) }()

	r.opts.Metrics.SetStatus(metrics.StatusRunning)
	r.readyOnce.Do(func() { close(r.ready) })
	r.log.Info().Str("addr", ln.Addr().String()).Str("queue", r.keys.Queue()).
		Str("scope", r.scope()).Msg("receiver listening")

	runErr, loopDone := r.wait(ctx, stopping, served, looped)
	stopLoop()
	r.opts.Metrics.SetStatus(metrics.StatusDraining)
	sctx, cancel := context.WithTimeout(ctx, shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
	}
	if !loopDone {
		if err := <-looped; err != nil && runErr == nil {
			runErr = fmt.Errorf("receiver %s: %w", r.opts.Name, err)
		}
	}
	r.opts.Metrics.SetStatus(metrics.StatusStopped)
	r.log.Info().Msg("receiver stopped")
	return runErr
}

// wait blocks until stopping is closed, ctx ends, the server fails or the
// redelivery loop fails, and returns the failure and whether it received
// the loop's result.
func (r *Receiver) wait(ctx context.Context, stopping <-chan struct{}, served <-chan error,
	looped <-chan error) (err error, loopDone bool) {
	for {
		select {
		case <-stopping:
			return nil, loopDone
		case <-ctx.Done():
			return nil, loopDone
		case err := <-served:
			if errors.Is(err, http.ErrServerClosed) {
				return nil, loopDone
			}
			return fmt.Errorf("receiver %s: serve: %w", r.opts.Name, err), loopDone
		case err := <-looped:
			loopDone = true
			if err != nil {
				return fmt.Errorf("receiver %s: %w", r.opts.Name, err), true
			}
			looped = nil // redelivery is off: keep serving
		}
	}
}

// debugWriter sends the HTTP server's own complaints (bad requests, TLS
// probes) to the log at debug level.
type debugWriter struct{ log zerolog.Logger }

func (w debugWriter) Write(p []byte) (int, error) {
	w.log.Debug().Str("component", "http").Msg(string(trimNewline(p)))
	return len(p), nil
}

func trimNewline(p []byte) []byte {
	for len(p) > 0 && (p[len(p)-1] == '\n' || p[len(p)-1] == '\r') {
		p = p[:len(p)-1]
	}
	return p
}
