package metrics

import (
	"bufio"
	"io"
	"math"
	"strconv"
	"time"
)

// family is one metric family in the making: its type and its samples.
type family struct {
	typ     string // "gauge", "counter" or "histogram"
	samples []sample
}

// sample is one line of a family; suffix is "_bucket", "_sum" or "_count"
// for histograms and empty otherwise.
type sample struct {
	suffix string
	labels []label
	value  float64
}

// families gathers metric families by name, so that samples of one family
// from several plugins or several instances come out together, as the text
// format requires.
type families map[string]*family

func (fs families) add(name, typ string, ss ...sample) {
	f, ok := fs[name]
	if !ok {
		f = &family{typ: typ}
		fs[name] = f
	}
	f.samples = append(f.samples, ss...)
}

func (fs families) gauge(name string, ls []label, v float64) {
	fs.add(name, "gauge", sample{labels: ls, value: v})
}

func (fs families) counter(name string, ls []label, v uint64) {
	fs.add(name, "counter", sample{labels: ls, value: float64(v)})
}

func (fs families) histogram(name string, ls []label, h HistogramSnapshot) {
	ss := make([]sample, 0, len(h.Buckets)+3)
	for _, b := range h.Buckets {
		le := label{"le", formatValue(b.UpperBound)}
		ss = append(ss, sample{"_bucket", with(ls, le), float64(b.Count)})
	}
	ss = append(ss,
		sample{"_bucket", with(ls, label{"le", "+Inf"}), float64(h.Count)},
		sample{"_sum", ls, h.Sum},
		sample{"_count", ls, float64(h.Count)},
	)
	fs.add(name, "histogram", ss...)
}

// writeText writes the families in name order in the Prometheus text
// format, with HELP and TYPE lines.
func (fs families) writeText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, name := range sortedKeys(fs) {
		f := fs[name]
		if h := help[name]; h != "" {
			bw.WriteString("# HELP " + name + " " + h + "\n")
		}
		bw.WriteString("# TYPE " + name + " " + f.typ + "\n")
		for _, s := range f.samples {
			bw.WriteString(seriesName(name+s.suffix, s.labels))
			bw.WriteByte(' ')
			bw.WriteString(formatValue(s.value))
			bw.WriteByte('\n')
		}
	}
	return bw.Flush()
}

// formatValue renders whole numbers without an exponent (timestamps and
// byte counts stay readable) and other values in the shortest exact form.
func formatValue(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case v == math.Trunc(v) && math.Abs(v) < 1<<53:
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// addState adds the families whose label values change over time, so they
// cannot live in a VictoriaMetrics set: plugin status and last runs, host
// figures, queue figures. Every sample also carries extra.
func (fs families) addState(s *Snapshot, extra []label) {
	for _, p := range s.Plugins {
		ls := with(pluginLabels(p.Name, p.Plugin, p.Owner, p.Repo), extra...)
		fs.gauge(familyPluginStatus, with(ls, label{"status", p.Status}), 1)
		last := [outcomeCount]*time.Time{p.LastSuccessfulRun, p.LastFailedRun, p.LastCanceledRun}
		urls := [outcomeCount]string{
			p.LastSuccessfulRunJobURL, p.LastFailedRunJobURL, p.LastCanceledRunJobURL,
		}
		for o := range outcomeCount {
			if last[o] != nil {
				fs.gauge(lastRunFamilies[o], with(ls, label{"job_url", urls[o]}),
					float64(last[o].Unix()))
			}
		}
	}

	h := s.HostStats
	for _, g := range []struct {
		name string
		v    float64
	}{
		{"host_cpu_count", float64(h.CPUCount)},
		{"host_cpu_used_count", float64(h.CPUUsedCount)},
		{"host_cpu_usage_percentage", h.CPUUsagePercentage},
		{"host_memory_total_bytes", float64(h.MemoryTotalBytes)},
		{"host_memory_used_bytes", float64(h.MemoryUsedBytes)},
		{"host_memory_available_bytes", float64(h.MemoryAvailableBytes)},
		{"host_memory_usage_percentage", h.MemoryUsagePercentage},
		{"host_disk_total_bytes", float64(h.DiskTotalBytes)},
		{"host_disk_used_bytes", float64(h.DiskUsedBytes)},
		{"host_disk_available_bytes", float64(h.DiskAvailableBytes)},
		{"host_disk_usage_percentage", h.DiskUsagePercentage},
	} {
		fs.gauge(g.name, extra, g.v)
	}

	for _, q := range s.Queues {
		if q.Error != "" {
			continue
		}
		ls := with(extra, label{"queue", q.Queue})
		fs.gauge(familyQueueLength, ls, float64(q.Length))
		fs.gauge(familyQueuePending, ls, float64(q.Pending))
		fs.gauge(familyQueueLag, ls, float64(q.Lag))
	}
}

// addSnapshot adds every family of s, the same series a registry's own
// Prometheus output holds, each sample also carrying extra. The aggregator
// renders published snapshots with it.
func (fs families) addSnapshot(s *Snapshot, extra []label) {
	fs.gauge(familyTotalRunningVMs, extra, float64(s.TotalRunningVMs))
	totals := [outcomeCount]uint64{
		s.TotalSuccessfulRunsSinceStart, s.TotalFailedRunsSinceStart, s.TotalCanceledRunsSinceStart,
	}
	for o := range outcomeCount {
		fs.counter(totalRunsFamilies[o], extra, totals[o])
	}

	for _, p := range s.Plugins {
		ls := with(pluginLabels(p.Name, p.Plugin, p.Owner, p.Repo), extra...)
		fs.gauge(familyPluginStatusSince, ls, float64(p.StatusSince.Unix()))
		fs.counter(familyPluginTotalRanVMs, ls, p.TotalRanVMs)
		runs := [outcomeCount]uint64{
			p.TotalSuccessfulRunsSinceStart, p.TotalFailedRunsSinceStart,
			p.TotalCanceledRunsSinceStart,
		}
		for o := range outcomeCount {
			fs.counter(pluginRunsFamilies[o], ls, runs[o])
		}
		for _, reason := range sortedKeys(p.Requeues) {
			fs.counter(familyRequeues, with(ls, label{"reason", reason}), p.Requeues[reason])
		}
		for _, what := range sortedKeys(p.Reconciled) {
			fs.counter(familyReconciled, with(ls, label{"what", what}), p.Reconciled[what])
		}
		for _, result := range sortedKeys(p.Webhooks) {
			fs.counter(familyWebhooks, with(ls, label{"result", result}), p.Webhooks[result])
		}
		if p.Redeliveries > 0 {
			fs.counter(familyRedeliveries, ls, p.Redeliveries)
		}
		if p.Recoveries > 0 {
			fs.counter(familyRecoveries, ls, p.Recoveries)
		}
		for _, k := range durationKinds {
			if h, ok := p.Durations[k.key]; ok {
				fs.histogram(k.family, ls, h)
			}
		}
	}
	fs.addState(s, extra)
}
