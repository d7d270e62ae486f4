#!/usr/bin/env bash
# Installs Debian's Chromium for the Playwright browser journeys (Playwright cannot download its own
# browser here). Needs root or passwordless sudo; harmless when Chromium is already installed.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo -n"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
