package metrics

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"
)

func TestJSONOutputMatchesWhatHappened(t *testing.T) {
	clk := newClock(start)
	r := newTestRegistry(t, "host-1", clk)
	ts := driveScenario(r, clk)

	var buf bytes.Buffer
	if err := r.WriteJSON(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	var s Snapshot
	if err := json.Unmarshal(buf.Bytes(), &s); err != nil {
		t.Fatalf("JSON does not decode: %v\n%s", err, buf.String())
	}

	if s.Instance != "host-1" || s.Host != "mac-host-1" || !s.LastUpdate.Equal(clk.Now()) {
		t.Errorf("instance %q host %q last_update %v", s.Instance, s.Host, s.LastUpdate)
	}
	if s.TotalRunningVMs != 1 || s.TotalSuccessfulRunsSinceStart != 3 ||
		s.TotalFailedRunsSinceStart != 1 || s.TotalCanceledRunsSinceStart != 0 {
		t.Errorf("totals: running %d, runs %d/%d/%d", s.TotalRunningVMs,
			s.TotalSuccessfulRunsSinceStart, s.TotalFailedRunsSinceStart,
			s.TotalCanceledRunsSinceStart)
	}
	if s.HostStats != fakeHost {
		t.Errorf("host figures %+v, want %+v", s.HostStats, fakeHost)
	}
	if len(s.Queues) != 1 || s.Queues[0] != (QueueSnapshot{Queue: owner, Length: 7, Pending: 2,
		Lag: 5}) {
		t.Errorf("queues %+v", s.Queues)
	}
	if len(s.Plugins) != 2 || s.Plugins[0].Name != handlerName || s.Plugins[1].Name != receiverName {
		t.Fatalf("plugins %+v, want handler then receiver", s.Plugins)
	}

	h := s.Plugins[0]
	if h.Plugin != "github" || h.Owner != owner || h.Repo != repo || h.Status != StatusRunning ||
		!h.StatusSince.Equal(ts.runningSince) {
		t.Errorf("handler identity/status: %+v", h)
	}
	if h.LastSuccessfulRun == nil || !h.LastSuccessfulRun.Equal(ts.lastSuccess) ||
		h.LastSuccessfulRunJobURL != successJobURL {
		t.Errorf("last success %v %q", h.LastSuccessfulRun, h.LastSuccessfulRunJobURL)
	}
	if h.LastFailedRun == nil || !h.LastFailedRun.Equal(ts.lastFailure) ||
		h.LastFailedRunJobURL != failedJobURL {
		t.Errorf("last failure %v %q", h.LastFailedRun, h.LastFailedRunJobURL)
	}
	if h.LastCanceledRun != nil {
		t.Errorf("last canceled %v, want none", h.LastCanceledRun)
	}
	if h.TotalRanVMs != 4 || h.TotalSuccessfulRunsSinceStart != 3 ||
		h.TotalFailedRunsSinceStart != 1 || h.TotalCanceledRunsSinceStart != 0 {
		t.Errorf("handler totals %+v", h)
	}
	if h.Requeues["runner_took_other_job"] != 2 || h.Requeues["anka_error"] != 1 ||
		h.Recoveries != 1 {
		t.Errorf("requeues %v recoveries %d", h.Requeues, h.Recoveries)
	}
	job := h.Durations["job_duration_seconds"]
	if job.Count != 3 || job.Sum != 1800 || job.P50 <= 300 || job.P50 > 600 {
		t.Errorf("job durations %+v", job)
	}
	if len(h.Durations) != 5 {
		t.Errorf("handler has %d duration summaries, want 5", len(h.Durations))
	}

	rc := s.Plugins[1]
	if rc.Plugin != "github_receiver" || rc.Repo != "" || rc.Status != StatusRunning ||
		!rc.StatusSince.Equal(ts.receiverSince) {
		t.Errorf("receiver identity/status: %+v", rc)
	}
	if rc.Webhooks[WebhookStored] != 5 || rc.Webhooks[WebhookDuplicate] != 1 ||
		rc.Redeliveries != 3 || rc.Durations != nil || rc.LastSuccessfulRun != nil {
		t.Errorf("receiver figures %+v", rc)
	}
}

// The key names are the contract with dashboards and scripts: check them on
// the raw object, not through the Go types.
func TestJSONKeys(t *testing.T) {
	clk := newClock(start)
	r := newTestRegistry(t, "host-1", clk)
	driveScenario(r, clk)
	var buf bytes.Buffer
	if err := r.WriteJSON(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(buf.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}

	for _, k := range []string{
		"instance", "host", "last_update", "total_running_vms",
		"total_successful_runs_since_start", "total_failed_runs_since_start",
		"total_canceled_runs_since_start", "host_cpu_count", "host_cpu_used_count",
		"host_cpu_usage_percentage", "host_memory_total_bytes", "host_memory_used_bytes",
		"host_memory_available_bytes", "host_memory_usage_percentage", "host_disk_total_bytes",
		"host_disk_used_bytes", "host_disk_available_bytes", "host_disk_usage_percentage",
		"plugins", "queues",
	} {
		if _, ok := raw[k]; !ok {
			t.Errorf("top level lacks %q", k)
		}
	}
	handler := raw["plugins"].([]any)[0].(map[string]any)
	for _, k := range []string{
		"name", "plugin", "owner", "repo", "status", "status_since", "last_successful_run",
		"last_successful_run_job_url", "last_failed_run", "last_failed_run_job_url",
		"total_ran_vms", "total_successful_runs_since_start", "total_failed_runs_since_start",
		"total_canceled_runs_since_start", "requeues", "recoveries", "durations",
	} {
		if _, ok := handler[k]; !ok {
			t.Errorf("handler object lacks %q", k)
		}
	}
	since, ok := handler["status_since"].(string)
	if _, err := time.Parse(time.RFC3339, since); !ok || err != nil {
		t.Errorf("status_since %v is not RFC 3339: %v", handler["status_since"], err)
	}
	wait := handler["durations"].(map[string]any)["queue_wait_seconds"].(map[string]any)
	for _, k := range []string{"count", "sum", "p50", "p99", "buckets"} {
		if _, ok := wait[k]; !ok {
			t.Errorf("duration summary lacks %q", k)
		}
	}
}

func TestRegistryWithoutPluginsHasEmptyArray(t *testing.T) {
	r := newTestRegistry(t, "idle", newClock(start))
	var buf bytes.Buffer
	if err := r.WriteJSON(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes(), []byte(`"plugins":[]`)) {
		t.Errorf("want an empty plugins array: %s", buf.String())
	}
}
