#!/usr/bin/env python3
"""Rebuild tests/fixtures/pipeline_expectation.jsonl.gz: what the pipeline finds in a fixed sample of corpus articles.

    python scripts/make_pipeline_expectation.py [--shared ../shared]

The sample is every 60th article of ../shared/data/corpus/almayadeen-2023-2024.jsonl.gz
(NER on). Each line holds the article id and a fingerprint of its record: ids, offsets, codes
and labels only. Article text never goes in: keys holding text ("text", "quote", "name", ...)
are dropped, and so is any other string with an Arabic letter in it.
tests/test_pipeline_expectation.py compares today's output with it, so speed work cannot
change results unnoticed; rerun this script after an intended change of results.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "pipeline_expectation.jsonl.gz"
CORPUS = ("data", "corpus", "almayadeen-2023-2024.jsonl.gz")
EVERY = 60
_TEXT_KEYS = {"text", "quote", "name", "speaker", "via", "title", "url", "outlet", "evidence", "doc_id"}
_ARABIC = re.compile(r"[\u0600-\u06FF]")


def fingerprint(value):
    """The record without its text: spans, codes, labels, numbers."""
    if isinstance(value, dict):
        return {k: fingerprint(v) for k, v in value.items() if k not in _TEXT_KEYS}
    if isinstance(value, list):
        return [fingerprint(v) for v in value]
    if isinstance(value, str) and _ARABIC.search(value):
        return "<ar>"
    return value


def sample(shared: Path):
    """The InputDocs of the sample, in corpus order."""
    from marsad.io import from_mapping

    with gzip.open(shared.joinpath(*CORPUS), "rt", encoding="utf-8") as f:
        for n, line in enumerate(f):
            if n % EVERY == 0:
                yield from_mapping(json.loads(line))


def expectation_lines(shared: Path):
    from marsad.pipeline import Pipeline

    items = list(sample(shared))
    for item, rec in zip(items, Pipeline(ner=True).process(items)):
        yield {"id": item.doc_id, "record": fingerprint(rec.model_dump(exclude={"text"}))}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = ap.parse_args()
    with gzip.GzipFile(FIXTURE, "wb", mtime=0) as f:
        for line in expectation_lines(args.shared):
            f.write((json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
    print(f"wrote {FIXTURE.relative_to(REPO)}")


if __name__ == "__main__":
    main()
