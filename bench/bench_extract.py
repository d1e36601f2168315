#!/usr/bin/env python3
"""Extraction speed on one process: articles/s, characters/s and peak memory.

    python bench/bench_extract.py [--shared ../shared] [-n 2000] [--no-ner]

Reads the first N articles of ../shared/data/corpus/almayadeen-2023-2024.jsonl.gz,
loads the pipeline (timed separately), then extracts them one after another.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("-n", type=int, default=2000)
    ap.add_argument("--no-ner", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from marsad.io import from_mapping
    from marsad.pipeline import Pipeline

    corpus = args.shared / "data" / "corpus" / "almayadeen-2023-2024.jsonl.gz"
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        items = [from_mapping(json.loads(line)) for _, line in zip(range(args.n), f)]
    chars = sum(len(getattr(i, "text", "")) for i in items)
    t0 = time.perf_counter()
    pipeline = Pipeline(ner=not args.no_ner)
    pipeline.extract("قال مسؤول في دمشق إن الجيش قصف مواقع المسلحين أمس.", published="2024-01-01")  # warm the lexicons
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    n_ok = n_err = n_events = 0
    for rec in pipeline.process(items):
        if hasattr(rec, "error"):
            n_err += 1
        else:
            n_ok += 1
            n_events += len(rec.events)
    dt = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"command: python bench/bench_extract.py -n {args.n}{' --no-ner' if args.no_ner else ''}")
    print(f"articles: {len(items)} ({n_ok} extracted, {n_err} error records), {chars:,} characters, {n_events} events")
    print(f"load: {load:.2f} s")
    print(f"speed: {len(items) / dt:.1f} articles/s, {chars / dt:,.0f} characters/s ({dt:.1f} s, one process)")
    print(f"peak RSS: {peak_mb:.0f} MB")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
