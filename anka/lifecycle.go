package anka

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
)

// Clone runs `anka -j clone [--tag tag] <template> <name>`. An unknown
// template or tag fails with ErrNotFound, a taken name with ErrExists.
func (c *CLI) Clone(ctx context.Context, template, name, tag string) error {
	args := []string{"clone"}
	if tag != "" {
		args = append(args, "--tag", tag)
	}
	_, err := c.do(ctx, call{op: "clone", vm: name, args: append(args, template, name)})
	return err
}

// Start runs `anka -j start <vm>`. A host already at its running limit
// fails with ErrMaxRunning.
func (c *CLI) Start(ctx context.Context, vm string) error {
	_, err := c.do(ctx, call{op: "start", vm: vm, args: []string{"start", vm}})
	return err
}

// Stop runs `anka -j stop [--force] <vm>`.
func (c *CLI) Stop(ctx context.Context, vm string, force bool) error {
	args := []string{"stop"}
	if force {
		args = append(args, "--force")
	}
	_, err := c.do(ctx, call{op: "stop", vm: vm, args: append(args, vm)})
	return err
}

// Delete runs `anka -j delete --yes <vm>`, which stops a running VM first.
// A VM that does not exist is already gone: that returns nil.
func (c *CLI) Delete(ctx context.Context, vm string) error {
	_, err := c.do(ctx, call{op: "delete", vm: vm, args: []string{"delete", "--yes", vm}})
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// Copy runs `anka -j cp -a <host path> <vm>:`, copying a file or directory
// into the guest user's home. Symbolic links in hostPath are resolved first.
func (c *CLI) Copy(ctx context.Context, hostPath, vm string) error {
	real, err := realPath(hostPath)
	if err != nil {
		return fmt.Errorf("anka cp %s: %w", vm, err)
	}
	_, err = c.do(ctx, call{op: "cp", vm: vm, args: []string{"cp", "-a", real, vm + ":"}})
	return err
}

// Mount runs `anka -j mount <vm> <host path>[:<guest name>]` (Anka 3.9+);
// the folder appears in the guest under /Volumes/My Shared Files/<name>.
func (c *CLI) Mount(ctx context.Context, vm, hostPath, guestName string) error {
	real, err := realPath(hostPath)
	if err != nil {
		return fmt.Errorf("anka mount %s: %w", vm, err)
	}
	if guestName != "" {
		real += ":" + guestName
	}
	_, err = c.do(ctx, call{op: "mount", vm: vm, args: []string{"mount", vm, real}})
	return err
}

func realPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", p, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", p, err)
	}
	return real, nil
}
