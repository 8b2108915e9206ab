package metrics

import (
	"bytes"
	"context"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
)

func TestPrometheusOutputMatchesWhatHappened(t *testing.T) {
	clk := newClock(start)
	r := newTestRegistry(t, "host-1", clk)
	ts := driveScenario(r, clk)
	fams := scrape(t, r)

	plus := func(base map[string]string, k, v string) map[string]string {
		out := map[string]string{k: v}
		for bk, bv := range base {
			out[bk] = bv
		}
		return out
	}
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"total_running_vms", nil, 1},
		{"total_successful_runs_since_start", nil, 3},
		{"total_failed_runs_since_start", nil, 1},
		{"total_canceled_runs_since_start", nil, 0},
		{"plugin_status", plus(handlerLabels, "status", "running"), 1},
		{"plugin_status", plus(receiverLabels, "status", "running"), 1},
		{"plugin_status_since", handlerLabels, float64(ts.runningSince.Unix())},
		{"plugin_status_since", receiverLabels, float64(ts.receiverSince.Unix())},
		{"plugin_last_successful_run", plus(handlerLabels, "job_url", successJobURL),
			float64(ts.lastSuccess.Unix())},
		{"plugin_last_failed_run", plus(handlerLabels, "job_url", failedJobURL),
			float64(ts.lastFailure.Unix())},
		{"plugin_total_ran_vms", handlerLabels, 4},
		{"plugin_total_successful_runs_since_start", handlerLabels, 3},
		{"plugin_total_failed_runs_since_start", handlerLabels, 1},
		{"plugin_total_canceled_runs_since_start", handlerLabels, 0},
		{"plugin_total_ran_vms", receiverLabels, 0},
		{"anklet_requeues_total", plus(handlerLabels, "reason", "runner_took_other_job"), 2},
		{"anklet_requeues_total", plus(handlerLabels, "reason", "anka_error"), 1},
		{"anklet_reconciled_total", plus(handlerLabels, "what", "orphan_vm"), 3},
		{"anklet_recoveries_total", handlerLabels, 1},
		{"anklet_webhooks_total", plus(receiverLabels, "result", "stored"), 5},
		{"anklet_webhooks_total", plus(receiverLabels, "result", "duplicate"), 1},
		{"anklet_redeliveries_total", receiverLabels, 3},
		{"anklet_queue_length", map[string]string{"queue": owner}, 7},
		{"anklet_queue_pending", map[string]string{"queue": owner}, 2},
		{"anklet_queue_lag", map[string]string{"queue": owner}, 5},
		{"host_cpu_count", nil, 8},
		{"host_cpu_used_count", nil, 2},
		{"host_cpu_usage_percentage", nil, 25.5},
		{"host_memory_total_bytes", nil, 16 << 30},
		{"host_memory_used_bytes", nil, 6 << 30},
		{"host_memory_available_bytes", nil, 10 << 30},
		{"host_memory_usage_percentage", nil, 37.5},
		{"host_disk_total_bytes", nil, 500 << 30},
		{"host_disk_used_bytes", nil, 200 << 30},
		{"host_disk_available_bytes", nil, 300 << 30},
		{"host_disk_usage_percentage", nil, 40},
	} {
		if got := value(t, fams, c.name, c.labels); got != c.want {
			t.Errorf("%s{%s} = %v, want %v", c.name, labelKey(c.labels), got, c.want)
		}
	}

	// One status series per plugin; no canceled run yet, so no series.
	if n := len(fams["plugin_status"].GetMetric()); n != 2 {
		t.Errorf("plugin_status has %d series, want 2", n)
	}
	if _, ok := fams["plugin_last_canceled_run"]; ok {
		t.Errorf("plugin_last_canceled_run present before any canceled run")
	}
}

func TestPrometheusHistogramsAndTypes(t *testing.T) {
	clk := newClock(start)
	r := newTestRegistry(t, "host-1", clk)
	driveScenario(r, clk)
	fams := scrape(t, r)

	for _, c := range []struct {
		family string
		count  uint64
		sum    float64
		le     float64 // a bound and the cumulative count at it
		atLE   uint64
	}{
		{"anklet_queue_wait_seconds", 4, 10, 1, 1},
		{"anklet_pull_seconds", 4, 360, 60, 0},
		{"anklet_clone_start_seconds", 4, 48, 20, 4},
		{"anklet_registration_seconds", 4, 32, 5, 0},
		{"anklet_job_duration_seconds", 3, 1800, 600, 3},
	} {
		if got := fams[c.family].GetType(); got != dto.MetricType_HISTOGRAM {
			t.Errorf("%s has type %v, want histogram", c.family, got)
		}
		h := metric(t, fams, c.family, handlerLabels).GetHistogram()
		if h.GetSampleCount() != c.count || h.GetSampleSum() != c.sum {
			t.Errorf("%s: count %d sum %v, want %d and %v",
				c.family, h.GetSampleCount(), h.GetSampleSum(), c.count, c.sum)
		}
		found := false
		for _, b := range h.GetBucket() {
			if b.GetUpperBound() == c.le {
				found = true
				if b.GetCumulativeCount() != c.atLE {
					t.Errorf("%s le=%v: %d, want %d", c.family, c.le, b.GetCumulativeCount(), c.atLE)
				}
			}
		}
		if !found {
			t.Errorf("%s has no bucket le=%v", c.family, c.le)
		}
		// The receiver observed no durations, so it has no histogram.
		if n := len(fams[c.family].GetMetric()); n != 1 {
			t.Errorf("%s has %d series, want the handler's only", c.family, n)
		}
	}

	for name, want := range map[string]dto.MetricType{
		"total_running_vms":                 dto.MetricType_GAUGE,
		"total_successful_runs_since_start": dto.MetricType_COUNTER,
		"plugin_status":                     dto.MetricType_GAUGE,
		"plugin_total_ran_vms":              dto.MetricType_COUNTER,
		"anklet_requeues_total":             dto.MetricType_COUNTER,
		"anklet_reconciled_total":           dto.MetricType_COUNTER,
		"anklet_queue_length":               dto.MetricType_GAUGE,
		"host_disk_total_bytes":             dto.MetricType_GAUGE,
	} {
		if got := fams[name].GetType(); got != want {
			t.Errorf("%s has type %v, want %v", name, got, want)
		}
	}
}

func TestPrometheusTextIsQuotedAndPlain(t *testing.T) {
	clk := newClock(start)
	r := newTestRegistry(t, "host-1", clk)
	driveScenario(r, clk)
	var buf bytes.Buffer
	if err := r.WritePrometheus(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	text := buf.String()

	for _, want := range []string{
		`plugin_status{name="mac-1",plugin="github",owner="veertuinc",repo="anklet",` +
			`status="running"} 1`,
		`job_url="https://github.com/veertuinc/anklet/actions/runs/9/job/2?a=1&b=\"x\\y\""`,
		"host_memory_total_bytes 17179869184\n",
		"# TYPE anklet_job_duration_seconds histogram\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "e+") {
		t.Errorf("output has a value in exponent form:\n%s", text)
	}
}

func TestSnapshotRendersTheSameSeries(t *testing.T) {
	clk := newClock(start)
	r := newTestRegistry(t, "host-1", clk)
	driveScenario(r, clk)

	own := flatten(scrape(t, r))
	s := r.Snapshot(context.Background())
	fs := families{}
	fs.addSnapshot(&s, nil)
	var buf bytes.Buffer
	if err := fs.writeText(&buf); err != nil {
		t.Fatal(err)
	}
	rendered := flatten(parseText(t, buf.String()))

	for k, v := range own {
		if rendered[k] != v {
			t.Errorf("%s: registry says %q, snapshot rendering says %q", k, v, rendered[k])
		}
	}
	for k := range rendered {
		if _, ok := own[k]; !ok {
			t.Errorf("snapshot rendering has %s, the registry does not", k)
		}
	}
}

func TestOddLabelValuesRoundTrip(t *testing.T) {
	r := newTestRegistry(t, "h", newClock(start))
	odd := "we\"ird\\na\nme"
	p := r.Plugin(odd, "github", "own er", "")
	p.Requeued(odd)
	p.Requeued("bad\xffbyte")
	p.Requeued("bad\xfebyte") // the same series once cleaned, not a clash
	p.RunFinished(OutcomeSuccess, odd)

	fams := scrape(t, r)
	ls := map[string]string{"name": odd, "plugin": "github", "owner": "own er"}
	if got := value(t, fams, "plugin_total_successful_runs_since_start", ls); got != 1 {
		t.Errorf("successes %v, want 1", got)
	}
	reqs := map[string]string{"reason": odd}
	for k, v := range ls {
		reqs[k] = v
	}
	if got := value(t, fams, "anklet_requeues_total", reqs); got != 1 {
		t.Errorf("requeues %v, want 1", got)
	}
	reqs["reason"] = "bad\uFFFDbyte"
	if got := value(t, fams, "anklet_requeues_total", reqs); got != 2 {
		t.Errorf("requeues with invalid UTF-8 %v, want 2", got)
	}
	delete(reqs, "reason")
	reqs["job_url"] = odd
	metric(t, fams, "plugin_last_successful_run", reqs)
}
