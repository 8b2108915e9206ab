package handler

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/anklet/anklet/engine"
	"github.com/anklet/anklet/github"
)

// Variables of the env file the plugin scripts read (`anka run -f`). The
// file is mode 0600 and removed when the script returns; secrets never
// appear in argv.
const (
	EnvRunnerName        = "ANKLET_RUNNER_NAME"
	EnvJITConfig         = "ANKLET_JIT_CONFIG"
	EnvRegistrationToken = "ANKLET_REGISTRATION_TOKEN"
	EnvRunnerURL         = "ANKLET_RUNNER_URL"
	EnvRunnerLabels      = "ANKLET_RUNNER_LABELS"
	EnvRunnerGroup       = "ANKLET_RUNNER_GROUP"
)

// maxScriptOutput is how much of a failed script's output goes into the
// error: its last bytes.
const maxScriptOutput = 512

// startRunner gets the runner's credentials, copies the plugin scripts into
// the VM and runs them: install-runner.bash, register-runner.bash (only
// with a registration token) and start-runner.bash, which starts the runner
// and returns. Then the job is registered.
func (r *run) startRunner(ctx context.Context) error {
	env, jit, err := r.credentials(ctx)
	if err != nil {
		return err
	}
	scripts := []string{ScriptInstall, ScriptStart}
	if !jit {
		scripts = append(scripts, ScriptRegister)
	}
	dir := filepath.Join(r.h.opts.PluginsPath, scriptsSubdir)
	for _, s := range scripts {
		if err := r.h.opts.Anka.Copy(ctx, filepath.Join(dir, s), r.vm); err != nil {
			return requeueOn(ReasonRunnerFailed, fmt.Errorf("copy %s: %w", s, err))
		}
	}

	if err := r.script(ctx, ScriptInstall, nil); err != nil {
		return err
	}
	if !jit {
		if err := r.script(ctx, ScriptRegister, env); err != nil {
			return err
		}
	}
	if !r.commitRunner(ctx) {
		return context.Cause(ctx)
	}
	if err := r.script(ctx, ScriptStart, env); err != nil {
		return err
	}

	err = r.record(ctx, engine.EventRegistered, map[string]string{engine.FieldRunner: r.vm})
	if err != nil {
		if err := r.recordFailed(ctx, err); err != nil {
			return err
		}
	}
	r.h.opts.Metrics.ObserveRegistration(time.Since(r.vmStartedAt))
	r.log.Info().Bool("jit", jit).Msg("runner started")
	return nil
}

// credentials mints the runner's JIT config, or a registration token when
// GitHub offers no JIT configs, and returns the env file's variables. Both
// secrets are handed to the log scrubber and never logged.
func (r *run) credentials(ctx context.Context) (map[string]string, bool, error) {
	gh, scope := r.h.opts.GitHub, r.h.scope
	group, err := gh.RunnerGroupID(ctx, scope, r.h.cfg.RunnerGroup)
	if err != nil {
		return nil, false, requeueOn(ReasonGitHubError, fmt.Errorf("runner group: %w", err))
	}

	r.runnerMinted = true
	_, jit, err := gh.JITConfig(ctx, scope, r.vm, group, r.job.Labels)
	if err == nil {
		r.addSecret(jit)
		return map[string]string{EnvRunnerName: r.vm, EnvJITConfig: jit}, true, nil
	}
	if !errors.Is(err, github.ErrJITUnavailable) {
		return nil, false, requeueOn(ReasonGitHubError, err)
	}

	r.log.Info().Msg("JIT runner configs unavailable; registering with a token")
	token, err := gh.RegistrationToken(ctx, scope)
	if err != nil {
		return nil, false, requeueOn(ReasonGitHubError, err)
	}
	r.addSecret(token)
	url := strings.TrimRight(gh.WebURL(), "/") + "/" + scope.String()
	return map[string]string{
		EnvRunnerName: r.vm, EnvRegistrationToken: token, EnvRunnerURL: url,
		EnvRunnerLabels: strings.Join(r.job.Labels, ","), EnvRunnerGroup: r.h.cfg.RunnerGroup,
	}, false, nil
}

func (r *run) addSecret(s string) {
	if r.h.opts.Secrets != nil {
		r.h.opts.Secrets.Add(s)
	}
}

// script runs one plugin script in the VM's home, where Copy put it.
func (r *run) script(ctx context.Context, name string, env map[string]string) error {
	res, err := r.h.opts.Anka.Run(ctx, r.vm, env, "bash", "./"+name)
	if err != nil {
		return requeueOn(ReasonRunnerFailed, fmt.Errorf("%s: %w", name, err))
	}
	if res.ExitCode != 0 {
		out := res.Output
		if len(out) > maxScriptOutput {
			out = out[len(out)-maxScriptOutput:]
		}
		return requeueOn(ReasonRunnerFailed, fmt.Errorf("%s exited with status %d: %s",
			name, res.ExitCode, strings.TrimSpace(string(out))))
	}
	return nil
}
