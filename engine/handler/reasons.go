package handler

// Requeue reasons: why a handler put a job back on its queue. Each is the
// `reason` of the requeued event and a label of the requeue counter. Only
// the reasons that may be the job's own fault consume one of its
// job_retry_attempts; see [ConsumesAttempt].
const (
	// ReasonPullBusy: another process on this host is pulling a template;
	// one pull at a time keeps the disk and the link sane. No attempt.
	ReasonPullBusy = "pull_already_running_on_host"
	// ReasonPullFailed: the registry pull failed for a transient reason
	// (network, registry, timeout). Consumes an attempt.
	ReasonPullFailed = "pull_failed"
	// ReasonNoDisk: the template does not fit on this host's disk with
	// template_disk_buffer percent left free. No attempt.
	ReasonNoDisk = "not_enough_disk_for_template"
	// ReasonTemplateMissing: skip_pull is set and the template or tag is
	// not on this host. No attempt.
	ReasonTemplateMissing = "template_not_on_host"
	// ReasonNoCapacity: the template's CPU or memory does not fit next to
	// the VMs already running, or the host reached its VM limit. No attempt.
	ReasonNoCapacity = "not_enough_host_resources"
	// ReasonHostError: the anka CLI failed in a check that says nothing
	// about the job (list, show). No attempt.
	ReasonHostError = "anka_host_error"
	// ReasonStoreError: writing the job's event to Redis failed. No
	// attempt.
	ReasonStoreError = "store_error"
	// ReasonVMStartFailed: clone, start or mount failed. Consumes an
	// attempt.
	ReasonVMStartFailed = "vm_start_failed"
	// ReasonGitHubError: GitHub refused or failed to mint the runner's
	// config or token. No attempt: an outage must not use up jobs.
	ReasonGitHubError = "github_api_error"
	// ReasonRunnerFailed: copying or running the plugin scripts in the VM
	// failed. Consumes an attempt.
	ReasonRunnerFailed = "runner_start_failed"
	// ReasonRegistrationTimeout: the runner took no job within
	// registration_timeout_seconds while the job was still queued on
	// GitHub. Consumes an attempt.
	ReasonRegistrationTimeout = "registration_timeout"
	// ReasonRunnerTookOtherJob: the VM's runner ran another job with the
	// same labels, so the claimed job still waits. No attempt.
	ReasonRunnerTookOtherJob = "runner_took_other_job"
	// ReasonRecovered: the job was held by a host that stopped renewing its
	// lease, and GitHub still has it queued. No attempt.
	ReasonRecovered = "recovered"
	// ReasonShutdown: the handler stopped before the job's runner was
	// registered. No attempt.
	ReasonShutdown = "shutdown"
)

// ReasonMaxDeliveries is the reason of the failed event of a work entry
// delivered more than max_deliveries times: it kept killing its handlers.
const ReasonMaxDeliveries = "max_deliveries"

// consuming lists the requeue reasons that use up one of a job's attempts.
var consuming = map[string]bool{
	ReasonPullFailed:          true,
	ReasonVMStartFailed:       true,
	ReasonRunnerFailed:        true,
	ReasonRegistrationTimeout: true,
}

// ConsumesAttempt reports whether a requeue for reason uses up one of the
// job's job_retry_attempts. When none is left the job fails instead.
func ConsumesAttempt(reason string) bool { return consuming[reason] }

// backingOff lists the requeue reasons after which the handler pauses
// claiming for a while: the host, not the job, was the problem, and another
// host should get the chance to take the job.
var backingOff = map[string]bool{
	ReasonPullBusy:        true,
	ReasonNoDisk:          true,
	ReasonTemplateMissing: true,
	ReasonNoCapacity:      true,
	ReasonHostError:       true,
	ReasonGitHubError:     true,
	ReasonStoreError:      true,
}
