"""`marsad batch` on Dask: kill a worker, then the whole run (kill -9), rerun: every input document
comes out exactly once, finished shards are not redone, bad documents are error records.

Documents are sentences written for the test; the pipeline is a cheap one that sleeps a little
per document, so the run is still going when it is killed."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import REPO

psutil = pytest.importorskip("psutil")
pytest.importorskip("distributed")

SLOW_PIPELINE = """
import time
from marsad.pipeline import Pipeline
from marsad.text.segment_stage import Segmenter

def sleepy(doc):
    time.sleep(0.25)
    return doc

def make():
    return Pipeline(stages=[Segmenter(), sleepy], ner=False)
"""

RUNNER = """
import sys
import slowpipe
from marsad.batch import run_batch

if __name__ == "__main__":  # the workers are spawned: they import this file again
    print(run_batch(sys.argv[1:-1], sys.argv[-1], workers=2, shard_size=4, make_pipeline=slowpipe.make))
"""


def _inputs(tmp: Path) -> tuple[list[str], list[str]]:
    """A JSON Lines file (with a broken line and a non-Arabic text) and a folder of .txt files."""
    lines, ids = [], []
    for i in range(30):
        ids.append(f"doc-{i}")
        lines.append(json.dumps({"id": f"doc-{i}", "published": "2024-03-01",
                                 "text": f"قال المتحدث باسم الوزارة في البيان رقم {i} إن الاجتماع عقد في دمشق أمس."},
                                ensure_ascii=False))
    lines.insert(7, "{broken json")
    ids.insert(7, "in.jsonl:8")  # the reader names a broken line file:line
    lines.append(json.dumps({"id": "latin", "text": "only latin letters here"}))
    ids.append("latin")
    (tmp / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    folder = tmp / "txt"
    folder.mkdir()
    for i in range(6):
        (folder / f"page{i}.txt").write_text(f"أعلنت الحكومة في بيانها رقم {i} عن خطة جديدة للتعليم.", encoding="utf-8")
        ids.append(f"page{i}")
    return [str(tmp / "in.jsonl"), str(folder)], ids


def _done(out: Path) -> list[Path]:
    return sorted((out / "shards").glob("part-*.done.json")) if (out / "shards").exists() else []


def _ids(out: Path) -> list[str]:
    return [json.loads(line)["doc_id"] for p in sorted((out / "shards").glob("part-*.jsonl"))
            for line in p.read_text(encoding="utf-8").splitlines()]


def test_kill_worker_then_run_then_rerun_gives_each_document_once(tmp_path):
    inputs, ids = _inputs(tmp_path)
    out = tmp_path / "out"
    (tmp_path / "slowpipe.py").write_text(SLOW_PIPELINE)
    (tmp_path / "runner.py").write_text(RUNNER)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)])}
    run = subprocess.Popen([sys.executable, str(tmp_path / "runner.py"), *inputs, str(out)], env=env,
                           start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    killed_worker = crashed = False
    deadline = time.time() + 120
    try:
        while run.poll() is None and time.time() < deadline:
            n = len(_done(out))
            if n >= 2 and not killed_worker:
                workers = [p for p in psutil.Process(run.pid).children(recursive=True)
                           if "spawn" in " ".join(p.cmdline()) or "forkserver" in " ".join(p.cmdline())]
                if workers:
                    workers[0].kill()  # a worker dies mid-run: Dask reruns its shard elsewhere
                    killed_worker = True
            if n >= 5 and killed_worker:
                os.killpg(run.pid, signal.SIGKILL)  # then the whole run, like kill -9 or a power cut
                crashed = True
                break
            time.sleep(0.05)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    assert killed_worker, run.stderr.read().decode()[-2000:]
    before = {p.name: p.stat().st_mtime_ns for p in _done(out)}
    assert crashed and 0 < len(before) < 11  # 37 lines / 4 + 2 folder shards = 12 shards: some left

    sys.path.insert(0, str(tmp_path))
    try:
        import slowpipe

        from marsad.batch import run_batch

        res = run_batch(inputs, str(out), workers=2, shard_size=4, make_pipeline=slowpipe.make)
    finally:
        sys.path.remove(str(tmp_path))
    assert res.skipped == len(before) and res.done == res.shards - len(before) and not res.failed
    after = {p.name: p.stat().st_mtime_ns for p in _done(out)}
    assert all(after[k] == v for k, v in before.items())  # finished shards were not redone
    got = _ids(out)
    assert sorted(got) == sorted(ids) and len(got) == len(set(got))  # each document exactly once
    rows = [r for p in sorted((out / "shards").glob("part-*.parquet")) for r in pq.read_table(p).to_pylist()]
    assert sorted(r["doc_id"] for r in rows) == sorted(ids)
    errors = {r["doc_id"]: r["error"] for r in rows if r["error"]}
    assert set(errors) == {"in.jsonl:8", "latin"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] and manifest["documents"] == len(ids) and manifest["errors"] == 2
    # each shard says how long it took and on which worker (the slow pipeline sleeps 0.25 s a document)
    for e in manifest["shards"]:
        assert e["seconds"] >= 0.25 * e["documents"] - 0.25 * e["errors"] - 1e-6 and ":" in e["worker"]


def test_plan_is_stable_and_refuses_other_inputs(tmp_path):
    from marsad.batch import _load_or_write_plan, plan_shards

    inputs, _ = _inputs(tmp_path)
    a = plan_shards(inputs, 4)
    assert [s.id for s in a] == [f"{i:06d}" for i in range(len(a))]
    assert a == plan_shards(inputs, 4)
    assert sum(s.lines for s in a if not s.files) == 32 and sum(len(s.files) for s in a) == 6
    out = str(tmp_path / "out")
    assert _load_or_write_plan(out, inputs, 4) == a
    with pytest.raises(ValueError):
        _load_or_write_plan(out, inputs, 5)


def test_jsonl_shards_seek_to_their_lines_and_gzip_shards_read_to_them(tmp_path):
    import gzip

    from marsad.batch import plan_shards, read_shard

    inputs, _ = _inputs(tmp_path)
    plain = inputs[0]
    raw = Path(plain).read_bytes()
    (tmp_path / "in2.jsonl.gz").write_bytes(gzip.compress(raw))
    want = [r.doc_id for s in plan_shards([plain], 1) for r in read_shard(s)]  # one line per shard
    assert len(want) == 32 and want[:2] == ["doc-0", "doc-1"] and "in.jsonl:8" in want
    for url in (plain, str(tmp_path / "in2.jsonl.gz")):
        shards = plan_shards([url], 5)
        if url == plain:  # byte offsets of the shards' first lines
            starts = [0] + [i + 1 for i, b in enumerate(raw) if b == 10][:-1]
            assert [s.first_byte for s in shards] == starts[::5]
        else:
            assert all(s.first_byte is None for s in shards)
        got = [r.doc_id.replace("in2.jsonl.gz", "in.jsonl") for s in shards for r in read_shard(s)]
        assert got == want


def test_default_pipeline_batch_gives_the_records_of_extract(tmp_path):
    """The default pipeline, preloaded in the forkserver the workers are forked from: same records."""
    inputs, _ = _inputs(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cli = [sys.executable, "-m", "marsad.cli"]
    subprocess.run(cli + ["batch", inputs[0], "-o", str(tmp_path / "out"), "--workers", "2", "--shard-size", "8",
                          "--no-progress"], check=True, env=env, capture_output=True, timeout=300)
    # exit status 1: the input has two documents that become error records
    done = subprocess.run(cli + ["extract", inputs[0], "-o", str(tmp_path / "x.jsonl"), "--no-progress"],
                          env=env, capture_output=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr.decode()[-2000:]
    batch = "".join(p.read_text(encoding="utf-8") for p in sorted((tmp_path / "out" / "shards").glob("part-*.jsonl")))
    assert batch == (tmp_path / "x.jsonl").read_text(encoding="utf-8")
    assert len(batch.splitlines()) == 32


def test_a_jsonl_changed_since_the_plan_gives_an_error_record_not_other_or_fewer_documents(tmp_path):
    from marsad.batch import plan_shards, read_shard

    inputs, _ = _inputs(tmp_path)
    path = Path(inputs[0])
    shards = plan_shards([str(path)], 5)
    raw = path.read_bytes()
    path.write_bytes(b'{"id": "new", "text": "x"}\n' + raw)  # a line inserted before the planned ones
    got = list(read_shard(shards[1]))
    assert len(got) == 1 and got[0].stage == "read" and "not the file that was planned" in got[0].error
    path.write_bytes(raw[: raw.index(b"\n") + 1])  # cut to one line
    last = list(read_shard(shards[0]))
    assert [r.doc_id for r in last] == ["doc-0", "in.jsonl:1"] and "planned" in last[-1].error
