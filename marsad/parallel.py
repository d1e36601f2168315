"""`marsad extract --workers N`: documents extracted by N processes, written in input order.

The pipeline (lexicons, gazetteer, NER model) is loaded once in the parent and
the workers are forked from it, so they share its memory pages instead of each
loading their own copy (where fork is not available they load it themselves).
Each worker turns a chunk of documents into JSON lines (`record_line`); the
chunks are collected in input order, so the output is the same, line for line,
as with one process.
"""
from __future__ import annotations

import multiprocessing as mp
from collections import deque
from itertools import islice
from typing import Iterable, Iterator, Optional

from marsad.pipeline import InputDoc, Pipeline
from marsad.records import Document, ErrorRecord

CHUNK = 4  # documents per message to a worker: fewer round trips, still an even spread

_pipeline: Optional[Pipeline] = None


def record_line(rec: Document | ErrorRecord) -> str:
    """One JSON Lines line (without the newline) for a record; non-ASCII kept as is. A string the
    input smuggled in that UTF-8 cannot encode (a lone surrogate) falls back to ASCII escapes."""
    try:
        line = rec.model_dump_json()
        line.encode("utf-8")
        return line
    except (UnicodeEncodeError, ValueError):
        import json

        return json.dumps(rec.model_dump(), ensure_ascii=True)


def _warm(pipeline: Pipeline) -> Pipeline:
    return pipeline.warm_up()


def _init(ner: bool, limits=None) -> None:
    global _pipeline
    if _pipeline is None or _pipeline.version.endswith("+ner") != ner:  # spawned, not forked
        _pipeline = _warm(Pipeline(ner=ner, limits=limits))


def _many(chunk: list) -> list[tuple[str, bool]]:
    return [(record_line(rec), isinstance(rec, ErrorRecord)) for rec in _pipeline.process(chunk)]


def _lost(item: InputDoc | ErrorRecord, why: str) -> tuple[str, bool]:
    from marsad.doc import content_id

    if isinstance(item, ErrorRecord):
        return record_line(item), True
    doc_id = item.doc_id or (content_id(item.text) if isinstance(item.text, str) else "unknown")
    return record_line(ErrorRecord(doc_id=str(doc_id), error=why)), True


def extract_lines(items: Iterable[InputDoc | ErrorRecord], ner: bool = True,
                  workers: int = 1, limits=None) -> Iterator[tuple[str, bool]]:
    """(JSON line, is an error record) for each input, in input order.

    With several workers, at most `workers * 4` chunks are in flight (memory stays flat on
    any input size). If a worker process dies (killed, out of memory), the documents of the
    chunk it held become error records, the pool is started again and the run goes on."""
    global _pipeline
    if workers <= 1:
        pipeline = _warm(Pipeline(ner=ner, limits=limits))
        for rec in pipeline.process(items):
            yield record_line(rec), isinstance(rec, ErrorRecord)
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    if ctx.get_start_method() == "fork":
        _pipeline = _warm(Pipeline(ner=ner, limits=limits))  # loaded once, shared with the forked workers

    def new_pool():
        return ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init, initargs=(ner, limits))

    it = iter(items)
    pool = new_pool()
    window: deque = deque()
    try:
        while True:
            while len(window) < workers * 4:
                chunk = list(islice(it, CHUNK))
                if not chunk:
                    break
                window.append((pool.submit(_many, chunk), chunk))
            if not window:
                return
            future, chunk = window.popleft()
            try:
                lines = future.result()
            except BrokenProcessPool:
                lines = [_lost(item, "internal error: the worker process died") for item in chunk]
                pool.shutdown(wait=False, cancel_futures=True)
                pool = new_pool()
                window = deque((pool.submit(_many, c), c) for _, c in window)
            yield from lines
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
