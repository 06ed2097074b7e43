#!/usr/bin/env bash
# Creates the Python venv of the interop tests' Flask peer from
# tools/python/requirements.txt (exact pins, PyPI) in a cache directory OUTSIDE
# the repo, reuses it when present, and prints the path of its python.
#
#   tools/python/setup-venv.sh               create if needed, print the python path
#   tools/python/setup-venv.sh --print-path  only print where it is/would be
#
# Cache: ${ORG_TRACE_CACHE:-$HOME/.cache/org-trace}/pyvenv-<py version>-<requirements hash>/
# The hash is in the name so a changed pin never reuses an old venv.
# Uncached: ~30-60 s (downloads); cached: instant.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
req="$here/requirements.txt"
python="${ORG_TRACE_PYTHON:-python3}"
cache_root="${ORG_TRACE_CACHE:-$HOME/.cache/org-trace}"

if ! command -v "$python" >/dev/null 2>&1; then
  echo "tools/python/setup-venv.sh: $python not found (CPython >= 3.9 needed)" >&2
  exit 3
fi
pyver="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
hash="$(grep -v '^[[:space:]]*#' "$req" | sha256sum | cut -c1-12)"
dir="$cache_root/pyvenv-$pyver-$hash"
bin="$dir/bin/python"

case "${1:-}" in
  --print-path) echo "$bin"; exit 0 ;;
  "") ;;
  *) echo "usage: $0 [--print-path]" >&2; exit 2 ;;
esac

# The marker is written last: a venv whose install was interrupted is rebuilt, not reused.
if [ -f "$dir/.complete" ]; then
  echo "$bin"
  exit 0
fi

mkdir -p "$cache_root"
exec 9>"$dir.lock"
flock 9
if [ -f "$dir/.complete" ]; then
  echo "$bin"
  exit 0
fi

rm -rf "$dir"
"$python" -m venv "$dir"
# --no-deps: the file lists the whole closure, so pip installs exactly it and
# `pip check` below catches a pin set that no longer fits together.
if ! "$bin" -m pip install --disable-pip-version-check --no-input --no-deps -r "$req" >"$dir/install.log" 2>&1; then
  echo "tools/python/setup-venv.sh: pip install failed; last lines of $dir/install.log:" >&2
  tail -20 "$dir/install.log" >&2
  exit 1
fi
if ! "$bin" -m pip check >>"$dir/install.log" 2>&1; then
  echo "tools/python/setup-venv.sh: the pinned set is inconsistent (pip check); see $dir/install.log" >&2
  tail -10 "$dir/install.log" >&2
  exit 1
fi
"$bin" -c 'import flask, requests, opentelemetry.sdk, opentelemetry.instrumentation.flask' 
touch "$dir/.complete"
echo "$bin"
