"""Input as it is archived: WARC files, folders of saved HTML pages, JSON Lines on stdin.

Each page goes through the same HTML reader as a single ``.html`` file
(trafilatura main text, marsad/io.py) and keeps where and when it was
fetched: ``url`` (WARC-Target-URI, or the page's canonical link) and
``fetched`` (WARC-Date, or the saved file's modification time, UTC).

    marsad extract crawl.warc.gz saved-pages/ -o out.jsonl
    zcat articles.jsonl.gz | marsad extract - -o out.jsonl

A record or page that cannot be read becomes an ErrorRecord, as elsewhere.
"""
from __future__ import annotations

import re
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Optional

from marsad.pipeline import InputDoc
from marsad.records import ErrorRecord

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
STDIN = "-"
MAX_PAGE_BYTES = 20_000_000  # a page larger than this is not an article (a media file, a dump)
_CHARSET = re.compile(r"charset=([\w.:-]+)", re.I)


def is_archive(path: Path) -> bool:
    return str(path) == STDIN or path.name.endswith(WARC_SUFFIXES)


def read_archive(path: Path, published: Optional[str] = None) -> Iterator[InputDoc | ErrorRecord]:
    if str(path) == STDIN:
        from marsad.io import read_jsonl_stream

        yield from read_jsonl_stream(sys.stdin.buffer, "stdin", published)
    else:
        yield from read_warc(path, published)


def html_to_input(html: str, doc_id: str, published: Optional[str] = None, url: Optional[str] = None,
                  fetched: Optional[str] = None) -> InputDoc | ErrorRecord:
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True)
    if not text:
        return ErrorRecord(stage="read", doc_id=doc_id, error="no main text found in the HTML page")
    meta = trafilatura.extract_metadata(html)
    # trafilatura falls back to Jan 1 of a "© 2024" footer: only trust dates the caller gave
    return InputDoc(text=text, doc_id=doc_id, published=published, title=getattr(meta, "title", None),
                    url=url or getattr(meta, "url", None), outlet=getattr(meta, "sitename", None), fetched=fetched)


def _decode(body: bytes, content_type: str) -> str:
    m = _CHARSET.search(content_type or "")
    for enc in ([m.group(1)] if m else []) + ["utf-8"]:
        try:
            return body.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace")


def read_warc(path: Path, published: Optional[str] = None) -> Iterator[InputDoc | ErrorRecord]:
    """One InputDoc per archived HTML response (or resource) of a WARC/ARC file, gzipped or not."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    pages = 0
    try:
        with open(path, "rb") as f:
            for n, rec in enumerate(ArchiveIterator(f, arc2warc=True), 1):
                if rec.rec_type not in ("response", "resource"):
                    continue
                url = rec.rec_headers.get_header("WARC-Target-URI")
                rid = (rec.rec_headers.get_header("WARC-Record-ID") or "").strip("<>")
                doc_id = rid.replace("urn:uuid:", "warc-") if rid else f"{path.name}:{n}"
                if rec.rec_type == "response" and rec.http_headers is not None:
                    ctype = rec.http_headers.get_header("Content-Type") or ""
                    status = rec.http_headers.get_statuscode()
                    if status and not str(status).startswith("2"):
                        continue
                else:
                    ctype = rec.rec_headers.get_header("Content-Type") or ""
                if "html" not in ctype.lower():
                    continue
                pages += 1
                body = rec.content_stream().read(MAX_PAGE_BYTES + 1)
                if len(body) > MAX_PAGE_BYTES:
                    yield ErrorRecord(stage="read", doc_id=doc_id, error=f"page larger than {MAX_PAGE_BYTES} bytes")
                    continue
                yield html_to_input(_decode(body, ctype), doc_id, published, url=url,
                                    fetched=rec.rec_headers.get_header("WARC-Date"))
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as e:
        yield ErrorRecord(stage="read", doc_id=path.name, error=f"cannot read WARC {path}: {e}")
        return
    if not pages:  # nothing in: say so rather than output nothing
        yield ErrorRecord(stage="read", doc_id=path.name, error=f"no HTML page (2xx response) in the WARC file {path.name}")


def read_saved_page(path: Path, published: Optional[str] = None, limits=None) -> InputDoc | ErrorRecord:
    """A saved .html page; `fetched` is the file's modification time (when it was saved), in UTC."""
    from marsad.io import _read_html
    from marsad.pipeline import Limits

    item = _read_html(path, published, limits or Limits())
    if isinstance(item, InputDoc):
        item.fetched = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc).isoformat(timespec="seconds")
    return item
