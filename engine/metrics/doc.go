// Package metrics records what an anklet process does and serves it in the
// Prometheus text format and as JSON.
//
// One Registry per process holds one Plugin per configured plugin. Handlers
// and receivers call the Plugin's hooks (SetStatus, RunFinished, VMStarted,
// ObservePull, Webhook, …); a nil *Plugin ignores them. The registry also
// reports the host's CPU, memory and disk, and the figures of queues
// registered with WatchQueue, both read at scrape time.
//
// A Server serves a Registry on its own listener:
//
//	GET /metrics                Prometheus text format (the default)
//	GET /metrics?format=json    JSON (a Snapshot)
//	GET /healthcheck            200 "ok"
//
// A Publisher copies the registry's Snapshot to Redis at an interval, with an
// expiry, and an Aggregator (a process running no plugins) serves every live
// snapshot on the same routes: a JSON array, or every series with an extra
// instance label. See keys.go for the Redis layout.
//
// Counters, histograms and fixed-label gauges live in a VictoriaMetrics
// Set, one per Registry; series whose label values change (plugin_status,
// plugin_last_*_run with their job_url) and figures read on demand (host,
// queues) are rendered from a Snapshot by families.go, which also renders
// the aggregator's output.
package metrics
