package faults

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/github/githubtest"
)

// floodJobs is the flood's volume at ANKLET_FAULTS_SCALE=1.
const floodJobs = 1000

// A flood of webhooks, one in five delivered twice and all reordered by a
// chaos proxy, across four hosts of two handlers each and one shared
// receiver: no job is lost (every job completes on GitHub and has exactly
// one terminal event), none runs twice (one completed webhook, one runner
// per job), no VM and no runner is left, and no host ever runs more than
// two VMs. The figures include each component's CPU time, to show where a
// two-core machine spends it.
//
// The flood runs alone (not in parallel), before the other scenarios.
func TestWebhookFlood(t *testing.T) {
	n := max(1, int(math.Round(floodJobs*scale(t))))
	// Long reconcile and redelivery intervals: every reconciler and the
	// receiver make their first pass at start, and nothing here needs more.
	w := newWorld(t, worldOptions{reconcile: 60, redeliver: 60})
	proxy := newChaosProxy(t, w.receiverURL(), 300*time.Millisecond, 0.2)
	w.gh.SetWebhook(proxy.URL(), secret, githubtest.JSON)
	w.startReceiver()
	var hosts []*host
	for i := range 4 {
		h := w.addHost(fmt.Sprintf("host-%d", i+1), hostOptions{handlers: 2})
		h.start()
		hosts = append(hosts, h)
	}

	selfBefore, redisBefore := selfCPU(), w.redisCPU()
	began := time.Now()
	ids := make([]int64, 0, n)
	for range n {
		ids = append(ids, w.queue(0))
	}
	if !poll(15*time.Minute, 500*time.Millisecond, func() bool { return w.ghPending(ids) == 0 }) {
		t.Fatalf("%d of %d jobs still not completed on GitHub", w.ghPending(ids), n)
	}
	w.waitLogDone(ids, 2*time.Minute)
	took := time.Since(began)
	cpu := map[string]time.Duration{
		"test_process": selfCPU() - selfBefore, "redis": w.redisCPU() - redisBefore,
		"receiver": procCPU(w.receiver.cmd.Process.Pid).self,
	}
	for _, h := range hosts {
		c := procCPU(h.proc.cmd.Process.Pid)
		cpu["anklet"] += c.self
		cpu["anka_and_scripts"] += c.children
	}

	events := w.checkExactlyOnce(ids)
	w.waitClean(time.Minute)
	w.checkAlive()
	peak := 0
	for _, h := range hosts {
		p := h.fake.PeakRunning()
		if p > 2 {
			t.Errorf("%s ran %d VMs at once, more than max_running_vms 2", h.id, p)
		}
		peak = max(peak, p)
	}
	if lost := proxy.lost.Load(); lost > 0 {
		t.Errorf("the proxy could not deliver %d webhooks", lost)
	}

	f := newFigures("webhook-flood")
	f.add("jobs", n)
	f.add("hosts", len(hosts))
	f.add("handlers", 2*len(hosts))
	f.add("webhooks", proxy.received.Load())
	f.add("duplicated", proxy.duplicated.Load())
	f.add("wall", took)
	f.add("jobs_per_s", fmt.Sprintf("%.2f", float64(n)/took.Seconds()))
	f.add("vms_cloned", cloned(hosts))
	f.add("anka_calls", ankaCalls(hosts))
	f.add("requeued", count(events, engine.EventRequeued))
	f.add("peak_vms_per_host", peak)
	f.add("api_calls", w.gh.TotalCalls())
	for _, k := range []string{"anklet", "anka_and_scripts", "receiver", "redis",
		"test_process"} {
		f.add("cpu_"+k, cpu[k].Round(100*time.Millisecond))
	}
	f.report(t)
}

// cloned counts the VMs the hosts cloned.
func cloned(hosts []*host) int {
	n := 0
	for _, h := range hosts {
		n += len(h.vmNames())
	}
	return n
}

// ankaCalls counts the anka processes the hosts started.
func ankaCalls(hosts []*host) int {
	n := 0
	for _, h := range hosts {
		n += len(h.fake.Calls())
	}
	return n
}

// count counts the events of type typ.
func count(events []engine.Event, typ engine.EventType) int {
	n := 0
	for _, e := range events {
		if e.Type == typ {
			n++
		}
	}
	return n
}
