#!/usr/bin/env python3
"""Hand-annotated place mentions: worksheet → marsad/data/geo/annotations/places.jsonl.

    python scripts/build_place_annotations.py [--shared ../shared]

The worksheet (places.ann, next to the output) names each mention by its text and occurrence in
the article ("+دير الزور@2": the third "دير الزور" of the text) and gives its label. This script
finds the character span in ../shared/data/news/articles.jsonl and writes one JSON line per
mention: doc_id, span, label kind, geonameid, lat, lon, geo_precision. No article text is stored.
Labels: gid:N (GeoNames, coordinates from the shipped gazetteer), ll:LAT,LON (no id known),
unk (a place whose position we could not establish: counts as a place, not for accuracy),
none (a false hit: not a place).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ANN = REPO / "marsad" / "data" / "geo" / "annotations"


def parse(path: Path):
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        doc, mention, label, prec, note = [c.strip() for c in line.split("|", 4)]
        text, occ = mention.lstrip("+").rsplit("@", 1)
        yield n, doc, text, int(occ), label, prec, note


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = ap.parse_args()
    from marsad.resolve.geo import Gazetteer

    gaz = Gazetteer.load()
    arts = {}
    with open(args.shared / "data" / "news" / "articles.jsonl", encoding="utf-8") as f:
        for line in f:
            a = json.loads(line)
            arts[a["id"]] = a["text"]
    gold = {json.loads(line)["doc_id"] for line in open(args.shared / "gold" / "dev.jsonl", encoding="utf-8")}
    rows, seen = [], set()
    for n, doc, text, occ, label, prec, note in parse(ANN / "places.ann"):
        if doc in gold:
            raise SystemExit(f"line {n}: {doc} is a dev gold document")
        t = arts[doc]
        i = -1
        for _ in range(occ + 1):
            i = t.find(text, i + 1)
            if i < 0:
                raise SystemExit(f"line {n}: occurrence {occ} of {text!r} not in {doc}")
        span = [i, i + len(text)]
        if (doc, i) in seen:
            raise SystemExit(f"line {n}: {doc} {span} annotated twice")
        seen.add((doc, i))
        row = {"doc_id": doc, "span": span, "label": label.split(":", 1)[0], "geonameid": None, "lat": None,
               "lon": None, "geo_precision": int(prec) if prec.isdigit() else None}
        if label.startswith("gid:"):
            e = gaz.by_gid(int(label[4:]))
            if e is None:
                raise SystemExit(f"line {n}: GeoNames id {label[4:]} not in the gazetteer")
            row.update(geonameid=e.gid, lat=e.lat, lon=e.lon, country=e.cc)
        elif label.startswith("ll:"):
            lat, lon = (float(x) for x in label[3:].split(","))
            row.update(lat=lat, lon=lon)
        elif label not in ("unk", "none"):
            raise SystemExit(f"line {n}: unknown label {label!r}")
        if note:
            row["note"] = note
        rows.append(row)
    rows.sort(key=lambda r: (r["doc_id"], r["span"]))
    out = ANN / "places.jsonl"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    kinds = {}
    for r in rows:
        kinds[r["label"]] = kinds.get(r["label"], 0) + 1
    print(f"{len(rows)} mentions in {len({r['doc_id'] for r in rows})} articles → {out.relative_to(REPO)} {kinds}")


if __name__ == "__main__":
    main()
