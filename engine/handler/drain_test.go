package handler

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/engine/metrics"
)

// While the drain file exists the handler claims nothing and shows status
// draining; once it is removed, the waiting job runs.
func TestDrainFile(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	drain := filepath.Join(t.TempDir(), ".drain")
	if err := os.WriteFile(drain, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	h := w.newHost("host-a")
	id := w.queue()
	w.waitState(id, engine.EventQueued, 10*time.Second)
	hr := w.start(h, "handler-1", func(o *Options) { o.DrainFile = drain })

	waitFor(t, 10*time.Second, "status draining", func() bool {
		hr.status.mu.Lock()
		defer hr.status.mu.Unlock()
		return hr.status.current() == metrics.StatusDraining
	})
	if st := w.state(id); st != engine.EventQueued {
		t.Fatalf("job is %s while draining", st)
	}
	if err := os.Remove(drain); err != nil {
		t.Fatal(err)
	}
	w.waitCompleted(id, 20*time.Second)
	w.clean(10*time.Second, h)
}
