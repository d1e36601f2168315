"""The input contract: every input document gives one record or one error record, in order."""
from __future__ import annotations

import gzip
import json
import random

import pytest
from typer.testing import CliRunner

from marsad.cli import app
from marsad.io import read_inputs
from marsad.pipeline import BadDocument, InputDoc, Limits, Pipeline
from marsad.records import ErrorRecord

ARTICLE = ("سيطرت فصائل المعارضة على مدينة معرة النعمان في ريف إدلب بعد اشتباكات عنيفة مع قوات النظام، "
           "وقال مصدر عسكري إن طائرات حربية شنت غارات على بلدة سراقب.")
runner = CliRunner()


def line(doc_id: str, text: str = ARTICLE, **extra) -> bytes:
    return json.dumps({"id": doc_id, "text": text, "published": "2024-12-06", **extra}, ensure_ascii=False).encode()


@pytest.fixture(scope="module")
def pipeline():
    return Pipeline(ner=False)


def records_for(paths, pipeline, **kw):
    return list(pipeline.process(read_inputs(paths, **kw)))


def test_a_batch_of_1000_lines_with_10_damaged_gives_990_records_and_10_errors(tmp_path, pipeline):
    rng = random.Random(10)
    damaged = set(rng.sample(range(1000), 10))
    lines = []
    for i in range(1000):
        raw = line(f"d{i}")
        if i in damaged:  # a different damage each time: bad UTF-8 byte, cut JSON, lone surrogate-free garbage
            raw = [raw[:30] + b"\xff" + raw[31:], raw[: len(raw) // 2], b"{not json", raw[:20] + b"\xc3"][i % 4]
        lines.append(raw)
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    out = records_for([path], pipeline)
    errors = [r for r in out if isinstance(r, ErrorRecord)]
    assert len(out) == 1000 and len(errors) == 10
    assert all(e.stage == "read" for e in errors)
    # in order: record i is line i
    for i, r in enumerate(out):
        assert r.doc_id == f"d{i}" or r.doc_id == f"batch.jsonl:{i + 1}"


def test_one_invalid_byte_costs_one_line_not_the_rest(tmp_path, pipeline):
    path = tmp_path / "x.jsonl"
    path.write_bytes(line("a") + b"\n" + line("b").replace(b"\xd8\xb3", b"\xd8\xff", 1) + b"\n" + line("c") + b"\n")
    out = records_for([path], pipeline)
    assert [r.doc_id for r in out] == ["a", "b", "c"]
    assert isinstance(out[1], ErrorRecord) and "not UTF-8" in out[1].error and "x.jsonl:2" in out[1].error
    assert not isinstance(out[2], ErrorRecord)


def test_lone_surrogate_in_json_gives_a_record_with_exact_spans(tmp_path, pipeline):
    text = ARTICLE[:20] + "\ud800" + ARTICLE[20:]
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps({"id": "s", "text": text}) + "\n", encoding="ascii")  # "\ud800" escaped in JSON
    [rec] = records_for([path], pipeline)
    assert not isinstance(rec, ErrorRecord), rec
    assert rec.text[20] == "\ufffd" and len(rec.text) == len(text)
    json.dumps(rec.model_dump(), ensure_ascii=False).encode("utf-8")  # writable
    assert rec.events


def test_surrogates_in_ids_and_metadata_are_writable(pipeline):
    rec = pipeline.process_one(InputDoc(text=ARTICLE, doc_id="id\udc80", title="t\ud800"))
    json.dumps(rec.model_dump(), ensure_ascii=False).encode("utf-8")
    err = pipeline.process_one(InputDoc(text="\ud800", doc_id="x\udfff"))
    assert isinstance(err, ErrorRecord) and err.stage == "check"
    json.dumps(err.model_dump(), ensure_ascii=False).encode("utf-8")


def _gz_lines(n):
    return gzip.compress(b"".join(line(f"g{i}", ARTICLE + f" رقم {i} " + "كلمة " * (i % 17)) + b"\n"
                                  for i in range(n)))


def test_truncated_gz_gives_the_lines_before_and_an_error_naming_file_and_line(tmp_path, pipeline):
    data = _gz_lines(400)
    path = tmp_path / "t.jsonl.gz"
    path.write_bytes(data[: len(data) * 2 // 3])
    out = records_for([path], pipeline)
    *docs, last = out
    assert docs and all(not isinstance(d, ErrorRecord) for d in docs)
    assert [d.doc_id for d in docs] == [f"g{i}" for i in range(len(docs))]
    assert isinstance(last, ErrorRecord) and last.stage == "read"
    assert "t.jsonl.gz" in last.error and f"after line {len(docs)}" in last.error
    assert last.doc_id == f"t.jsonl.gz:{len(docs) + 1}"


def test_corrupt_gz_gives_an_error_record_not_a_traceback(tmp_path, pipeline):
    data = bytearray(_gz_lines(50))
    data[40:60] = b"\x00" * 20
    (tmp_path / "c.jsonl.gz").write_bytes(bytes(data))
    (tmp_path / "n.jsonl.gz").write_bytes(b"this is not gzip at all")
    out = records_for([tmp_path / "c.jsonl.gz", tmp_path / "n.jsonl.gz"], pipeline)
    assert isinstance(out[-1], ErrorRecord) and "n.jsonl.gz" in out[-1].error
    assert any(isinstance(r, ErrorRecord) and "c.jsonl.gz" in r.error for r in out)


def test_concatenated_gzip_members_are_all_read(tmp_path, pipeline):
    path = tmp_path / "m.jsonl.gz"
    path.write_bytes(gzip.compress(line("a") + b"\n") + gzip.compress(line("b") + b"\n"))
    assert [r.doc_id for r in records_for([path], pipeline)] == ["a", "b"]


def test_json_file_is_json_not_json_lines(tmp_path, pipeline):
    (tmp_path / "one.json").write_text(json.dumps({"id": "j", "text": ARTICLE}, indent=2), encoding="utf-8")
    (tmp_path / "many.json").write_text(json.dumps([{"text": ARTICLE}, {"id": "k", "text": ARTICLE}, 7]),
                                        encoding="utf-8")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    one = records_for([tmp_path / "one.json"], pipeline)
    assert [r.doc_id for r in one] == ["j"] and not isinstance(one[0], ErrorRecord)
    many = records_for([tmp_path / "many.json"], pipeline)
    assert [r.doc_id for r in many] == ["many.json:1", "k", "many.json:3"]
    assert isinstance(many[2], ErrorRecord)
    [deep] = records_for([tmp_path / "deep.json"], pipeline)
    assert isinstance(deep, ErrorRecord) and deep.stage == "read"


def test_too_long_document_and_line(tmp_path):
    limits = Limits(max_chars=500, max_line_bytes=4000)
    pipe = Pipeline(ner=False, limits=limits)
    path = tmp_path / "l.jsonl"
    path.write_bytes(line("ok") + b"\n" + line("long", ARTICLE * 4) + b"\n" + line("huge", ARTICLE * 40) + b"\n"
                     + line("after") + b"\n")
    out = records_for([path], pipe, limits=limits)
    assert [r.doc_id for r in out] == ["ok", "long", "l.jsonl:3", "after"]
    assert out[1].error == f"too long: {len(ARTICLE) * 4} characters, limit 500" and out[1].stage == "check"
    assert "line too long" in out[2].error
    with pytest.raises(BadDocument, match="too long"):
        pipe.extract(ARTICLE * 4)


def test_long_sentences_are_cut_for_the_heavy_stages():
    run_on = " ".join(["قصفت الطائرات مدينة حلب"] * 200)  # 800 tokens, no punctuation
    rec = Pipeline(ner=False, limits=Limits(max_sentence_tokens=50)).extract(run_on, published="2024-12-06")
    assert len(rec.sentences) == 16
    assert rec.sentences[0][0] == 0 and rec.sentences[-1][1] == len(run_on)


def test_sanitized_characters_keep_spans_on_the_original():
    bidi = "\u200f\u202b"
    text = bidi + "سي\u200cطرت فصائل المعارضة\x00 على مدينة\u0085 معرة النعمان\u2066 بعد اشتباكات عنيفة مع قوات النظام."
    rec = Pipeline(ner=False).extract(text, published="2024-12-06")
    assert rec.text == text
    [ev] = [e for e in rec.events if e.plover.type == "COERCE"]
    s, e = ev.anchor.span
    assert rec.text[s:e] == ev.anchor.quote and "\u200c" in ev.anchor.quote  # quote is the original characters
    for p in rec.mentions.places:
        assert rec.text[p.span[0]:p.span[1]] == p.text


def test_cli_summary_line_and_exit_status(tmp_path):
    path = tmp_path / "b.jsonl"
    path.write_bytes(line("a") + b"\n" + b"{broken\n" + line("c") + b"\n")
    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["extract", "--no-ner", "--no-progress", str(path), "-o", str(out)])
    assert res.exit_code == 1
    assert "3 documents, 2 extracted, 1 errors" in res.output
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["doc_id"] for r in rows] == ["a", "b.jsonl:2", "c"]
    assert set(rows[1]) == {"doc_id", "error", "stage"}
    res = runner.invoke(app, ["extract", "--no-ner", "--no-progress", "--max-chars", "10", str(path), "-o", str(out)])
    assert res.exit_code == 1 and "3 documents, 0 extracted, 3 errors" in res.output


def test_misspelt_event_mode_is_a_clear_error(tmp_path, monkeypatch):
    """MARSAD_EVENTS=lerned stops the CLI with a one-line error before any input is read (no traceback,
    not the rules in silence); the stage itself refuses it too."""
    from marsad.extract.events import EventExtractor

    path = tmp_path / "a.txt"
    path.write_text("قصفت الطائرات مدينة حلب.", encoding="utf-8")
    monkeypatch.setenv("MARSAD_EVENTS", "lerned")
    res = runner.invoke(app, ["extract", "--no-ner", "--no-progress", str(path)])
    assert res.exit_code == 2 and "MARSAD_EVENTS='lerned'" in res.output and "Traceback" not in res.output
    with pytest.raises(ValueError):
        EventExtractor()
    monkeypatch.setenv("MARSAD_EVENTS", "rules")
    monkeypatch.setenv("MARSAD_EVENT_FILTER", "yes")
    assert runner.invoke(app, ["extract", "--no-ner", "--no-progress", str(path)]).exit_code == 2
    monkeypatch.delenv("MARSAD_EVENT_FILTER")
    monkeypatch.setenv("MARSAD_CORPUS_TRIGGERS", "of")
    res = runner.invoke(app, ["extract", "--no-ner", "--no-progress", str(path)])
    assert res.exit_code == 2 and "MARSAD_CORPUS_TRIGGERS='of'" in res.output
