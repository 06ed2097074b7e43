#!/usr/bin/env bash
# Installs the Debian packages the collector/nginx/alert-rule tests run for
# real: nginx (a proxy in front of an instrumented app), prometheus (for
# promtool) and chromium (renders trace-analyze's HTML report). Idempotent:
# does nothing when the tools are already on PATH, so
# .ci/run can call it unconditionally and developers can re-run it.
set -euo pipefail

need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
# Headless Chromium renders trace-analyze's HTML report in its test.
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)

if [ ${#need[@]} -eq 0 ]; then
  echo "install-system-deps: nginx, promtool and chromium already present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi

echo "install-system-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
# The packages' maintainer scripts would start system-wide nginx/prometheus
# daemons (port 80 / 9090). Tests start their own instances on loopback
# ports, so keep the packaged services from starting while installing.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod +x "$policy"
  created_policy=1
fi
cleanup() { if [ "$created_policy" = 1 ]; then $SUDO rm -f "$policy"; fi; }
trap cleanup EXIT

$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null

command -v promtool >/dev/null && promtool --version 2>&1 | head -1
/usr/sbin/nginx -v
