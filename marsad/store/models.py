"""SQLAlchemy 2 models of the event store.

Three tables carry the data (schema changes go through Alembic, migrations/):

* ``documents``: one row per distinct article text, keyed by ``content_hash``
  (sha256 of the text). ``record`` is the full document record (codebook
  section 1) as the pipeline wrote it, minus nothing; ``text_norm`` is the
  normalized text (marsad.text.normalize) for full-text search with LIKE.
* ``events``: one row per event, with the filter fields copied out into
  indexed columns. ``machine_record`` is the event as the pipeline produced it,
  ``record`` the event as it stands after human corrections. ``machine_key``
  identifies the machine event across re-extractions (see store.machine_key).
* ``corrections``: every human correction, with who, when, the changes and the
  values before; never updated or deleted.
* ``ingest_errors``: documents the pipeline could not process (error records),
  so that no input is silently lost.
* ``stories``: same-story clusters (marsad/stories); a document's ``story_id``
  and ``duplicate_of`` point into them / at its original;
* ``merged_events``: one row per happening reported by one or more articles;
  each event row's ``merged_event_id`` says which (marsad/stories/merge.py).
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Optional

from sqlalchemy import (JSON, Date, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, String, Text,
                        UniqueConstraint)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class DocumentRow(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    doc_id: Mapped[str] = mapped_column(String(255), unique=True)
    title: Mapped[Optional[str]] = mapped_column(Text)
    outlet: Mapped[Optional[str]] = mapped_column(String(255))
    url: Mapped[Optional[str]] = mapped_column(Text)
    published: Mapped[Optional[str]] = mapped_column(String(64))
    published_date: Mapped[Optional[date]] = mapped_column(Date, index=True)
    pipeline_version: Mapped[Optional[str]] = mapped_column(String(64))
    text_norm: Mapped[str] = mapped_column(Text)
    record: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    # stories (marsad/stories): set by Store.update_stories, NULL until then
    story_id: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    duplicate_of: Mapped[Optional[str]] = mapped_column(String(255))
    minhash: Mapped[Optional[bytes]] = mapped_column(LargeBinary)  # uint32 MinHash signature of the text

    events: Mapped[list["EventRow"]] = relationship(back_populates="document", cascade="all, delete-orphan",
                                                    order_by="EventRow.id")


class EventRow(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_type_date", "plover_type", "date"),
        Index("ix_events_acled_date", "acled_sub_event_type", "date"),
        Index("ix_events_lat_lon", "lat", "lon"),
        Index("ix_events_doc_key", "document_id", "machine_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    machine_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="machine", index=True)  # machine | corrected | wrong
    # filter and display columns, copied from `record`
    plover_type: Mapped[Optional[str]] = mapped_column(String(32), index=True)
    plover_mode: Mapped[Optional[str]] = mapped_column(String(64))
    acled_event_type: Mapped[Optional[str]] = mapped_column(String(128), index=True)
    acled_sub_event_type: Mapped[Optional[str]] = mapped_column(String(128))
    disorder_type: Mapped[Optional[str]] = mapped_column(String(128))
    date: Mapped[Optional[date]] = mapped_column(Date, index=True)  # start of the event's date value
    date_value: Mapped[Optional[str]] = mapped_column(String(32))  # as coded: 2024-12-05, 2024-11, 2024
    time_precision: Mapped[Optional[int]] = mapped_column(Integer)
    location_name: Mapped[Optional[str]] = mapped_column(Text)
    geonameid: Mapped[Optional[int]] = mapped_column(Integer)
    lat: Mapped[Optional[float]] = mapped_column(Float)
    lon: Mapped[Optional[float]] = mapped_column(Float)
    admin1: Mapped[Optional[str]] = mapped_column(String(16), index=True)
    country: Mapped[Optional[str]] = mapped_column(String(8), index=True)
    geo_precision: Mapped[Optional[int]] = mapped_column(Integer)
    actor1: Mapped[Optional[str]] = mapped_column(Text)
    actor1_country: Mapped[Optional[str]] = mapped_column(String(8))
    actor1_sector: Mapped[Optional[str]] = mapped_column(String(16))
    actor2: Mapped[Optional[str]] = mapped_column(Text)
    actor2_country: Mapped[Optional[str]] = mapped_column(String(8))
    actor2_sector: Mapped[Optional[str]] = mapped_column(String(16))
    actors_search: Mapped[str] = mapped_column(Text, default="")  # normalized, lower-cased names/texts/codes
    dead: Mapped[Optional[int]] = mapped_column(Integer)
    injured: Mapped[Optional[int]] = mapped_column(Integer)
    arrested: Mapped[Optional[int]] = mapped_column(Integer)
    anchor_quote: Mapped[Optional[str]] = mapped_column(Text)
    anchor_norm: Mapped[str] = mapped_column(Text, default="")
    anchor_start: Mapped[Optional[int]] = mapped_column(Integer)
    anchor_end: Mapped[Optional[int]] = mapped_column(Integer)
    sentence_index: Mapped[Optional[int]] = mapped_column(Integer)
    confidence: Mapped[Optional[float]] = mapped_column(Float)
    merged_event_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)  # merged_events.id
    machine_record: Mapped[dict[str, Any]] = mapped_column(JsonType)
    record: Mapped[dict[str, Any]] = mapped_column(JsonType)
    pipeline_version: Mapped[Optional[str]] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    document: Mapped[DocumentRow] = relationship(back_populates="events")
    corrections: Mapped[list["CorrectionRow"]] = relationship(back_populates="event", cascade="all, delete-orphan",
                                                              order_by="CorrectionRow.id")


class CorrectionRow(Base):
    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    changes: Mapped[dict[str, Any]] = mapped_column(JsonType)
    before: Mapped[dict[str, Any]] = mapped_column(JsonType)
    note: Mapped[Optional[str]] = mapped_column(Text)

    event: Mapped[EventRow] = relationship(back_populates="corrections")


class IngestErrorRow(Base):
    __tablename__ = "ingest_errors"
    __table_args__ = (UniqueConstraint("doc_id", "error", name="uq_ingest_errors_doc_error"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(255))
    error: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StoryRow(Base):
    __tablename__ = "stories"

    story_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="story")  # story | bulletin
    title: Mapped[Optional[str]] = mapped_column(Text)  # of its founding document
    first_day: Mapped[Optional[date]] = mapped_column(Date, index=True)
    last_day: Mapped[Optional[date]] = mapped_column(Date)
    n_docs: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class MergedEventRow(Base):
    __tablename__ = "merged_events"
    __table_args__ = (Index("ix_merged_type_date", "plover_type", "date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plover_type: Mapped[Optional[str]] = mapped_column(String(32))
    acled_event_type: Mapped[Optional[str]] = mapped_column(String(128))
    acled_sub_event_type: Mapped[Optional[str]] = mapped_column(String(128))
    date: Mapped[Optional[date]] = mapped_column(Date, index=True)
    date_value: Mapped[Optional[str]] = mapped_column(String(32))
    location_name: Mapped[Optional[str]] = mapped_column(Text)
    geonameid: Mapped[Optional[int]] = mapped_column(Integer)
    lat: Mapped[Optional[float]] = mapped_column(Float)
    lon: Mapped[Optional[float]] = mapped_column(Float)
    country: Mapped[Optional[str]] = mapped_column(String(8))
    admin1: Mapped[Optional[str]] = mapped_column(String(16))
    actor1: Mapped[Optional[str]] = mapped_column(Text)
    actor2: Mapped[Optional[str]] = mapped_column(Text)
    dead: Mapped[Optional[int]] = mapped_column(Integer)
    injured: Mapped[Optional[int]] = mapped_column(Integer)
    arrested: Mapped[Optional[int]] = mapped_column(Integer)
    source_count: Mapped[int] = mapped_column(Integer, default=1)
    outlets: Mapped[list] = mapped_column(JsonType, default=list)
    disagreements: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    story_id: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
