#!/usr/bin/env python3
"""The geo stage alone: gazetteer load time and memory, and milliseconds per article.

    python bench/bench_geo.py [--shared ../shared] [-n 1000] [--no-ner]

Loads the gazetteer in a fresh process (time and resident memory before/after), then runs the
stages before it (cleaning, segmentation and, unless --no-ner, the NER model whose LOC/PERS tags the
geo stage reads) over the first N corpus articles and times PlaceResolver alone on each, by the wall
clock and in CPU time (the figure to trust on a loaded machine).
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--no-ner", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from marsad.doc import Doc
    from marsad.resolve.geo import Gazetteer, PlaceResolver
    from marsad.text.clean import BoilerplateCleaner
    from marsad.text.segment_stage import Segmenter

    before = rss_mb()
    t0 = time.perf_counter()
    geo = PlaceResolver(Gazetteer.load())
    load = time.perf_counter() - t0
    after = rss_mb()
    stages = [BoilerplateCleaner(), Segmenter()]
    if not args.no_ner:
        from marsad.ner.component import NerStage
        stages.append(NerStage())
    corpus = args.shared / "data" / "corpus" / "almayadeen-2023-2024.jsonl.gz"
    times, cpu, places = [], [], 0
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        for _, line in zip(range(args.n), f):
            doc = Doc(text=json.loads(line)["text"])
            for st in stages:
                doc = st(doc)
            t, c = time.perf_counter(), time.process_time()
            geo(doc)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            places += len(doc.places)
    times.sort()
    print(f"gazetteer load: {load * 1000:.0f} ms, RSS {before:.0f} → {after:.0f} MB (+{after - before:.0f} MB)")
    print(f"geo stage over {len(times)} articles (ner={'off' if args.no_ner else 'on'}): "
          f"mean {statistics.mean(times) * 1000:.2f} ms/article, median {times[len(times) // 2] * 1000:.2f}, "
          f"p95 {times[int(len(times) * 0.95)] * 1000:.2f}; {places} places; RSS at end {rss_mb():.0f} MB")
    # on a shared machine the wall clock counts the time spent waiting for a core; CPU time does not
    print(f"geo stage CPU time: mean {statistics.mean(cpu) * 1000:.2f} ms/article (load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
