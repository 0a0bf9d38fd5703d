#!/usr/bin/env python3
"""Build vendor/maps/shandong-cities.json from ECharts 4.9.0's Shandong map.

Input:  map/json/province/shandong.json from the npm package echarts@4.9.0
        (ECharts "UTF8Encoding" compressed GeoJSON, one feature per city,
        including the former 莱芜市 (371200), merged into 济南市 in 2019).
Output: plain GeoJSON FeatureCollection with exactly 16 features, each with
        properties {"adcode": "<GB/T 2260 code>", "name": "<city name>"},
        coordinates rounded to 4 decimals (lon/lat exactly as in the source).

Usage:  python build_shandong_map.py SRC.json OUT.json
Needs:  shapely >= 2.1 (make_valid method="structure").  Output is deterministic for a given input.
"""

import json
import sys

from shapely import make_valid, set_precision
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.ops import unary_union

# GB/T 2260 codes of Shandong's 16 prefecture-level cities (since 2019).
CITIES = {
    "370100": "济南市",
    "370200": "青岛市",
    "370300": "淄博市",
    "370400": "枣庄市",
    "370500": "东营市",
    "370600": "烟台市",
    "370700": "潍坊市",
    "370800": "济宁市",
    "370900": "泰安市",
    "371000": "威海市",
    "371100": "日照市",
    "371300": "临沂市",
    "371400": "德州市",
    "371500": "聊城市",
    "371600": "滨州市",
    "371700": "菏泽市",
}
LAIWU = ("371200", "莱芜市")  # merged into 济南市 (370100) in January 2019
MERGE_INTO = "370100"

DECIMALS = 4
GRID = 10**-DECIMALS
SIMPLIFY_TOLERANCE = 0.0  # degrees; raise (e.g. 0.005) if the file gets too big
MAX_BYTES = 400 * 1024


def decode_polygon(encoded, offsets, scale):
    """Port of decodePolygon() in echarts 4 src/coord/geo/parseGeoJson.js."""
    out = []
    prev_x, prev_y = offsets[0], offsets[1]
    for i in range(0, len(encoded), 2):
        x = ord(encoded[i]) - 64
        y = ord(encoded[i + 1]) - 64
        x = (x >> 1) ^ (-(x & 1))  # ZigZag decoding
        y = (y >> 1) ^ (-(y & 1))
        x += prev_x
        y += prev_y
        prev_x, prev_y = x, y
        out.append([x / scale, y / scale])
    return out


def decode(doc):
    """Port of decode() in echarts 4 parseGeoJson.js; returns plain GeoJSON."""
    if not doc.get("UTF8Encoding"):
        return doc
    scale = doc.get("UTF8Scale") or 1024
    for feat in doc["features"]:
        geom = feat["geometry"]
        offs = geom.pop("encodeOffsets")
        if geom["type"] == "Polygon":
            geom["coordinates"] = [
                decode_polygon(ring, offs[r], scale) for r, ring in enumerate(geom["coordinates"])
            ]
        elif geom["type"] == "MultiPolygon":
            geom["coordinates"] = [
                [decode_polygon(ring, offs[p][r], scale) for r, ring in enumerate(poly)]
                for p, poly in enumerate(geom["coordinates"])
            ]
        else:
            raise ValueError(f"unexpected geometry type {geom['type']!r}")
    doc["UTF8Encoding"] = False
    return doc


def polygons(geom):
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    # GeometryCollection etc.: keep only areal parts
    return [p for g in getattr(geom, "geoms", []) for p in polygons(g)]


def tidy(geom, tolerance):
    """Simplify, snap to the 4-decimal grid, drop zero-area pieces."""
    if tolerance:
        geom = geom.simplify(tolerance, preserve_topology=True)
    geom = set_precision(geom, GRID)
    polys = [p for p in polygons(geom) if p.area > 0]
    # deterministic ordering: largest piece first
    polys.sort(key=lambda p: (-p.area, p.bounds))
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def to_coords(geom):
    def ring(r):
        return [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in r.coords]

    def poly(p):
        return [ring(p.exterior)] + [ring(i) for i in p.interiors]

    if isinstance(geom, Polygon):
        return {"type": "Polygon", "coordinates": poly(geom)}
    return {"type": "MultiPolygon", "coordinates": [poly(p) for p in geom.geoms]}


def build(src_doc, tolerance):
    doc = decode(src_doc)
    by_code = {}
    for feat in doc["features"]:
        name = feat["properties"]["name"]
        code = str(feat.get("id") or "")
        if (code, name) != LAIWU and CITIES.get(code) != name:
            raise SystemExit(f"unexpected feature id={code!r} name={name!r}")
        geom = shape(feat["geometry"])
        if not geom.is_valid:
            # The source has a few bow-tie self-intersections and degenerate
            # 2-point islets; "structure" keeps the enclosed area (no loss).
            geom = make_valid(geom, method="structure", keep_collapsed=False)
        by_code[code] = geom
    if LAIWU[0] in by_code:
        laiwu = by_code.pop(LAIWU[0])
        by_code[MERGE_INTO] = unary_union([by_code[MERGE_INTO], laiwu])
    missing = set(CITIES) - set(by_code)
    if missing:
        raise SystemExit(f"missing cities: {sorted(missing)}")
    features = []
    for code in sorted(CITIES):
        geom = tidy(by_code[code], tolerance)
        features.append(
            {
                "type": "Feature",
                "properties": {"adcode": code, "name": CITIES[code]},
                "geometry": to_coords(geom),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def dumps(doc):
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"


def main(argv):
    if len(argv) != 3:
        raise SystemExit(__doc__)
    with open(argv[1], encoding="utf-8") as fh:
        src = json.load(fh)
    out = build(src, SIMPLIFY_TOLERANCE)
    text = dumps(out)
    if len(text.encode("utf-8")) > MAX_BYTES:
        with open(argv[1], encoding="utf-8") as fh:
            src = json.load(fh)
        out = build(src, 0.005)
        text = dumps(out)
    # sanity checks
    assert len(out["features"]) == 16
    minx, miny, maxx, maxy = unary_union([shape(f["geometry"]) for f in out["features"]]).bounds
    assert 114.5 < minx < 115.5 and 122.4 < maxx < 123.0, (minx, maxx)
    assert 34.0 < miny < 34.8 and 38.0 < maxy < 38.6, (miny, maxy)
    with open(argv[2], "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    size = len(text.encode("utf-8"))
    print(
        f"wrote {argv[2]}: {len(out['features'])} features, {size} bytes, "
        f"bbox lon {minx:.4f}-{maxx:.4f} lat {miny:.4f}-{maxy:.4f}"
    )


if __name__ == "__main__":
    main(sys.argv)
