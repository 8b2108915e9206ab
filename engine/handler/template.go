package handler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/anklet/anklet/anka"
	"github.com/anklet/anklet/engine"
)

// prepare walks the job to a running runner: template, capacity, VM,
// runner. A failure is a *stepError carrying its outcome, or a context
// error when the preparation was cut short.
func (r *run) prepare(ctx context.Context) error {
	tmpl, err := ParseTemplate(r.job.Labels)
	if err != nil {
		return failOn(err.Error(), err)
	}
	r.tmpl = tmpl
	r.log = r.log.With().Str("ankaTemplate", tmpl.UUID).
		Str("ankaTemplateTag", tagOrLatest(tmpl.Tag)).Logger()

	if err := r.ensureTemplate(ctx); err != nil {
		return err
	}
	if err := r.checkCapacity(ctx); err != nil {
		return err
	}
	if err := r.startVM(ctx); err != nil {
		return err
	}
	return r.startRunner(ctx)
}

// ensureTemplate makes sure the template (and tag) is on the host, pulling
// it under the host-wide pull lock. A template or tag the registry does not
// have fails the job; any other pull failure is transient.
func (r *run) ensureTemplate(ctx context.Context) error {
	a, t := r.h.opts.Anka, r.tmpl
	present, err := a.TemplatePresent(ctx, t.UUID, t.Tag)
	if err != nil {
		return requeueOn(ReasonHostError, fmt.Errorf("check template: %w", err))
	}
	if present {
		return nil
	}
	if r.h.cfg.SkipPull {
		return requeueOn(ReasonTemplateMissing,
			fmt.Errorf("template %s tag %s is not on the host and skip_pull is set",
				t.UUID, tagOrLatest(t.Tag)))
	}

	lock, err := tryLock(pullLockPath(r.h.opts.WorkDir))
	if errors.Is(err, errLocked) {
		return requeueOn(ReasonPullBusy, err)
	}
	if err != nil {
		return requeueOn(ReasonHostError, err)
	}
	defer lock.release(false)
	_ = lock.write(fmt.Sprintf("template=%s tag=%s vm=%s\n", t.UUID, tagOrLatest(t.Tag), r.vm))

	// Another process may have pulled it while this one waited for the lock.
	if present, err := a.TemplatePresent(ctx, t.UUID, t.Tag); err == nil && present {
		return nil
	}
	err = r.record(ctx, engine.EventPulling, map[string]string{
		engine.FieldTemplate: t.UUID, engine.FieldTag: t.Tag})
	if err != nil {
		return r.recordFailed(ctx, err)
	}
	r.h.status.update(func(s *status) { s.pulling++ })
	defer r.h.status.update(func(s *status) { s.pulling-- })
	return r.pull(ctx)
}

// pull checks the disk and pulls the template.
func (r *run) pull(ctx context.Context) error {
	a, t, registry := r.h.opts.Anka, r.tmpl, r.h.cfg.RegistryURL
	notInRegistry := func(err error) error {
		return failOn(fmt.Sprintf("template %s tag %s not in registry", t.UUID,
			tagOrLatest(t.Tag)), err)
	}

	res, err := r.h.opts.HostResources(ctx)
	if err != nil {
		return requeueOn(ReasonHostError, err)
	}
	size, err := a.CheckDownloadSize(ctx, t.UUID, t.Tag, registry)
	switch {
	case errors.Is(err, anka.ErrNotFound):
		return notInRegistry(err)
	case err != nil:
		return requeueOn(ReasonPullFailed, fmt.Errorf("check download size: %w", err))
	}
	buffer := uint64(float64(res.DiskBytes) * r.h.cfg.TemplateDiskBuffer / 100)
	// TODO: delete least-recently-used templates no VM uses to make room;
	// until then a full disk sends the job to another host.
	if !size.Fits(buffer) {
		return requeueOn(ReasonNoDisk, fmt.Errorf(
			"download of %d bytes (%d cached) does not fit in %d available with %d kept free",
			size.Size, size.Cached, size.Available, buffer))
	}

	r.log.Info().Uint64("bytes", size.Size).Msg("pulling template")
	began := time.Now()
	err = a.Pull(ctx, registry, t.UUID, t.Tag, false)
	switch {
	case errors.Is(err, anka.ErrNotFound):
		return notInRegistry(err)
	case err != nil:
		return requeueOn(ReasonPullFailed, err)
	}
	r.h.opts.Metrics.ObservePull(time.Since(began))
	r.log.Info().Dur("took", time.Since(began).Round(time.Millisecond)).Msg("template pulled")
	return nil
}

// checkCapacity requeues the job when the template's CPU or memory does
// not fit next to the VMs already running, unless the checks are off.
func (r *run) checkCapacity(ctx context.Context) error {
	if r.h.cfg.SkipCPUAndMemoryResourceChecks || r.h.opts.SkipResourceChecks {
		return nil
	}
	a := r.h.opts.Anka
	info, err := a.Show(ctx, r.tmpl.UUID)
	if err != nil {
		return requeueOn(ReasonHostError, fmt.Errorf("show template: %w", err))
	}
	res, err := r.h.opts.HostResources(ctx)
	if err != nil {
		return requeueOn(ReasonHostError, err)
	}
	_, cpu, ram, err := a.RunningUsage(ctx)
	if err != nil {
		return requeueOn(ReasonHostError, fmt.Errorf("running VMs: %w", err))
	}

	freeCPU, freeRAM := res.CPUs-cpu, uint64(0)
	if res.MemoryBytes > ram {
		freeRAM = res.MemoryBytes - ram
	}
	if info.CPUCores > freeCPU || info.RAMSize > freeRAM {
		return requeueOn(ReasonNoCapacity, fmt.Errorf(
			"template needs %d CPUs and %d bytes; host has %d CPUs and %d bytes free",
			info.CPUCores, info.RAMSize, max(freeCPU, 0), freeRAM))
	}
	return nil
}

func tagOrLatest(tag string) string {
	if tag == "" {
		return "(latest)"
	}
	return tag
}
