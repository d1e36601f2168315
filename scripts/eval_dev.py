#!/usr/bin/env python3
"""Run the pipeline over the gold development set and score it with ../shared/eval/score.py.

    python scripts/eval_dev.py [--shared ../shared] [--no-ner] [--learned-events] [-o out/dev-pred.jsonl]

Prints the scorer's table; the README's quality table comes from this command.
"""
from __future__ import annotations

import argparse
import os
import json
import subprocess
import sys
from pathlib import Path

from marsad.pipeline import InputDoc, Pipeline

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--no-ner", action="store_true", help="switch the NER model off")
    ap.add_argument("--learned-events", action="store_true",
                    help="the learned stack (MARSAD_EVENTS=learned: trigger models, place ranker, event filter) instead of the lexicon and rules")
    ap.add_argument("-o", "--output", type=Path, default=REPO / "out" / "dev-pred.jsonl")
    args = ap.parse_args()
    gold = args.shared / "gold" / "dev.jsonl"
    if args.learned_events:
        os.environ["MARSAD_EVENTS"] = "learned"
    pipeline = Pipeline(ner=not args.no_ner)
    items = []
    for line in gold.read_text(encoding="utf-8").splitlines():
        g = json.loads(line)
        items.append(InputDoc(text=g["text"], doc_id=g["doc_id"], published=g.get("published"),
                              outlet=g.get("outlet"), title=g.get("title")))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8") as out:
        for rec in pipeline.process(items):
            out.write(json.dumps(rec.model_dump(), ensure_ascii=False) + "\n")
    print(f"# {len(items)} documents → {args.output} (ner={'off' if args.no_ner else 'on'})")
    sys.exit(subprocess.call([sys.executable, str(args.shared / "eval" / "score.py"), str(gold), str(args.output)]))


if __name__ == "__main__":
    main()
