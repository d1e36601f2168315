#!/usr/bin/env python3
"""Inter-annotator agreement on the doubly annotated articles of the event corpus (issue 9).

For every document that two annotators annotated blind (two lines with the same doc_id in
corpus/annotations/*.jsonl, or in the files given), each annotation is joined with its text
(`scripts/annot.py build` does the same) and scored against the other with ../shared/eval/score.py,
in both directions. Prints both directions and, with --details, the events one side has and the other
lacks, for adjudication.

    python scripts/corpus_agreement.py [FILES...] [--details]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import annot  # noqa: E402

from marsad.extract.train_events import print_scores  # noqa: E402


def load_score():
    spec = importlib.util.spec_from_file_location("score", annot.SHARED / "eval" / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def scoring_copy(record: dict, score) -> dict:
    """The corpus lists every place mention; the scorer counts document-level places: keep one of each."""
    places = []
    for p in record["mentions"]["places"]:
        if not any(score.one_place(p, q) for q in places):
            places.append(p)
    return {**record, "mentions": {**record["mentions"], "places": places}}


def pairs(files: list[Path]) -> list[tuple[dict, dict]]:
    """Doubly annotated documents: (first annotation, second annotation), in file order."""
    by_doc: dict[str, list[dict]] = {}
    for path in files:
        for d in annot.read_jsonl(path):
            if d.get("adjudicated"):
                continue
            by_doc.setdefault(d["doc_id"], []).append(d)
    out = []
    for doc_id, ds in by_doc.items():
        annotators = {}
        for d in ds:
            annotators.setdefault(d.get("annotator"), d)
        if len(annotators) >= 2:
            a, b = list(annotators.values())[:2]
            out.append((a, b))
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*")
    ap.add_argument("--details", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    files = [Path(f) for f in args.files] if args.files else annot.annotation_files()
    score = load_score()
    doubles = pairs(files)
    if not doubles:
        sys.exit("no doubly annotated documents")
    first, second = {}, {}
    for a, b in doubles:
        for d, side in ((a, first), (b, second)):
            d, probs = annot.check_doc(json.loads(json.dumps(d)))
            if probs:
                print(f"{d['doc_id']} ({d.get('annotator')}): {len(probs)} problems, left out", file=sys.stderr)
                break
            side[d["doc_id"]] = annot.full_record(d)
    common = sorted(set(first) & set(second))
    first = {k: scoring_copy(first[k], score) for k in common}
    second = {k: scoring_copy(second[k], score) for k in common}
    ab = score.score(first, second)
    ba = score.score(second, first)
    if args.json:
        print(json.dumps({"documents": len(common), "first_as_gold": ab, "second_as_gold": ba}))
        return
    print(f"{len(common)} documents annotated twice")
    for name, res in (("first annotation as gold", ab), ("second annotation as gold", ba)):
        print_scores(res, f"\n{name}:")
    if args.details:
        for doc_id in common:
            g, p = first[doc_id], second[doc_id]
            show = lambda e: (e["plover"]["type"], (e.get("acled") or {}).get("sub_event_type"),
                              (e.get("location") or {}).get("name"), (e.get("date") or {}).get("value"),
                              e["anchor"]["span"][0])
            ga, pa = g.get("annotator"), p.get("annotator")
            print(f"\n== {doc_id}: {ga} {len(g['events'])} events, {pa} {len(p['events'])} events")
            for e in g["events"]:
                print(f"  {ga}: {show(e)}{' optional' if e.get('optional') else ''}")
            for e in p["events"]:
                print(f"  {pa}: {show(e)}{' optional' if e.get('optional') else ''}")


if __name__ == "__main__":
    main()
