package anka

import (
	"context"
	"time"
)

// VM is one row of `anka -j list`: a VM or a template.
type VM struct {
	Name         string
	UUID         string
	Tag          string // the "version" field: current tag; empty when untagged
	Status       string // stopped, running, suspended, failed
	CreationDate time.Time
}

type vmRow struct {
	Name    string    `json:"name"`
	UUID    string    `json:"uuid"`
	Version string    `json:"version"`
	Status  string    `json:"status"`
	Created timestamp `json:"creation_date"`
}

func (r vmRow) vm() VM {
	return VM{
		Name: r.Name, UUID: r.UUID, Tag: r.Version, Status: r.Status,
		CreationDate: time.Time(r.Created),
	}
}

// List runs `anka -j list [ids…]`: every VM and template, or only those
// named. An unknown id fails with ErrNotFound.
func (c *CLI) List(ctx context.Context, ids ...string) ([]VM, error) {
	cl := call{op: "list", args: append([]string{"list"}, ids...)}
	if len(ids) == 1 {
		cl.vm = ids[0]
	}
	return c.list(ctx, cl, false)
}

// ListRunning runs `anka -j list -r`. A body that is not an array (the CLI
// prints {} when nothing runs) counts as no VMs.
func (c *CLI) ListRunning(ctx context.Context) ([]VM, error) {
	return c.list(ctx, call{op: "list", args: []string{"list", "-r"}}, true)
}

func (c *CLI) list(ctx context.Context, cl call, lenient bool) ([]VM, error) {
	env, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	if emptyBody(env.Body) || lenient && !isArray(env.Body) {
		return nil, nil
	}
	var rows []vmRow
	if err := decodeBody(cl, env, &rows); err != nil {
		return nil, err
	}
	out := make([]VM, 0, len(rows))
	for _, r := range rows {
		if r.Name == "" && r.UUID == "" {
			return nil, badOutput(cl, "list row without name or uuid")
		}
		out = append(out, r.vm())
	}
	return out, nil
}

// VMInfo is what `anka -j show <vm>` reports.
type VMInfo struct {
	UUID         string
	Name         string
	Tag          string // the "version" field
	Status       string
	CPUCores     int
	RAMSize      uint64 // bytes
	ImageSize    uint64 // bytes the image really uses on disk
	HardDrive    uint64 // bytes, the virtual disk's size
	CreationDate time.Time
	AccessDate   time.Time
}

// Show runs `anka -j show <vm>`. An unknown VM fails with ErrNotFound.
func (c *CLI) Show(ctx context.Context, vm string) (VMInfo, error) {
	cl := call{op: "show", vm: vm, args: []string{"show", vm}}
	env, err := c.do(ctx, cl)
	if err != nil {
		return VMInfo{}, err
	}
	var b struct {
		vmRow
		CPU       int       `json:"cpu_cores"`
		RAMSize   size      `json:"ram_size"`
		ImageSize size      `json:"image_size"`
		HardDrive size      `json:"hard_drive"`
		Accessed  timestamp `json:"access_date"`
	}
	if err := decodeBody(cl, env, &b); err != nil {
		return VMInfo{}, err
	}
	if b.Name == "" && b.UUID == "" {
		return VMInfo{}, badOutput(cl, "show body without name or uuid")
	}
	return VMInfo{
		UUID: b.UUID, Name: b.Name, Tag: b.Version, Status: b.Status, CPUCores: b.CPU,
		RAMSize: uint64(b.RAMSize), ImageSize: uint64(b.ImageSize), HardDrive: uint64(b.HardDrive),
		CreationDate: time.Time(b.Created), AccessDate: time.Time(b.Accessed),
	}, nil
}

// ShowTags runs `anka -j show <vm> tag` and returns the tag names, the
// current one first as the CLI lists them. A body that is not an array
// means no tags.
func (c *CLI) ShowTags(ctx context.Context, vm string) ([]string, error) {
	cl := call{op: "show", vm: vm, args: []string{"show", vm, "tag"}}
	env, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	if !isArray(env.Body) {
		return nil, nil
	}
	var rows []struct {
		Tag string `json:"tag"`
	}
	if err := decodeBody(cl, env, &rows); err != nil {
		return nil, err
	}
	var tags []string
	for _, r := range rows {
		if r.Tag == "" {
			return nil, badOutput(cl, "tag row without tag")
		}
		tags = append(tags, r.Tag)
	}
	return tags, nil
}
