package daemon

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"
)

// Causes of a shutdown's context being cancelled; see [context.Cause].
var (
	// ErrSecondSignal: a second SIGINT or SIGTERM arrived.
	ErrSecondSignal = errors.New("second signal")
	// ErrShutdownTimeout: plugins took longer than shutdown_timeout_seconds.
	ErrShutdownTimeout = errors.New("shutdown grace ran out")
)

// WatchSignals turns SIGINT and SIGTERM into a two-step shutdown. The first
// signal closes stopping and logs "shutting down: waiting for plugins"; a
// second one, or grace passing, cancels ctx with [ErrSecondSignal] or
// [ErrShutdownTimeout]. ctx also ends with parent. Call release when done:
// it restores the default signal behaviour and cancels ctx.
func WatchSignals(parent context.Context, log zerolog.Logger, grace time.Duration) (
	ctx context.Context, stopping <-chan struct{}, release func()) {
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	ctx, stopping, stop := watch(parent, log, grace, signals)
	return ctx, stopping, func() {
		signal.Stop(signals)
		stop()
	}
}

// watch is WatchSignals reading signals from a channel, for tests.
func watch(parent context.Context, log zerolog.Logger, grace time.Duration,
	signals <-chan os.Signal) (context.Context, <-chan struct{}, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	stopping := make(chan struct{})
	done := make(chan struct{})
	exited := make(chan struct{})

	go func() {
		defer close(exited)
		select {
		case sig := <-signals:
			log.Info().Str("signal", sig.String()).Msg("shutting down: waiting for plugins")
			close(stopping)
		case <-ctx.Done():
			return
		case <-done:
			return
		}

		timer := time.NewTimer(grace)
		defer timer.Stop()
		select {
		case sig := <-signals:
			log.Warn().Str("signal", sig.String()).Msg("second signal: stopping now")
			cancel(ErrSecondSignal)
		case <-timer.C:
			log.Warn().Dur("grace", grace).Msg("shutdown grace ran out: stopping now")
			cancel(ErrShutdownTimeout)
		case <-ctx.Done():
		case <-done:
		}
	}()

	var once sync.Once
	return ctx, stopping, func() {
		once.Do(func() {
			close(done)
			<-exited
			cancel(context.Canceled)
		})
	}
}
