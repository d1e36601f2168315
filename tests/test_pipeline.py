"""The whole pipeline and the `marsad extract` / `marsad demo` commands: inputs, error records, contract."""
import json
import subprocess
import sys

from typer.testing import CliRunner

from marsad.cli import app
from marsad.pipeline import InputDoc, Pipeline
from marsad.records import ErrorRecord

SAMPLE = ("سيطرت فصائل المعارضة السورية، الخميس، على مدينة حماة بعد اشتباكات مع قوات النظام. "
          "وقال مصدر عسكري لوكالة رويترز إن طائرات حربية روسية شنت غارات على بلدة سراقب.")
runner = CliRunner()


def records(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip().startswith("{")]


def test_extract_txt_with_published(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(SAMPLE, encoding="utf-8")
    res = runner.invoke(app, ["extract", str(f), "--published", "2024-12-06", "--no-ner"])
    assert res.exit_code == 0, res.output
    [rec] = records(res.stdout)
    assert rec["doc_id"] == "a" and rec["text"] == SAMPLE
    assert any(e["acled"] and e["acled"]["sub_event_type"] == "Non-state actor overtakes territory"
               for e in rec["events"])
    hama = next(e for e in rec["events"] if e["location"] and e["location"]["geonameid"])
    assert hama["date"]["value"] == "2024-12-05"  # الخميس before Friday 2024-12-06


def test_bad_documents_become_error_records_and_the_batch_goes_on(tmp_path):
    f = tmp_path / "batch.jsonl"
    f.write_text("\n".join([
        json.dumps({"id": "ok", "text": SAMPLE, "published": "2024-12-06"}, ensure_ascii=False),
        "{broken json",
        json.dumps({"id": "empty", "text": "   "}),
        json.dumps({"id": "english", "text": "This is not an Arabic article at all."}),
        json.dumps({"id": "notext"}),
        json.dumps({"id": "baddate", "text": SAMPLE, "published": "yesterday"}, ensure_ascii=False),
    ]), encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["extract", str(f), str(tmp_path / "latin1.txt"), "-o", str(out), "--no-ner"])
    assert res.exit_code == 1
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(recs) == 7
    errors = {r["doc_id"]: r["error"] for r in recs if "error" in r}
    assert set(errors) == {"batch.jsonl:2", "empty", "english", "notext", "baddate", "latin1"}
    assert "JSON" in errors["batch.jsonl:2"] and "UTF-8" in errors["latin1"]


def test_html_input_uses_the_main_text(tmp_path):
    html = f"<html><head><title>خبر</title></head><body><nav>الرئيسية</nav><article><p>{SAMPLE}</p></article></body></html>"
    f = tmp_path / "page.html"
    f.write_text(html, encoding="utf-8")
    res = runner.invoke(app, ["extract", str(f), "--published", "2024-12-06", "--no-ner"])
    assert res.exit_code == 0, res.output
    [rec] = records(res.stdout)
    assert "سيطرت فصائل المعارضة" in rec["text"]


def test_missing_file_is_a_clear_error(tmp_path):
    res = runner.invoke(app, ["extract", str(tmp_path / "nope.txt")])
    assert res.exit_code == 2 and "no such file" in res.output


def test_bad_published_option_is_rejected(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(SAMPLE, encoding="utf-8")
    res = runner.invoke(app, ["extract", str(f), "--published", "06/12/2024"])
    assert res.exit_code == 2


def test_demo_prints_a_summary():
    res = runner.invoke(app, ["demo"])
    assert res.exit_code == 0, res.output
    assert "Events" in res.output and "Who said what" in res.output


def test_process_never_raises_on_an_internal_error():
    def broken(doc):
        raise RuntimeError("boom")

    out = list(Pipeline(stages=[broken]).process([InputDoc(text=SAMPLE, doc_id="x")]))
    assert isinstance(out[0], ErrorRecord) and "boom" in out[0].error


def test_published_inferred_when_no_date_is_given():
    rec = Pipeline(ner=False).extract("أعلنت الحكومة في 3 كانون الأول/ديسمبر 2024 أن الجيش قصف مواقع في حلب الجمعة.")
    assert rec.published is None and rec.published_inferred is not None
    assert rec.published_inferred.earliest >= "2024-12-03"


def test_spans_index_the_original_text():
    rec = Pipeline().extract(SAMPLE, published="2024-12-06")
    text = rec.text
    for kind in ("people", "organizations", "places", "times"):
        for m in getattr(rec.mentions, kind):
            assert text[m.span[0]:m.span[1]] == m.text
    for e in rec.events:
        assert text[e.anchor.span[0]:e.anchor.span[1]] == e.anchor.quote


def test_dev_output_passes_the_validator(shared_dir, tmp_path):
    gold = [json.loads(line) for line in (shared_dir / "gold" / "dev.jsonl").read_text(encoding="utf-8").splitlines()]
    pipeline = Pipeline()
    out = tmp_path / "pred.jsonl"
    with out.open("w", encoding="utf-8") as f:
        for rec in pipeline.process(InputDoc(text=g["text"], doc_id=g["doc_id"], published=g.get("published"))
                                    for g in gold):
            f.write(json.dumps(rec.model_dump(), ensure_ascii=False) + "\n")
    res = subprocess.run([sys.executable, str(shared_dir / "eval" / "validate.py"), str(out)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-2000:]


def test_a_document_leaves_no_reference_cycle():
    """Freed by reference counting alone: a cycle (a Doc and an index pointing back at it) keeps every
    document for the cyclic collector, whose passes over the survivors cost ~1-2 ms per article."""
    import gc

    pipeline = Pipeline()
    text = ("قال مسؤول في وزارة الدفاع السورية إن الجيش قصف مواقع المسلحين في ريف إدلب أمس. "
            "وأضاف أن الطائرات استهدفت مستودعاً للأسلحة قرب مدينة حلب، بحسب وكالة الأنباء الرسمية.")
    pipeline.extract(text, published="2024-01-01")  # load everything first
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        record = pipeline.extract(text, published="2024-01-01")
        assert record.events and record.mentions.places  # the stages did run
        del record
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()
