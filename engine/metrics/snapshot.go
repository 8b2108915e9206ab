package metrics

import (
	"context"
	"sort"
	"time"
)

// Snapshot is the JSON form of one anklet process's metrics: what
// GET /metrics?format=json returns, what the Publisher stores in Redis, and
// one element of the aggregator's JSON array. Timestamps are RFC 3339 in UTC.
type Snapshot struct {
	Instance   string    `json:"instance"`
	Host       string    `json:"host,omitempty"`
	LastUpdate time.Time `json:"last_update"`

	TotalRunningVMs               int64  `json:"total_running_vms"`
	TotalSuccessfulRunsSinceStart uint64 `json:"total_successful_runs_since_start"`
	TotalFailedRunsSinceStart     uint64 `json:"total_failed_runs_since_start"`
	TotalCanceledRunsSinceStart   uint64 `json:"total_canceled_runs_since_start"`

	HostStats

	Plugins []PluginSnapshot `json:"plugins"`
	Queues  []QueueSnapshot  `json:"queues,omitempty"`
}

// PluginSnapshot holds one plugin's figures. Last-run fields are absent
// until a run of that outcome finished; the requeue, webhook, redelivery,
// recovery and duration figures are absent until their first event.
type PluginSnapshot struct {
	Name        string    `json:"name"`
	Plugin      string    `json:"plugin"`
	Owner       string    `json:"owner,omitempty"`
	Repo        string    `json:"repo,omitempty"`
	Status      string    `json:"status"`
	StatusSince time.Time `json:"status_since"`

	LastSuccessfulRun       *time.Time `json:"last_successful_run,omitempty"`
	LastSuccessfulRunJobURL string     `json:"last_successful_run_job_url,omitempty"`
	LastFailedRun           *time.Time `json:"last_failed_run,omitempty"`
	LastFailedRunJobURL     string     `json:"last_failed_run_job_url,omitempty"`
	LastCanceledRun         *time.Time `json:"last_canceled_run,omitempty"`
	LastCanceledRunJobURL   string     `json:"last_canceled_run_job_url,omitempty"`

	TotalRanVMs                   uint64 `json:"total_ran_vms"`
	TotalSuccessfulRunsSinceStart uint64 `json:"total_successful_runs_since_start"`
	TotalFailedRunsSinceStart     uint64 `json:"total_failed_runs_since_start"`
	TotalCanceledRunsSinceStart   uint64 `json:"total_canceled_runs_since_start"`

	Requeues     map[string]uint64            `json:"requeues,omitempty"`
	Reconciled   map[string]uint64            `json:"reconciled,omitempty"`
	Webhooks     map[string]uint64            `json:"webhooks,omitempty"`
	Redeliveries uint64                       `json:"redeliveries,omitempty"`
	Recoveries   uint64                       `json:"recoveries,omitempty"`
	Durations    map[string]HistogramSnapshot `json:"durations,omitempty"`
}

// HistogramSnapshot summarises one duration histogram, in seconds. P50 and
// P99 are estimated from the buckets. Buckets are cumulative; the implicit
// +Inf bucket equals Count.
type HistogramSnapshot struct {
	Count   uint64   `json:"count"`
	Sum     float64  `json:"sum"`
	P50     float64  `json:"p50"`
	P99     float64  `json:"p99"`
	Buckets []Bucket `json:"buckets"`
}

// Bucket is one cumulative histogram bucket: Count observations were at or
// below UpperBound seconds.
type Bucket struct {
	UpperBound float64 `json:"le"`
	Count      uint64  `json:"count"`
}

// QueueSnapshot holds the figures of one watched queue. Error is set, and
// the figures are zero, when they could not be read in time.
type QueueSnapshot struct {
	Queue   string `json:"queue"`
	Length  int64  `json:"length"`
	Pending int64  `json:"pending"`
	Lag     int64  `json:"lag"`
	Error   string `json:"error,omitempty"`
}

// Snapshot reads every figure of the registry at once: counters, plugin
// states, host figures and watched queues (each queue bounded by
// Options.QueueTimeout). Plugins are in creation order, queues by name.
func (r *Registry) Snapshot(ctx context.Context) Snapshot {
	s := Snapshot{
		Instance:                      r.instance,
		Host:                          r.host,
		LastUpdate:                    r.now().UTC(),
		TotalRunningVMs:               r.runningVMs.Load(),
		TotalSuccessfulRunsSinceStart: r.totalRuns[outcomeSuccess].Get(),
		TotalFailedRunsSinceStart:     r.totalRuns[outcomeFailure].Get(),
		TotalCanceledRunsSinceStart:   r.totalRuns[outcomeCanceled].Get(),
		HostStats:                     r.readHost(ctx),
		Queues:                        r.readQueues(ctx),
	}
	for _, p := range r.plugins() {
		s.Plugins = append(s.Plugins, p.snapshot())
	}
	if s.Plugins == nil {
		s.Plugins = []PluginSnapshot{}
	}
	return s
}

// sortedKeys returns m's keys in order, so outputs are stable.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
