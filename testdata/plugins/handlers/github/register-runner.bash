#!/usr/bin/env bash
# Registers the runner with a registration token. Only used when a JIT
# config is not available; a JIT runner needs no registration step.
#
# Environment (from the env file the handler passes to `anka run -f`):
#   ANKLET_RUNNER_URL          https://github.com/OWNER[/REPO] (or GHES URL)
#   ANKLET_REGISTRATION_TOKEN  registration token (secret, never printed)
#   ANKLET_RUNNER_NAME         runner name (the VM name)
#   ANKLET_RUNNER_LABELS       comma-separated labels
#   ANKLET_RUNNER_GROUP        runner group (optional)
#   ANKLET_RUNNER_DIR          runner directory (optional, see install-runner.bash)
set -euo pipefail

: "${ANKLET_RUNNER_URL:?ANKLET_RUNNER_URL is not set}"
: "${ANKLET_REGISTRATION_TOKEN:?ANKLET_REGISTRATION_TOKEN is not set}"
: "${ANKLET_RUNNER_NAME:?ANKLET_RUNNER_NAME is not set}"
: "${ANKLET_RUNNER_LABELS:?ANKLET_RUNNER_LABELS is not set}"

runner_dir="${ANKLET_RUNNER_DIR:-}"
if [[ -z "$runner_dir" ]]; then
  if [[ -e ./run.sh ]]; then runner_dir=.; else runner_dir="$HOME/actions-runner"; fi
fi
cd "$runner_dir"

args=(
  --url "$ANKLET_RUNNER_URL"
  --token "$ANKLET_REGISTRATION_TOKEN"
  --name "$ANKLET_RUNNER_NAME"
  --labels "$ANKLET_RUNNER_LABELS"
  --no-default-labels
  --ephemeral
  --disableupdate
  --unattended
)
if [[ -n "${ANKLET_RUNNER_GROUP:-}" ]]; then
  args+=(--runnergroup "$ANKLET_RUNNER_GROUP")
fi

./config.sh "${args[@]}"
