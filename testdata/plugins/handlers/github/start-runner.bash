#!/usr/bin/env bash
# Starts the runner detached and returns at once; its output goes to
# runner.log in the runner directory. With ANKLET_JIT_CONFIG set the runner
# starts from that just-in-time config; otherwise it uses the registration
# made by register-runner.bash.
#
# Environment (from the env file the handler passes to `anka run -f`):
#   ANKLET_JIT_CONFIG  encoded JIT config (secret, never printed; optional)
#   ANKLET_RUNNER_DIR  runner directory (optional, see install-runner.bash)
set -euo pipefail

runner_dir="${ANKLET_RUNNER_DIR:-}"
if [[ -z "$runner_dir" ]]; then
  if [[ -e ./run.sh ]]; then runner_dir=.; else runner_dir="$HOME/actions-runner"; fi
fi
cd "$runner_dir"

if [[ -n "${ANKLET_JIT_CONFIG:-}" ]]; then
  nohup ./run.sh --jitconfig "$ANKLET_JIT_CONFIG" </dev/null >runner.log 2>&1 &
else
  nohup ./run.sh </dev/null >runner.log 2>&1 &
fi
echo "start-runner: runner started (pid $!)"
