package metrics

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/anklet/anklet/streams/redistest"
	dto "github.com/prometheus/client_model/go"
	"github.com/redis/go-redis/v9"
)

// runPublisher runs p until the returned stop is called; stop waits for Run
// to return and hands back its error.
func runPublisher(t *testing.T, p *Publisher) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	var err error
	stopped := false
	stop = func() error {
		if !stopped {
			stopped = true
			cancel()
			err = <-done
		}
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// onlyInstance keeps the series labelled instance=name, without that label,
// leaving out the aggregator's own anklet_last_update_seconds.
func onlyInstance(fams map[string]*dto.MetricFamily, name string) map[string]*dto.MetricFamily {
	out := map[string]*dto.MetricFamily{}
	for fname, mf := range fams {
		if fname == familyLastUpdate {
			continue
		}
		kept := &dto.MetricFamily{Name: mf.Name, Type: mf.Type}
		for _, m := range mf.GetMetric() {
			var ls []*dto.LabelPair
			match := false
			for _, l := range m.GetLabel() {
				if l.GetName() == "instance" {
					match = l.GetValue() == name
					continue
				}
				ls = append(ls, l)
			}
			if match {
				kept.Metric = append(kept.Metric, &dto.Metric{
					Label: ls, Gauge: m.Gauge, Counter: m.Counter, Histogram: m.Histogram,
				})
			}
		}
		if len(kept.Metric) > 0 {
			out[fname] = kept
		}
	}
	return out
}

func instances(t *testing.T, agg *Aggregator) []string {
	t.Helper()
	snaps, err := agg.Snapshots(context.Background())
	if err != nil {
		t.Fatalf("Snapshots: %v", err)
	}
	names := make([]string, len(snaps))
	for i, s := range snaps {
		names[i] = s.Instance
	}
	return names
}

func TestAggregatorServesLiveInstancesOnly(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client()

	clkA := newClock(time.Now())
	a := newTestRegistry(t, "a", clkA)
	driveScenario(a, clkA)
	b := newTestRegistry(t, "b", newClock(time.Now()))
	b.Plugin("mac-2", "github", owner, "").RunFinished(OutcomeSuccess, successJobURL)
	crashed := NewRegistry(Options{Instance: "c"}) // real clock: its expiry is real
	crashed.readHost = func(context.Context) HostStats { return fakeHost }

	stopA := runPublisher(t, NewPublisher(a, rdb, PublisherOptions{Interval: 10 * time.Second}))
	runPublisher(t, NewPublisher(b, rdb, PublisherOptions{Interval: 10 * time.Second}))
	// c publishes once and then goes silent, like a process that crashed.
	pubC := NewPublisher(crashed, rdb, PublisherOptions{Interval: 200 * time.Millisecond})
	if err := pubC.Publish(context.Background()); err != nil {
		t.Fatalf("Publish: %v", err)
	}

	agg := NewAggregator(rdb, AggregatorOptions{})
	waitFor(t, 5*time.Second, "a, b and c to be served", func() bool {
		return slices.Equal(instances(t, agg), []string{"a", "b", "c"})
	})

	// The Prometheus output holds a's own series, each with instance="a".
	fams := scrape(t, agg)
	if got := value(t, fams, "total_successful_runs_since_start",
		map[string]string{"instance": "b"}); got != 1 {
		t.Errorf("b's successes %v, want 1", got)
	}
	if _, ok := fams[familyLastUpdate]; !ok {
		t.Errorf("aggregated output lacks %s", familyLastUpdate)
	}
	own, aggregated := flatten(scrape(t, a)), flatten(onlyInstance(fams, "a"))
	for k, v := range own {
		if aggregated[k] != v {
			t.Errorf("%s: a says %q, the aggregator %q", k, v, aggregated[k])
		}
	}
	for k := range aggregated {
		if _, ok := own[k]; !ok {
			t.Errorf("the aggregator has %s for a, a does not", k)
		}
	}

	// The JSON output is the array of snapshots as published.
	var buf bytes.Buffer
	if err := agg.WriteJSON(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	var arr []Snapshot
	if err := json.Unmarshal(buf.Bytes(), &arr); err != nil || len(arr) != 3 {
		t.Fatalf("JSON array: %v, %d elements\n%s", err, len(arr), buf.String())
	}
	if arr[0].Instance != "a" || arr[0].TotalSuccessfulRunsSinceStart != 3 ||
		arr[0].Plugins[0].LastFailedRunJobURL != failedJobURL {
		t.Errorf("a's snapshot %+v", arr[0])
	}

	// c stops publishing: its snapshot expires and the index forgets it.
	waitFor(t, 5*time.Second, "c's snapshot to expire", func() bool {
		return slices.Equal(instances(t, agg), []string{"a", "b"})
	})
	instances(t, agg) // one more read: its index entry has expired by now
	if err := rdb.ZScore(context.Background(), SnapshotIndex, "c").Err(); !errors.Is(err, redis.Nil) {
		t.Errorf("c still in the index: %v", err)
	}

	// a stops cleanly: it removes its snapshot at once.
	if err := stopA(); err != nil {
		t.Fatalf("Run of a returned %v", err)
	}
	if got := instances(t, agg); !slices.Equal(got, []string{"b"}) {
		t.Errorf("after a stopped: %v, want [b]", got)
	}
	for _, err := range []error{
		rdb.Get(context.Background(), SnapshotKey("a")).Err(),
		rdb.ZScore(context.Background(), SnapshotIndex, "a").Err(),
	} {
		if !errors.Is(err, redis.Nil) {
			t.Errorf("a's snapshot left in Redis: %v", err)
		}
	}
}

func TestPublisherWritesWithExpiryAndRepeats(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client()
	ctx := context.Background()
	r := NewRegistry(Options{Instance: "p"})
	r.readHost = func(context.Context) HostStats { return fakeHost }
	interval := 100 * time.Millisecond

	before := time.Now()
	stop := runPublisher(t, NewPublisher(r, rdb, PublisherOptions{Interval: interval}))

	seen := map[string]bool{}
	waitFor(t, 5*time.Second, "three different snapshots", func() bool {
		raw, err := rdb.Get(ctx, SnapshotKey("p")).Bytes()
		if err != nil {
			return false
		}
		var s Snapshot
		if err := json.Unmarshal(raw, &s); err != nil || s.Instance != "p" {
			t.Fatalf("stored snapshot: %v %s", err, raw)
		}
		seen[s.LastUpdate.String()] = true
		return len(seen) >= 3
	})

	ttl, err := rdb.PTTL(ctx, SnapshotKey("p")).Result()
	if err != nil || ttl <= 0 || ttl > 3*interval {
		t.Errorf("PTTL %v (%v), want in (0, %v]", ttl, err, 3*interval)
	}
	score, err := rdb.ZScore(ctx, SnapshotIndex, "p").Result()
	if err != nil || score < float64(before.Add(3*interval).UnixMilli()) ||
		score > float64(time.Now().Add(3*interval).UnixMilli()) {
		t.Errorf("index score %v (%v), want an expiry three intervals ahead", score, err)
	}

	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n, _ := rdb.Exists(ctx, SnapshotKey("p")).Result(); n != 0 {
		t.Errorf("snapshot left after a clean stop")
	}
	if _, err := rdb.ZScore(ctx, SnapshotIndex, "p").Result(); err != redis.Nil {
		t.Errorf("index entry after a clean stop: err %v, want redis.Nil", err)
	}
}

// TestSnapshotKeyNames pins the key names the README documents.
func TestSnapshotKeyNames(t *testing.T) {
	if SnapshotIndex != "anklet:metrics" || SnapshotKey("mac-1") != "anklet:metrics:mac-1" {
		t.Fatalf("keys %q, %q; want anklet:metrics, anklet:metrics:mac-1",
			SnapshotIndex, SnapshotKey("mac-1"))
	}
}

func TestAggregatorServerCachesAndReportsOutages(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client()
	ctx := context.Background()
	publish := func(instance string) {
		r := NewRegistry(Options{Instance: instance})
		r.readHost = func(context.Context) HostStats { return fakeHost }
		p := NewPublisher(r, rdb, PublisherOptions{Interval: 10 * time.Minute})
		if err := p.Publish(ctx); err != nil {
			t.Fatalf("Publish %s: %v", instance, err)
		}
	}
	clk := newClock(time.Now())
	agg := NewAggregator(rdb, AggregatorOptions{CacheTTL: time.Minute, Now: clk.Now})
	ts := httptest.NewServer(NewServer(agg, ServerOptions{}).Handler())
	defer ts.Close()

	served := func() []string {
		code, _, body := get(t, ts.URL+"/metrics?format=json")
		var arr []map[string]any
		if code != http.StatusOK || json.Unmarshal([]byte(body), &arr) != nil {
			t.Fatalf("GET json: %d %s", code, body)
		}
		names := map[string]bool{}
		for _, s := range arr {
			names[s["instance"].(string)] = true
		}
		return slices.Sorted(maps.Keys(names))
	}

	publish("x")
	if got := served(); !slices.Equal(got, []string{"x"}) {
		t.Fatalf("served %v, want [x]", got)
	}
	publish("y")
	if got := served(); !slices.Equal(got, []string{"x"}) {
		t.Errorf("within the cache TTL: served %v, want the cached [x]", got)
	}
	clk.Advance(2 * time.Minute)
	if got := served(); !slices.Equal(got, []string{"x", "y"}) {
		t.Errorf("after the cache TTL: served %v, want [x y]", got)
	}
	code, _, body := get(t, ts.URL+"/metrics")
	fams := parseText(t, body)
	if code != http.StatusOK || len(fams["total_running_vms"].GetMetric()) != 2 {
		t.Errorf("prometheus: %d, %d total_running_vms series", code,
			len(fams["total_running_vms"].GetMetric()))
	}
	if code, _, _ := get(t, ts.URL+"/jobs/v1/receiver"); code != http.StatusNotFound {
		t.Errorf("webhook path on the aggregator: %d, want 404", code)
	}

	srv.Stop()
	clk.Advance(2 * time.Minute)
	if code, _, body := get(t, ts.URL+"/metrics"); code != http.StatusServiceUnavailable {
		t.Errorf("with Redis down: %d %q, want 503", code, body)
	}
}
