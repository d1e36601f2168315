#!/usr/bin/env python3
"""Events placed outside the region their article is about, over the 358 development articles.

    python scripts/out_of_region.py [--shared ../shared] [--no-ner] [-o out/out_of_region.tsv]

The article's country is the country of most of its places. Listed: every located event outside
the Middle East and North Africa, and every located event outside the article's country (with the
location's text and name, so that each can be checked against the article).
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Middle East and North Africa + Turkey and Iran (the countries the news is about)
MENA = set("SY IQ LB JO PS IL YE EG LY SD SS SA AE QA KW BH OM DZ MA TN MR SO DJ KM TR IR EH".split())


def in_mena(country, lat, lon) -> bool:
    """A MENA country, or no country (a sea, a strait, "الشرق الأوسط") inside the region's box."""
    return country in MENA if country else (0 <= lat <= 45 and -20 <= lon <= 66)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--no-ner", action="store_true")
    ap.add_argument("-o", "--output", type=Path, default=REPO / "out" / "out_of_region.tsv")
    args = ap.parse_args()
    from marsad.pipeline import InputDoc, Pipeline

    items = []
    with open(args.shared / "data" / "news" / "articles.jsonl", encoding="utf-8") as f:
        for line in f:
            a = json.loads(line)
            items.append(InputDoc(text=a["text"], doc_id=a["id"], published=a.get("published"),
                                  outlet=a.get("outlet"), title=a.get("title")))
    located = outside_mena = outside_country = 0
    rows = []
    for rec in Pipeline(ner=not args.no_ner).process(items):
        if not hasattr(rec, "events"):
            continue
        countries = Counter(p.country for p in rec.mentions.places if p.country)
        main = countries.most_common(1)[0][0] if countries else None
        for ev in rec.events:
            loc = ev.location
            if not loc or loc.lat is None:
                continue
            located += 1
            far = not in_mena(loc.country, loc.lat, loc.lon)
            other = main is not None and loc.country != main
            outside_mena += far
            outside_country += other
            if far or other:
                kind = (ev.acled.sub_event_type if ev.acled else None) or ev.plover.type
                rows.append((rec.doc_id, "outside MENA" if far else "other country", kind, loc.text or "",
                             loc.name or "", loc.country or "", f"{loc.lat:.3f},{loc.lon:.3f}", main or ""))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8") as f:
        f.write("doc_id\twhy\tevent\tplace_text\tplace_name\tplace_country\tlat,lon\tarticle_country\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    for r in rows:
        if r[1] == "outside MENA":
            print("  " + " | ".join(r))
    print(f"located events {located}; outside MENA {outside_mena}; outside the article's country "
          f"{outside_country} → {args.output}")


if __name__ == "__main__":
    main()
