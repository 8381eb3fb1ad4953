#!/usr/bin/env bash
# Renders the profile report of examples/items.jsonl and screenshots it in headless Chromium, so
# the HTML can be checked by eye and the README picture refreshed.
#
#   scripts/html-screenshot.sh [ITEMS.jsonl] [OUT.png]
#
# Needs `chromium` (Debian: apt-get install -y chromium). Set HTML=path to keep the report.
# The browser runs with networking features off: the report must need nothing from outside.
set -euo pipefail
cd "$(dirname "$0")/.."

items="${1:-examples/items.jsonl}"
png="${2:-docs/profile-report.png}"
html="${HTML:-$(mktemp --suffix=.html)}"
width="${WIDTH:-1280}"
height="${HEIGHT:-2600}"

mkdir -p "$(dirname "$png")"
cargo run --quiet -p nucleus-insights --example profile -- "$items" html > "$html"
profile_dir="$(mktemp -d)"
trap 'rm -rf "$profile_dir"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --hide-scrollbars --user-data-dir="$profile_dir" \
  --screenshot="$png" --window-size="$width,$height" "file://$(realpath "$html")" 2>/dev/null
echo "wrote $png from $html"
