package faults

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/anklet/anklet/engine"
)

// A webhook the receiver answered 2xx is not lost when Redis restarts
// before any handler claimed its job: with AOF always a SIGKILL keeps it,
// with AOF everysec a clean stop flushes it, and with everysec and a
// SIGKILL, should the write be lost, the lost-webhook reconciler brings the
// job back because GitHub still shows it queued. A SIGKILL alone leaves the
// AOF in the kernel's page cache, so the last case also cuts the AOF back to
// where it was before the webhook, as a machine crash within the fsync
// second would. The job then completes exactly once; the figures say which
// path recovered it.
func TestRedisRestartBeforeClaim(t *testing.T) {
	t.Parallel()
	for _, c := range []restartCase{
		{name: "always-kill", aof: "always", kill: true},
		{name: "everysec-stop", aof: "everysec"},
		{name: "everysec-kill", aof: "everysec", kill: true},
		{name: "everysec-kill-lost-write", aof: "everysec", kill: true, loseTail: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			restartBeforeClaim(t, c)
		})
	}
}

// restartCase is how Redis goes down: AOF policy, SIGKILL or a clean stop,
// and whether the writes since the webhook are lost from the AOF.
type restartCase struct {
	name, aof      string
	kill, loseTail bool
}

func restartBeforeClaim(t *testing.T, c restartCase) {
	w := newWorld(t, worldOptions{aof: c.aof})
	w.startReceiver()
	h := w.addHost("host-a", hostOptions{})

	tail := w.aofTail()
	id := w.queue(0)
	waitFor(t, 30*time.Second, "the receiver's 2xx for the queued webhook", func() bool {
		return w.acknowledged(id, "queued")
	})
	if c.kill {
		w.redis.Kill()
	} else {
		w.redis.Stop()
	}
	if c.loseTail {
		w.cutAOF(tail)
	}
	w.redis.Restart()
	kept := w.job(id).State == engine.EventQueued

	began := time.Now()
	h.start()
	done := w.waitEvent(id, 60*time.Second, "completed", isType(engine.EventCompleted))
	w.checkExactlyOnce([]int64{id})
	if !kept && !c.loseTail {
		t.Errorf("the queued job did not survive the restart (AOF %s)", c.aof)
	}
	if kept && c.loseTail {
		t.Errorf("the job survived an AOF cut back to before its webhook")
	}
	queued, ok := w.firstEvent(id, isType(engine.EventQueued))
	if !ok {
		t.Fatalf("job %d has no queued event", id)
	}
	path := "webhook"
	if queued.Host != "receiver" {
		path = "lost-webhook-reconciler"
	}
	if kept != (path == "webhook") {
		t.Errorf("job kept by Redis: %v, but its queued event was written by %s/%s",
			kept, queued.Host, queued.Plugin)
	}
	w.checkAlive()

	f := newFigures("redis-restart-" + c.name)
	f.add("aof", c.aof)
	f.add("kept_by_redis", kept)
	f.add("recovered_by", path)
	f.add("start_to_completed", done.At.Sub(began))
	f.report(t)
}

// acknowledged reports whether GitHub recorded a 2xx answer to the webhook
// with action about job id.
func (w *world) acknowledged(id int64, action string) bool {
	for _, d := range w.gh.Deliveries() {
		if d.Action == action && d.StatusCode/100 == 2 && deliveryJob(d) == id {
			return true
		}
	}
	return false
}

// aofTail is where the AOF's newest file (appendonlydir/*.incr.aof) ends.
func (w *world) aofTail() aofMark {
	w.t.Helper()
	files, err := filepath.Glob(filepath.Join(w.redis.Dir(), "appendonlydir", "*.incr.aof"))
	if err != nil || len(files) != 1 {
		w.t.Fatalf("want one incremental AOF file, found %v (%v)", files, err)
	}
	fi, err := os.Stat(files[0])
	if err != nil {
		w.t.Fatal(err)
	}
	return aofMark{path: files[0], size: fi.Size()}
}

// aofMark is a position in an AOF file.
type aofMark struct {
	path string
	size int64
}

// cutAOF truncates the AOF file back to m, dropping every write since, as
// a crash of the machine before the fsync would.
func (w *world) cutAOF(m aofMark) {
	w.t.Helper()
	if err := os.Truncate(m.path, m.size); err != nil {
		w.t.Fatal(err)
	}
}
