#!/usr/bin/env bash
# Reproduce marsad/api/static/vendor/ (Swagger UI and ReDoc for /docs and /redoc) from the npm registry.
# Usage: bash scripts/vendor_api_docs.sh   (needs npm; writes only the dist files, licences and a VERSION.txt)
set -euo pipefail
SWAGGER_UI_VERSION="${SWAGGER_UI_VERSION:-5.36.0}"
REDOC_VERSION="${REDOC_VERSION:-2.5.4}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/marsad/api/static/vendor"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
npm init -y >/dev/null 2>&1
npm install --no-audit --no-fund --ignore-scripts "swagger-ui-dist@${SWAGGER_UI_VERSION}" "redoc@${REDOC_VERSION}" >/dev/null
rm -rf "$DEST"
mkdir -p "$DEST/swagger-ui" "$DEST/redoc"
SW="$TMP/node_modules/swagger-ui-dist"
cp "$SW/swagger-ui-bundle.js" "$SW/swagger-ui.css" "$DEST/swagger-ui/"
cp "$SW/LICENSE" "$DEST/swagger-ui/LICENSE.txt"
cp "$SW/NOTICE" "$DEST/swagger-ui/NOTICE.txt"
RD="$TMP/node_modules/redoc"
cp "$RD/bundles/redoc.standalone.js" "$DEST/redoc/"
cp "$RD/bundles/redoc.standalone.js.LICENSE.txt" "$DEST/redoc/redoc.standalone.js.LICENSE.txt"
cp "$RD/LICENSE" "$DEST/redoc/LICENSE.txt"
# the bundles end with a sourceMappingURL comment; the maps are not shipped, so the comment goes
sed -i '/^\/\/# sourceMappingURL=/d' "$DEST/swagger-ui/swagger-ui-bundle.js" "$DEST/redoc/redoc.standalone.js"
sed -i 's|/\*# sourceMappingURL=.*\*/||' "$DEST/swagger-ui/swagger-ui.css"
# ReDoc's sidebar shows a logo from cdn.redoc.ly: point it at an empty image (its onError hides it), so the
# page asks nothing of the network (the CSP would refuse it anyway)
sed -i 's|"https://cdn.redoc.ly/redoc/logo-mini.svg"|"data:,"|' "$DEST/redoc/redoc.standalone.js"
printf 'swagger-ui-dist %s and redoc %s from the npm registry (dist files and licences; source map comments and the CDN logo URL removed)\n' \
  "$(node -p "require('$SW/package.json').version")" "$(node -p "require('$RD/package.json').version")" > "$DEST/VERSION.txt"
echo "vendored Swagger UI and ReDoc into $DEST"
ls -la "$DEST"/*
