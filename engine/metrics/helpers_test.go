package metrics

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/anklet/anklet/engine/enginetest"
)

// waitFor fails the test when cond does not hold within within.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	enginetest.WaitFor(t, within, what, cond)
}

// clock is a settable clock for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeHost are fixed host figures, so outputs can be compared exactly.
var fakeHost = HostStats{
	CPUCount: 8, CPUUsedCount: 2, CPUUsagePercentage: 25.5,
	MemoryTotalBytes: 16 << 30, MemoryUsedBytes: 6 << 30, MemoryAvailableBytes: 10 << 30,
	MemoryUsagePercentage: 37.5,
	DiskTotalBytes:        500 << 30, DiskUsedBytes: 200 << 30, DiskAvailableBytes: 300 << 30,
	DiskUsagePercentage: 40,
}

// newTestRegistry returns a registry on clk with fakeHost figures.
func newTestRegistry(t *testing.T, instance string, clk *clock) *Registry {
	t.Helper()
	r := NewRegistry(Options{Instance: instance, Host: "mac-" + instance, Now: clk.Now})
	r.readHost = func(context.Context) HostStats { return fakeHost }
	return r
}

// scrape returns a source's Prometheus output, parsed strictly.
func scrape(t *testing.T, src Source) map[string]*dto.MetricFamily {
	t.Helper()
	var buf bytes.Buffer
	if err := src.WritePrometheus(context.Background(), &buf); err != nil {
		t.Fatalf("WritePrometheus: %v", err)
	}
	return parseText(t, buf.String())
}

func parseText(t *testing.T, text string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("Prometheus output does not parse: %v\n%s", err, text)
	}
	return fams
}

// labelsOf renders a metric's labels as a sorted "k=v,…" key.
func labelsOf(m *dto.Metric) string {
	kv := map[string]string{}
	for _, l := range m.GetLabel() {
		kv[l.GetName()] = l.GetValue()
	}
	return labelKey(kv)
}

func labelKey(kv map[string]string) string {
	keys := slices.Sorted(maps.Keys(kv))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + kv[k]
	}
	return strings.Join(parts, ",")
}

// metric returns the one metric of family name whose labels are exactly
// kv, failing the test when there is none.
func metric(t *testing.T, fams map[string]*dto.MetricFamily, name string,
	kv map[string]string) *dto.Metric {
	t.Helper()
	mf, ok := fams[name]
	if !ok {
		t.Fatalf("family %s missing", name)
	}
	want := labelKey(kv)
	var seen []string
	for _, m := range mf.GetMetric() {
		if labelsOf(m) == want {
			return m
		}
		seen = append(seen, labelsOf(m))
	}
	t.Fatalf("%s{%s} missing; have %q", name, want, seen)
	return nil
}

// value returns a gauge's or counter's value.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string,
	kv map[string]string) float64 {
	t.Helper()
	m := metric(t, fams, name, kv)
	switch {
	case m.Gauge != nil:
		return m.GetGauge().GetValue()
	case m.Counter != nil:
		return m.GetCounter().GetValue()
	case m.Untyped != nil:
		return m.GetUntyped().GetValue()
	}
	t.Fatalf("%s is neither gauge nor counter", name)
	return 0
}

// flatten renders every sample of fams as "family{labels} value" lines,
// histograms as count, sum and finite buckets, so outputs can be compared.
func flatten(fams map[string]*dto.MetricFamily) map[string]string {
	out := map[string]string{}
	for name, mf := range fams {
		for _, m := range mf.GetMetric() {
			key := fmt.Sprintf("%s %s{%s}", mf.GetType(), name, labelsOf(m))
			switch {
			case m.Histogram != nil:
				h := m.GetHistogram()
				v := fmt.Sprintf("count=%d sum=%g", h.GetSampleCount(), h.GetSampleSum())
				for _, b := range h.GetBucket() {
					if b.GetUpperBound() < 1e300 {
						v += fmt.Sprintf(" le%g=%d", b.GetUpperBound(), b.GetCumulativeCount())
					}
				}
				out[key] = v
			case m.Gauge != nil:
				out[key] = fmt.Sprint(m.GetGauge().GetValue())
			case m.Counter != nil:
				out[key] = fmt.Sprint(m.GetCounter().GetValue())
			default:
				out[key] = "untyped"
			}
		}
	}
	return out
}
