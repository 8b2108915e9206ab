package handler

import (
	"context"
	"testing"
	"time"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/github"
)

// A host died after GitHub minted the JIT runner of its VM, before the
// runner started: the rescuer requeues the job and removes that idle
// runner registration at once, instead of leaving it to the orphan-runner
// reconciler's grace period.
func TestRescueRemovesLostRunner(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.queue()
	w.claimAs(id, "dead-host", "dead-host:handler-1")

	ctx := context.Background()
	const vm = VMPrefix + "dead"
	dead, err := engine.NewStore(w.rdb, testOwner, "dead-host", "handler-1")
	if err != nil {
		t.Fatal(err)
	}
	claimed := engine.Expect{States: []engine.EventType{engine.EventClaimed}}
	_, err = dead.Transition(ctx, id, claimed, engine.Event{Type: engine.EventVMStarted,
		Attrs: map[string]string{engine.FieldVM: vm}})
	if err != nil {
		t.Fatal(err)
	}
	client, err := github.New(ctx, github.Options{Token: w.gh.Token(), BaseURL: w.gh.URL()})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := client.JITConfig(ctx, github.Scope{Owner: testOwner}, vm, 1,
		labels()); err != nil {
		t.Fatal(err)
	}

	h := w.newHost("host-a")
	w.start(h, "handler-1", func(o *Options) { o.Plugin.LeaseSeconds = 1 })
	w.waitRequeued(id, ReasonRecovered, 15*time.Second)
	waitFor(t, 10*time.Second, "the lost host's runner to be removed", func() bool {
		for _, rn := range w.gh.Runners() {
			if rn.Name == vm {
				return false
			}
		}
		return true
	})
	w.waitCompleted(id, 20*time.Second)
	w.clean(10*time.Second, h)
}
