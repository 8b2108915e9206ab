package handler

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/anklet/anklet/anka"
	"github.com/anklet/anklet/engine"
)

// startVM records the VM's ownership, then clones, starts and mounts it.
// The record comes first, so a crash between the clone and anything else
// never leaves a VM no record guards.
func (r *run) startVM(ctx context.Context) error {
	owner, err := ownVM(r.h.opts.WorkDir, VMRecord{
		VM: r.vm, JobID: r.jobID, Queue: r.h.cfg.Queue(), Plugin: r.h.cfg.Name,
		Host: r.h.opts.HostID, PID: os.Getpid(),
	})
	if err != nil {
		return requeueOn(ReasonHostError, err)
	}
	r.owner = owner

	a, t := r.h.opts.Anka, r.tmpl
	began := time.Now()
	r.cloned = true
	if err := a.Clone(ctx, t.UUID, r.vm, t.Tag); err != nil {
		return requeueOn(ReasonVMStartFailed, fmt.Errorf("clone: %w", err))
	}
	if err := a.Start(ctx, r.vm); err != nil {
		if errors.Is(err, anka.ErrMaxRunning) {
			return requeueOn(ReasonNoCapacity, fmt.Errorf("start: %w", err))
		}
		return requeueOn(ReasonVMStartFailed, fmt.Errorf("start: %w", err))
	}
	r.started = true
	r.h.opts.Metrics.VMStarted()
	for _, m := range r.mounts() {
		host, guest, _ := strings.Cut(m, ":")
		if err := a.Mount(ctx, r.vm, host, guest); err != nil {
			return requeueOn(ReasonVMStartFailed, fmt.Errorf("mount %s: %w", m, err))
		}
	}
	r.h.opts.Metrics.ObserveCloneStart(time.Since(began))

	err = r.record(ctx, engine.EventVMStarted, map[string]string{
		engine.FieldVM: r.vm, engine.FieldTemplate: t.UUID, engine.FieldTag: t.Tag})
	if err != nil {
		return r.recordFailed(ctx, err)
	}
	r.vmStartedAt = time.Now()
	r.log.Info().Dur("took", time.Since(began).Round(time.Millisecond)).Msg("vm started")
	return nil
}

// mounts are the plugin's host-to-guest folder mounts, "host[:guest]".
func (r *run) mounts() []string { return r.h.cfg.HostToGuestFolderMounts }

// recordFailed turns a failed write of the job's event into the step's
// outcome. A conflict means a webhook moved the job: if this run's runner
// took it, or the runner is already started, the run goes on; if it
// finished or another runner took it, the preparation stops; if the job was
// requeued or claimed by someone else, this run's claim is gone.
func (r *run) recordFailed(ctx context.Context, err error) error {
	if !errors.Is(err, engine.ErrConflict) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return requeueOn(ReasonStoreError, err)
	}
	j, gerr := r.h.store.Get(ctx, r.jobID)
	if gerr != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return requeueOn(ReasonStoreError, gerr)
	}
	r.log.Info().Str("state", string(j.State)).Msg("job changed under this handler")
	committed := r.isRegistered()
	switch {
	case j.State == engine.EventInProgress && j.Runner == r.vm:
		return nil
	case j.State.Terminal(), j.State == engine.EventInProgress:
		if committed {
			return nil // the wait sorts it out; the runner may be busy
		}
		if j.State.Terminal() {
			r.abortPrep(errJobFinished)
		} else {
			r.abortPrep(errJobTaken)
		}
		return context.Cause(ctx)
	}
	r.cancelJob(errLeaseLost)
	return context.Cause(ctx)
}
