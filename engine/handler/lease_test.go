package handler

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/streams"
)

// Another consumer takes the entry over (XCLAIM) while the handler waits
// for its runner: the handler stops, deletes its VM and runner, and writes
// nothing more about the job.
func TestLeaseLost(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	h := w.newHost("host-a")
	plugins, _ := gatedPlugins(t)
	hr := w.start(h, "handler-1", func(o *Options) {
		o.PluginsPath = plugins
		o.Plugin.RegistrationTimeoutSeconds = 300
	})

	id := w.queue()
	w.waitState(id, engine.EventRegistered, 15*time.Second)
	j, err := w.store.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	before := len(w.jobEvents(id))
	err = w.rdb.XClaimJustID(context.Background(), &redis.XClaimArgs{
		Stream: w.store.Keys().Jobs(), Group: streams.Group, Consumer: "thief:handler-9",
		Messages: []string{j.WorkID},
	}).Err()
	if err != nil {
		t.Fatal(err)
	}

	w.clean(10*time.Second, h)
	waitFor(t, 10*time.Second, "the handler to let the job go", func() bool {
		hr.mu.Lock()
		defer hr.mu.Unlock()
		return len(hr.runs) == 0
	})
	if after := w.jobEvents(id); len(after) != before {
		t.Errorf("the handler wrote %d events after losing the lease: %+v",
			len(after)-before, after[before:])
	}
	pending, err := w.rdb.XPendingExt(context.Background(), &redis.XPendingExtArgs{
		Stream: w.store.Keys().Jobs(), Group: streams.Group, Start: "-", End: "+", Count: 10,
	}).Result()
	if err != nil || len(pending) != 1 || pending[0].Consumer != "thief:handler-9" {
		t.Errorf("pending %+v, %v: the entry must stay the thief's", pending, err)
	}
}
