package faults

import (
	"testing"
	"time"

	"github.com/anklet/anklet/engine"
)

// outageLength is how long Redis stays down.
const outageLength = 10 * time.Second

// Redis unreachable for ten seconds (killed with AOF always, then
// restarted) while jobs run on two hosts loses and duplicates nothing:
// every job, whether it ran through the outage, was queued during it or
// after it, completes exactly once with one completed event; the handlers
// claim the jobs queued after the outage, and no process exits.
func TestRedisOutageWhileJobsRun(t *testing.T) {
	t.Parallel()
	w := newWorld(t, worldOptions{aof: "always"})
	w.startReceiver()
	hosts := []*host{w.addHost("host-a", hostOptions{handlers: 2}),
		w.addHost("host-b", hostOptions{handlers: 2})}
	for _, h := range hosts {
		h.start()
	}

	var before, during, after []int64
	for range 6 {
		before = append(before, w.queue(8*time.Second))
	}
	waitFor(t, 60*time.Second, "four jobs running", func() bool {
		n := 0
		for _, id := range before {
			if j, ok := w.gh.Job(id); ok && j.Status == "in_progress" {
				n++
			}
		}
		return n >= 4
	})

	w.redis.Kill()
	down := time.Now()
	for range 2 {
		during = append(during, w.queue(time.Second))
	}
	// The timer is the outage's length, not a wait for something to happen.
	<-time.After(outageLength - time.Since(down))
	w.redis.Restart()
	up := time.Now()

	for range 4 {
		after = append(after, w.queue(time.Second))
	}
	all := append(append(append([]int64{}, before...), during...), after...)
	w.waitGitHubDone(all, 2*time.Minute)
	w.waitLogDone(all, time.Minute)
	done := time.Now()
	events := w.checkExactlyOnce(all)
	w.waitClean(30 * time.Second)
	w.checkAlive()

	firstClaim := time.Duration(-1)
	for _, id := range after {
		claimed := false
		for _, e := range byJob(events)[id] {
			if e.Type == engine.EventClaimed && e.At.After(up) {
				claimed = true
				if d := e.At.Sub(up); firstClaim < 0 || d < firstClaim {
					firstClaim = d
				}
			}
		}
		if !claimed {
			t.Errorf("job %d, queued after the outage, was never claimed", id)
		}
	}

	lost := 0
	for _, h := range hosts {
		lost += len(logLines(h.logPath(), "lease lost: another host took the job; stopping"))
	}
	f := newFigures("redis-outage")
	f.add("jobs", len(all))
	f.add("outage", up.Sub(down))
	f.add("up_to_first_claim", firstClaim)
	f.add("up_to_all_completed", done.Sub(up))
	f.add("leases_lost", lost)
	f.add("redelivered", w.redeliveries())
	f.report(t)
}

// redeliveries counts the deliveries GitHub made again at the receiver's
// request.
func (w *world) redeliveries() int {
	n := 0
	for _, d := range w.gh.Deliveries() {
		if d.Redelivery {
			n++
		}
	}
	return n
}
