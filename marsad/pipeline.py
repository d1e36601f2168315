"""The pipeline: a `Doc` passes through small stages, each one module.

    >>> from marsad.pipeline import Pipeline
    >>> record = Pipeline().extract("...", published="2024-12-06")   # a records.Document

`process` runs over many inputs and never raises on one bad document: it yields
an `ErrorRecord` for it and goes on. The contract: every input yields exactly one
record, a `Document` or an `ErrorRecord {"doc_id", "error", "stage"}`, in input order.

`Limits` bound the work per document: a text over `max_chars` characters is an
error record ("too long: N characters, limit M"); a sentence over
`max_sentence_tokens` tokens (a run-on text with no punctuation) is cut into
pieces of that many tokens before the heavy stages (NER, events) see it.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable, Iterator, Optional

from marsad import __version__
from marsad.doc import Doc, content_id
from marsad.records import Document, ErrorRecord
from marsad.text.sanitize import for_processing, scrub_surrogates

Stage = Callable[[Doc], Doc]

_ARABIC = re.compile(r"[\u0600-\u06FF]")


class BadDocument(ValueError):
    """The input cannot be processed (empty, not Arabic, too long ...); becomes an error record."""


@dataclass(frozen=True)
class Limits:
    """Bounds on the work one input may cause; all configurable (marsad extract --max-chars ..., create_app)."""

    max_chars: int = 1_000_000  # characters per document text
    max_line_bytes: int = 10_000_000  # bytes per JSON Lines line, per .json file
    max_sentence_tokens: int = 300  # longer sentences are cut into pieces of this many tokens

    def check_text(self, text: str) -> None:
        if len(text) > self.max_chars:
            raise BadDocument(f"too long: {len(text)} characters, limit {self.max_chars}")


class SentenceCap:
    """Pipeline stage after segmentation: no sentence longer than `max_tokens` tokens.

    A page with no sentence punctuation would otherwise be one "sentence" of thousands
    of words, and the sentence-wide work of the heavy stages grows with its square.
    """

    name = "sentence-cap"

    def __init__(self, max_tokens: int):
        self.max_tokens = max(1, max_tokens)

    def __call__(self, doc: Doc) -> Doc:
        if not doc.tokens:
            return doc
        starts = [t.start for t in doc.tokens]
        out: list[tuple[int, int]] = []
        for s, e in doc.sentences:
            i, j = bisect_left(starts, s), bisect_left(starts, e)
            if j - i <= self.max_tokens:
                out.append((s, e))
                continue
            for k in range(i, j, self.max_tokens):
                last = min(k + self.max_tokens, j) - 1
                out.append((s if k == i else doc.tokens[k].start, e if last == j - 1 else doc.tokens[last].end))
        doc.sentences = out
        return doc


class StageFailed(Exception):
    def __init__(self, stage: str, error: Exception):
        super().__init__(f"{type(error).__name__}: {error}")
        self.stage = stage


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


def default_stages(ner: bool = True, limits: Optional[Limits] = None) -> list[Stage]:
    from marsad.extract.events import EventExtractor
    from marsad.extract.speech import SpeechExtractor
    from marsad.resolve.actors import ActorResolver
    from marsad.resolve.geo import PlaceResolver
    from marsad.resolve.time import TimeResolver
    from marsad.text.clean import BoilerplateCleaner
    from marsad.text.segment_stage import Segmenter

    cap = SentenceCap((limits or Limits()).max_sentence_tokens)
    stages: list[Stage] = [BoilerplateCleaner(), Segmenter(), cap, PlaceResolver(), TimeResolver(), ActorResolver()]
    if ner:
        from marsad.ner.component import NerMergeStage, NerStage

        stages.insert(3, NerStage())  # before the lexicon stages, which read doc.ner
        stages.append(NerMergeStage())  # model + lexicons: after places and actors, before speech and events
    stages += [SpeechExtractor(), EventExtractor()]
    return stages


class Pipeline:
    def __init__(self, stages: Optional[list[Stage]] = None, ner: bool = True, limits: Optional[Limits] = None):
        self.limits = limits or Limits()
        self.stages = stages if stages is not None else default_stages(ner=ner, limits=self.limits)
        self.version = __version__ + ("+ner" if ner else "")

    def warm_up(self) -> "Pipeline":
        """Load everything the stages load lazily (models, tables), by extracting one sentence, then
        move what is loaded out of the garbage collector's reach (`gc.freeze`): hundreds of thousands
        of long-lived objects that its full passes would otherwise walk again and again during a long
        run (and, before a fork, pages the workers then share instead of copying). A document leaves
        no reference cycle behind (tests/test_pipeline.py), so full passes find nothing of ours to free:
        they are made ten times rarer (the third threshold 10 -> 100), the young generations are
        collected as usual."""
        import gc

        try:
            self.extract("قال مسؤول في دمشق إن الجيش قصف مواقع المسلحين أمس.", published="2024-01-01")
        except BadDocument:  # limits stricter than this sentence (--max-chars 10): stages load on first use
            pass
        gc.collect()
        gc.freeze()
        young, middle, old = gc.get_threshold()
        gc.set_threshold(young, middle, max(old, 100))
        return self

    def make_doc(self, item: InputDoc) -> Doc:
        """The Doc for an input, after the door checks (raises BadDocument) and sanitizing."""
        text = item.text
        if not isinstance(text, str) or not text.strip():
            raise BadDocument("empty text")
        self.limits.check_text(text)
        original = scrub_surrogates(text)
        text = for_processing(original)
        if len(_ARABIC.findall(text[:5000])) < 20:
            raise BadDocument("not Arabic: fewer than 20 Arabic letters")
        meta = {k: None if v is None else scrub_surrogates(str(v))
                for k, v in (("outlet", item.outlet), ("title", item.title), ("url", item.url),
                             ("published", item.published))}
        return Doc(text=text, original=original if original != text else None,
                   doc_id=scrub_surrogates(str(item.doc_id)) if item.doc_id else content_id(original),
                   published=parse_published(meta["published"]), published_raw=meta["published"],
                   outlet=meta["outlet"], title=meta["title"], url=meta["url"],
                   fetched=item.fetched)

    def make_doc_lenient(self, text: str, published: Optional[str] = None) -> Doc:
        """A Doc for a short snippet (a single sentence), skipping the article checks."""
        original = scrub_surrogates(text)
        processed = for_processing(original)
        return Doc(text=processed, original=original if original != processed else None,
                   published=parse_published(published), published_raw=published)

    def run(self, doc: Doc) -> Doc:
        """All stages on `doc`; an exception in one is re-raised as StageFailed naming the stage."""
        for stage in self.stages:
            try:
                doc = stage(doc)
            except Exception as e:
                raise StageFailed(getattr(stage, "name", getattr(stage, "__name__", type(stage).__name__)), e) from e
        return doc

    def extract(self, text: str, **meta) -> Document:
        """One article in, one document record out; raises BadDocument on bad input."""
        doc = self.make_doc(InputDoc(text=text, **meta))
        try:
            return self.run(doc).to_record(self.version)
        except StageFailed as e:
            raise e.__cause__ from None

    def process(self, items: Iterable[InputDoc | ErrorRecord]) -> Iterator[Document | ErrorRecord]:
        """Records for many inputs; a failing document becomes an ErrorRecord, never an exception."""
        for item in items:
            if isinstance(item, ErrorRecord):
                yield item
                continue
            yield self.process_one(item)

    def process_one(self, item: InputDoc) -> Document | ErrorRecord:
        """One record for one input, never an exception."""
        doc_id = str(item.doc_id or (content_id(item.text) if isinstance(item.text, str) else "unknown"))
        try:
            doc = self.make_doc(item)
        except BadDocument as e:
            return ErrorRecord(doc_id=doc_id, error=str(e), stage="check")
        except Exception as e:  # a bug on one article must not kill the batch
            return ErrorRecord(doc_id=doc_id, error=f"internal error: {type(e).__name__}: {e}", stage="check")
        try:
            return self.run(doc).to_record(self.version)
        except StageFailed as e:
            return ErrorRecord(doc_id=doc.doc_id, error=f"internal error: {e}", stage=e.stage)
        except Exception as e:
            return ErrorRecord(doc_id=doc.doc_id, error=f"internal error: {type(e).__name__}: {e}", stage="record")
