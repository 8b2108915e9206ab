package metrics

// Prometheus family names. The unprefixed ones keep the names earlier anklet
// releases used, so existing dashboards find them.
const (
	familyTotalRunningVMs   = "total_running_vms"
	familyPluginStatus      = "plugin_status"
	familyPluginStatusSince = "plugin_status_since"
	familyPluginTotalRanVMs = "plugin_total_ran_vms"

	familyRequeues     = "anklet_requeues_total"
	familyReconciled   = "anklet_reconciled_total"
	familyWebhooks     = "anklet_webhooks_total"
	familyRedeliveries = "anklet_redeliveries_total"
	familyRecoveries   = "anklet_recoveries_total"

	familyQueueLength  = "anklet_queue_length"
	familyQueuePending = "anklet_queue_pending"
	familyQueueLag     = "anklet_queue_lag"

	// familyLastUpdate appears only in the aggregator's output: when each
	// instance last published, in Unix seconds.
	familyLastUpdate = "anklet_last_update_seconds"
)

// Run outcomes accepted by Plugin.RunFinished.
const (
	OutcomeSuccess  = "success"
	OutcomeFailure  = "failure"
	OutcomeCanceled = "canceled"
)

// Plugin statuses reported by plugin_status. SetStatus accepts any other
// non-empty string as well.
const (
	StatusIdle        = "idle"
	StatusRunning     = "running"
	StatusPulling     = "pulling"
	StatusLimitPaused = "limit_paused"
	StatusDraining    = "draining"
	StatusPaused      = "paused"
	StatusStopped     = "stopped"
)

// Webhook results counted by Plugin.Webhook.
const (
	WebhookStored    = "stored"
	WebhookDuplicate = "duplicate"
	WebhookIgnored   = "ignored"
	WebhookRefused   = "refused"
	WebhookInvalid   = "invalid"
	WebhookError     = "error"
)

// outcome indexes the per-outcome arrays below.
type outcome int

const (
	outcomeSuccess outcome = iota
	outcomeFailure
	outcomeCanceled
	outcomeCount
)

var (
	totalRunsFamilies = [outcomeCount]string{
		"total_successful_runs_since_start",
		"total_failed_runs_since_start",
		"total_canceled_runs_since_start",
	}
	pluginRunsFamilies = [outcomeCount]string{
		"plugin_total_successful_runs_since_start",
		"plugin_total_failed_runs_since_start",
		"plugin_total_canceled_runs_since_start",
	}
	lastRunFamilies = [outcomeCount]string{
		"plugin_last_successful_run",
		"plugin_last_failed_run",
		"plugin_last_canceled_run",
	}
)

// parseOutcome maps an outcome string to its index. GitHub's spelling
// "cancelled" is accepted too.
func parseOutcome(s string) (outcome, bool) {
	switch s {
	case OutcomeSuccess:
		return outcomeSuccess, true
	case OutcomeFailure:
		return outcomeFailure, true
	case OutcomeCanceled, "cancelled":
		return outcomeCanceled, true
	}
	return 0, false
}
