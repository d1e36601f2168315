#!/usr/bin/env python3
"""Hostile inputs through the reader and the pipeline: crashes, lost documents, slowest input.

    python bench/fuzz.py [-n 100000] [--seed 0] [--procs 2] [--no-ner]
    python bench/fuzz.py --atheris 20000          # coverage-guided bytes through the reader (needs atheris)

Inputs, drawn from a seeded generator in batches of 100 (one JSON Lines file each, some
gzipped, some given as .json): random bytes, mixed scripts, Arabic word salad with bidi
marks, zero-width joiners, controls and lone surrogates, RTL-mark floods, deep JSON, numbers
written as text, dates at the calendar's ends (published 0001-01-01 / 9999-12-31, Hijri
years 1 and 9999), huge lines (over the line limit), huge documents (over max_chars) and
long run-on documents (up to 20,000 characters, no punctuation). The vocabulary comes from
the package's own lexicons (triggers, months, weekdays, numbers), never from news text.

Per batch it checks the contract: as many records out as non-blank lines in; no exception
escapes `read_inputs`/`process` (an "uncaught exception"); no record is an internal error
(a stage that raised and was caught); every span of a record cites its text exactly. Prints
the counts and the slowest single input (category, size, seconds, a preview).
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

BATCH = 100

# ------------------------------------------------------------------ vocabulary (from the package's data)

_VOCAB: list[str] = []


def vocab() -> list[str]:
    if not _VOCAB:
        from marsad.data import data_path
        from marsad.text.lexicon import read_tsv

        for parts in (("events", "triggers.tsv"), ("events", "modality.tsv"), ("events", "speech.tsv"),
                      ("time", "months.tsv"), ("time", "weekdays.tsv"), ("time", "relative.tsv"),
                      ("time", "numbers.tsv"), ("time", "hijri_months.tsv"), ("time", "units.tsv"),
                      ("actors", "roles.tsv"), ("actors", "countries.tsv")):
            for row in read_tsv(data_path(*parts)):
                _VOCAB.extend(w for w in row[0].split("|") if w.strip())
        _VOCAB.extend("في على من إلى عن مع حتى بعد قبل أمس اليوم مدينة بلدة حلب إدلب حمص دمشق غزة بيروت".split())
    return _VOCAB


ARABIC = [chr(c) for c in range(0x0621, 0x064B)] + [chr(c) for c in range(0x064B, 0x0653)] + ["ـ", "،", "؟", "٫"]
BIDI = ["\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
        "\u2069", "\u061c"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
CONTROLS = [chr(c) for c in range(0, 32)] + [chr(c) for c in range(0x7f, 0xa0)] + ["\u2028", "\u2029"]
OTHER = list("abcXYZ0123456789 .,;:!?()[]{}\"'«»-_/\\@#%&*+=<>|~`^$") + [
    "中", "文", "ж", "Ω", "א", "ש", "😀", "🇸🇾", "ñ", "ß", "ی", "ک", "پ", "۴", "٣", "\U0010FFFF", "\ufffd", "\t", "\n", "\r"]
SURROGATES = ["\ud800", "\udfff", "\udc80", "\ud83d"]


def _mixed(rng: random.Random, n: int) -> str:
    pools = [ARABIC, OTHER, BIDI, INVISIBLE, CONTROLS, SURROGATES]
    weights = [60, 25, 5, 4, 4, 2]
    return "".join(rng.choice(rng.choices(pools, weights)[0]) for _ in range(n))


def _salad(rng: random.Random, words: int, marks: float = 0.05, punct: bool = True) -> str:
    v = vocab()
    out = []
    for _ in range(words):
        w = rng.choice(v)
        if rng.random() < marks:
            k = rng.randrange(len(w) + 1)
            w = w[:k] + rng.choice(BIDI + INVISIBLE + CONTROLS + SURROGATES) + w[k:]
        out.append(w)
        if punct and rng.random() < 0.08:
            out.append(rng.choice([".", "،", "\n", "؟", ":", "\"", "«", "»"]))
    return " ".join(out)


def _number_text(rng: random.Random) -> str:
    forms = [str(rng.randrange(10 ** rng.randrange(1, 30))), "٣٤٥٦٧٨٩٠١٢", "۱۲۳۴", "1e308", "-0", "NaN", "Infinity",
             "9" * 400, "0x7fffffff", "1,000,000,000", "١٬٢٣٤٫٥", "ثلاثة آلاف", "مليار", "عشرات", "مئات الآلاف"]
    return rng.choice(forms)


def _date_text(rng: random.Random) -> str:
    v = vocab()
    day = rng.choice(["0", "1", "29", "30", "31", "32", "99", "٣١"])
    year = rng.choice(["0", "1", "0001", "999", "1000", "1445", "9998", "9999", "10000", "99999", "2024"])
    month = rng.choice([w for w in v if len(w) > 2][:400] or ["يناير"])
    shapes = [f"{day} {month} {year}", f"{day}/{rng.randrange(0, 14)}/{year}", f"{year}-{rng.randrange(0, 14):02d}-{day}",
              f"عام {year}", f"{day} {month} {year} هـ", f"قبل {_number_text(rng)} أيام", f"بعد {year} سنة",
              f"منذ {year} عاما", f"في {month} {year} م"]
    return rng.choice(shapes)


def _published(rng: random.Random):
    return rng.choice([None, "0001-01-01", "9999-12-31", "0001-01-05", "9999-12-25", "2024-02-29", "2023-02-29",
                       "not a date", "2024-13-45", "", "2024-12-06T25:61:00+99:00", "0000-00-00", 5, ["x"], {"y": 1}])


# ------------------------------------------------------------------ one input = one JSON line (or raw bytes)

def make_input(rng: random.Random) -> tuple[str, bytes]:
    """(category, one line of a JSON Lines file, without the newline)."""
    r = rng.random()
    if r < 0.20:
        cat, n = "random-bytes", rng.randrange(0, 400)
        return cat, bytes(rng.randrange(256) for _ in range(n)).replace(b"\n", b" ")
    if r < 0.40:
        cat, text = "mixed-scripts", _mixed(rng, rng.randrange(0, 400))
    elif r < 0.60:
        cat, text = "arabic-with-marks", _salad(rng, rng.randrange(5, 150))
    elif r < 0.68:
        cat = "rtl-marks"
        text = "".join(rng.choice(BIDI) + w for w in _salad(rng, rng.randrange(5, 80), marks=0).split(" "))
    elif r < 0.80:
        cat = "numbers-and-dates"
        parts = [_salad(rng, rng.randrange(3, 20), marks=0)]
        for _ in range(rng.randrange(1, 8)):
            parts.append(rng.choice([_number_text, _date_text])(rng))
            parts.append(_salad(rng, rng.randrange(1, 10), marks=0))
        text = " ".join(parts)
        rec = {"id": f"nd{rng.randrange(10**9)}", "text": text, "published": _published(rng)}
        return cat, _dumps(rng, rec)
    elif r < 0.88:
        cat = "deep-json"
        depth = rng.choice([10, 100, 1000, 5000, 100_000])
        shape = rng.choice(["list", "dict", "text-in-deep"])
        if shape == "list":
            return cat, b"[" * depth + b"]" * depth
        if shape == "dict":
            return cat, b'{"a":' * depth + b"1" + b"}" * depth
        inner = json.dumps(_salad(rng, 30)).encode()
        return cat, b'{"text": ' + inner + b', "meta": ' + b"[" * depth + b"]" * depth + b"}"
    elif r < 0.998:
        cat = "odd-records"
        choice = rng.randrange(8)
        text = _salad(rng, rng.randrange(10, 80))
        recs = [{"text": None}, {"text": 123}, {"id": {"x": 1}, "text": text}, {"id": "", "text": text},
                {"doc_id": "\ud800" * 3, "text": text, "title": "\x00" * 5, "url": "\ud800"},
                {"text": text, "published": _published(rng), "outlet": ["a"]}, [text], "just a string"]
        return cat, _dumps(rng, recs[choice])
    elif r < 0.9993:
        cat, text = "long-run-on", _salad(rng, rng.randrange(1000, 4000), marks=0.01, punct=False)[:20_000]
    else:
        cat = "huge"
        if rng.random() < 0.3:
            return cat, b'{"text": "' + ("ب" * rng.randrange(6_000_000, 8_000_000)).encode() + b'"}'  # > 10 MB line
        text = ("قصفت الطائرات مدينة حلب " * 60_000)[: rng.randrange(1_000_001, 1_500_000)]  # > max_chars
    rec = {"id": f"{cat}-{rng.randrange(10**9)}", "text": text, "published": rng.choice([None, "2024-12-06"])}
    return cat, _dumps(rng, rec)


def _dumps(rng: random.Random, rec) -> bytes:
    s = json.dumps(rec, ensure_ascii=rng.random() < 0.5)
    # lone surrogates only survive as \\u escapes; with ensure_ascii=False they cannot be encoded: escape them
    return s.encode("utf-8", "backslashreplace") if not s.isascii() else s.encode()


# ------------------------------------------------------------------ checking a batch

def span_problems(rec: dict) -> int:
    from marsad.records import span_mismatches

    return len(span_mismatches(rec))


def run_batch(args) -> dict:
    seed, ner, tmpdir = args
    from marsad.io import read_inputs

    pipeline = _pipeline(ner)
    rng = random.Random(seed)
    items = [make_input(rng) for _ in range(BATCH)]
    lines = [raw for _, raw in items]
    data = b"\n".join(lines) + b"\n"
    expected = sum(1 for x in data.split(b"\n") if x.strip())
    form = rng.choice(["jsonl"] * 6 + ["jsonl.gz", "damaged.jsonl.gz", "json"])
    path = Path(tmpdir) / f"batch{seed}.{form.replace('damaged.', '')}"
    if form == "jsonl":
        path.write_bytes(data)
    elif form == "jsonl.gz":
        path.write_bytes(gzip.compress(data, mtime=0))
    elif form == "damaged.jsonl.gz":
        z = bytearray(gzip.compress(data, mtime=0))
        cut = rng.randrange(10, max(11, len(z)))
        path.write_bytes(bytes(z[:cut]) if rng.random() < 0.5 else bytes(z[:cut]) + bytes(rng.randrange(256) for _ in range(50)))
    elif form == "json":  # the decodable lines as a JSON list of records
        docs = []
        for raw in lines:
            try:
                docs.append(json.loads(raw))
            except Exception:
                pass
        try:
            path.write_text(json.dumps(docs), encoding="utf-8")
            expected = len(docs)  # one record per list item, a document or an error record
        except (UnicodeEncodeError, RecursionError, ValueError):
            path.write_text("[]", encoding="utf-8")
            expected = 0
        from marsad.pipeline import Limits

        if path.stat().st_size > Limits().max_line_bytes:
            expected = 1  # the whole file is one "too long" error record
    out = {"inputs": 0, "records": 0, "errors": 0, "uncaught": 0, "internal": 0, "lost": 0, "bad_spans": 0,
           "slowest": (0.0, "", ""), "crash_examples": [], "categories": Counter(c for c, _ in items)}
    records = []
    it = pipeline.process(read_inputs([path]))
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        for rec in it:
            dt, cpu = time.perf_counter() - t0, time.process_time() - c0
            records.append(rec)
            if cpu > out["slowest"][0]:
                k = len(records) - 1
                cat = items[k][0] if k < len(items) and form == "jsonl" else form
                out["slowest"] = (cpu, cat, f"seed {seed} record {k}: {len(getattr(rec, 'text', '') or '')} chars, "
                                             f"{dt:.3f} s wall, {getattr(rec, 'error', 'ok')!s:.80}")
            t0, c0 = time.perf_counter(), time.process_time()
    except Exception:
        out["uncaught"] += 1
        out["crash_examples"].append(f"seed {seed}: {traceback.format_exc(limit=-3)}")
    checkable = form in ("jsonl", "jsonl.gz", "json")
    out["inputs"] = expected if checkable else 0
    out["damaged_gz"] = 0 if checkable else 1
    out["records"] = len(records) if checkable else 0
    out["damaged_records"] = 0 if checkable else len(records)
    for rec in records:
        if hasattr(rec, "error"):
            out["errors"] += checkable
            if "internal error" in rec.error:
                out["internal"] += 1
                out["crash_examples"].append(f"seed {seed} {rec.doc_id}: {rec.stage}: {rec.error[:300]}")
        else:
            bad = span_problems(rec.model_dump())
            out["bad_spans"] += bad
            if bad:
                out["crash_examples"].append(f"seed {seed} {rec.doc_id}: {bad} spans do not cite the text")
        try:
            json.dumps(rec.model_dump(), ensure_ascii=False).encode("utf-8")
        except Exception as e:
            out["uncaught"] += 1
            out["crash_examples"].append(f"seed {seed} {rec.doc_id}: record not writable: {e}")
    if checkable and len(records) != expected:
        out["lost"] += abs(expected - len(records))
        out["crash_examples"].append(f"seed {seed} ({form}): {expected} inputs, {len(records)} records")
    try:
        path.unlink()
    except OSError:
        pass
    return out


_PIPE = {}


def _pipeline(ner: bool):
    if ner not in _PIPE:
        from marsad.pipeline import Pipeline

        _PIPE[ner] = Pipeline(ner=ner)
    return _PIPE[ner]


def time_checks(seed: int, n: int) -> dict:
    """The time resolver alone on dates at the calendar's ends, with extreme publication dates."""
    from datetime import date

    from marsad.resolve.time import resolve_times

    rng = random.Random(seed)
    out = {"inputs": n, "uncaught": 0, "crash_examples": [], "slowest": (0.0, "", "")}
    pubs = [date(1, 1, 1), date(1, 12, 31), date(9999, 12, 31), date(9999, 1, 1), date(2024, 2, 29), None]
    for i in range(n):
        text = " ".join([_date_text(rng), _salad(rng, rng.randrange(0, 6), marks=0.02), _date_text(rng)])
        pub = rng.choice(pubs)
        t0 = time.process_time()
        try:
            for t in resolve_times(text, pub):
                if t.value and (len(t.value.split("-")[0]) != 4 or t.value.startswith("0000")):
                    raise AssertionError(f"value off the calendar: {t.value}")
        except Exception as e:
            out["uncaught"] += 1
            out["crash_examples"].append(f"time seed {seed}/{i} pub {pub}: {type(e).__name__}: {e}")
        dt = time.process_time() - t0
        if dt > out["slowest"][0]:
            out["slowest"] = (dt, "time-resolver", f"seed {seed}/{i}: {text[:60]!r}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=100_000, help="inputs through the reader and the pipeline")
    ap.add_argument("--time-inputs", type=int, default=None, help="extra inputs to the time resolver (default n/10)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--procs", type=int, default=1)
    ap.add_argument("--no-ner", action="store_true")
    ap.add_argument("--atheris", type=int, default=0, help="run atheris for this many inputs instead")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if args.atheris:
        return run_atheris(args.atheris)
    batches = max(1, args.n // BATCH)
    tmp = tempfile.mkdtemp(prefix="marsad-fuzz-")
    jobs = [(args.seed * 1_000_003 + b, not args.no_ner, tmp) for b in range(batches)]
    t_start = time.time()
    total = Counter()
    slowest = (0.0, "", "")
    examples: list[str] = []
    cats = Counter()

    def add(res):
        nonlocal slowest
        for k in ("inputs", "records", "errors", "uncaught", "internal", "lost", "bad_spans", "damaged_gz",
                  "damaged_records"):
            total[k] += res.get(k, 0)
        cats.update(res.get("categories", {}))
        examples.extend(res["crash_examples"])
        if res["slowest"][0] > slowest[0]:
            slowest = res["slowest"]

    if args.procs > 1:
        import multiprocessing as mp

        with mp.get_context("fork").Pool(args.procs) as pool:
            for i, res in enumerate(pool.imap_unordered(run_batch, jobs, chunksize=4), 1):
                add(res)
                if i % 50 == 0:
                    print(f"  {i * BATCH} inputs, {time.time() - t_start:.0f} s", file=sys.stderr, flush=True)
    else:
        for i, job in enumerate(jobs, 1):
            add(run_batch(job))
            if i % 50 == 0:
                print(f"  {i * BATCH} inputs, {time.time() - t_start:.0f} s", file=sys.stderr, flush=True)
    n_time = args.time_inputs if args.time_inputs is not None else args.n // 10
    tres = time_checks(args.seed, n_time)
    total["time_inputs"] = n_time
    total["uncaught"] += tres["uncaught"]
    examples.extend(tres["crash_examples"])
    if tres["slowest"][0] > slowest[0]:
        slowest = tres["slowest"]
    wall = time.time() - t_start
    print(f"fuzz: {batches * BATCH} generated inputs in {batches} files + {n_time} time-resolver inputs, "
          f"{wall:.0f} s on {args.procs} process(es), ner={'off' if args.no_ner else 'on'}, seed {args.seed}")
    print(f"  counted files: {total['inputs']} documents (non-blank lines / list items); deliberately damaged "
          f".gz files: {total['damaged_gz']} ({total['damaged_records']} records, no exception)")
    print("  categories: " + ", ".join(f"{c} {n}" for c, n in sorted(cats.items())))
    print(f"  records out: {total['records']} ({total['records'] - total['errors']} documents, "
          f"{total['errors']} error records)")
    print(f"  uncaught exceptions: {total['uncaught']}")
    print(f"  internal errors (a stage raised, caught as an error record): {total['internal']}")
    print(f"  lost documents (inputs without a record): {total['lost']}")
    print(f"  spans not citing their text: {total['bad_spans']}")
    print(f"  slowest input: {slowest[0]:.3f} s CPU ({slowest[1]}; {slowest[2]})")
    for e in examples[:20]:
        print("  ! " + e.replace("\n", "\n    "))
    shutil.rmtree(tmp, ignore_errors=True)
    bad = total["uncaught"] + total["internal"] + total["lost"] + total["bad_spans"]
    sys.exit(1 if bad else 0)


def run_atheris(runs: int) -> None:
    import atheris

    with atheris.instrument_imports():
        from marsad import io as marsad_io
        from marsad.pipeline import Pipeline
    pipeline = Pipeline(ner=False)
    tmp = Path(tempfile.mkdtemp(prefix="marsad-atheris-"))
    path = tmp / "input.jsonl"

    def one_input(data: bytes) -> None:
        path.write_bytes(data)
        expected = sum(1 for x in data.split(b"\n") if x.strip())
        records = list(pipeline.process(marsad_io.read_inputs([path])))
        if len(records) != expected:
            raise AssertionError(f"{expected} lines in, {len(records)} records out")
        for r in records:
            if hasattr(r, "error") and "internal error" in r.error:
                raise AssertionError(r.error)

    seeds = tmp / "corpus"
    seeds.mkdir()
    rng = random.Random(0)
    for i in range(20):
        (seeds / f"s{i}").write_bytes(make_input(rng)[1])
    atheris.Setup([sys.argv[0], f"-runs={runs}", "-max_len=4096", str(seeds)], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
