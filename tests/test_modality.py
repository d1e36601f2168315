"""The future prefix س: a prefix before an imperfect verb, not the first letter of a root."""
from __future__ import annotations

import pytest

from marsad.extract.modality import has_future_prefix, modality_of
from marsad.pipeline import Pipeline
from marsad.text.normalize import normalize
from marsad.text.segment import tokens


@pytest.mark.parametrize("word", ["سيقصف", "وستقصف", "ستسيطر", "سيسيطر", "فسيستهدف", "ستواصل", "سأقصف"])
def test_future_prefix_before_an_imperfect_verb(word):
    assert has_future_prefix(normalize(word))


@pytest.mark.parametrize("word", ["سيطرت", "وسيطرت", "سيطر", "سيطروا", "سيطرتها", "يسيطر", "سقطت", "سحبت",
                                  "قصفت", "سائد", "س"])
def test_a_root_starting_with_sin_is_not_the_future_prefix(word):
    assert not has_future_prefix(normalize(word))


def test_took_control_is_not_future():
    toks = tokens("سيطرت الفصائل على المدينة")
    assert not modality_of(toks, 0, None, None).future
    toks = tokens("ستسيطر الفصائل على المدينة")
    assert modality_of(toks, 0, None, None).future


def test_events_with_sin_roots_are_not_marked_future():
    doc = Pipeline(ner=False).make_doc_lenient("وسيطرت قوات النظام على بلدة كفرنبل في ريف إدلب.", "2024-12-06")
    for stage in Pipeline(ner=False).stages:
        doc = stage(doc)
    [ev] = [e for e in doc.events if e.plover.type == "COERCE"]
    assert not ev.modality.future


def _events(text):
    return Pipeline(ner=False).extract(text, published="2024-12-06").events


def test_a_verbal_noun_after_a_purpose_word_is_an_aim_not_an_event():
    for aim in ("حتى استعادة السيطرة على المدينة", "بهدف السيطرة على بلدة سراقب", "من أجل اعتقال المطلوبين في حمص"):
        events = _events(f"وقالت الحكومة السورية إنها ستواصل عملياتها العسكرية {aim}.")
        assert not [e for e in events if e.plover.type == "COERCE"], (aim, events)
    # a past verb after حتى still tells what happened
    events = _events("استمرت الاشتباكات يومين حتى سيطرت فصائل المعارضة على مدينة سراقب.")
    assert [e for e in events if e.plover.type == "COERCE"]


def test_a_reporter_cited_as_source_is_not_a_recipient():
    events = _events("قصفت الطائرات الحربية مدينة سراقب، بحسب ما أفاد مراسلون.")
    assert events
    for e in events:
        assert all(a.sector != "JRN" for a in e.recipients + e.actors), e
