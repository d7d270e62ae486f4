#!/usr/bin/env bash
# Debian packages the project needs beyond Python. Needs root or passwordless sudo; does nothing
# when everything is present.
#
#   scripts/install-system-packages.sh          everything `make test` needs (below)
#   scripts/install-system-packages.sh search   only the search analysers (`make run` calls this)
#
# Search analysers (network/search/analysis.py): libvoikko1 + voikko-fi (Finnish morphology:
# lemmas and compound parts), hunspell-sv, hunspell-de-de, hunspell-nl (word lists the Swedish,
# German and Dutch compound splitter reads). Without them search still works, with the fallbacks
# /readyz and `manage.py search_index --check` name.
# Test tools: Chromium for the Playwright browser journeys (Playwright cannot download its own
# browser here) and gettext (xgettext/msgfmt) for the translation checks.
set -euo pipefail
missing=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for pkg in libvoikko1 voikko-fi hunspell-sv hunspell-de-de hunspell-nl; do
  have_pkg "$pkg" || missing+=("$pkg")
done
if [ "${1:-all}" != "search" ]; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v xgettext >/dev/null 2>&1 || missing+=(gettext)
fi
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Not a Debian system: install ${missing[*]} with your package manager." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo -n"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
