#!/usr/bin/env bash
# `make load-test`: the load and fault test (benchmarks/load_faults.py) on 127.0.0.1. Installs Debian's nginx when
# missing (as root, like scripts/ensure-chromium.sh does for Chromium); locust comes from requirements-dev.txt.
# Needs PostgreSQL on 127.0.0.1:5432 (a role that may create databases) and Redis on 127.0.0.1:6379.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
if ! command -v nginx >/dev/null; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's nginx for the load balancer…"
    # The package's own service (listening on every address) must not start: the test runs nginx itself, on
    # 127.0.0.1 only. A policy-rc.d that refuses every start does that for the time of the install.
    policy_added=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
      chmod +x /usr/sbin/policy-rc.d
      policy_added=1
      trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
    if [ -n "$policy_added" ]; then
      rm -f /usr/sbin/policy-rc.d
      trap - EXIT
    fi
  else
    echo "nginx is missing and cannot be installed here (not root): sudo apt-get install nginx" >&2
    exit 1
  fi
fi
if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
  echo "PostgreSQL does not answer on 127.0.0.1:5432: start it first (service postgresql start)." >&2
  exit 1
fi
exec "$BIN/python" benchmarks/load_faults.py "$@"
