"""`marsad demo`: its events are the reviewed list in tests/fixtures/demo_events.tsv (.ci/run checks the same
list against the installed package)."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from marsad.data import data_path
from marsad.pipeline import Pipeline

FIXTURE = Path(__file__).parent / "fixtures" / "demo_events.tsv"
_spec = importlib.util.spec_from_file_location("check_demo", Path(__file__).parents[1] / "scripts" / "check_demo.py")
check_demo = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_demo)


def demo_record() -> dict:
    sample = json.loads(data_path("demo", "sample.json").read_text(encoding="utf-8"))
    return Pipeline().extract(**sample).model_dump()


def test_demo_events_are_the_expected_list():
    want = [x for x in FIXTURE.read_text(encoding="utf-8").splitlines() if x.strip() and not x.startswith("#")]
    assert check_demo.event_lines(demo_record()) == want


def test_demo_shows_no_reporter_as_target_and_no_capture_from_a_goal():
    rec = demo_record()
    for e in rec["events"]:
        assert all(a.get("sector") != "JRN" for a in e["recipients"]), e  # "بحسب ما أفاد مراسلون" is the source
        assert "استعادة" not in e["anchor"]["quote"], e  # "حتى استعادة الأمن" is an aim
