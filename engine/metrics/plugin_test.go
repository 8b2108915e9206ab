package metrics

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

func TestNilPluginIgnoresEveryHook(t *testing.T) {
	var p *Plugin
	p.SetStatus(StatusRunning)
	p.RunFinished(OutcomeSuccess, "u")
	p.VMStarted()
	p.VMStopped()
	p.ObserveQueueWait(time.Second)
	p.ObservePull(time.Second)
	p.ObserveCloneStart(time.Second)
	p.ObserveRegistration(time.Second)
	p.ObserveJob(time.Second)
	p.Requeued("x")
	p.Recovered()
	p.Webhook(WebhookStored)
	p.Redelivered(2)
}

func TestPluginEdgeCases(t *testing.T) {
	clk := newClock(start)
	r := newTestRegistry(t, "h", clk)
	p := r.Plugin("a", "github", owner, "")
	if again := r.Plugin("a", "other", "x", "y"); again != p {
		t.Fatalf("second Plugin call with the same name returned a new plugin")
	}

	p.VMStopped() // never below zero
	p.RunFinished("cancelled", "https://c")
	p.RunFinished("", "https://nothing")
	p.ObserveJob(-time.Second)
	clk.Advance(time.Minute)
	p.SetStatus(StatusIdle) // unchanged: status_since stays at creation
	p.SetStatus("")

	s := r.Snapshot(context.Background())
	ps := s.Plugins[0]
	if s.TotalRunningVMs != 0 {
		t.Errorf("total_running_vms %d after a stop without start", s.TotalRunningVMs)
	}
	if s.TotalCanceledRunsSinceStart != 1 || ps.LastCanceledRunJobURL != "https://c" ||
		s.TotalSuccessfulRunsSinceStart+s.TotalFailedRunsSinceStart != 0 {
		t.Errorf("runs %+v", s)
	}
	if ps.Durations != nil {
		t.Errorf("a negative duration created a histogram: %+v", ps.Durations)
	}
	if ps.Status != StatusIdle || !ps.StatusSince.Equal(start) {
		t.Errorf("status %q since %v, want idle since %v", ps.Status, ps.StatusSince, start)
	}
	if ps.Plugin != "github" {
		t.Errorf("kind %q changed by a second Plugin call", ps.Plugin)
	}
}

func TestHooksAreSafeConcurrently(t *testing.T) {
	r := newTestRegistry(t, "h", newClock(start))
	const workers, each = 8, 200
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			p := r.Plugin("shared", "github", owner, "")
			for i := range each {
				p.VMStarted()
				p.RunFinished(OutcomeSuccess, "u")
				p.ObserveJob(time.Duration(i) * time.Second)
				p.Requeued([]string{"a", "b"}[w%2])
				p.Webhook(WebhookStored)
				p.SetStatus([]string{StatusRunning, StatusIdle}[i%2])
				p.VMStopped()
			}
		})
		wg.Go(func() { // scrapes while the hooks run
			for range 20 {
				var buf bytes.Buffer
				_ = r.WritePrometheus(context.Background(), &buf)
				p := expfmt.NewTextParser(model.LegacyValidation)
				if _, err := p.TextToMetricFamilies(&buf); err != nil {
					t.Errorf("output during updates does not parse: %v", err)
				}
			}
		})
	}
	wg.Wait()

	s := r.Snapshot(context.Background()).Plugins[0]
	n := uint64(workers * each)
	if s.TotalSuccessfulRunsSinceStart != n || s.TotalRanVMs != n ||
		s.Webhooks[WebhookStored] != n || s.Requeues["a"]+s.Requeues["b"] != n ||
		s.Durations["job_duration_seconds"].Count != n {
		t.Errorf("after %d calls each: %+v", n, s)
	}
	fams := scrape(t, r)
	if got := value(t, fams, "total_running_vms", nil); got != 0 {
		t.Errorf("total_running_vms %v, want 0", got)
	}
}

func TestQuantile(t *testing.T) {
	b := []Bucket{{1, 0}, {10, 10}, {100, 20}}
	for _, c := range []struct {
		q     float64
		count uint64
		want  float64
	}{
		{0.5, 20, 10},   // rank 10: the top of the second bucket
		{0.25, 20, 5.5}, // rank 5: half way through (1,10]
		{0.75, 20, 55},  // rank 15: half way through (10,100]
		{0.99, 30, 100}, // above the last bound: the last bound
		{0.5, 0, 0},
	} {
		if got := quantile(c.q, c.count, b); got != c.want {
			t.Errorf("quantile(%v, %d) = %v, want %v", c.q, c.count, got, c.want)
		}
	}
}

func TestRealHostFigures(t *testing.T) {
	r := NewRegistry(Options{Instance: "real"})
	h := r.Snapshot(context.Background()).HostStats
	if h.CPUCount <= 0 || h.MemoryTotalBytes == 0 || h.DiskTotalBytes == 0 {
		t.Fatalf("host figures missing: %+v", h)
	}
	if h.MemoryUsedBytes > h.MemoryTotalBytes || h.DiskUsedBytes > h.DiskTotalBytes ||
		h.MemoryUsagePercentage < 0 || h.MemoryUsagePercentage > 100 ||
		h.DiskUsagePercentage < 0 || h.DiskUsagePercentage > 100 {
		t.Errorf("host figures out of range: %+v", h)
	}
}
