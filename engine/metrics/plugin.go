package metrics

import (
	"sync"
	"time"

	vm "github.com/VictoriaMetrics/metrics"
)

// Plugin records the metrics of one plugin. Get one from Registry.Plugin.
// Every method is safe for concurrent use, and a nil *Plugin ignores every
// call, so code paths without metrics need no checks.
type Plugin struct {
	reg                     *Registry
	name, kind, owner, repo string
	labels                  []label

	ranVMs *vm.Counter
	runs   [outcomeCount]*vm.Counter

	mu           sync.Mutex
	status       string
	statusSince  time.Time
	lastRun      [outcomeCount]time.Time
	lastJobURL   [outcomeCount]string
	durations    map[string]*histogram // by family, created at first observation
	requeues     map[string]*vm.Counter
	reconciled   map[string]*vm.Counter
	webhooks     map[string]*vm.Counter
	redeliveries *vm.Counter
	recoveries   *vm.Counter
}

func newPlugin(r *Registry, name, kind, owner, repo string) *Plugin {
	p := &Plugin{
		reg: r, name: name, kind: kind, owner: owner, repo: repo,
		labels:      pluginLabels(name, kind, owner, repo),
		status:      StatusIdle,
		statusSince: r.now(),
		durations:   make(map[string]*histogram),
		requeues:    make(map[string]*vm.Counter),
		reconciled:  make(map[string]*vm.Counter),
		webhooks:    make(map[string]*vm.Counter),
	}
	p.ranVMs = r.set.NewCounter(seriesName(familyPluginTotalRanVMs, p.labels))
	for o := range outcomeCount {
		p.runs[o] = r.set.NewCounter(seriesName(pluginRunsFamilies[o], p.labels))
	}
	r.set.NewGauge(seriesName(familyPluginStatusSince, p.labels), func() float64 {
		p.mu.Lock()
		defer p.mu.Unlock()
		return float64(p.statusSince.Unix())
	})
	return p
}

// SetStatus records the plugin's status (see the Status constants) and,
// when it changed, the time it changed. An empty status is ignored.
func (p *Plugin) SetStatus(status string) {
	if p == nil || status == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if status != p.status {
		p.status = status
		p.statusSince = p.reg.now()
	}
}

// RunFinished records a finished job run: outcome is OutcomeSuccess,
// OutcomeFailure or OutcomeCanceled ("cancelled" is accepted). It counts the
// run for the plugin and the process, and remembers when it finished and
// jobURL. An unknown outcome is logged and otherwise ignored.
func (p *Plugin) RunFinished(outcome, jobURL string) {
	if p == nil {
		return
	}
	o, ok := parseOutcome(outcome)
	if !ok {
		p.reg.log.Warn().Str("plugin", p.name).Str("outcome", outcome).
			Msg("metrics: run finished with an unknown outcome; not counted")
		return
	}

	p.runs[o].Inc()
	p.reg.totalRuns[o].Inc()

	p.mu.Lock()
	defer p.mu.Unlock()
	p.lastRun[o] = p.reg.now()
	p.lastJobURL[o] = jobURL
}

// VMStarted counts a VM the plugin started: total_running_vms goes up and
// plugin_total_ran_vms counts it.
func (p *Plugin) VMStarted() {
	if p == nil {
		return
	}
	p.ranVMs.Inc()
	p.reg.runningVMs.Add(1)
}

// VMStopped counts a VM the plugin stopped: total_running_vms goes down,
// never below zero.
func (p *Plugin) VMStopped() {
	if p == nil {
		return
	}
	for {
		n := p.reg.runningVMs.Load()
		if n <= 0 || p.reg.runningVMs.CompareAndSwap(n, n-1) {
			return
		}
	}
}

// Requeued counts a job the plugin put back on its queue, by reason.
func (p *Plugin) Requeued(reason string) {
	if p == nil {
		return
	}
	p.labelledCounter(p.requeues, familyRequeues, label{"reason", reason}).Inc()
}

// Reconciled counts n repairs a reconciler made for the plugin, by what
// was repaired: orphan_vm, orphan_runner, lost_webhook or lost_completion.
// n ≤ 0 is ignored.
func (p *Plugin) Reconciled(what string, n int) {
	if p == nil || n <= 0 {
		return
	}
	p.labelledCounter(p.reconciled, familyReconciled, label{"what", what}).Add(n)
}

// Webhook counts a webhook delivery the plugin handled, by result (see the
// Webhook constants).
func (p *Plugin) Webhook(result string) {
	if p == nil {
		return
	}
	p.labelledCounter(p.webhooks, familyWebhooks, label{"result", result}).Inc()
}

// Redelivered counts n webhook deliveries the plugin asked GitHub to send
// again. n ≤ 0 is ignored.
func (p *Plugin) Redelivered(n int) {
	if p == nil || n <= 0 {
		return
	}
	p.lazyCounter(&p.redeliveries, familyRedeliveries).Add(n)
}

// Recovered counts a job the plugin took over from a host that died.
func (p *Plugin) Recovered() {
	if p == nil {
		return
	}
	p.lazyCounter(&p.recoveries, familyRecoveries).Inc()
}

// labelledCounter returns the counter of family for one extra label value,
// creating it on first use.
func (p *Plugin) labelledCounter(m map[string]*vm.Counter, family string, l label) *vm.Counter {
	l.value = validUTF8(l.value)

	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := m[l.value]
	if !ok {
		c = p.reg.set.NewCounter(seriesName(family, with(p.labels, l)))
		m[l.value] = c
	}
	return c
}

// lazyCounter returns *c, creating the counter of family on first use.
func (p *Plugin) lazyCounter(c **vm.Counter, family string) *vm.Counter {
	p.mu.Lock()
	defer p.mu.Unlock()
	if *c == nil {
		*c = p.reg.set.NewCounter(seriesName(family, p.labels))
	}
	return *c
}
