package handler

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/anklet/anklet/anka"
	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/engine/config"
	"github.com/anklet/anklet/streams"
	"github.com/anklet/anklet/streams/redistest"
)

// idleAnka is a host with no VM running; the benchmark's handlers stop
// right after the claim, so nothing else is asked of it.
type idleAnka struct{ Anka }

func (idleAnka) ListRunning(context.Context) ([]anka.VM, error) { return nil, nil }

// noGitHub is never called: the handlers stop right after the claim.
type noGitHub struct{ GitHub }

// BenchmarkQueuedToClaimed measures the time from a job's queued event to
// its claimed event (the events' own timestamps) with four idle handlers on
// two hosts blocked on the work stream; each handler stops right after its
// claim.
func BenchmarkQueuedToClaimed(b *testing.B) {
	srv := redistest.Start(b)
	rdb := srv.Client()
	store, err := engine.NewStore(rdb, testOwner, "receiver-host", "receiver")
	if err != nil {
		b.Fatal(err)
	}

	claimed := make(chan engine.Job, 1)
	ctx, cancel := context.WithCancel(context.Background())
	stopping := make(chan struct{})
	done := make(chan struct{}, 4)
	for i := range 4 {
		reader := streams.NewReaderClient(srv.Options(), 8)
		defer reader.Close()
		h, err := New(Options{
			Plugin: config.Plugin{Name: "handler-" + string(rune('1'+i%2)),
				Kind: config.KindHandler, Owner: testOwner},
			HostID: []string{"host-a", "host-b"}[i/2], WorkDir: b.TempDir(),
			PluginsPath: shippedPlugins, Redis: rdb, Reader: reader,
			GitHub: noGitHub{}, Anka: idleAnka{}, Log: zerolog.Nop(),
		})
		if err != nil {
			b.Fatal(err)
		}
		h.afterClaim = func(j engine.Job) bool { claimed <- j; return true }
		go func() { _ = h.Run(ctx, stopping); done <- struct{}{} }()
	}
	defer func() {
		close(stopping)
		cancel()
		for range 4 {
			<-done
		}
	}()

	// One job first, so every handler has created the group and blocks.
	waits := make([]time.Duration, 0, b.N)
	enqueue := func(id int64) time.Duration {
		if _, _, err := store.Enqueue(ctx, engine.JobSpec{ID: id, RunID: id,
			Owner: testOwner, Repo: testRepo, Labels: labels()}); err != nil {
			b.Fatal(err)
		}
		j := <-claimed
		return j.UpdatedAt.Sub(j.QueuedAt)
	}
	enqueue(1)
	b.ResetTimer()
	for i := range b.N {
		waits = append(waits, enqueue(int64(i+2)))
	}
	b.StopTimer()

	slices.Sort(waits)
	pct := func(p float64) float64 {
		return float64(waits[int(p*float64(len(waits)-1))].Microseconds())
	}
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
	b.ReportMetric(0, "ns/op")
}
