#!/usr/bin/env python3
"""Extraction speed and memory on one process: articles/s, characters/s, peak RSS.

    python bench/bench_extract.py [--shared ../shared] [-n 2000] [--no-ner] [--rss-at 2000] [--stages]

Streams the first N articles (-n 0: all 8,342) of
../shared/data/corpus/almayadeen-2023-2024.jsonl.gz, loads the pipeline (timed
separately), then extracts them one after another and serializes each record
as `marsad extract` does. Prints wall-clock and CPU time (the machine may be
shared: CPU time is the steadier figure; the load average is printed too), the
peak RSS after the articles named by --rss-at and at the end. --stages also prints each stage's CPU
time per article (the stages are wrapped in a timer, which costs a few microseconds each).
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


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from a parent)."""
    try:
        for line in open("/proc/self/status", encoding="ascii"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class TimedStage:
    """A pipeline stage that adds its CPU time to `totals[name]`."""

    def __init__(self, stage, totals: dict[str, float]):
        self.stage, self.totals = stage, totals
        self.name = getattr(stage, "name", type(stage).__name__)

    def __call__(self, doc):
        c = time.process_time()
        try:
            return self.stage(doc)
        finally:
            self.totals[self.name] = self.totals.get(self.name, 0.0) + time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("-n", type=int, default=2000, help="articles (0: all)")
    ap.add_argument("--no-ner", action="store_true")
    ap.add_argument("--rss-at", type=int, action="append", default=[], help="also print the peak RSS after N articles")
    ap.add_argument("--stages", action="store_true", help="also print the CPU time of each stage per article")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from marsad.io import from_mapping
    from marsad.pipeline import Pipeline

    try:
        from marsad.parallel import record_line
    except ImportError:  # an older checkout, for a before/after comparison

        def record_line(rec):
            return json.dumps(rec.model_dump(), ensure_ascii=False)

    corpus = args.shared / "data" / "corpus" / "almayadeen-2023-2024.jsonl.gz"

    def items():
        with gzip.open(corpus, "rt", encoding="utf-8") as f:
            for k, line in enumerate(f):
                if args.n and k >= args.n:
                    break
                yield from_mapping(json.loads(line))

    t0 = time.perf_counter()
    pipeline = Pipeline(ner=not args.no_ner)
    if hasattr(pipeline, "warm_up"):  # load everything, as `marsad extract` does
        pipeline.warm_up()
    else:  # an older checkout, for a before/after comparison
        pipeline.extract("قال مسؤول في دمشق إن الجيش قصف مواقع المسلحين أمس.", published="2024-01-01")
    load = time.perf_counter() - t0
    rss_load = peak_rss_mb()
    stage_cpu: dict[str, float] = {}
    if args.stages:
        pipeline.stages = [TimedStage(st, stage_cpu) for st in pipeline.stages]
    n = n_err = n_events = chars = 0
    rss_at: dict[int, float] = {}
    t0, c0 = time.perf_counter(), time.process_time()
    for item in items():
        chars += len(getattr(item, "text", "") or "")
        rec = next(iter(pipeline.process([item])))
        record_line(rec)
        n += 1
        if hasattr(rec, "error"):
            n_err += 1
        else:
            n_events += len(rec.events)
        if n in args.rss_at:
            rss_at[n] = peak_rss_mb()
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"command: python bench/bench_extract.py -n {args.n}{' --no-ner' if args.no_ner else ''}"
          + "".join(f" --rss-at {k}" for k in args.rss_at) + (" --stages" if args.stages else ""))
    print(f"articles: {n} ({n - n_err} extracted, {n_err} error records), {chars:,} characters, {n_events} events")
    print(f"load: {load:.2f} s, peak RSS after loading {rss_load:.0f} MB")
    print(f"speed: {n / dt:.1f} articles/s wall ({dt:.1f} s), {n / cpu:.1f} articles/s CPU ({cpu:.1f} s CPU, "
          f"{1000 * cpu / n:.2f} ms/article), {chars / cpu:,.0f} characters/s CPU; one process")
    for k, v in sorted(rss_at.items()):
        print(f"peak RSS after {k} articles: {v:.0f} MB")
    print(f"peak RSS after {n} articles: {peak_rss_mb():.0f} MB")
    if stage_cpu:
        print("CPU per article by stage (the rest: reading, the door checks, the record):")
        for name, secs in sorted(stage_cpu.items(), key=lambda kv: -kv[1]):
            print(f"  {name:14} {1000 * secs / max(1, n):6.2f} ms  {100 * secs / cpu:5.1f} %")
    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
