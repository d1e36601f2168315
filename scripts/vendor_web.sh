#!/usr/bin/env bash
# Reproduce marsad/web/static/vendor/leaflet/ from the npm registry.
# Usage: bash scripts/vendor_web.sh   (needs npm; writes only the dist files and licence)
set -euo pipefail
LEAFLET_VERSION="${LEAFLET_VERSION:-1.9.4}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/marsad/web/static/vendor/leaflet"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
npm init -y >/dev/null 2>&1
npm install --no-audit --no-fund --ignore-scripts "leaflet@${LEAFLET_VERSION}" >/dev/null
SRC="$TMP/node_modules/leaflet"
rm -rf "$DEST"
mkdir -p "$DEST"
cp "$SRC/dist/leaflet.js" "$SRC/dist/leaflet.css" "$DEST/"
# marker/layer images are not used (the app draws circle markers)
cp "$SRC/LICENSE" "$DEST/LICENSE.txt"
printf 'leaflet %s from the npm registry (dist/ files and LICENSE, unmodified)\n' \
  "$(node -p "require('$SRC/package.json').version")" > "$DEST/VERSION.txt"
echo "vendored leaflet into $DEST"
ls -la "$DEST"
