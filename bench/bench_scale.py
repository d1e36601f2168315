#!/usr/bin/env python3
"""Cost against document length, and speed-up from more processes.

    python bench/bench_scale.py length [--shared ../shared]
    python bench/bench_scale.py workers [-n 600]     # marsad extract --workers 1 vs 2, same run
    python bench/bench_scale.py batch [-n 600]       # marsad batch --workers 1 vs 2, same run

`length`: after a warm-up on the first 300 corpus articles, extracts ~1 MB of
corpus text (articles concatenated, blank line between) as 10 kB documents,
then another ~1 MB as 100 kB documents, then another as one 1 MB document, and
prints the CPU time per character of each (their ratio is the linearity check).
The 1 MB document is also run alone in a fresh process for its time and peak RSS.
`workers` / `batch` run the same command with 1 and with 2 workers on the first N
articles and print both wall-clock times and their ratio (and check that
`extract` gives the same bytes). The machine may be shared: the load average
is printed with every figure.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from bench_extract import peak_rss_mb  # noqa: E402  (one definition of the peak-RSS reading)
PROBE = "قال مسؤول في دمشق إن الجيش قصف مواقع المسلحين أمس."


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


def _texts(shared: Path):
    with gzip.open(shared / "data" / "corpus" / "almayadeen-2023-2024.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)["text"]


def _documents(texts, size: int, total: int) -> list[str]:
    """Documents of about `size` characters (whole articles joined by a blank line), `total` characters in all."""
    docs, buf, n, done = [], [], 0, 0
    for t in texts:
        buf.append(t)
        n += len(t) + 2
        if n >= size:
            docs.append("\n\n".join(buf))
            done += len(docs[-1])
            buf, n = [], 0
            if done >= total:
                break
    return docs


def _extract_cpu(pipeline, docs: list[str]) -> float:
    from marsad.parallel import record_line

    c0 = time.process_time()
    for d in docs:
        record_line(pipeline.extract(d, published="2024-01-01"))
    return time.process_time() - c0


# the "1 MB" document is whole articles joined until it passes 1,000,000 characters: allow it
BENCH_LIMITS = dict(max_chars=1_100_000)


def length(args) -> None:
    from marsad.pipeline import Limits, Pipeline

    pipeline = Pipeline(limits=Limits(**BENCH_LIMITS))
    texts = _texts(args.shared)
    warm = [next(texts) for _ in range(300)]
    _extract_cpu(pipeline, warm)
    rows = []
    for size in (10_000, 100_000, 1_000_000):
        docs = _documents(texts, size, 1_000_000)
        chars = sum(map(len, docs))
        cpu = _extract_cpu(pipeline, docs)
        rows.append((size, len(docs), chars, cpu))
        print(f"{len(docs):4d} documents of ~{size // 1000} kB ({chars:,} characters): {cpu:.2f} s CPU, "
              f"{1e6 * cpu / chars:.2f} µs/character  [load {_load()}]", flush=True)
    small, big = rows[0], rows[-1]
    print(f"time per character, 1 MB document / 10 kB documents: {(big[3] / big[2]) / (small[3] / small[2]):.2f}")
    out = subprocess.run([sys.executable, __file__, "one-doc", "--shared", str(args.shared)],
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    print(out.stdout.strip() or out.stderr[-2000:])


def one_doc(args) -> None:
    """One ~1 MB document in a fresh process: wall and CPU time, peak RSS."""
    from marsad.parallel import record_line
    from marsad.pipeline import Limits, Pipeline

    pipeline = Pipeline(limits=Limits(**BENCH_LIMITS))
    pipeline.extract(PROBE, published="2024-01-01")
    rss0 = peak_rss_mb()
    texts = _texts(args.shared)
    for _ in range(300):
        next(texts)
    doc = _documents(texts, 1_000_000, 1)[0]
    t0, c0 = time.perf_counter(), time.process_time()
    rec = pipeline.extract(doc, published="2024-01-01")
    record_line(rec)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss = peak_rss_mb()
    print(f"one document of {len(doc):,} characters in a fresh process: {dt:.2f} s wall, {cpu:.2f} s CPU, "
          f"{len(rec.events)} events; peak RSS {rss:.0f} MB ({rss0:.0f} MB after loading)  [load {_load()}]")


def _input(args, tmp: Path) -> Path:
    path = tmp / "in.jsonl"
    with gzip.open(args.shared / "data" / "corpus" / "almayadeen-2023-2024.jsonl.gz", "rt", encoding="utf-8") as f, \
            open(path, "w", encoding="utf-8") as out:
        for _, line in zip(range(args.n), f):
            out.write(line)
    return path


def _timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, "PYTHONPATH": str(REPO)})
    return time.perf_counter() - t0


def workers(args) -> None:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        src = _input(args, tmp)
        times = {}
        for k in (1, 2):
            cmd = [sys.executable, "-m", "marsad.cli", "extract", str(src), "-o", str(tmp / f"out{k}.jsonl"),
                   "--no-progress", "--workers", str(k)]
            times[k] = _timed(cmd)
            print(f"marsad extract --workers {k}: {args.n} articles in {times[k]:.1f} s "
                  f"({args.n / times[k]:.1f} articles/s, load included)  [load {_load()}]", flush=True)
        same = (tmp / "out1.jsonl").read_bytes() == (tmp / "out2.jsonl").read_bytes()
        print(f"speed-up --workers 2 / 1: {times[1] / times[2]:.2f}x; outputs identical: {same}")


def batch(args) -> None:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        src = _input(args, tmp)
        times = {}
        for k in (1, 2):
            out = tmp / f"batch{k}"
            shutil.rmtree(out, ignore_errors=True)
            cmd = [sys.executable, "-m", "marsad.cli", "batch", str(src), "-o", str(out), "--no-progress",
                   "--workers", str(k), "--shard-size", str(args.shard_size)]
            times[k] = _timed(cmd)
            busy: dict[str, float] = {}  # seconds each worker spent in its shards (pipeline load included)
            for e in json.loads((out / "manifest.json").read_text())["shards"]:
                busy[e["worker"]] = busy.get(e["worker"], 0.0) + e["seconds"]
            print(f"marsad batch --workers {k}: {args.n} articles in {times[k]:.1f} s "
                  f"({args.n / times[k]:.1f} articles/s, cluster start included); in shards per worker: "
                  f"{', '.join(f'{v:.1f}' for v in sorted(busy.values()))} s, outside them "
                  f"{times[k] - max(busy.values()):.1f} s  [load {_load()}]", flush=True)
        print(f"speed-up batch 2 workers / 1: {times[1] / times[2]:.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=("length", "one-doc", "workers", "batch"))
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("-n", type=int, default=600)
    ap.add_argument("--shard-size", type=int, default=50)
    args = ap.parse_args()
    {"length": length, "one-doc": one_doc, "workers": workers, "batch": batch}[args.what](args)


if __name__ == "__main__":
    main()
