"""Speed work must not change results: a fixed sample of corpus articles (every 60th of the
Al Mayadeen corpus) gives the same mentions, statements and events as stored in
tests/fixtures/pipeline_expectation.jsonl.gz (ids, offsets, codes and labels only; no text).
Rebuild the fixture with scripts/make_pipeline_expectation.py after an intended change."""
from __future__ import annotations

import gzip
import importlib.util
import json

from tests.conftest import REPO


def _script():
    spec = importlib.util.spec_from_file_location("make_pipeline_expectation",
                                                  REPO / "scripts" / "make_pipeline_expectation.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_sample_output_matches_stored_expectation(shared_dir):
    script = _script()
    with gzip.open(script.FIXTURE, "rt", encoding="utf-8") as f:
        expected = [json.loads(line) for line in f]
    got = list(script.expectation_lines(shared_dir))
    assert [g["id"] for g in got] == [e["id"] for e in expected]
    differing = [e["id"] for g, e in zip(got, expected) if json.loads(json.dumps(g["record"])) != e["record"]]
    assert not differing, f"{len(differing)} articles changed, first: {differing[:5]}"
