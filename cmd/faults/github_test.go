package faults

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// githubJobs is how many jobs each run of the GitHub scenario queues.
const githubJobs = 12

// limitLength is how long each rate-limit window lasts.
const limitLength = 4 * time.Second

// A GitHub API that answers one call in ten with 500, and that rate-limits
// every call for a while (a primary limit, 403 with X-RateLimit-Remaining 0,
// then a secondary limit, 429 with Retry-After), slows jobs down but loses
// none: every job completes exactly once, as in a clean run of the same
// jobs, whose time is the baseline of the figures.
func TestGitHubFailuresAndRateLimits(t *testing.T) {
	t.Parallel()
	clean := runGitHubJobs(t, nil)
	faulty := runGitHubJobs(t, func(w *world, ids []int64) {
		w.waitGitHubDone(ids[:3], time.Minute)
		w.gh.PrimaryRateLimit(http.StatusForbidden, limitLength)
		// The timer is the window's length, not a wait for something.
		<-time.After(limitLength)
		w.waitGitHubDone(ids[:6], time.Minute)
		w.gh.SecondaryRateLimit(http.StatusTooManyRequests, limitLength, true)
	})

	f := newFigures("github-faults")
	f.add("jobs", githubJobs)
	f.add("failure_rate", 0.1)
	f.add("limit_windows", "2x"+limitLength.String())
	f.add("clean_run", clean.took)
	f.add("faulty_run", faulty.took)
	f.add("slowdown", fmt.Sprintf("%.2fx", faulty.took.Seconds()/clean.took.Seconds()))
	f.add("clean_api_calls", clean.calls)
	f.add("faulty_api_calls", faulty.calls)
	f.add("primary_limit_waits", faulty.primary)
	f.add("secondary_limit_waits", faulty.secondary)
	f.report(t)
}

// githubRun is what one run of the GitHub scenario measured: its time,
// the API calls GitHub received, and the rate-limit waits the processes
// logged.
type githubRun struct {
	took               time.Duration
	calls              int
	primary, secondary int
}

// runGitHubJobs runs githubJobs one-second jobs on two hosts with a fresh
// world. With faults set, GitHub fails 10 % of API calls from the start and
// faults runs alongside the jobs to add more.
func runGitHubJobs(t *testing.T, faults func(*world, []int64)) githubRun {
	name := "clean"
	if faults != nil {
		name = "faulty"
	}
	var out githubRun
	t.Run(name, func(t *testing.T) {
		w := newWorld(t, worldOptions{})
		w.startReceiver()
		for _, id := range []string{"host-a", "host-b"} {
			w.addHost(id, hostOptions{}).start()
		}
		if faults != nil {
			w.gh.SetFailureRate(0.1)
		}

		began := time.Now()
		var ids []int64
		for range githubJobs {
			ids = append(ids, w.queue(time.Second))
		}
		if faults != nil {
			faults(w, ids)
		}
		w.waitGitHubDone(ids, 3*time.Minute)
		w.waitLogDone(ids, time.Minute)
		out.took = time.Since(began)
		w.gh.SetFailureRate(0)

		w.checkExactlyOnce(ids)
		w.waitClean(30 * time.Second)
		w.checkAlive()
		out.calls = w.gh.TotalCalls()
		for _, l := range w.allLogLines("github rate limit reached, waiting") {
			switch l.Limit {
			case "primary":
				out.primary++
			case "secondary":
				out.secondary++
			}
		}
		if faults != nil && (out.primary == 0 || out.secondary == 0) {
			t.Errorf("rate-limit waits logged: %d primary, %d secondary; want both",
				out.primary, out.secondary)
		}
	})
	return out
}
