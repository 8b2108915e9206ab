package metrics

import "time"

// ObserveQueueWait records how long a job waited between being queued and
// being claimed by this plugin (anklet_queue_wait_seconds).
func (p *Plugin) ObserveQueueWait(d time.Duration) { p.observe(queueWaitKind, d) }

// ObservePull records how long pulling a VM template took
// (anklet_pull_seconds).
func (p *Plugin) ObservePull(d time.Duration) { p.observe(pullKind, d) }

// ObserveCloneStart records how long cloning and starting a VM took
// (anklet_clone_start_seconds).
func (p *Plugin) ObserveCloneStart(d time.Duration) { p.observe(cloneStartKind, d) }

// ObserveRegistration records how long a runner took to register with
// GitHub once its VM ran (anklet_registration_seconds).
func (p *Plugin) ObserveRegistration(d time.Duration) { p.observe(registrationKind, d) }

// ObserveJob records how long a job ran, from in-progress to its end
// (anklet_job_duration_seconds).
func (p *Plugin) ObserveJob(d time.Duration) { p.observe(jobKind, d) }

// observe adds d to the plugin's histogram of kind, creating it on first
// use. Negative durations are ignored.
func (p *Plugin) observe(kind durationKind, d time.Duration) {
	if p == nil || d < 0 {
		return
	}
	p.mu.Lock()
	h, ok := p.durations[kind.family]
	if !ok {
		h = newHistogram(p.reg.set, seriesName(kind.family, p.labels), kind.buckets)
		p.durations[kind.family] = h
	}
	p.mu.Unlock()

	h.observe(d)
}
