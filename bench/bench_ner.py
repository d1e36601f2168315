"""Tagging speed of the shipped NER model on one core.

    python bench/bench_ner.py [--shared ../shared] [--source anercorp|corpus] [--max-tokens N]

Pins the process to one CPU, loads the model (not timed), then times
`NerTagger.tag` sentence by sentence: first pass with an empty feature cache
(the figure to quote: every distinct word's features computed once), then a
second pass over the same sentences (warm cache). Prints tokens/s for both.
`--source corpus` tags the unlabelled Al Mayadeen articles (tokenized as the
pipeline does) instead of the ANERcorp train file.

    python bench/bench_ner.py --events [--gold ../shared/gold/dev.jsonl]

instead runs the whole pipeline on the gold documents without NER and with
NER (NerStage + merge_ner after the actor stage) and prints the scorer's
figures for both (acceptance 4: events F1 must not drop).
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def anercorp_sentences(shared: Path) -> list[list[str]]:
    from marsad.ner.train import read_conll

    return [toks for toks, _ in read_conll(shared / "data" / "ner" / "anercorp" / "train.txt")]


def corpus_sentences(shared: Path, max_tokens: int) -> list[list[str]]:
    from marsad.ner.component import _TOKEN
    from marsad.text.segment import sentences

    out, n = [], 0
    with gzip.open(shared / "data" / "corpus" / "almayadeen-2023-2024.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            text = json.loads(line)["text"]
            for s, e in sentences(text):
                toks = _TOKEN.findall(text, s, e)
                if toks:
                    out.append(toks)
                    n += len(toks)
            if n >= max_tokens:
                return out
    return out


def with_merge(stages: list) -> list:
    """Insert the merge stage after the actor stage if the pipeline does not already have it."""
    from marsad.ner.component import NerMergeStage

    if any(getattr(st, "name", "") == "ner-merge" for st in stages):
        return stages
    names = [type(st).__name__ for st in stages]
    at = names.index("ActorResolver") + 1 if "ActorResolver" in names else len(stages) - 2
    return stages[:at] + [NerMergeStage()] + stages[at:]


def events(shared: Path, gold: Path) -> int:
    import subprocess
    import tempfile

    from marsad.pipeline import InputDoc, Pipeline, default_stages

    docs = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    inputs = [InputDoc(text=d["text"], doc_id=d["doc_id"], published=d.get("published"), outlet=d.get("outlet"),
                       title=d.get("title"), url=d.get("url")) for d in docs]
    tmp = Path(tempfile.mkdtemp())
    for label, ner in (("without NER", False), ("with NER", True)):
        stages = default_stages(ner=ner)
        if ner:
            stages = with_merge(stages)
        pipe = Pipeline(stages=stages, ner=ner)
        out = tmp / f"pred-{ner}.jsonl"
        with open(out, "w", encoding="utf-8") as f:
            for rec in pipe.process(inputs):
                f.write(rec.model_dump_json() + "\n")
        res = subprocess.run([sys.executable, str(shared / "eval" / "score.py"), str(gold), str(out)],
                             capture_output=True, text=True)
        print(f"=== {label} ===")
        print(res.stdout.strip() or res.stderr.strip())
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--source", choices=("anercorp", "corpus"), default="anercorp")
    ap.add_argument("--max-tokens", type=int, default=200_000)
    ap.add_argument("--events", action="store_true", help="events F1 on the gold set without/with NER")
    ap.add_argument("--gold", type=Path, default=None)
    a = ap.parse_args()
    if a.events:
        return events(a.shared, a.gold or a.shared / "gold" / "dev.jsonl")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    from marsad.ner import features
    from marsad.ner.model import NerTagger

    sents = anercorp_sentences(a.shared) if a.source == "anercorp" else corpus_sentences(a.shared, a.max_tokens)
    n = sum(len(s) for s in sents)
    t = time.perf_counter()
    tagger = NerTagger()
    features.resources()
    load = time.perf_counter() - t
    tagger.scorer.cache.clear()  # the first pass starts with no word scores
    for label in ("cold feature cache", "warm feature cache"):
        t = time.perf_counter()
        for s in sents:
            tagger.tag(s)
        dt = time.perf_counter() - t
        print(f"{a.source}: {n} tokens, {len(sents)} sentences, {label}: {n / dt:,.0f} tokens/s ({dt:.2f}s)")
    print(f"model + resources load: {load:.2f}s; model file {tagger.path.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
