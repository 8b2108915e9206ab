package anka_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/anklet/anklet/anka"
)

// Several handlers clone and start VMs at once, each call its own anka
// process: the host never runs more than its limit and every clone lands.
func TestParallelClonesAndStartsRespectLimit(t *testing.T) {
	b := setup(t)
	ctx := ctxFor(t)
	const n = 8

	stop := make(chan struct{})
	var peak atomic.Int64
	sampled := make(chan error, 1)
	go func() {
		var err error
		for {
			select {
			case <-stop:
				sampled <- err
				return
			default:
			}
			vms, lerr := b.cli.ListRunning(ctx)
			if lerr != nil {
				err = lerr
				continue
			}
			if int64(len(vms)) > peak.Load() {
				peak.Store(int64(len(vms)))
			}
		}
	}()

	var wg sync.WaitGroup
	var started, refused atomic.Int64
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			vm := fmt.Sprintf("anklet-vm-%d", i)
			if err := b.cli.Clone(ctx, tmplUUID, vm, ""); err != nil {
				errs <- err
				return
			}
			err := b.cli.Start(ctx, vm)
			switch {
			case err == nil:
				started.Add(1)
			case errors.Is(err, anka.ErrMaxRunning):
				refused.Add(1)
			default:
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(stop)
	close(errs)
	for err := range errs {
		t.Errorf("unexpected error: %v", err)
	}
	if err := <-sampled; err != nil {
		t.Fatalf("ListRunning while sampling: %v", err)
	}

	if started.Load() != 2 || refused.Load() != n-2 {
		t.Fatalf("started %d, refused %d; want 2 and %d", started.Load(), refused.Load(), n-2)
	}
	if got := len(b.host.VMs()); got != n {
		t.Fatalf("%d VMs exist, want %d (a clone was lost)", got, n)
	}
	if got := len(b.host.Running()); got != 2 {
		t.Fatalf("%d VMs running, want 2", got)
	}
	if peak.Load() > 2 {
		t.Fatalf("saw %d VMs running at once", peak.Load())
	}
}
