"""Acceptance on the seed article (issue 2, point 2). Needs ../shared; skips without it."""
import json

import pytest

from marsad.pipeline import Pipeline


@pytest.fixture(scope="module")
def seed(shared_dir):
    text = (shared_dir / "seed" / "article-000.txt").read_text(encoding="utf-8")
    return Pipeline().extract(text, published="2024-12-06", doc_id="seed-000")


def _captures(rec):
    return [e for e in rec.events if e.acled and e.acled.sub_event_type == "Non-state actor overtakes territory"]


@pytest.mark.parametrize("place,day", [("Ḩamāh", "2024-12-05"), ("Ar Rastan", None), ("Tallbīsah", None),
                                       ("Aleppo", "2024-11-29"), ("Idlib Governorate", "2024-11-30")])
def test_captures_by_syrian_opposition(seed, place, day):
    hits = [e for e in _captures(seed) if e.location and e.location.name == place
            and (day is None or e.date.value == day)]
    assert hits, f"no capture of {place} on {day}"
    e = hits[0]
    assert e.location.geonameid and e.location.admin1
    assert (e.actors[0].country, e.actors[0].sector) == ("SYR", "REB")


def test_conscription_arrests(seed):
    arrests = [e for e in seed.events if e.acled and e.acled.sub_event_type == "Arrests" and e.size.arrested == 100]
    assert arrests
    assert any("الشبكة السورية لحقوق الإنسان" in (a.speaker or "") or "Syrian Network" in (a.speaker or "")
               for a in arrests[0].attribution)


def test_requests_and_refusal_attributed_to_the_wsj(seed):
    requests = [e for e in seed.events if e.plover.type == "REQUEST" and e.actors
                and e.actors[0].name == "Bashar al-Assad"]
    assert any(e.recipients and e.recipients[0].country == "TUR" for e in requests)
    assert any("سعى" in e.anchor.quote for e in requests)  # weapons and intelligence from Arab states
    reject = [e for e in seed.events if e.plover.type == "REJECT"]
    assert reject
    for e in requests + reject:
        assert any("وول ستريت جورنال" in (a.via or "") for a in e.attribution)


def test_statements_of_lavrov_and_abdul_ghani(seed):
    speakers = {s.speaker for s in seed.statements}
    assert "Hassan Abdul Ghani" in speakers
    assert any("Lavrov" in (s or "") for s in speakers)
    wsj = [s for s in seed.statements if s.via and "وول ستريت جورنال" in s.via]
    assert wsj and wsj[0].anonymous


def test_record_passes_the_codebook_validator(seed, shared_dir, tmp_path):
    import subprocess
    import sys

    out = tmp_path / "seed.jsonl"
    out.write_text(json.dumps(seed.model_dump(), ensure_ascii=False) + "\n", encoding="utf-8")
    res = subprocess.run([sys.executable, str(shared_dir / "eval" / "validate.py"), str(out)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout
