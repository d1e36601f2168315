#!/usr/bin/env python3
"""Place resolution measured on the hand-annotated mentions (marsad/data/geo/annotations/places.jsonl).

    python scripts/eval_places.py [--shared ../shared] [--no-ner] [--docs held-out|all] [-v]

For each annotated place: detected (a predicted place overlaps its span), pinned within 10 km (or
the same GeoNames id), and, where the annotation has a GeoNames id, the exact id. Detection
precision counts predicted places that overlap no annotated place (or one annotated "none").
"""
from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ANN = REPO / "marsad" / "data" / "geo" / "annotations" / "places.jsonl"


def km(la1, lo1, la2, lo2) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (la1, lo1, la2, lo2))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 6371 * 2 * math.asin(min(1.0, math.sqrt(h)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--no-ner", action="store_true")
    ap.add_argument("--held-out", action="store_true", help="only the articles annotated after the rules were fixed")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every miss and wrong pin")
    args = ap.parse_args()
    from marsad.pipeline import Pipeline

    ann: dict[str, list[dict]] = {}
    for line in ANN.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        ann.setdefault(r["doc_id"], []).append(r)
    held = set((ANN.parent / "held_out.txt").read_text().split()) if (ANN.parent / "held_out.txt").exists() else set()
    if args.held_out:
        ann = {d: v for d, v in ann.items() if d in held}
    arts = {}
    with open(args.shared / "data" / "news" / "articles.jsonl", encoding="utf-8") as f:
        for line in f:
            a = json.loads(line)
            if a["id"] in ann:
                arts[a["id"]] = a
    pipeline = Pipeline(ner=not args.no_ner)
    n = detected = within = gid_n = gid_ok = pred_n = pred_ok = 0
    for d, rows in sorted(ann.items()):
        a = arts[d]
        rec = pipeline.extract(a["text"], published=(a.get("published") or "")[:10] or None, doc_id=d)
        preds = rec.mentions.places
        overlaps = lambda r, p: p.span and p.span[0] < r["span"][1] and r["span"][0] < p.span[1]
        for p in preds:
            pred_n += 1
            pred_ok += any(overlaps(r, p) and r["label"] != "none" for r in rows)
            if args.verbose and not any(overlaps(r, p) and r["label"] != "none" for r in rows):
                print(f"  false  {d} {p.span} {p.text} -> {p.name} ({p.country})")
        for r in rows:
            if r["label"] in ("none", "unk"):
                continue
            n += 1
            hit = [p for p in preds if overlaps(r, p)]
            if not hit:
                if args.verbose:
                    print(f"  missed {d} {r['span']} {a['text'][r['span'][0]:r['span'][1]]}")
                continue
            detected += 1
            p = hit[0]
            ok = (r["geonameid"] and p.geonameid == r["geonameid"]) or (
                p.lat is not None and km(p.lat, p.lon, r["lat"], r["lon"]) <= 10)
            within += bool(ok)
            if r["geonameid"]:
                gid_n += 1
                gid_ok += p.geonameid == r["geonameid"]
            if args.verbose and not ok:
                print(f"  wrong  {d} {r['span']} {p.text} -> {p.name} ({p.country}), "
                      f"{km(p.lat, p.lon, r['lat'], r['lon']):.0f} km off")
    print(f"articles {len(ann)}, annotated places {n} (+ unknown-position places and false-hit labels)")
    print(f"detection: recall {detected / n:.3f} ({detected}/{n}), precision {pred_ok / max(pred_n, 1):.3f} "
          f"({pred_ok}/{pred_n})")
    print(f"resolution of detected places: within 10 km {within / max(detected, 1):.3f} ({within}/{detected}); "
          f"exact GeoNames id {gid_ok / max(gid_n, 1):.3f} ({gid_ok}/{gid_n})")


if __name__ == "__main__":
    main()
