"""Readers for the inputs `marsad extract` and `marsad ingest` take.

`.txt` (one article; doc_id = file name stem), `.jsonl`/`.jsonl.gz` (one record per
line with "id" or "doc_id", "text", "published", "outlet", "title", "url"), `.json`
(one such record, or a list of them), `.html`/`.htm` (main text by trafilatura).

Nothing is lost: every document, line or file that cannot be read becomes an
`ErrorRecord` with stage "read", in input order, and reading goes on. JSON Lines are
read as bytes and decoded line by line, so one invalid UTF-8 byte costs its own
line only; a line over `Limits.max_line_bytes` is skipped without being held in
memory; a corrupt or truncated `.gz` ends its file with an error record naming the
file and the last line read.
"""
from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import IO, Iterator, Optional

from marsad.pipeline import InputDoc, Limits
from marsad.records import ErrorRecord
from marsad.text.sanitize import scrub_surrogates

SUFFIXES = (".txt", ".jsonl", ".jsonl.gz", ".json", ".html", ".htm", ".warc", ".warc.gz")
_CHUNK = 1 << 20


def expand(paths: list[Path]) -> list[Path]:
    """Files named, plus the supported files inside directories named."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.name.endswith(SUFFIXES))
        else:
            out.append(p)
    return out


def read_inputs(paths: list[Path], published: str | None = None,
                limits: Optional[Limits] = None) -> Iterator[InputDoc | ErrorRecord]:
    """InputDocs and read-error records for the files (and directories) named, in order."""
    from marsad.archive import is_archive, read_archive, read_saved_page

    limits = limits or Limits()
    for path in expand(paths):
        name = path.name
        try:
            if is_archive(path):  # WARC files and "-" (JSON Lines on stdin): marsad/archive.py
                yield from read_archive(path, published)
            elif name.endswith((".jsonl", ".jsonl.gz")):
                yield from _read_jsonl(path, published, limits)
            elif name.endswith(".json"):
                yield from _read_json(path, published, limits)
            elif name.endswith((".html", ".htm")):
                yield read_saved_page(path, published, limits)
            else:
                yield _read_txt(path, published, limits)
        except OSError as e:  # unreadable file (the JSON Lines reader handles its own errors per line)
            yield _error(path.stem, f"cannot read {name}: {e.strerror or e}")


def _error(doc_id: str, error: str) -> ErrorRecord:
    return ErrorRecord(doc_id=doc_id, error=error, stage="read")


def _decode(data: bytes) -> str:
    """Strict UTF-8 (a BOM at the start is dropped); raises UnicodeDecodeError."""
    return data.decode("utf-8-sig")


def _undecodable(e: UnicodeDecodeError) -> str:
    return f"not UTF-8 text: {e.reason} (byte 0x{e.object[e.start]:02x} at offset {e.start})"


def _too_big(path: Path, limits: Limits, max_bytes: int) -> Optional[str]:
    size = path.stat().st_size
    return f"too long: {size} bytes, limit {max_bytes}" if size > max_bytes else None


def _read_txt(path: Path, published: str | None, limits: Limits) -> InputDoc | ErrorRecord:
    # a UTF-8 character is at most 4 bytes: a bigger file is surely over max_chars, and is not read
    if problem := _too_big(path, limits, 4 * limits.max_chars):
        return _error(path.stem, problem)
    try:
        text = _decode(path.read_bytes())
    except UnicodeDecodeError as e:
        return _error(path.stem, _undecodable(e))
    return InputDoc(text=text, doc_id=path.stem, published=published)


def _chunks(path: Path) -> Iterator[bytes]:
    """The file's bytes in chunks, gunzipped incrementally for .gz (several gzip members are read in turn).

    Incremental so that a truncated or corrupt archive still gives every line before the damage.
    """
    with open(path, "rb") as f:
        if not path.name.endswith(".gz"):
            while chunk := f.read(_CHUNK):
                yield chunk
            return
        unzip, fed = zlib.decompressobj(wbits=31), False
        while data := f.read(_CHUNK):
            while data:
                out, fed = unzip.decompress(data), True
                if out:
                    yield out
                if not unzip.eof:
                    break
                data = unzip.unused_data  # the next gzip member, if any
                unzip, fed = zlib.decompressobj(wbits=31), False
        if fed and not unzip.eof:
            raise EOFError("compressed file ended before the end-of-stream marker was reached")


def _lines(chunks: Iterator[bytes], max_bytes: int) -> Iterator[tuple[int, Optional[bytes]]]:
    """(line number, bytes) per line; bytes is None for a line over max_bytes, which is never held whole."""
    n, buf, skipping = 0, bytearray(), False
    for chunk in chunks:
        buf += chunk
        while (i := buf.find(b"\n")) >= 0:
            n += 1
            yield n, (None if skipping or i > max_bytes else bytes(buf[:i]))
            del buf[:i + 1]
            skipping = False
        if len(buf) > max_bytes:  # a line too long so far: drop what we hold, skip to its end
            skipping = True
            buf.clear()
    if buf or skipping:
        yield n + 1, (None if skipping else bytes(buf))


def _read_jsonl(path: Path, published: str | None, limits: Limits) -> Iterator[InputDoc | ErrorRecord]:
    n = 0
    try:
        for n, raw in _lines(_chunks(path), limits.max_line_bytes):
            where = f"{path.name}:{n}"
            if raw is None:
                yield _error(where, f"line too long: over {limits.max_line_bytes} bytes")
            elif raw.strip():
                yield record_from_line(raw, where, published)
    except (OSError, EOFError, zlib.error) as e:
        what = "corrupt or truncated compressed file" if path.name.endswith(".gz") else "cannot read"
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e) or type(e).__name__
        yield _error(f"{path.name}:{n + 1}", f"{what} {path.name}: {reason}; stopped after line {n}")


def read_jsonl_stream(stream: IO[bytes], name: str, published: str | None = None,
                      max_line_bytes: int = Limits().max_line_bytes) -> Iterator[InputDoc | ErrorRecord]:
    """JSON Lines from an open binary stream (stdin): the same records, decoded line by line, as a file."""
    for n, raw in _lines(iter(lambda: stream.read(_CHUNK), b""), max_line_bytes):
        where = f"{name}:{n}"
        if raw is None:
            yield _error(where, f"line too long: over {max_line_bytes} bytes")
        elif raw.strip():
            yield record_from_line(raw, where, published)


def record_from_line(raw: bytes, where: str, published: str | None = None) -> InputDoc | ErrorRecord:
    """One JSON Lines line (bytes, without its newline) → an InputDoc, or an error record naming `where`."""
    try:
        line = _decode(raw)
    except UnicodeDecodeError as e:
        # the id, when the damaged line still parses, names the document in the error record
        doc_id = _id_of(raw.decode("utf-8", "replace")) or where
        return _error(doc_id, f"{where}: {_undecodable(e)}")
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as e:
        return _error(where, f"broken JSON line: {e.msg} at column {e.colno}")
    except RecursionError:
        return _error(where, "broken JSON line: nested too deeply")
    if not isinstance(rec, dict):
        return _error(where, "JSON line is not an object")
    return from_mapping(rec, default_id=where, published=published)


def _id_of(line: str) -> Optional[str]:
    try:
        rec = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if isinstance(rec, dict):
        v = rec.get("doc_id") or rec.get("id")
        return None if v is None or isinstance(v, (dict, list)) else str(v)
    return None


def _read_json(path: Path, published: str | None, limits: Limits) -> Iterator[InputDoc | ErrorRecord]:
    """A .json file: one document object, or a list of them (ids default to "file.json:1", ":2", ...)."""
    if problem := _too_big(path, limits, limits.max_line_bytes):
        yield _error(path.stem, f"{problem} (use JSON Lines for big collections)")
        return
    try:
        data = json.loads(_decode(path.read_bytes()))
    except UnicodeDecodeError as e:
        yield _error(path.stem, _undecodable(e))
        return
    except json.JSONDecodeError as e:
        if e.msg == "Extra data":  # several objects one after another: JSON Lines under a .json name
            yield from _read_jsonl(path, published, limits)
        else:
            yield _error(path.stem, f"broken JSON: {e.msg} at line {e.lineno} column {e.colno}")
        return
    except RecursionError:
        yield _error(path.stem, "broken JSON: nested too deeply")
        return
    if isinstance(data, dict):
        yield from_mapping(data, default_id=path.stem, published=published)
    elif isinstance(data, list):
        for i, rec in enumerate(data, 1):
            where = f"{path.name}:{i}"
            yield (from_mapping(rec, default_id=where, published=published) if isinstance(rec, dict)
                   else _error(where, "list item is not a JSON object"))
    else:
        yield _error(path.stem, "a .json file must hold a document object or a list of them")


def from_mapping(rec: dict, default_id: str | None = None, published: str | None = None) -> InputDoc | ErrorRecord:
    doc_id = rec.get("doc_id") or rec.get("id") or default_id
    if isinstance(doc_id, (dict, list)):
        doc_id = default_id
    doc_id = None if doc_id is None else scrub_surrogates(str(doc_id))
    text = rec.get("text")
    if not isinstance(text, str):
        return ErrorRecord(doc_id=str(doc_id), error="record has no 'text' string", stage="read")

    def opt(key: str) -> str | None:
        v = rec.get(key)
        return None if v is None else scrub_surrogates(str(v))

    # lone surrogates ("\ud800" is valid JSON) become U+FFFD here, one for one: offsets keep
    return InputDoc(text=scrub_surrogates(text), doc_id=doc_id,
                    published=opt("published") or published,
                    outlet=opt("outlet"), title=opt("title"), url=opt("url"))


def _read_html(path: Path, published: str | None, limits: Limits) -> InputDoc | ErrorRecord:
    import trafilatura

    if problem := _too_big(path, limits, limits.max_line_bytes):
        return _error(path.stem, problem)
    try:
        html = _decode(path.read_bytes())
    except UnicodeDecodeError as e:
        return _error(path.stem, _undecodable(e))
    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True)
    meta = trafilatura.extract_metadata(html)
    if not text:
        return _error(path.stem, "no main text found in the HTML page")
    # trafilatura falls back to Jan 1 of a "© 2024" footer: only trust dates the caller did not give
    return InputDoc(text=text, doc_id=path.stem, published=published,
                    title=getattr(meta, "title", None), url=getattr(meta, "url", None),
                    outlet=getattr(meta, "sitename", None))
