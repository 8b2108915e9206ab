package daemon

import (
	"context"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func TestWatchFirstSignalStopsSecondCancels(t *testing.T) {
	logs := &syncBuffer{}
	signals := make(chan os.Signal, 1)
	ctx, stopping, release := watch(context.Background(), zerolog.New(logs), time.Hour, signals)
	defer release()

	signals <- syscall.SIGTERM
	receive(t, stopping, "stopping to close")
	if ctx.Err() != nil {
		t.Fatal("the first signal cancelled the context")
	}
	signals <- syscall.SIGINT
	receive(t, ctx.Done(), "the context to end")
	if !errors.Is(context.Cause(ctx), ErrSecondSignal) {
		t.Fatalf("cause = %v, want ErrSecondSignal", context.Cause(ctx))
	}
	for _, want := range []string{"shutting down: waiting for plugins",
		"second signal: stopping now"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

func TestWatchGraceRunsOut(t *testing.T) {
	signals := make(chan os.Signal, 1)
	ctx, stopping, release := watch(context.Background(), zerolog.Nop(), time.Millisecond, signals)
	defer release()
	signals <- syscall.SIGINT
	receive(t, stopping, "stopping to close")
	receive(t, ctx.Done(), "the grace to run out")
	if !errors.Is(context.Cause(ctx), ErrShutdownTimeout) {
		t.Fatalf("cause = %v, want ErrShutdownTimeout", context.Cause(ctx))
	}
}

func TestWatchReleaseWithoutSignal(t *testing.T) {
	ctx, stopping, release := watch(context.Background(), zerolog.Nop(), time.Hour,
		make(chan os.Signal))
	release()
	release() // twice is harmless
	receive(t, ctx.Done(), "release to cancel the context")
	if isClosed(stopping) {
		t.Fatal("release closed stopping")
	}
}

// The real signal path: a SIGINT to this process reaches WatchSignals.
func TestWatchSignalsReal(t *testing.T) {
	_, stopping, release := WatchSignals(context.Background(), zerolog.Nop(), time.Hour)
	defer release()
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	receive(t, stopping, "SIGINT to close stopping")
}
