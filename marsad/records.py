"""Typed output records: the JSON contract of ../shared/CODEBOOK.md.

Every record a stage produces is one of these models; `Document.model_dump()`
is what `marsad extract` writes, one line per article. Field names are the
codebook's JSON names. Spans are `[start, end)` code-point offsets into the
original, untouched `Document.text`.
"""
from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator

Span = list[int]  # [start, end), end exclusive


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class Actor(Record):
    """Who acts or is acted upon (codebook section 3)."""

    text: Optional[str] = None
    name: Optional[str] = None
    country: Optional[str] = None  # ISO 3166 alpha-3 or IGO code
    sector: Optional[str] = None  # PLOVER sector: GOV MIL REB OPP COP SPY CVL NGO MED REF JRN UAF ...
    kind: Optional[str] = None  # person | organization | group | state
    span: Optional[Span] = None
    source: Optional[str] = Field(default=None, description="lexicon | ner | nationality | role")


class Place(Record):
    """A GeoNames-resolved place mention (codebook section 4)."""

    text: Optional[str] = None
    name: Optional[str] = None
    geonameid: Optional[int] = None
    lat: Optional[float] = None
    lon: Optional[float] = None
    feature_code: Optional[str] = None
    admin1: Optional[str] = None  # ISO 3166-2, e.g. SY-HM
    country: Optional[str] = None  # ISO alpha-2 as in GeoNames
    geo_precision: Optional[int] = None  # 1 town itself, 2 near/part of, 3 region
    span: Optional[Span] = None


class TimeExpr(Record):
    """A resolved time expression (codebook section 5)."""

    text: Optional[str] = None
    value: Optional[str] = None  # ISO 8601: YYYY-MM-DD, YYYY-MM or YYYY
    end: Optional[str] = None
    time_precision: Optional[int] = None  # 1 day, 2 week, 3 month (or coarser)
    anchor: Optional[str] = None  # what it was resolved against: published | previous | absolute
    span: Optional[Span] = None


class Attribution(Record):
    speaker: Optional[str] = None
    via: Optional[str] = None
    anonymous: bool = False
    span: Optional[Span] = None


class Statement(Record):
    """Reported speech: who said what, through whom."""

    speaker: Optional[str] = None
    speaker_actor: Optional[Actor] = None
    via: Optional[str] = None
    quote: Optional[str] = None
    quote_span: Optional[Span] = None
    anonymous: bool = False
    span: Optional[Span] = None  # the speech verb ("قال", "أكد")


class Plover(Record):
    type: str
    mode: Optional[str] = None
    context: list[str] = Field(default_factory=list)


class Acled(Record):
    event_type: str
    sub_event_type: str
    disorder_type: Optional[str] = None


class Size(Record):
    dead: Optional[int] = None
    injured: Optional[int] = None
    arrested: Optional[int] = None


class Modality(Record):
    negated: bool = False
    future: bool = False
    hypothetical: bool = False
    historical: bool = False


class Anchor(Record):
    sentence: int
    span: Span
    quote: str


class Event(Record):
    """One coded event (codebook section 2)."""

    plover: Plover
    acled: Optional[Acled] = None
    actors: list[Actor] = Field(default_factory=list)
    recipients: list[Actor] = Field(default_factory=list)
    location: Optional[Place] = None
    date: Optional[TimeExpr] = None
    size: Size = Field(default_factory=Size)
    attribution: list[Attribution] = Field(default_factory=list)
    modality: Modality = Field(default_factory=Modality)
    anchor: Anchor
    confidence: float = 0.5
    trigger: Optional[str] = None  # the trigger lexicon entry that fired


class Removed(Record):
    span: Span
    reason: str


class PublishedInferred(Record):
    earliest: Optional[str] = None
    latest: Optional[str] = None
    evidence: list[str] = Field(default_factory=list)


class Mentions(Record):
    people: list[Actor] = Field(default_factory=list)
    organizations: list[Actor] = Field(default_factory=list)
    places: list[Place] = Field(default_factory=list)
    times: list[TimeExpr] = Field(default_factory=list)


class Document(Record):
    """One document record per input article (codebook section 1)."""

    doc_id: str
    published: Optional[str] = None
    published_inferred: Optional[PublishedInferred] = None
    outlet: Optional[str] = None
    title: Optional[str] = None
    url: Optional[str] = None
    fetched: Optional[str] = None  # when the page was archived (WARC-Date / file time), for web-archive input
    text: str
    removed: list[Removed] = Field(default_factory=list)
    sentences: list[Span] = Field(default_factory=list)
    mentions: Mentions = Field(default_factory=Mentions)
    statements: list[Statement] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    pipeline_version: Optional[str] = None


class ErrorRecord(Record):
    """What a document that could not be processed turns into: nothing is lost.

    stage: "read" (the file or line could not be read or decoded), "check" (empty, not
    Arabic, over a limit, bad metadata) or the name of the pipeline stage that failed.
    """

    doc_id: str
    error: str
    stage: str = "extract"

    @field_validator("doc_id", "error", "stage")
    @classmethod
    def _writable(cls, v: str) -> str:
        from marsad.text.sanitize import scrub_surrogates

        return scrub_surrogates(v)  # an id taken from a damaged input must still be writable as UTF-8


def span_mismatches(record: dict) -> list[tuple[str, list, str]]:
    """Every span/text, span/quote and quote_span/quote pair of a record dict that does not cite the
    record's text exactly: (span key, span, claimed string). Empty for a sound record (the fuzzers check it)."""
    text = record.get("text") or ""
    bad: list[tuple[str, list, str]] = []

    def walk(node):
        if isinstance(node, list):
            for x in node:
                walk(x)
        elif isinstance(node, dict):
            qs = "quote_span" if "quote_span" in node else "span"
            for sk, tk in (("span", "text"), (qs, "quote")):
                sp = node.get(sk)
                if isinstance(sp, list) and len(sp) == 2 and isinstance(node.get(tk), str):
                    if not (0 <= sp[0] <= sp[1] <= len(text)) or text[sp[0]:sp[1]] != node[tk]:
                        bad.append((sk, sp, node[tk]))
            for k, v in node.items():
                if k != "text":
                    walk(v)

    walk({k: v for k, v in record.items() if k != "text"})
    return bad
