#!/usr/bin/env bash
# Debian packages the test suite needs beyond Python: Chromium for the Playwright browser journeys
# (Playwright cannot download its own browser here) and gettext (xgettext/msgfmt) for the
# translation checks. Needs root or passwordless sudo; does nothing when both are present.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v xgettext >/dev/null 2>&1 || missing+=(gettext)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo -n"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
