#!/usr/bin/env bash
# Builds the project's OpenTelemetry Collector with the OpenTelemetry
# Collector Builder (ocb) from tools/collector/manifest.yaml, into a cache
# directory OUTSIDE the repo, and reuses it when present.
#
#   tools/collector/build.sh               build if needed, print the binary path
#   tools/collector/build.sh --print-path  only print where the binary is/would be
#   tools/collector/build.sh --check       exit 0 if the cached binary is current
#
# Cache: ${ORG_TRACE_CACHE:-$HOME/.cache/org-trace}/otelcol-<version>-<manifest hash>/
# The hash is part of the directory name so that changing the component list
# builds a new binary instead of silently testing an old one.
#
# Takes ~5-10 minutes on 2 cores the first time (plus module downloads);
# a second run is a no-op. Concurrent runs (CI + a developer, two test
# workers) serialise on a lock file instead of building twice.
set -euo pipefail
# shellcheck source=../lib/cached-build.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/cached-build.sh"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
manifest="$here/manifest.yaml"
cache_root="${ORG_TRACE_CACHE:-$HOME/.cache/org-trace}"

version="$(sed -n 's/^  version: *\([0-9.]*\).*/\1/p' "$manifest" | head -1)"
if [ -z "$version" ]; then
  echo "build.sh: cannot read dist.version from $manifest" >&2
  exit 2
fi
# Comments do not change the binary, so they do not change the hash.
hash="$(grep -v '^[[:space:]]*#' "$manifest" | sha256sum | cut -c1-12)"
dir="$cache_root/otelcol-$version-$hash"
bin="$dir/otelcol-org-trace"

cached_build_begin "$bin" "$dir" "build.sh: Go is not installed; the collector is built from the Go module proxy with Go >= 1.25" "$@"

export GOBIN="$cache_root/bin"
builder="$GOBIN/builder-v$version"
if [ ! -x "$builder" ]; then
  echo "build.sh: installing the collector builder v$version" >&2
  mkdir -p "$GOBIN"
  tmpbin="$(mktemp -d)"
  GOBIN="$tmpbin" go install "go.opentelemetry.io/collector/cmd/builder@v$version" >&2
  mv "$tmpbin/builder" "$builder"
  rmdir "$tmpbin"
fi

src="$dir/src"
rm -rf "$src"
sed "s#@OUTPUT_PATH@#$src#" "$manifest" >"$dir/manifest.yaml"

echo "build.sh: building otelcol-org-trace v$version into $dir (several minutes on 2 cores)" >&2
start=$(date +%s)
# nice: the build would otherwise starve whatever else shares the machine.
if ! nice -n 10 "$builder" --config "$dir/manifest.yaml" >"$dir/build.log" 2>&1; then
  echo "build.sh: the collector build failed; last lines of $dir/build.log:" >&2
  tail -30 "$dir/build.log" >&2
  exit 1
fi

# The builder leaves the binary inside its source dir; move it into place
# only after checking it runs, so a half-built binary is never "cached".
"$src/otelcol-org-trace" components >"$dir/components.txt"
mv "$src/otelcol-org-trace" "$bin"
echo "build.sh: built in $(( $(date +%s) - start ))s" >&2
echo "$bin"
