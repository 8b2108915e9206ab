package anka_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/anklet/anklet/anka"
	"github.com/anklet/anklet/anka/ankatest"
	"github.com/anklet/anklet/engine/enginetest"
)

const (
	tmplUUID = "c0847bc9-5d2d-4dbc-ba6a-240f7ff08032"
	tmplTag  = "vanilla+port-forward-22"
)

// bundle is what most tests need: a driver pointed at a fake host, and the
// log lines the driver wrote.
type bundle struct {
	cli  *anka.CLI
	host *ankatest.Host
	logs *syncBuffer
}

// setup returns a driver for a fresh fake host with one local template.
func setup(t *testing.T, opts ...func(*anka.Options)) bundle {
	t.Helper()
	h := ankatest.NewHost(t, ankatest.HostOptions{})
	h.AddTemplate(ankatest.Template{
		UUID: tmplUUID, Name: "macos-15", Tags: []string{"old", tmplTag}, CPU: 4, RAM: 8 << 30,
	})
	logs := &syncBuffer{}
	o := anka.Options{
		Path:    h.Path(),
		Timeout: 20 * time.Second,
		Logger:  zerolog.New(logs).Level(zerolog.DebugLevel),
		TempDir: t.TempDir(),
	}
	for _, f := range opts {
		f(&o)
	}
	return bundle{cli: anka.New(o), host: h, logs: logs}
}

// ctxFor is a context that ends with the test, or after 30 s.
func ctxFor(t *testing.T) context.Context {
	t.Helper()
	return enginetest.Context(t, 30*time.Second)
}

// waitFor fails the test when cond does not hold within within.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	enginetest.WaitFor(t, within, what, cond)
}

// assertNoSecretInArgv fails when any recorded anka argv holds secret.
func assertNoSecretInArgv(t *testing.T, h *ankatest.Host, secret string) {
	t.Helper()
	for _, c := range h.Calls() {
		if strings.Contains(strings.Join(c.Args, " "), secret) {
			t.Fatalf("secret found in argv: %s", c)
		}
	}
}

// syncBuffer collects log lines from many goroutines.
type syncBuffer = enginetest.Buffer
