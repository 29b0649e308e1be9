#!/usr/bin/env bash
# The browser test drives the system Chromium through playwright-core (no bundled browser download),
# so CI installs the distribution package once; re-running is a no-op when it is already there.
set -euo pipefail

CHROMIUM_PATH="${STORYWATCH_CHROMIUM:-/usr/bin/chromium}"

if [ -x "$CHROMIUM_PATH" ]; then
  echo "chromium already installed at $CHROMIUM_PATH"
  exit 0
fi

SUDO=''
if [ "$(id -u)" -ne 0 ]; then
  SUDO='sudo'
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium fonts-dejavu-core
"$CHROMIUM_PATH" --version
