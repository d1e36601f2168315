#!/usr/bin/env python3
"""How many gold event actors (country, sector) appear among our mentions in the anchor sentence.

    python scripts/eval_actors.py [../shared/gold/dev.jsonl]

Runs the segmenter and the actor stage only (no NER). Prints coverage for first actors
(what the codebook's "actors" score looks at), all actors and recipients, and the timing
of the actor stage on the unlabelled news articles when they are present.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from marsad.doc import Doc  # noqa: E402
from marsad.resolve.actors import ActorResolver  # noqa: E402
from marsad.text.segment import sentences  # noqa: E402


def main() -> None:
    shared = REPO.parent / "shared"
    gold = Path(sys.argv[1]) if len(sys.argv) > 1 else shared / "gold/dev.jsonl"
    res = ActorResolver()
    first = [0, 0]
    allr = [0, 0]
    for line in gold.open(encoding="utf-8"):
        g = json.loads(line)
        doc = res(Doc(text=g["text"]))
        sents = sentences(doc.text)
        for ev in g["events"]:
            s0, e0 = ev["anchor"]["span"]
            sent = next(((a, b) for a, b in sents if a <= s0 < b), (s0, e0))
            lo, hi = min(sent[0], s0), max(sent[1], e0)
            got = {(a.country, a.sector) for a in doc.actors() if a.span and lo <= a.span[0] and a.span[1] <= hi}
            for role in ("actors", "recipients"):
                for k, a in enumerate(ev[role]):
                    hit = (a.get("country"), a.get("sector")) in got
                    allr[0] += hit
                    allr[1] += 1
                    if role == "actors" and k == 0:
                        first[0] += hit
                        first[1] += 1
    print(f"first actor (country, sector) in anchor sentence: {first[0]}/{first[1]} = {first[0] / max(first[1], 1):.1%}")
    print(f"all actors+recipients: {allr[0]}/{allr[1]} = {allr[0] / max(allr[1], 1):.1%}")
    news = shared / "data/news/articles.jsonl"
    if news.exists():
        texts = [json.loads(ln)["text"] for ln in news.open(encoding="utf-8")]
        t = time.perf_counter()
        chars = 0
        for tx in texts:
            d = Doc(text=tx)
            d.norm  # normalization is shared by stages; time it separately
            chars += len(tx)
        tn = time.perf_counter() - t
        docs = [Doc(text=tx) for tx in texts]
        for d in docs:
            d.norm
        t = time.perf_counter()
        n = 0
        for d in docs:
            n += len(res(d).actors())
        ta = time.perf_counter() - t
        per3k = ta / chars * 3000 * 1000
        print(f"{len(texts)} articles: actor stage {ta:.2f}s ({per3k:.2f} ms per 3,000 chars), "
              f"normalization {tn:.2f}s, {n} mentions")


if __name__ == "__main__":
    main()
