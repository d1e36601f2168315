"""`marsad batch`: extract a large collection on Dask distributed, in shards that survive crashes.

    marsad batch INPUT... -o OUT [--workers 2] [--shard-size 500] [--scheduler tcp://HOST:8786]

1. **Plan.** Inputs (local paths or any fsspec URL: ``s3://bucket/archive/``,
   ``https://host/file.jsonl.gz``) are cut into shards: a ``.jsonl``/``.jsonl.gz``
   file into runs of ``--shard-size`` lines, a folder of ``.txt``/``.html`` files into
   runs of that many files. The plan is written to ``OUT/plan.json``; a rerun
   with the same inputs and shard size finds the same shards.
2. **Run.** Each shard not yet finished becomes one Dask task: the worker reads
   the shard, runs the pipeline (loaded once per worker process) and writes
   ``OUT/shards/part-NNNNNN.jsonl`` and ``.parquet`` (one row per record: doc_id,
   error, published, outlet, title, url, n_events and the record as JSON), then
   ``part-NNNNNN.done.json`` (counts). Every file is written under a temporary
   name and renamed into place, the done file last, so a shard is either
   finished or absent: after a crash or ``kill -9`` a rerun skips the finished
   shards and redoes the others, and no document is lost or written twice.
   A document that fails is an error record in its shard; a line or file that
   cannot be read is one too.
3. **Manifest.** ``OUT/manifest.json`` lists every shard with its status and counts.

By default the run starts a `distributed.LocalCluster` of ``--workers``
processes; ``--scheduler tcp://HOST:8786`` sends the tasks to a running cluster
instead (its workers need ``marsad`` installed and must reach INPUT and OUT:
shared storage or object-store URLs).
"""
from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator, List, Optional

import typer

from marsad.pipeline import InputDoc
from marsad.records import ErrorRecord

FILE_SUFFIXES = (".txt", ".html", ".htm")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".json")
PLAN_VERSION = 1


@dataclass(frozen=True)
class Shard:
    id: str  # "000012": order in the plan, names the output files
    source: str  # the input file or folder (path or URL)
    first_line: int = 0  # JSON Lines: lines [first_line, first_line + lines) of the file (0-based)
    lines: int = 0
    files: tuple[str, ...] = ()  # a folder: these files
    # uncompressed JSON Lines: byte offset of the shard's first line, so that a worker seeks there instead of
    # reading every line before it (shard k of a million-line file would read k shards' worth first); a
    # compressed stream cannot seek, so a .jsonl.gz shard is still found by reading up to it
    first_byte: Optional[int] = None

    @property
    def name(self) -> str:
        return f"part-{self.id}"


# --- planning ---------------------------------------------------------------------------------

def _fs(url: str):
    import fsspec

    return fsspec.core.url_to_fs(url)


def _full(fs, path: str) -> str:
    """A path the workers can open again: the URL for remote filesystems, the path for local ones."""
    return path if _is_local(fs) else fs.unstrip_protocol(path)


def _is_local(fs) -> bool:
    return "file" in (fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,))


def _open_bytes(url: str):
    """Bytes, decompressed by suffix: lines are decoded one at a time, so a bad byte costs one line."""
    import fsspec

    return fsspec.open(url, "rb", compression="infer").open()


def plan_shards(inputs: list[str], shard_size: int) -> list[Shard]:
    """Shards of all inputs, in input order (see the module docstring)."""
    shards: list[Shard] = []

    def add(**kw) -> None:
        shards.append(Shard(id=f"{len(shards):06d}", **kw))

    for url in inputs:
        fs, path = _fs(url)
        if fs.isdir(path):
            found = sorted(p for p in fs.find(path) if p.lower().endswith(FILE_SUFFIXES + JSONL_SUFFIXES))
            files = [p for p in found if p.lower().endswith(FILE_SUFFIXES)]
            for k in range(0, len(files), shard_size):
                add(source=_full(fs, path), files=tuple(_full(fs, p) for p in files[k:k + shard_size]))
            for p in found:
                if p.lower().endswith(JSONL_SUFFIXES):
                    shards_of_jsonl(_full(fs, p), shard_size, add)
        elif fs.exists(path):
            if path.lower().endswith(JSONL_SUFFIXES):
                shards_of_jsonl(_full(fs, path), shard_size, add)
            else:
                add(source=_full(fs, path), files=(_full(fs, path),))
        else:
            raise FileNotFoundError(url)
    return shards


def shards_of_jsonl(url: str, shard_size: int, add: Callable) -> None:
    seekable = not _compressed(url)
    starts: list[int] = []  # byte offset of every shard_size-th line
    n = pos = 0
    with _open_bytes(url) as f:
        for line in f:
            if n % shard_size == 0:
                starts.append(pos)
            n += 1
            pos += len(line)
    for i, k in enumerate(range(0, n, shard_size)):
        add(source=url, first_line=k, lines=min(shard_size, n - k), first_byte=starts[i] if seekable else None)


def _compressed(url: str) -> bool:
    from fsspec.utils import infer_compression

    return infer_compression(url) is not None


# --- one shard, on a worker -----------------------------------------------------------------------

def read_shard(shard: Shard) -> Iterator[InputDoc | ErrorRecord]:
    """The shard's documents; what cannot be read becomes an ErrorRecord."""
    from marsad.io import record_from_line

    if not shard.files:
        name = shard.source.rstrip("/").rsplit("/", 1)[-1]
        end = shard.first_line + shard.lines
        lineno = shard.first_line
        changed = ErrorRecord(doc_id=f"{name}:{shard.first_line + 1}", stage="read",
                              error=f"{shard.source} is not the file that was planned (lines moved or missing): "
                                    "extract it into a new output folder")
        seen = 0
        try:
            with _open_bytes(shard.source) as f:
                if shard.first_byte:  # the planned offset must still start a line
                    f.seek(shard.first_byte - 1)
                    if f.read(1) != b"\n":
                        yield changed
                        return
                for lineno, line in enumerate(f, start=shard.first_line if shard.first_byte is not None else 0):
                    if lineno < shard.first_line:
                        continue
                    if lineno >= end:
                        break
                    seen += 1
                    if line.strip():
                        yield record_from_line(line.rstrip(b"\r\n"), f"{name}:{lineno + 1}")
        except (OSError, UnicodeDecodeError, EOFError) as e:
            yield ErrorRecord(doc_id=f"{name}:{lineno + 1}", error=f"cannot read {shard.source}: {e}")
            return
        if seen < shard.lines:  # the file lost lines since the plan: say so rather than end the shard early
            yield changed
        return
    for url in shard.files:
        yield from _read_file(url)


def _read_file(url: str) -> Iterator[InputDoc | ErrorRecord]:
    import fsspec

    from marsad.io import read_inputs

    stem = url.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    try:
        local = fsspec.open_local(url if "://" not in url or url.startswith("file://") else "simplecache::" + url)
    except OSError as e:
        yield ErrorRecord(doc_id=stem, error=f"cannot read {url}: {e}")
        return
    yield from read_inputs([Path(local)])


_pipelines: dict = {}


def _pipeline(make: Optional[Callable], ner: bool):
    """The pipeline of this worker process, built on its first shard."""
    key = (make, ner)
    if key not in _pipelines:
        if make is not None:
            _pipelines[key] = make()
        else:
            from marsad.pipeline import Pipeline

            _pipelines[key] = Pipeline(ner=ner).warm_up()
    return _pipelines[key]


def run_shard(shard: Shard, out: str, ner: bool = True, make_pipeline: Optional[Callable] = None) -> dict:
    """Extract one shard and write its files (temporary names, then renamed; the done file last)."""
    from marsad.records import Document

    t0 = time.perf_counter()
    pipeline = _pipeline(make_pipeline, ner)
    lines: list[str] = []
    rows: list[dict] = []
    for rec in pipeline.process(read_shard(shard)):
        line = rec.model_dump_json()
        lines.append(line)
        doc = rec if isinstance(rec, Document) else None
        rows.append({"doc_id": rec.doc_id, "error": getattr(rec, "error", None),
                     "published": doc.published if doc else None, "outlet": doc.outlet if doc else None,
                     "title": doc.title if doc else None, "url": doc.url if doc else None,
                     "n_events": len(doc.events) if doc else None, "record": line})
    fs, root = _fs(out)
    base = f"{root.rstrip('/')}/shards/{shard.name}"
    errors = sum(r["error"] is not None for r in rows)
    _write_atomic(fs, base + ".parquet", _parquet_bytes(rows))
    _write_atomic(fs, base + ".jsonl", "".join(x + "\n" for x in lines).encode("utf-8"))
    # seconds on the worker (the first shard of a worker includes loading its pipeline) and which worker:
    # the manifest then shows where a slow run spent its time
    done = {"shard": shard.id, "documents": len(rows), "errors": errors, "events": sum(r["n_events"] or 0 for r in rows),
            "seconds": round(time.perf_counter() - t0, 2), "worker": f"{socket.gethostname()}:{os.getpid()}"}
    _write_atomic(fs, base + ".done.json", json.dumps(done).encode("utf-8"))
    return done


def _parquet_bytes(rows: list[dict]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([("doc_id", pa.string()), ("error", pa.string()), ("published", pa.string()),
                        ("outlet", pa.string()), ("title", pa.string()), ("url", pa.string()),
                        ("n_events", pa.int32()), ("record", pa.string())])
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), sink)
    return sink.getvalue().to_pybytes()


def _write_atomic(fs, path: str, data: bytes) -> None:
    tmp = f"{path}.tmp-{uuid.uuid4().hex}"
    with fs.open(tmp, "wb") as f:
        f.write(data)
    if _is_local(fs):
        os.replace(tmp, path)  # atomic on one filesystem
    else:
        fs.mv(tmp, path)


# --- the run -------------------------------------------------------------------------------------

@dataclass
class BatchResult:
    shards: int
    skipped: int  # finished by an earlier run
    done: int
    failed: list[str] = field(default_factory=list)
    documents: int = 0
    errors: int = 0


def finished(out: str) -> set[str]:
    """Ids of the shards whose done file exists."""
    fs, root = _fs(out)
    d = f"{root.rstrip('/')}/shards"
    if not fs.exists(d):
        return set()
    return {p.rsplit("/", 1)[-1][5:11] for p in fs.ls(d, detail=False) if p.endswith(".done.json")}


def _load_or_write_plan(out: str, inputs: list[str], shard_size: int) -> list[Shard]:
    fs, root = _fs(out)
    fs.makedirs(f"{root.rstrip('/')}/shards", exist_ok=True)
    path = f"{root.rstrip('/')}/plan.json"
    if fs.exists(path):
        saved = json.loads(fs.cat_file(path))
        if saved["inputs"] != inputs or saved["shard_size"] != shard_size:
            raise ValueError(f"{out} holds a run over other inputs or another shard size; use a new output folder")
        return [Shard(**{**s, "files": tuple(s["files"])}) for s in saved["shards"]]
    shards = plan_shards(inputs, shard_size)
    plan = {"version": PLAN_VERSION, "inputs": inputs, "shard_size": shard_size, "shards": [asdict(s) for s in shards]}
    _write_atomic(fs, path, json.dumps(plan, ensure_ascii=False, indent=1).encode("utf-8"))
    return shards


def _local_cluster(workers: int, ner: bool, preload: bool):
    """A LocalCluster of `workers` single-threaded processes. Where the platform can fork, the worker
    processes are forked from a forkserver that has loaded the default pipeline once
    (marsad/batch_preload.py): a worker then starts with it loaded, and the workers share its pages
    (models, gazetteer), as the forked workers of `marsad extract --workers` do. Spawned workers
    that each load their own copy ran 15-20 % slower side by side on two cores (cache and memory
    traffic of two copies: bench/bench_scale.py batch)."""
    import multiprocessing

    import dask
    from distributed import LocalCluster
    from distributed.utils import get_mp_context

    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    with dask.config.set({"distributed.worker.multiprocessing-method": method}):
        if method == "forkserver" and preload:
            os.environ["MARSAD_BATCH_NER"] = "1" if ner else "0"  # read by the forkserver when it starts
            ctx = get_mp_context()  # sets Dask's own preload list first; ours replaces it
            ctx.set_forkserver_preload(["distributed", "marsad.batch_preload"])
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                            dashboard_address=None, silence_logs=logging.ERROR)


def run_batch(inputs: list[str], out: str, scheduler: Optional[str] = None, workers: int = 2,
              shard_size: int = 500, ner: bool = True, progress: bool = False,
              make_pipeline: Optional[Callable] = None) -> BatchResult:
    """Run (or finish) a batch; see the module docstring."""
    from distributed import Client, as_completed

    inputs = [str(i) for i in inputs]
    shards = _load_or_write_plan(out, inputs, shard_size)
    already = finished(out)
    todo = [s for s in shards if s.id not in already]
    result = BatchResult(shards=len(shards), skipped=len(shards) - len(todo), done=0)
    if todo:
        if scheduler:
            client = Client(scheduler)
            cluster = None
        else:
            cluster = _local_cluster(workers, ner, preload=make_pipeline is None)
            client = Client(cluster)
        try:
            run = uuid.uuid4().hex[:8]
            futures = [client.submit(run_shard, s, out, ner, make_pipeline, key=f"marsad-{s.name}-{run}",
                                     retries=2) for s in todo]
            ids = {f.key: s.id for f, s in zip(futures, todo)}
            with _bar(progress, len(shards), result.skipped) as advance:
                for fut in as_completed(futures):
                    try:
                        done = fut.result()
                        result.done += 1
                        result.documents += done["documents"]
                        result.errors += done["errors"]
                    except Exception as e:  # the shard is redone by the next run
                        result.failed.append(ids[fut.key])
                        logging.getLogger("marsad.batch").error("shard %s failed: %s", ids[fut.key], e)
                    advance()
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    _write_manifest(out, shards, inputs, shard_size)
    return result


def _write_manifest(out: str, shards: list[Shard], inputs: list[str], shard_size: int) -> None:
    fs, root = _fs(out)
    root = root.rstrip("/")
    done_ids = finished(out)
    listed = []
    for s in shards:
        entry = {"shard": s.id, "source": s.source, "first_line": s.first_line, "lines": s.lines,
                 "files": len(s.files), "status": "done" if s.id in done_ids else "pending"}
        if s.id in done_ids:
            entry.update(json.loads(fs.cat_file(f"{root}/shards/{s.name}.done.json")))
            entry["jsonl"] = f"shards/{s.name}.jsonl"
            entry["parquet"] = f"shards/{s.name}.parquet"
        listed.append(entry)
    manifest = {"inputs": inputs, "shard_size": shard_size, "shards": listed,
                "complete": all(e["status"] == "done" for e in listed),
                "documents": sum(e.get("documents", 0) for e in listed),
                "errors": sum(e.get("errors", 0) for e in listed)}
    _write_atomic(fs, f"{root}/manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))


class _bar:
    def __init__(self, show: bool, total: int, completed: int):
        self.show, self.total, self.completed = show, total, completed

    def __enter__(self):
        if not self.show:
            return lambda: None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("batch"), BarColumn(), MofNCompleteColumn(), TextColumn("shards"),
                                 TimeElapsedColumn(), console=Console(stderr=True))
        self.progress.__enter__()
        task = self.progress.add_task("batch", total=self.total, completed=self.completed)
        return lambda: self.progress.advance(task)

    def __exit__(self, *exc):
        if self.show:
            self.progress.__exit__(*exc)


def batch_command(
    inputs: List[str] = typer.Argument(..., help=".jsonl(.gz) files, folders of .txt/.html, or fsspec URLs"),
    output: str = typer.Option(..., "-o", "--output", help="output folder (local path or fsspec URL)"),
    scheduler: Optional[str] = typer.Option(None, help="address of a running Dask scheduler, tcp://HOST:8786"),
    workers: int = typer.Option(2, "--workers", min=1, help="local worker processes (without --scheduler)"),
    shard_size: int = typer.Option(500, "--shard-size", min=1, help="documents (lines or files) per shard"),
    ner: bool = typer.Option(True, "--ner/--no-ner", help="use the shipped NER model"),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="progress bar on stderr"),
):
    """Extract a large collection on Dask in restartable shards (JSONL + Parquet per shard, a manifest)."""
    from rich.console import Console

    err = Console(stderr=True)
    try:
        res = run_batch(inputs, output, scheduler=scheduler, workers=workers, shard_size=shard_size, ner=ner,
                        progress=progress)
    except (FileNotFoundError, ValueError) as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)
    err.print(f"{res.shards} shards: {res.skipped} already done, {res.done} done now, {len(res.failed)} failed; "
              f"{res.documents} documents ({res.errors} error records) → {output}/manifest.json")
    raise typer.Exit(1 if res.failed else 0)
