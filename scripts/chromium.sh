#!/usr/bin/env bash
# Install Chromium from Debian for the browser tests when it is missing.
# Playwright's own browser download cannot work on these machines; the tests
# drive this Chromium through executable_path. Idempotent.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium.sh: chromium missing and cannot be installed here (need root and apt-get)" >&2
  exit 1
fi
if [ ! -f /tmp/.djust-apt-updated ]; then
  apt-get update -qq && touch /tmp/.djust-apt-updated
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
command -v chromium >/dev/null
