package metrics

import "time"

// snapshot copies the plugin's figures for the JSON form.
func (p *Plugin) snapshot() PluginSnapshot {
	s := PluginSnapshot{
		Name:                          p.name,
		Plugin:                        p.kind,
		Owner:                         p.owner,
		Repo:                          p.repo,
		TotalRanVMs:                   p.ranVMs.Get(),
		TotalSuccessfulRunsSinceStart: p.runs[outcomeSuccess].Get(),
		TotalFailedRunsSinceStart:     p.runs[outcomeFailure].Get(),
		TotalCanceledRunsSinceStart:   p.runs[outcomeCanceled].Get(),
	}

	p.mu.Lock()
	defer p.mu.Unlock()

	s.Status = p.status
	s.StatusSince = p.statusSince.UTC()
	s.LastSuccessfulRun, s.LastSuccessfulRunJobURL = p.lastRunLocked(outcomeSuccess)
	s.LastFailedRun, s.LastFailedRunJobURL = p.lastRunLocked(outcomeFailure)
	s.LastCanceledRun, s.LastCanceledRunJobURL = p.lastRunLocked(outcomeCanceled)
	s.Requeues = counterValues(p.requeues)
	s.Reconciled = counterValues(p.reconciled)
	s.Webhooks = counterValues(p.webhooks)
	if p.redeliveries != nil {
		s.Redeliveries = p.redeliveries.Get()
	}
	if p.recoveries != nil {
		s.Recoveries = p.recoveries.Get()
	}
	if len(p.durations) > 0 {
		s.Durations = make(map[string]HistogramSnapshot, len(p.durations))
		for _, k := range durationKinds {
			if h, ok := p.durations[k.family]; ok {
				s.Durations[k.key] = h.snapshot()
			}
		}
	}
	return s
}

// lastRunLocked returns when the last run of outcome o finished (nil when
// none did) and its job URL. p.mu must be held.
func (p *Plugin) lastRunLocked(o outcome) (*time.Time, string) {
	if p.lastRun[o].IsZero() {
		return nil, ""
	}
	t := p.lastRun[o].UTC()
	return &t, p.lastJobURL[o]
}

func counterValues[C interface{ Get() uint64 }](m map[string]C) map[string]uint64 {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]uint64, len(m))
	for k, c := range m {
		out[k] = c.Get()
	}
	return out
}
