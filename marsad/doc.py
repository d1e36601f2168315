"""The `Doc`: one article passing through the pipeline's stages.

Like spaCy's Doc, it holds the original text and everything the stages add.
Each stage is a callable `stage(doc) -> doc` in its own module; the stage that
fills a field is named beside it below, so a newcomer finds where a field is
produced in one step.
"""
from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Optional

from marsad.records import (Actor, Document, Event, Place, PublishedInferred, Removed, Statement,
                            TimeExpr)
from marsad.text.normalize import NormText
from marsad.text.segment import Token


def content_id(text: str) -> str:
    """doc_id for a document given without one: a hash of its text (a lone surrogate hashes too)."""
    return "sha1:" + hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _requote(node, original: str) -> None:
    """Reset every quoted string of a dumped record to the original characters its span covers."""
    if isinstance(node, list):
        for x in node:
            _requote(x, original)
        return
    if not isinstance(node, dict):
        return
    quote_span = "quote_span" if "quote_span" in node else "span"  # a statement's span is its verb
    for span_key, text_key in (("span", "text"), (quote_span, "quote")):
        sp = node.get(span_key)
        if isinstance(node.get(text_key), str) and isinstance(sp, list) and len(sp) == 2:
            node[text_key] = original[sp[0]:sp[1]]
    for v in node.values():
        if isinstance(v, (dict, list)):
            _requote(v, original)


@dataclass
class Doc:
    text: str  # what the stages read: the original, sanitized one character for one (text.sanitize)
    doc_id: str = ""
    published: Optional[date] = None  # caller's publication date
    published_raw: Optional[str] = None  # as the caller gave it (may carry a time)
    outlet: Optional[str] = None
    title: Optional[str] = None
    url: Optional[str] = None
    fetched: Optional[str] = None  # when an archived page was fetched (WARC-Date), ISO 8601

    removed: list[Removed] = field(default_factory=list)  # text.clean
    sentences: list[tuple[int, int]] = field(default_factory=list)  # text.segment (in Segmenter)
    tokens: list[Token] = field(default_factory=list)  # text.segment
    ner: list[tuple[int, int, str]] = field(default_factory=list)  # ner.component: (start, end, PERS|ORG|LOC|MISC)
    places: list[Place] = field(default_factory=list)  # resolve.geo
    times: list[TimeExpr] = field(default_factory=list)  # resolve.time
    published_inferred: Optional[PublishedInferred] = None  # resolve.time
    people: list[Actor] = field(default_factory=list)  # resolve.actors (+ ner.component)
    organizations: list[Actor] = field(default_factory=list)  # resolve.actors (+ ner.component)
    statements: list[Statement] = field(default_factory=list)  # extract.speech
    events: list[Event] = field(default_factory=list)  # extract.events
    original: Optional[str] = None  # the text as given (surrogates scrubbed), when it differs from `text`
    _actors_key: tuple = field(default=(), repr=False, compare=False)
    _actors_cache: list = field(default_factory=list, repr=False, compare=False)
    _token_starts: Optional[list] = field(default=None, repr=False, compare=False)
    # extract.speech: the source phrases of each sentence ("بحسب ما أفاد مراسلون"), read by several stages
    _source_phrases: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.doc_id:
            self.doc_id = content_id(self.text)

    @cached_property
    def norm(self) -> NormText:
        """Normalized copy for matching, with offsets back into `text`."""
        return NormText.of(self.text)

    @property
    def reference_date(self) -> Optional[date]:
        """The date relative expressions resolve against: published, else the inferred latest."""
        if self.published:
            return self.published
        if self.published_inferred and self.published_inferred.latest:
            return date.fromisoformat(self.published_inferred.latest)
        return None

    def sentence_of(self, pos: int) -> int:
        """Index of the sentence containing original offset `pos`, or -1."""
        for i, (s, e) in enumerate(self.sentences):
            if s <= pos < e:
                return i
        return -1

    def actors(self) -> list[Actor]:
        """People and organizations in text order (recomputed only when either list changed)."""
        key = (id(self.people), len(self.people), id(self.organizations), len(self.organizations))
        if self._actors_key != key:
            self._actors_cache = sorted(self.people + self.organizations, key=lambda a: (a.span or [0])[0])
            self._actors_key = key
        return self._actors_cache

    def tokens_between(self, start: int, end: int) -> list[Token]:
        """The tokens starting in [start, end), by bisection over token offsets."""
        if self._token_starts is None or len(self._token_starts) != len(self.tokens):
            self._token_starts = [t.start for t in self.tokens]
        return self.tokens[bisect.bisect_left(self._token_starts, start):bisect.bisect_left(self._token_starts, end)]

    def to_record(self, pipeline_version: str | None = None) -> Document:
        from marsad.records import Mentions

        record = Document(
            doc_id=self.doc_id,
            published=self.published_raw or (self.published.isoformat() if self.published else None),
            published_inferred=self.published_inferred,
            outlet=self.outlet, title=self.title, url=self.url, fetched=self.fetched,
            text=self.text,
            removed=self.removed,
            sentences=[[s, e] for s, e in self.sentences],
            mentions=Mentions(people=self.people, organizations=self.organizations,
                              places=self.places, times=self.times),
            statements=self.statements,
            events=self.events,
            pipeline_version=pipeline_version,
        )
        if self.original is None or self.original == self.text:
            return record
        # the stages read a sanitized copy of the same length: the record carries the original text,
        # and every quoted string is re-read from the original at its span
        data = record.model_dump()
        data["text"] = self.original
        _requote(data, self.original)
        return Document.model_validate(data)
