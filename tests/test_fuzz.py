"""Property-based fuzzing (hypothesis) of the reader, extraction, the time resolver and the API.

About 3,500 examples in all, derandomized so CI runs the same ones; bench/fuzz.py runs 100,000.
Properties: one record per input line, never an exception, never an internal error, every span
cites the original text, resolved dates stay on the calendar, the API never answers 5xx.
"""
from __future__ import annotations

import json
import re
from datetime import date
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marsad.io import read_inputs
from marsad.pipeline import InputDoc, Pipeline
from marsad.records import ErrorRecord, span_mismatches
from marsad.resolve.time import resolve_times
from marsad.text.sanitize import for_processing, scrub_surrogates

def fuzz(n: int) -> settings:
    return settings(max_examples=n, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck),
                    database=None)

WORDS = ("قصفت سيطرت اعتقلت استهدف غارات اشتباكات تظاهر قتل أصيب الجيش قوات الأمن فصائل المعارضة الطائرات "
         "مدينة بلدة حلب إدلب حمص دمشق غزة على في من إلى حتى استعادة بهدف السيطرة وقال مصدر بحسب مراسلون "
         "أمس اليوم الخميس الجمعة الماضي المقبل يناير كانون الأول ديسمبر رمضان شوال هـ عام قبل بعد أيام أسابيع "
         "سنة ثلاثة عشرات مئات 7 ٣١ 2024 9999 0001 1445").split()
ODD = ["\u200e", "\u200f", "\u202b", "\u202e", "\u2066", "\u2069", "\u061c", "\u200b", "\u200c", "\u200d", "\ufeff",
       "\u00ad", "\x00", "\x07", "\x1b", "\x85", "\x9f", "\u2028", "\ud800", "\udfff", "\ufffd", "\n", "،", ".", "ـ"]

words = st.sampled_from(WORDS)
odd = st.sampled_from(ODD)
# Arabic-looking text with bidi marks, joiners, controls and lone surrogates mixed in
arabic_text = st.lists(st.one_of(words, words, words, odd, st.text(max_size=3)), min_size=0, max_size=60).map(" ".join)
any_text = st.one_of(arabic_text, st.text(max_size=200))
published = st.one_of(st.none(), st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(str),
                      st.sampled_from(["0001-01-01", "9999-12-31", "yesterday", "", "2024-02-30"]))

_PIPE = {}


def pipeline() -> Pipeline:
    if "p" not in _PIPE:
        _PIPE["p"] = Pipeline()
    return _PIPE["p"]


def check_spans(rec) -> None:
    """Every span/text, span/quote and quote_span/quote pair of a record cites its text exactly."""
    assert span_mismatches(rec.model_dump()) == []


def check_record(rec) -> None:
    if isinstance(rec, ErrorRecord):
        assert "internal error" not in rec.error, rec
    else:
        check_spans(rec)
    json.dumps(rec.model_dump(), ensure_ascii=False).encode("utf-8")  # always writable


@fuzz(1000)
@given(any_text)
def test_sanitizing_keeps_length_and_removes_the_unprocessable(text):
    clean = for_processing(scrub_surrogates(text))
    assert len(clean) == len(text)
    assert not re.search("[\ud800-\udfff\x00-\x08\x0e-\x1f\u200e\u200f\u202a-\u202e\u2066-\u2069]", clean)


@fuzz(400)
@given(st.lists(st.one_of(st.binary(max_size=120),
                          st.builds(lambda t, p: json.dumps({"text": t, "published": p}).encode(), arabic_text, published),
                          st.builds(lambda t: json.dumps({"id": t, "text": t}, ensure_ascii=False)
                                    .encode("utf-8", "backslashreplace"), any_text)),
                max_size=6))
def test_reader_gives_one_record_per_line(tmp_path_factory, lines):
    data = b"\n".join(lines)
    path = tmp_path_factory.mktemp("fz") / "in.jsonl"
    path.write_bytes(data)
    expected = sum(1 for x in data.split(b"\n") if x.strip())
    out = list(pipeline().process(read_inputs([path])))
    assert len(out) == expected
    for rec in out:
        check_record(rec)


@fuzz(400)
@given(arabic_text, published)
def test_extract_never_raises_and_spans_cite_the_text(text, pub):
    rec = pipeline().process_one(InputDoc(text=text, published=pub, doc_id="fz"))
    check_record(rec)


@fuzz(1500)
@given(arabic_text, st.one_of(st.none(), st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
                              st.sampled_from([date(1, 1, 1), date(9999, 12, 31)])))
def test_time_resolver_stays_on_the_calendar(text, pub):
    for t in resolve_times(scrub_surrogates(text), pub):
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", t.value) and t.value[:4] != "0000", t.value
        assert text[t.span[0]:t.span[1]] == t.text


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    from fastapi.testclient import TestClient

    from marsad.api.app import create_app

    app = create_app(f"sqlite:///{tmp_path_factory.mktemp('fzapi') / 'a.db'}", token="t", writes_per_minute=10**6)
    app.state.pipeline = pipeline()
    with TestClient(app) as c:
        yield c
    app.state.store.close()


json_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), any_text),
                           lambda kids: st.one_of(st.lists(kids, max_size=3),
                                                  st.dictionaries(st.text(max_size=8), kids, max_size=3)),
                           max_leaves=8)


@fuzz(200)
@given(st.one_of(
    st.binary(max_size=300),
    st.fixed_dictionaries({"text": arabic_text}, optional={"doc_id": any_text, "published": any_text,
                                                           "title": any_text, "url": any_text}).map(
        lambda d: json.dumps(d).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
))
def test_api_never_answers_5xx(api, body):
    r = api.post("/api/documents", content=body, headers={"Authorization": "Bearer t", "content-type": "application/json"})
    assert r.status_code < 500, r.text
    assert r.status_code in (201, 400, 413, 422), r.status_code
    r = api.get("/api/documents/" + quote(body[:40].decode("utf-8", "replace"), safe=""))
    assert r.status_code < 500
