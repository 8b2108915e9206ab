package metrics

import (
	"sync"
	"time"

	vm "github.com/VictoriaMetrics/metrics"
)

// durationKind names one of the duration histograms a plugin keeps.
type durationKind struct {
	family  string    // Prometheus family name
	key     string    // key in the JSON snapshot's "durations" object
	buckets []float64 // upper bounds in seconds, strictly increasing
}

// The duration histograms. Buckets follow what each step takes on a Mac
// host: VM clones start in seconds, template pulls take minutes, jobs take
// minutes to hours.
var (
	queueWaitKind = durationKind{"anklet_queue_wait_seconds", "queue_wait_seconds",
		[]float64{1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200}}
	pullKind = durationKind{"anklet_pull_seconds", "pull_seconds",
		[]float64{1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600}}
	cloneStartKind = durationKind{"anklet_clone_start_seconds", "clone_start_seconds",
		[]float64{0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300}}
	registrationKind = durationKind{"anklet_registration_seconds", "registration_seconds",
		[]float64{1, 2, 5, 10, 20, 30, 60, 90, 120, 300}}
	jobKind = durationKind{"anklet_job_duration_seconds", "job_duration_seconds",
		[]float64{10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800}}
)

// durationKinds lists every histogram, in output order.
var durationKinds = []durationKind{
	queueWaitKind, pullKind, cloneStartKind, registrationKind, jobKind,
}

// histogram is a VictoriaMetrics PrometheusHistogram (which renders the
// Prometheus output) plus a copy of its buckets, because the library offers
// no way to read a histogram back and the JSON snapshot needs the figures.
type histogram struct {
	prom   *vm.PrometheusHistogram
	bounds []float64

	mu     sync.Mutex
	counts []uint64 // per bucket, not cumulative; observations above the last bound only in count
	count  uint64
	sum    float64
}

func newHistogram(set *vm.Set, name string, bounds []float64) *histogram {
	return &histogram{
		prom:   set.NewPrometheusHistogramExt(name, bounds),
		bounds: bounds,
		counts: make([]uint64, len(bounds)),
	}
}

// observe records d. Negative durations are dropped, as the library does.
func (h *histogram) observe(d time.Duration) {
	v := d.Seconds()
	if v < 0 {
		return
	}
	h.prom.Update(v)

	h.mu.Lock()
	defer h.mu.Unlock()
	h.count++
	h.sum += v
	for i, ub := range h.bounds {
		if v <= ub {
			h.counts[i]++
			break
		}
	}
}

// snapshot returns the histogram's figures with cumulative buckets.
func (h *histogram) snapshot() HistogramSnapshot {
	h.mu.Lock()
	defer h.mu.Unlock()

	s := HistogramSnapshot{Count: h.count, Sum: h.sum, Buckets: make([]Bucket, len(h.bounds))}
	var cum uint64
	for i, ub := range h.bounds {
		cum += h.counts[i]
		s.Buckets[i] = Bucket{UpperBound: ub, Count: cum}
	}
	s.P50 = quantile(0.5, s.Count, s.Buckets)
	s.P99 = quantile(0.99, s.Count, s.Buckets)
	return s
}

// quantile estimates the q-quantile from cumulative buckets by linear
// interpolation inside the bucket that holds it, as PromQL's
// histogram_quantile does. A quantile above the last bound is reported as
// that bound. It is 0 when nothing was observed.
func quantile(q float64, count uint64, buckets []Bucket) float64 {
	if count == 0 || len(buckets) == 0 {
		return 0
	}
	rank := q * float64(count)
	lower, below := 0.0, uint64(0)
	for _, b := range buckets {
		if float64(b.Count) >= rank {
			in := b.Count - below
			if in == 0 {
				return b.UpperBound
			}
			return lower + (b.UpperBound-lower)*(rank-float64(below))/float64(in)
		}
		lower, below = b.UpperBound, b.Count
	}
	return buckets[len(buckets)-1].UpperBound
}
