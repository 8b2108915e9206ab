package handler

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anklet/anklet/engine"
)

// Twenty jobs with identical labels, four handlers on two hosts: every job
// completes, every job's events replay in order, nothing is left behind,
// and no host ever runs more than two VMs.
func TestTwentyJobsTwoHosts(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	hosts := []*host{w.newHost("host-a"), w.newHost("host-b")}
	for _, h := range hosts {
		w.start(h, "handler-1", nil)
		w.start(h, "handler-2", nil)
	}

	var ids []int64
	for range 20 {
		ids = append(ids, w.queue())
	}
	for _, id := range ids {
		w.waitCompleted(id, 60*time.Second)
	}
	w.clean(10*time.Second, hosts...)

	// The rescuers trim acknowledged work entries: of the 20 (and their
	// requeues) only the last one delivered may stay.
	jobsKey := w.store.Keys().Jobs()
	waitFor(t, 30*time.Second, "acknowledged work entries trimmed", func() bool {
		n, err := w.rdb.XLen(context.Background(), jobsKey).Result()
		return err == nil && n <= 1
	})

	jobs := w.replay()
	for _, id := range ids {
		if got := jobs[id].State; got != engine.EventCompleted {
			t.Errorf("job %d replays to %s", id, got)
		}
		for _, reason := range w.requeues(id) {
			if reason == ReasonNoCapacity || reason == ReasonVMStartFailed {
				t.Errorf("job %d requeued for %s: the VM limit was hit", id, reason)
			}
		}
	}
	for _, h := range hosts {
		if peak := h.fake.PeakRunning(); peak > 2 || peak == 0 {
			t.Errorf("host %s ran at most %d VMs at once, want 1 or 2", h.id, peak)
		}
		envFileOnly(t, h)
	}
	secrets := w.secrets.all()
	if len(secrets) < len(ids) {
		t.Errorf("%d secrets handed to the scrubber for %d jobs", len(secrets), len(ids))
	}
	logs := w.logs.String()
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Fatalf("a runner secret reached the logs")
		}
	}
}

// envFileOnly checks that the runner's secret reached the guest only through
// a private env file: never in argv.
func envFileOnly(t *testing.T, h *host) {
	t.Helper()
	starts := 0
	for _, c := range h.fake.Calls() {
		if !slices.Contains(c.Args, "./"+ScriptStart) {
			continue
		}
		starts++
		if !slices.Contains(c.EnvKeys, EnvJITConfig) || !slices.Contains(c.EnvKeys, EnvRunnerName) {
			t.Errorf("start-runner env file holds %v", c.EnvKeys)
		}
		if c.EnvFileMode != 0o600 {
			t.Errorf("env file mode %v, want 0600", c.EnvFileMode)
		}
		for _, a := range c.Args {
			if strings.Contains(a, "jitconfig") || len(a) > 200 {
				t.Errorf("secret-looking argument in %s", c)
			}
		}
	}
	if starts == 0 {
		t.Errorf("host %s never ran %s", h.id, ScriptStart)
	}
}
