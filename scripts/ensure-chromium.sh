#!/usr/bin/env bash
# Browser tests drive Debian's Chromium. Install it when missing (CI runs as root); never `playwright install`.
set -euo pipefail
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
if [ "${CI:-}" = "true" ]; then
  echo "CI=true and Chromium is missing at $CHROMIUM, and it cannot be installed here (not root)." >&2
  exit 1
fi
echo "!!! Chromium is missing at $CHROMIUM: browser tests will be SKIPPED. Install it: sudo apt-get install chromium" >&2
