#!/usr/bin/env bash
# Re-create src/tirebrain/static/vendor/ from pinned npm packages.
#
# TireBrain runs on an intranet with no outside calls at run time, so every
# script and map it uses is committed under static/vendor/. This script is
# only needed to refresh or audit those files (it needs npm registry access,
# and PyPI for shapely; see docs/vendored-assets.md).
#
#   scripts/vendor_assets.sh            # rebuild the files in place
#   scripts/vendor_assets.sh --check    # rebuild in a temp dir, diff against the tree
#
# Deterministic: versions and tarball integrity hashes are pinned below;
# npm pack refuses a tarball whose sha512 differs from the registry's, and we
# additionally compare it to the value pinned here.
set -euo pipefail

ECHARTS_VERSION=6.1.0
ECHARTS_INTEGRITY="sha512-q0yaFPggC9FUdsWH4blavRWFmxdrIodbkoKNAjJudAI6CA9gNPxHtV2RcZNEepZVlk4yvBYkOkbk6HIVpIyHZA=="
ZRENDER_VERSION=6.1.0   # bundled inside echarts.min.js; shipped here only for its LICENSE
ZRENDER_INTEGRITY="sha512-oEGMDB6pOP2S6OwRR4PdVv610zrjnA3Bh+JnSG12fYJlBKjtNAoEb5fSUoCOOINlH96I2fU38/A2UpRKs67xYQ=="
HTMX_VERSION=2.0.11
HTMX_INTEGRITY="sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA=="
# Map source: the last ECharts release that shipped province maps.
MAPSRC_VERSION=4.9.0
MAPSRC_INTEGRITY="sha512-+ugizgtJ+KmsJyyDPxaw2Br5FqzuBnyOWwcxPKO6y0gc5caYcfnEUIlNStx02necw8jmKmTafmpHhGo4XDtEIA=="
SHAPELY_VERSION=2.2.0

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"

CHECK=0
if [[ "${1:-}" == "--check" ]]; then CHECK=1; fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

if [[ $CHECK == 1 ]]; then
  DEST="$WORK/out/vendor"
else
  DEST="$ROOT/src/tirebrain/static/vendor"
fi

fetch() {  # fetch NAME VERSION INTEGRITY -> unpacks into $WORK/NAME-VERSION/package
  local name="$1" version="$2" integrity="$3"
  local dir="$WORK/$name-$version"
  mkdir -p "$dir"
  local got
  got="$(cd "$dir" && npm pack --silent --json "$name@$version" 2>/dev/null \
        | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)[0]["integrity"])')"
  if [[ "$got" != "$integrity" ]]; then
    echo "integrity mismatch for $name@$version: $got" >&2
    exit 1
  fi
  tar -xzf "$dir"/*.tgz -C "$dir"
}

echo "fetching npm packages ..."
fetch echarts  "$ECHARTS_VERSION" "$ECHARTS_INTEGRITY";  mv "$WORK/echarts-$ECHARTS_VERSION" "$WORK/echarts"
fetch zrender  "$ZRENDER_VERSION" "$ZRENDER_INTEGRITY";  mv "$WORK/zrender-$ZRENDER_VERSION" "$WORK/zrender"
fetch htmx.org "$HTMX_VERSION"    "$HTMX_INTEGRITY";     mv "$WORK/htmx.org-$HTMX_VERSION" "$WORK/htmx"
fetch echarts  "$MAPSRC_VERSION"  "$MAPSRC_INTEGRITY";   mv "$WORK/echarts-$MAPSRC_VERSION" "$WORK/mapsrc"

mkdir -p "$DEST/echarts" "$DEST/htmx" "$DEST/maps"

# 1. Apache ECharts
install -m 0644 "$WORK/echarts/package/dist/echarts.min.js" "$DEST/echarts/echarts.min.js"
install -m 0644 "$WORK/echarts/package/LICENSE"             "$DEST/echarts/LICENSE"
install -m 0644 "$WORK/echarts/package/NOTICE"              "$DEST/echarts/NOTICE"
# LICENSE refers to licenses/LICENSE-d3; zrender (BSD-3-Clause) is bundled in the dist file.
install -m 0644 "$WORK/echarts/package/licenses/LICENSE-d3" "$DEST/echarts/LICENSE-d3"
install -m 0644 "$WORK/zrender/package/LICENSE"             "$DEST/echarts/LICENSE-zrender"

# 2. htmx
install -m 0644 "$WORK/htmx/package/dist/htmx.min.js" "$DEST/htmx/htmx.min.js"
install -m 0644 "$WORK/htmx/package/LICENSE"          "$DEST/htmx/LICENSE"

# 3. Shandong prefecture-level city map
echo "building Shandong map (python venv with shapely==$SHAPELY_VERSION) ..."
"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet --disable-pip-version-check "shapely==$SHAPELY_VERSION"
"$WORK/venv/bin/python" "$ROOT/scripts/build_shandong_map.py" \
  "$WORK/mapsrc/package/map/json/province/shandong.json" \
  "$DEST/maps/shandong-cities.json"
install -m 0644 "$WORK/mapsrc/package/LICENSE" "$DEST/maps/LICENSE"
if [[ $CHECK == 1 ]]; then
  # SOURCE.md is hand-written; keep the tree's copy out of the comparison.
  cp "$ROOT/src/tirebrain/static/vendor/maps/SOURCE.md" "$DEST/maps/SOURCE.md" 2>/dev/null || true
fi

echo
echo "sha256 (compare with docs/vendored-assets.md):"
(cd "$DEST" && find . -type f ! -name SOURCE.md | LC_ALL=C sort | xargs sha256sum)

if [[ $CHECK == 1 ]]; then
  if diff -r "$DEST" "$ROOT/src/tirebrain/static/vendor"; then
    echo "OK: static/vendor matches a fresh build"
  else
    echo "static/vendor differs from a fresh build" >&2
    exit 1
  fi
fi
