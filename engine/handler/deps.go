package handler

import (
	"context"

	"github.com/anklet/anklet/anka"
	"github.com/anklet/anklet/github"
)

// GitHub is what the handler asks of GitHub; *github.Client satisfies it.
// Implementations wait out rate limits themselves and return errors that
// wrap the github package's sentinels (ErrNotFound, ErrJITUnavailable,
// ErrRunnerBusy).
type GitHub interface {
	// RunnerGroupID resolves a runner group name (1 for "" or a repository
	// scope).
	RunnerGroupID(ctx context.Context, scope github.Scope, name string) (int64, error)
	// JITConfig mints a just-in-time config for one ephemeral runner.
	JITConfig(ctx context.Context, scope github.Scope, name string, groupID int64,
		labels []string) (runnerID int64, encoded string, err error)
	// RegistrationToken returns a runner registration token, the fallback
	// when JITConfig fails with github.ErrJITUnavailable.
	RegistrationToken(ctx context.Context, scope github.Scope) (string, error)
	// Runners lists the runners of scope whose name starts with prefix.
	Runners(ctx context.Context, scope github.Scope, prefix string) ([]github.Runner, error)
	// RemoveRunner deletes a runner registration; gone already is success.
	RemoveRunner(ctx context.Context, scope github.Scope, id int64) error
	// Job reports where a workflow job stands.
	Job(ctx context.Context, owner, repo string, jobID int64) (github.JobStatus, error)
	// WebURL is the root runners register against, for the fallback.
	WebURL() string
}

// Anka is what the handler asks of the host's Anka CLI; *anka.CLI
// satisfies it. Errors match the anka package's sentinels (ErrNotFound,
// ErrMaxRunning).
type Anka interface {
	ListRunning(ctx context.Context) ([]anka.VM, error)
	RunningUsage(ctx context.Context) (vms int, cpu int, ramBytes uint64, err error)
	TemplatePresent(ctx context.Context, uuid, tag string) (bool, error)
	Show(ctx context.Context, vm string) (anka.VMInfo, error)
	CheckDownloadSize(ctx context.Context, template, tag, registry string) (anka.DownloadSize, error)
	Pull(ctx context.Context, remote, template, tag string, shrink bool) error
	Clone(ctx context.Context, template, name, tag string) error
	Start(ctx context.Context, vm string) error
	Mount(ctx context.Context, vm, hostPath, guestName string) error
	Copy(ctx context.Context, hostPath, vm string) error
	Run(ctx context.Context, vm string, env map[string]string, args ...string) (anka.RunResult, error)
	Delete(ctx context.Context, vm string) error
}

// Compile-time checks that the real clients fit.
var (
	_ GitHub = (*github.Client)(nil)
	_ Anka   = (*anka.CLI)(nil)
)
