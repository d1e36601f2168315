"""Readers for the inputs `marsad extract` and `marsad ingest` take.

`.txt` (one article; doc_id = file name stem), `.jsonl`/`.jsonl.gz` (records with
"id" or "doc_id", "text", "published", "outlet", "title", "url"), `.html`/`.htm`
(main text by trafilatura). A file or line that cannot be read becomes an
`ErrorRecord`, so the caller can write it out and go on.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Iterator

from marsad.pipeline import InputDoc
from marsad.records import ErrorRecord

SUFFIXES = (".txt", ".jsonl", ".jsonl.gz", ".json", ".html", ".htm", ".warc", ".warc.gz")


def expand(paths: list[Path]) -> list[Path]:
    """Files named, plus the supported files inside directories named."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.name.endswith(SUFFIXES))
        else:
            out.append(p)
    return out


def read_inputs(paths: list[Path], published: str | None = None) -> Iterator[InputDoc | ErrorRecord]:
    from marsad.archive import is_archive, read_archive, read_saved_page

    for path in expand(paths):
        name = path.name
        try:
            if is_archive(path):  # WARC files and "-" (JSON Lines on stdin): marsad/archive.py
                yield from read_archive(path, published)
            elif name.endswith((".jsonl", ".jsonl.gz", ".json")):
                yield from _read_jsonl(path, published)
            elif name.endswith((".html", ".htm")):
                yield read_saved_page(path, published)
            else:
                yield InputDoc(text=path.read_bytes().decode("utf-8"), doc_id=path.stem, published=published)
        except UnicodeDecodeError as e:
            yield ErrorRecord(doc_id=path.stem, error=f"not UTF-8 text: {e.reason} at byte {e.start}")
        except OSError as e:
            yield ErrorRecord(doc_id=path.stem, error=f"cannot read {path}: {e.strerror or e}")


def _read_jsonl(path: Path, published: str | None) -> Iterator[InputDoc | ErrorRecord]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path.name}:{n}"
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                yield ErrorRecord(doc_id=where, error=f"broken JSON line: {e.msg}")
                continue
            if not isinstance(rec, dict):
                yield ErrorRecord(doc_id=where, error="JSON line is not an object")
                continue
            yield from_mapping(rec, default_id=where, published=published)


def from_mapping(rec: dict, default_id: str | None = None, published: str | None = None) -> InputDoc | ErrorRecord:
    doc_id = rec.get("doc_id") or rec.get("id") or default_id
    text = rec.get("text")
    if not isinstance(text, str):
        return ErrorRecord(doc_id=str(doc_id), error="record has no 'text' string")

    def opt(key: str) -> str | None:
        v = rec.get(key)
        return None if v is None else str(v)

    return InputDoc(text=text, doc_id=None if doc_id is None else str(doc_id),
                    published=opt("published") or published,
                    outlet=opt("outlet"), title=opt("title"), url=opt("url"))


def _read_html(path: Path, published: str | None) -> InputDoc | ErrorRecord:
    import trafilatura

    html = path.read_bytes().decode("utf-8")
    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True)
    meta = trafilatura.extract_metadata(html)
    if not text:
        return ErrorRecord(doc_id=path.stem, error="no main text found in the HTML page")
    # trafilatura falls back to Jan 1 of a "© 2024" footer: only trust dates the caller did not give
    return InputDoc(text=text, doc_id=path.stem, published=published,
                    title=getattr(meta, "title", None), url=getattr(meta, "url", None),
                    outlet=getattr(meta, "sitename", None))
