"""The pipeline: a `Doc` passes through small stages, each one module.

    >>> from marsad.pipeline import Pipeline
    >>> record = Pipeline().extract("...", published="2024-12-06")   # a records.Document

`process` runs over many inputs and never raises on one bad document: it yields
an `ErrorRecord` for it and goes on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable, Iterator, Optional

from marsad import __version__
from marsad.doc import Doc, content_id
from marsad.records import Document, ErrorRecord

Stage = Callable[[Doc], Doc]

_ARABIC = re.compile(r"[\u0600-\u06FF]")


class BadDocument(ValueError):
    """The input cannot be processed (empty, not Arabic, ...); becomes an error record."""


@dataclass
class InputDoc:
    """One article as a caller gives it."""

    text: str
    doc_id: Optional[str] = None
    published: Optional[str] = None
    outlet: Optional[str] = None
    title: Optional[str] = None
    url: Optional[str] = None
    fetched: Optional[str] = None  # archived input: when the page was fetched


def parse_published(value: Optional[str]) -> Optional[date]:
    """'2024-12-06', '2024-12-06T13:50:00+03:00' → date(2024, 12, 6); bad → BadDocument."""
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as e:
        raise BadDocument(f"published is not an ISO date: {value!r}") from e


def default_stages(ner: bool = True) -> list[Stage]:
    from marsad.extract.events import EventExtractor
    from marsad.extract.speech import SpeechExtractor
    from marsad.resolve.actors import ActorResolver
    from marsad.resolve.geo import PlaceResolver
    from marsad.resolve.time import TimeResolver
    from marsad.text.clean import BoilerplateCleaner
    from marsad.text.segment_stage import Segmenter

    stages: list[Stage] = [BoilerplateCleaner(), Segmenter(), PlaceResolver(), TimeResolver(), ActorResolver()]
    if ner:
        from marsad.ner.component import NerMergeStage, NerStage

        stages.insert(2, NerStage())  # before the lexicon stages, which read doc.ner
        stages.append(NerMergeStage())  # model + lexicons: after places and actors, before speech and events
    stages += [SpeechExtractor(), EventExtractor()]
    return stages


class Pipeline:
    def __init__(self, stages: Optional[list[Stage]] = None, ner: bool = True):
        self.stages = stages if stages is not None else default_stages(ner=ner)
        self.version = __version__ + ("+ner" if ner else "")

    def make_doc(self, item: InputDoc) -> Doc:
        text = item.text
        if not isinstance(text, str) or not text.strip():
            raise BadDocument("empty text")
        if len(_ARABIC.findall(text[:5000])) < 20:
            raise BadDocument("not Arabic: fewer than 20 Arabic letters")
        return Doc(text=text, doc_id=str(item.doc_id or content_id(text)),
                   published=parse_published(item.published), published_raw=item.published,
                   outlet=item.outlet, title=item.title, url=item.url, fetched=item.fetched)

    def make_doc_lenient(self, text: str, published: Optional[str] = None) -> Doc:
        """A Doc for a short snippet (a single sentence), skipping the article checks."""
        return Doc(text=text, published=parse_published(published), published_raw=published)

    def run(self, doc: Doc) -> Doc:
        for stage in self.stages:
            doc = stage(doc)
        return doc

    def extract(self, text: str, **meta) -> Document:
        """One article in, one document record out; raises BadDocument on bad input."""
        doc = self.run(self.make_doc(InputDoc(text=text, **meta)))
        return doc.to_record(self.version)

    def process(self, items: Iterable[InputDoc | ErrorRecord]) -> Iterator[Document | ErrorRecord]:
        """Records for many inputs; a failing document becomes an ErrorRecord, never an exception."""
        for item in items:
            if isinstance(item, ErrorRecord):
                yield item
                continue
            doc_id = str(item.doc_id or (content_id(item.text) if isinstance(item.text, str) else "unknown"))
            try:
                yield self.run(self.make_doc(item)).to_record(self.version)
            except BadDocument as e:
                yield ErrorRecord(doc_id=doc_id, error=str(e))
            except Exception as e:  # a bug on one article must not kill the batch
                yield ErrorRecord(doc_id=doc_id, error=f"internal error: {type(e).__name__}: {e}")
