#!/usr/bin/env python3
"""ASSAULT and PROTEST sentence detection on ../shared/data/events/arabic_event_gsr.

    python scripts/eval_gsr.py [--shared ../shared]

Each labelled sentence is a positive ("yes") or a negative ("easy no", "difficult no");
"ambiguous" ones are left out. Two detectors are scored:
  events   - the full pipeline emits an event of that PLOVER type (needs a place, an actor ...);
  triggers - a trigger of that type fires in the sentence (before argument requirements).
"""
from __future__ import annotations

import argparse
import csv
from pathlib import Path

from marsad.extract.triggers import find_triggers
from marsad.pipeline import Pipeline
from marsad.text.segment import tokens

REPO = Path(__file__).resolve().parent.parent


def prf(tp: int, fp: int, fn: int) -> str:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f"P {p:.3f}  R {r:.3f}  F1 {f:.3f}  (tp {tp}, fp {fp}, fn {fn})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--no-ner", action="store_true")
    args = ap.parse_args()
    pipeline = Pipeline(ner=not args.no_ner)
    for kind in ("assault", "protest"):
        rows = list(csv.DictReader(open(args.shared / "data/events/arabic_event_gsr" / f"{kind}_gsr.csv",
                                        encoding="utf-8")))
        rows = [r for r in rows if r["label"] in ("yes", "easy no", "difficult no")]
        want = kind.upper()
        counts = {"events": [0, 0, 0], "triggers": [0, 0, 0]}
        for r in rows:
            gold = r["label"] == "yes"
            doc = pipeline.run(pipeline.make_doc_lenient(r["text"]))
            found = {"events": any(e.plover.type == want for e in doc.events),
                     "triggers": any(t.row.type == want for t in find_triggers(tokens(r["text"])))}
            for k, hit in found.items():
                c = counts[k]
                c[0] += hit and gold
                c[1] += hit and not gold
                c[2] += gold and not hit
        n_yes = sum(r["label"] == "yes" for r in rows)
        print(f"{want}: {len(rows)} sentences ({n_yes} yes)")
        for k, (tp, fp, fn) in counts.items():
            print(f"  {k:9} {prf(tp, fp, fn)}")


if __name__ == "__main__":
    main()
