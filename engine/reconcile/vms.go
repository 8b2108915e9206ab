package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/anklet/anklet/anka"
)

// DefaultVMInterval is how often OrphanVMs runs a pass when
// VMOptions.Interval is zero.
const DefaultVMInterval = 2 * time.Minute

// VMHost is the part of the Anka CLI that OrphanVMs uses; *anka.CLI
// implements it.
type VMHost interface {
	VMsWithPrefix(ctx context.Context, prefix string) ([]anka.VM, error)
	Delete(ctx context.Context, vm string) error
}

// VMOptions configures NewOrphanVMs.
type VMOptions struct {
	// Anka lists and deletes this host's VMs. Required.
	Anka VMHost
	// Owned reports whether a live handler on this host owns VM vm (holds
	// its lock). Required. An error keeps the VM and clears its mark.
	Owned func(vm string) (bool, error)
	// Interval is the time between passes; default 2 min.
	Interval time.Duration
	// Logger receives what was deleted (info), failed passes (error) and
	// the rest (debug). The zero Logger discards.
	Logger zerolog.Logger
	// OnPass, if set, is called with the report of every pass Run makes,
	// for metrics.
	OnPass func(Report)
}

// OrphanVMs deletes this host's `anklet-vm-*` VMs that no live handler
// owns. A VM found unowned is marked; the next pass deletes it if it is
// still unowned, and forgets the mark if it is owned again. It never
// touches a VM whose name lacks VMPrefix. It is safe for concurrent use;
// passes run one at a time.
type OrphanVMs struct {
	opts VMOptions
	loop loop

	mu     sync.Mutex
	marked map[string]time.Time // VM name → when it was first found unowned
}

// NewOrphanVMs returns the VM reconciler. It fails when Anka or Owned is
// missing: without a way to tell owned VMs it could delete live ones.
func NewOrphanVMs(opts VMOptions) (*OrphanVMs, error) {
	if opts.Anka == nil || opts.Owned == nil {
		return nil, fmt.Errorf("new orphan VM reconciler: Anka and Owned must be set")
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultVMInterval
	}
	o := &OrphanVMs{opts: opts, marked: make(map[string]time.Time)}
	o.loop = loop{what: "orphan VMs", interval: opts.Interval, log: opts.Logger,
		pass: o.Pass, onPass: opts.OnPass}
	return o, nil
}

// Run passes at once and then every interval until ctx is done, and
// returns nil. A failed pass is logged and tried again at the next tick.
func (o *OrphanVMs) Run(ctx context.Context) error { return o.loop.run(ctx) }

// Pass lists the `anklet-vm-*` VMs, deletes those marked on an earlier pass
// that are still unowned, and marks the unowned rest. It fails only when
// the VMs cannot be listed; a VM that cannot be checked or deleted is
// logged, counted in Failed, and left for the next pass.
func (o *OrphanVMs) Pass(ctx context.Context) (Report, error) {
	o.mu.Lock()
	defer o.mu.Unlock()

	vms, err := o.opts.Anka.VMsWithPrefix(ctx, VMPrefix)
	if err != nil {
		return Report{}, fmt.Errorf("list VMs: %w", err)
	}

	var r Report
	seen := make(map[string]bool, len(vms))
	for _, vm := range vms {
		if !strings.HasPrefix(vm.Name, VMPrefix) || seen[vm.Name] {
			continue
		}
		seen[vm.Name] = true
		r.Seen++
		if err := o.check(ctx, vm.Name, &r); err != nil {
			if ctx.Err() != nil {
				return r, fmt.Errorf("orphan VM pass: %w", ctx.Err())
			}
			r.Failed++
			o.opts.Logger.Warn().Err(err).Str("vm", vm.Name).Msg("orphan VM check failed")
		}
	}

	for name := range o.marked {
		if !seen[name] {
			delete(o.marked, name)
		}
	}
	return r, nil
}

// check marks or deletes VM name when no live handler owns it.
func (o *OrphanVMs) check(ctx context.Context, name string, r *Report) error {
	owned, err := o.opts.Owned(name)
	if err != nil || owned {
		delete(o.marked, name)
		if err != nil {
			return fmt.Errorf("check owner: %w", err)
		}
		return nil
	}

	since, ok := o.marked[name]
	if !ok {
		o.marked[name] = time.Now()
		r.Marked++
		o.opts.Logger.Debug().Str("vm", name).Msg("VM has no owner; deleting it next pass")
		return nil
	}

	if err := o.opts.Anka.Delete(ctx, name); err != nil && !errors.Is(err, anka.ErrNotFound) {
		return fmt.Errorf("delete: %w", err)
	}
	delete(o.marked, name)
	r.Removed++
	o.opts.Logger.Info().Str("vm", name).Time("unowned_since", since).
		Msg("deleted orphan VM")
	return nil
}
