"""`marsad extract --workers N`: documents extracted by N processes, written in input order.

The pipeline (lexicons, gazetteer, NER model) is loaded once in the parent and
the workers are forked from it, so they share its memory pages instead of each
loading their own copy (where fork is not available they load it themselves).
Each worker turns a document into its JSON line (`record_line`); `imap` hands
the lines back in input order, so the output is the same, line for line, as
with one process.
"""
from __future__ import annotations

import multiprocessing as mp
from typing import Iterable, Iterator, Optional

from marsad.pipeline import InputDoc, Pipeline
from marsad.records import Document, ErrorRecord

CHUNK = 4  # documents per message to a worker: fewer round trips, still an even spread

_pipeline: Optional[Pipeline] = None


def record_line(rec: Document | ErrorRecord) -> str:
    """One JSON Lines line (without the newline) for a record; non-ASCII kept as is."""
    return rec.model_dump_json()


def _warm(pipeline: Pipeline) -> Pipeline:
    pipeline.extract("قال مسؤول في دمشق إن الجيش قصف مواقع المسلحين أمس.", published="2024-01-01")
    return pipeline


def _init(ner: bool) -> None:
    global _pipeline
    if _pipeline is None or _pipeline.version.endswith("+ner") != ner:  # spawned, not forked
        _pipeline = _warm(Pipeline(ner=ner))


def _one(item: InputDoc | ErrorRecord) -> tuple[str, bool]:
    rec = next(iter(_pipeline.process([item])))
    return record_line(rec), isinstance(rec, ErrorRecord)


def extract_lines(items: Iterable[InputDoc | ErrorRecord], ner: bool = True,
                  workers: int = 1) -> Iterator[tuple[str, bool]]:
    """(JSON line, is an error record) for each input, in input order."""
    global _pipeline
    if workers <= 1:
        pipeline = Pipeline(ner=ner)
        for rec in pipeline.process(items):
            yield record_line(rec), isinstance(rec, ErrorRecord)
        return
    methods = mp.get_all_start_methods()
    ctx = mp.get_context("fork" if "fork" in methods else "spawn")
    if ctx.get_start_method() == "fork":
        _pipeline = _warm(Pipeline(ner=ner))  # loaded once, shared with the forked workers
    with ctx.Pool(workers, initializer=_init, initargs=(ner,)) as pool:
        yield from pool.imap(_one, items, chunksize=CHUNK)
