#!/usr/bin/env python3
"""Build marsad/web/static/basemap.geojson from Natural Earth 110m admin-0 countries.

Source: ../shared/data/geo/ne_110m_admin_0_countries_v4.1.0 (Natural Earth v4.1.0,
public domain). Needs pyshp (``pip install pyshp``) and shapely (a marsad dependency).

    python scripts/build_basemap.py [--geo DIR] [--out FILE] [--tolerance DEG] [--digits N]

Output: a GeoJSON FeatureCollection of countries with properties
``name`` (English), ``name_ar`` (Arabic), ``iso_a2`` and ``iso_a3``, coordinates
rounded to a few decimals and lightly simplified so the file stays small.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_GEO = ROOT.parent / "shared" / "data" / "geo"
DEFAULT_OUT = ROOT / "marsad" / "web" / "static" / "basemap.geojson"
SHP_DIR = "ne_110m_admin_0_countries_v4.1.0"
SHP_NAME = "ne_110m_admin_0_countries"

# ISO_A2 is "-99" for a few units in v4.1.0; these are the usual fixes.
ISO_FIX = {"FRA": ("FR", "FRA"), "NOR": ("NO", "NOR")}


def _round(obj, digits):
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), digits) for v in obj]
        return [_round(v, digits) for v in obj]
    return obj


def build(geo_dir: Path, out: Path, tolerance: float, digits: int) -> dict:
    import shapefile  # pyshp
    from shapely.geometry import mapping, shape

    reader = shapefile.Reader(str(geo_dir / SHP_DIR / SHP_NAME), encoding="utf-8")
    features = []
    for sr in reader.shapeRecords():
        rec = sr.record.as_dict()
        geom = shape(sr.shape.__geo_interface__)
        if tolerance > 0:
            geom = geom.simplify(tolerance, preserve_topology=True)
        if geom.is_empty:
            continue
        iso_a2, iso_a3 = rec.get("ISO_A2"), rec.get("ISO_A3")
        if rec.get("ADM0_A3") in ISO_FIX:
            iso_a2, iso_a3 = ISO_FIX[rec["ADM0_A3"]]
        gj = mapping(geom)
        features.append({
            "type": "Feature",
            "properties": {
                "name": rec.get("NAME"),
                "name_ar": rec.get("NAME_AR") or None,
                "iso_a2": None if iso_a2 in (None, "-99") else iso_a2,
                "iso_a3": None if iso_a3 in (None, "-99") else iso_a3,
            },
            "geometry": {"type": gj["type"], "coordinates": _round(gj["coordinates"], digits)},
        })
    features.sort(key=lambda f: f["properties"]["name"] or "")
    fc = {
        "type": "FeatureCollection",
        "name": "marsad-basemap",
        "source": "Natural Earth 1:110m Cultural Vectors, Admin 0 - Countries v4.1.0 (public domain)",
        "features": features,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return fc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--geo", type=Path, default=DEFAULT_GEO)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--tolerance", type=float, default=0.02)
    ap.add_argument("--digits", type=int, default=3)
    a = ap.parse_args()
    fc = build(a.geo, a.out, a.tolerance, a.digits)
    print(f"wrote {a.out} ({len(fc['features'])} countries, {a.out.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
