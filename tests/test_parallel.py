"""`marsad extract --workers N`: the same lines in the same order as one process.
Documents are sentences written for the test."""
from __future__ import annotations

import json

from typer.testing import CliRunner


def test_workers_give_the_same_output_in_the_same_order(tmp_path):
    from marsad.cli import app

    src = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": f"d{i}", "published": "2024-03-01",
                         "text": f"قصفت طائرات حربية مواقع في مدينة حلب السورية يوم {i} من الشهر وقتل {i} مدنيين."},
                        ensure_ascii=False) for i in range(1, 30)]
    lines.insert(5, json.dumps({"id": "latin", "text": "not arabic at all"}))
    lines.insert(9, "{broken")
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outs = {}
    for k in (1, 2):
        out = tmp_path / f"out{k}.jsonl"
        res = CliRunner().invoke(app, ["extract", str(src), "-o", str(out), "--no-ner", "--no-progress",
                                       "--workers", str(k)])
        assert res.exit_code == 1  # two error records
        outs[k] = out.read_bytes()
    assert outs[1] == outs[2]
    recs = [json.loads(x) for x in outs[2].decode("utf-8").splitlines()]
    assert [r["doc_id"] for r in recs][:7] == ["d1", "d2", "d3", "d4", "d5", "latin", "d6"]
    assert len(recs) == 31 and sum("error" in r for r in recs) == 2
    assert any(r.get("events") for r in recs)
