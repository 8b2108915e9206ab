#!/usr/bin/env bash
# Installs the GitHub Actions runner in the guest unless the template already
# has it (templates should pre-install it; downloading per job is slow).
#
# Environment (all optional):
#   ANKLET_RUNNER_DIR      runner directory; default ./ when ./run.sh exists,
#                          else $HOME/actions-runner
#   ANKLET_RUNNER_VERSION  runner release to install; default pinned below
#   ANKLET_RUNNER_SHA256   expected sha256 of the release archive; checked
#                          when set
set -euo pipefail

runner_dir="${ANKLET_RUNNER_DIR:-}"
if [[ -z "$runner_dir" ]]; then
  if [[ -e ./run.sh ]]; then runner_dir=.; else runner_dir="$HOME/actions-runner"; fi
fi
if [[ -e "$runner_dir/run.sh" ]]; then
  echo "install-runner: runner already installed in $runner_dir"
  exit 0
fi

version="${ANKLET_RUNNER_VERSION:-2.332.0}"
case "$(uname -s)" in
  Darwin) os=osx ;;
  Linux) os=linux ;;
  *) echo "install-runner: unsupported OS $(uname -s)" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  arm64 | aarch64) arch=arm64 ;;
  x86_64 | amd64) arch=x64 ;;
  *) echo "install-runner: unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac
archive="actions-runner-${os}-${arch}-${version}.tar.gz"
url="https://github.com/actions/runner/releases/download/v${version}/${archive}"

mkdir -p "$runner_dir"
cd "$runner_dir"
echo "install-runner: downloading $url"
curl --fail --silent --show-error --location --retry 3 --output "$archive" "$url"

if [[ -n "${ANKLET_RUNNER_SHA256:-}" ]]; then
  if command -v sha256sum >/dev/null 2>&1; then
    actual="$(sha256sum "$archive" | cut -d' ' -f1)"
  else
    actual="$(shasum -a 256 "$archive" | cut -d' ' -f1)"
  fi
  if [[ "$actual" != "$ANKLET_RUNNER_SHA256" ]]; then
    echo "install-runner: sha256 mismatch for $archive: got $actual" >&2
    rm -f "$archive"
    exit 1
  fi
fi

tar xzf "$archive"
rm -f "$archive"
echo "install-runner: installed runner $version in $runner_dir"
