#!/usr/bin/env bash
# Builds Jaeger v2 (the collector-based `cmd/jaeger` binary) from the Go module
# proxy into a cache directory OUTSIDE the repo, and reuses it when present.
#
#   tools/jaeger/build.sh               build if needed, print the binary path
#   tools/jaeger/build.sh --print-path  only print where the binary is/would be
#   tools/jaeger/build.sh --check       exit 0 if the cached binary exists
#
# Why not plain `go install github.com/jaegertracing/jaeger/cmd/jaeger@vX`:
# Jaeger's go.mod carries a `replace github.com/Shopify/sarama => ... v1.33.0`
# directive, and `go install pkg@version` refuses any module whose go.mod has
# replace directives. So we do what `go install` would do by hand: a throwaway
# main module in the cache dir that requires the same Jaeger version, copies
# Jaeger's replace directive, and builds cmd/jaeger with Jaeger's own
# dependency versions (MVS picks exactly the versions Jaeger's go.mod lists).
#
# Version: Jaeger tags every v2 release twice (v2.N.0 and v1.(N+63).0) because
# its module path has no /v2 suffix, so the proxy serves only the v1.x tags.
# v1.76.0 is the same commit as Jaeger v2.13.0; cmd/jaeger is the v2 binary.
#
# Cache: ${ORG_TRACE_CACHE:-$HOME/.cache/org-trace}/jaeger-<version>/jaeger
# Uncached: ~15-20 min on 2 busy cores (measured: ~16 min + module downloads); cached: instant.
set -euo pipefail
# shellcheck source=../lib/cached-build.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/cached-build.sh"

version="${JAEGER_VERSION:-v1.76.0}"
cache_root="${ORG_TRACE_CACHE:-$HOME/.cache/org-trace}"
dir="$cache_root/jaeger-$version"
bin="$dir/jaeger"

cached_build_begin "$bin" "$dir" "tools/jaeger/build.sh: Go is not installed (Jaeger $version needs Go >= 1.24.6)" "$@"

src="$dir/src"
rm -rf "$src"
mkdir -p "$src"
cd "$src"

start=$(date +%s)
echo "tools/jaeger/build.sh: building Jaeger $version into $dir (15+ minutes on 2 cores)" >&2
{
  go mod init org-trace.local/jaeger-build
  go mod download -json "github.com/jaegertracing/jaeger@$version" >/dev/null
  jaeger_mod="$(go mod download -json "github.com/jaegertracing/jaeger@$version" \
    | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
  # Copy Jaeger's own replace directives (only one-line `replace a => b v` forms exist).
  grep -E '^replace [^ ]+ => [^ ]+ v[^ ]+$' "$jaeger_mod" | while read -r _ from _ to ver; do
    go mod edit -replace="$from=$to@$ver"
  done
  go get "github.com/jaegertracing/jaeger/cmd/jaeger@$version"
} >"$dir/build.log" 2>&1 || {
  echo "tools/jaeger/build.sh: resolving modules failed; last lines of $dir/build.log:" >&2
  tail -30 "$dir/build.log" >&2
  exit 1
}

# nice: the build is heavy and the machine's 2 cores are shared with tests.
if ! nice -n 10 go build -trimpath -o "$src/jaeger.tmp" github.com/jaegertracing/jaeger/cmd/jaeger >>"$dir/build.log" 2>&1; then
  echo "tools/jaeger/build.sh: the build failed; last lines of $dir/build.log:" >&2
  tail -30 "$dir/build.log" >&2
  exit 1
fi
# Check it runs before caching it, so a broken binary is never reused.
"$src/jaeger.tmp" --help >>"$dir/build.log" 2>&1
mv "$src/jaeger.tmp" "$bin"
echo "tools/jaeger/build.sh: built in $(( $(date +%s) - start ))s" >&2
echo "$bin"
