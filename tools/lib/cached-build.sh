# Sourced by the tools/*/build.sh scripts that build a binary from the Go module proxy into a cache
# outside the repo. One place for their shared contract:
#   build.sh               build if needed, print the binary path
#   build.sh --print-path  only print where the binary is/would be
#   build.sh --check       exit 0 if the cached binary is there
# and for the parts every such build needs before it starts: reuse the cached binary, require Go,
# and serialise concurrent builds (CI + a developer, two test workers) on a lock file.
#
# usage: cached_build_begin <bin> <dir> <message when Go is missing> "$@"
# Returns only when the caller must build; holds the lock (fd 9) until the script exits.
cached_build_begin() {
  local bin=$1 dir=$2 no_go=$3
  shift 3
  case "${1:-}" in
    --print-path) echo "$bin"; exit 0 ;;
    --check) [ -x "$bin" ] && exit 0 || exit 1 ;;
    "") ;;
    *) echo "usage: $0 [--print-path|--check]" >&2; exit 2 ;;
  esac
  if [ -x "$bin" ]; then
    echo "$bin"
    exit 0
  fi
  if ! command -v go >/dev/null 2>&1; then
    echo "$no_go" >&2
    exit 3
  fi
  mkdir -p "$dir"
  exec 9>"$dir/.lock"
  flock 9
  # Another process may have finished the build while we waited for the lock.
  if [ -x "$bin" ]; then
    echo "$bin"
    exit 0
  fi
  # -buildvcs=false: the generated modules live outside any git checkout.
  export GOFLAGS="${GOFLAGS:+$GOFLAGS }-buildvcs=false"
}
