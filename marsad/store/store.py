"""The event store: documents, events and human corrections in SQL.

    >>> store = Store("sqlite:///marsad.db")            # creates / upgrades the schema
    >>> store.ingest([Path("articles.jsonl")])           # extract + store
    >>> total, items = store.query_events(EventFilters(plover_type="ASSAULT", start=date(2024, 12, 1)))

Identity and re-extraction rules
--------------------------------
* A document is keyed by ``content_hash`` = sha256 of its UTF-8 text. Ingesting
  the same text again (under any doc_id) changes nothing.
* If the text is new but its ``doc_id`` is already taken by another text, the
  new document is stored as ``"{doc_id}~{hash[:8]}"``: no document is lost or
  silently overwritten.
* Same content hash and a *newer* ``pipeline_version`` (PEP 440 order, e.g.
  0.1.0 < 0.2.0; unparsable versions: any different string counts as newer):
  the document record is replaced and its machine events re-conciled:

  - each new machine event gets a ``machine_key`` = sha256 of (PLOVER type,
    anchor span, location geonameid or name), ``#n`` appended for repeats
    within the document;
  - it takes over the stored event with the same key, else one with the same
    anchor span and PLOVER type, else one with the same anchor span; the stored
    event keeps its id and its corrections, which are re-applied on top of the
    new machine record (so a human fix always wins over the machine);
  - stored events that no new event takes over are deleted when nobody
    corrected them, and kept (status corrected/wrong) when somebody did.
* Same content hash and an older or equal ``pipeline_version``: nothing changes.
* Error records (documents the pipeline could not process) go to the
  ``ingest_errors`` table, once per (doc_id, error), and are listed by
  ``marsad ingest``.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from sqlalchemy import and_, create_engine, event, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from marsad.store.models import CorrectionRow, DocumentRow, EventRow, IngestErrorRow, utcnow
from marsad.store.vocab import ACLED_TYPES, PLOVER_TYPES, SUB_TO_TYPE, disorder_type
from marsad.text.normalize import normalize

DEFAULT_DB = "sqlite:///marsad.db"
STATUSES = ("machine", "corrected", "wrong")


class StoreError(Exception):
    """A store that cannot be opened or used (bad URL, server down, ...): a message for the user."""


class NotFound(KeyError):
    pass


def normalize_url(url: str) -> str:
    """'postgresql://' and 'postgres://' mean psycopg 3; a bare path means SQLite."""
    url = (url or "").strip()
    if not url:
        raise StoreError("empty database URL")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    if "://" not in url:
        return "sqlite:///" + url
    return url


def search_norm(s: str) -> str:
    """The normalization both sides of a full-text match go through."""
    return normalize(s).lower()


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- event columns

def _parse_day(value: Any) -> Optional[date]:
    """'2024-12-05' / '2024-12' / '2024' / '2024-12-05T10:00' → the first day it covers; else None."""
    if not value or not isinstance(value, str):
        return None
    v = value.strip()
    try:
        if len(v) >= 10 and v[4] == "-" and v[7] == "-":
            return date.fromisoformat(v[:10])
        if len(v) == 7 and v[4] == "-":
            return date(int(v[:4]), int(v[5:7]), 1)
        if len(v) == 4 and v.isdigit():
            return date(int(v), 1, 1)
    except ValueError:
        return None
    return None


def _actor_name(a: Optional[dict]) -> Optional[str]:
    if not a:
        return None
    return a.get("name") or a.get("text") or None


def machine_key(ev: dict) -> str:
    """Stable identity of a machine event: PLOVER type, anchor span, location."""
    loc = ev.get("location") or {}
    parts = [(ev.get("plover") or {}).get("type"), list((ev.get("anchor") or {}).get("span") or []),
             loc.get("geonameid") or loc.get("name") or loc.get("text")]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()[:40]


def keyed_events(events: list[dict]) -> list[tuple[str, dict]]:
    seen: dict[str, int] = {}
    out = []
    for ev in events:
        k = machine_key(ev)
        n = seen.get(k, 0) + 1
        seen[k] = n
        out.append((k if n == 1 else f"{k}#{n}", ev))
    return out


def _clip(table, values: dict[str, Any]) -> dict[str, Any]:
    """Cut strings to their column's length (PostgreSQL refuses longer ones); non-strings of string columns → str."""
    for k, v in values.items():
        col = table.c[k]
        length = getattr(col.type, "length", None)
        if length and v is not None:
            values[k] = str(v)[:length]
        elif isinstance(v, str) and col.type.python_type is int:
            values[k] = int(v) if v.strip().lstrip("-").isdigit() else None
    return values


def event_columns(ev: dict) -> dict[str, Any]:
    """The indexed/displayed columns of an event row, from its record (strings clipped to column sizes)."""
    return _clip(EventRow.__table__, _event_columns(ev))


def _event_columns(ev: dict) -> dict[str, Any]:
    plover = ev.get("plover") or {}
    acled = ev.get("acled") or {}
    loc = ev.get("location") or {}
    when = ev.get("date") or {}
    size = ev.get("size") or {}
    anchor = ev.get("anchor") or {}
    span = anchor.get("span") or [None, None]
    actors = list(ev.get("actors") or [])
    recipients = list(ev.get("recipients") or [])
    a1 = actors[0] if actors else None
    a2 = recipients[0] if recipients else None
    search = []
    for a in actors + recipients:
        for k in ("name", "text", "country", "sector"):
            if a.get(k):
                search.append(search_norm(str(a[k])))
    quote = anchor.get("quote")
    return dict(
        plover_type=plover.get("type"), plover_mode=plover.get("mode"),
        acled_event_type=acled.get("event_type"), acled_sub_event_type=acled.get("sub_event_type"),
        disorder_type=acled.get("disorder_type"),
        date=_parse_day(when.get("value")), date_value=when.get("value"), time_precision=when.get("time_precision"),
        location_name=loc.get("name") or loc.get("text"), geonameid=loc.get("geonameid"),
        lat=loc.get("lat"), lon=loc.get("lon"), admin1=loc.get("admin1"), country=loc.get("country"),
        geo_precision=loc.get("geo_precision"),
        actor1=_actor_name(a1), actor1_country=(a1 or {}).get("country"), actor1_sector=(a1 or {}).get("sector"),
        actor2=_actor_name(a2), actor2_country=(a2 or {}).get("country"), actor2_sector=(a2 or {}).get("sector"),
        actors_search=" | ".join(search),
        dead=size.get("dead"), injured=size.get("injured"), arrested=size.get("arrested"),
        anchor_quote=quote, anchor_norm=search_norm(quote or ""),
        anchor_start=span[0] if len(span) > 1 else None, anchor_end=span[1] if len(span) > 1 else None,
        sentence_index=anchor.get("sentence"), confidence=ev.get("confidence"),
    )


# ---------------------------------------------------------------- corrections

CORRECTABLE = ("plover_type", "plover_mode", "acled_event_type", "acled_sub_event_type", "actor1", "actor2",
               "location", "date", "wrong")


def validate_changes(changes: dict) -> dict:
    """Check a correction's fields; returns the changes that are set. Raises ValueError with a message."""
    out = {k: v for k, v in changes.items() if k in CORRECTABLE and v is not None}
    unknown = [k for k, v in changes.items() if k not in CORRECTABLE and v is not None]
    if unknown:
        raise ValueError(f"cannot correct {', '.join(sorted(unknown))}; correctable: {', '.join(CORRECTABLE)}")
    if not out:
        raise ValueError("the correction changes nothing: give at least one of " + ", ".join(CORRECTABLE))
    if "plover_type" in out and out["plover_type"] not in PLOVER_TYPES:
        raise ValueError(f"plover_type {out['plover_type']!r} is not one of {', '.join(PLOVER_TYPES)}")
    et, sub = out.get("acled_event_type"), out.get("acled_sub_event_type")
    if et not in (None, "") and et not in ACLED_TYPES:
        raise ValueError(f"acled_event_type {et!r} is not one of {', '.join(ACLED_TYPES)} (or '' for none)")
    if sub not in (None, "") and sub not in SUB_TO_TYPE:
        raise ValueError(f"acled_sub_event_type {sub!r} is not an ACLED sub-event type")
    if et and sub and SUB_TO_TYPE[sub] != et:
        raise ValueError(f"sub-event type {sub!r} belongs to {SUB_TO_TYPE[sub]!r}, not {et!r}")
    if "date" in out:
        d = out["date"]
        if isinstance(d, date):
            out["date"] = d.isoformat()
        elif _parse_day(d) is None or len(str(d)) != 10:
            raise ValueError(f"date {d!r} is not YYYY-MM-DD")
    for k in ("actor1", "actor2"):
        if k in out:
            a = out[k]
            if not isinstance(a, dict) or not any(a.get(f) for f in ("name", "country", "sector")):
                raise ValueError(f"{k} needs at least one of name, country, sector")
            out[k] = {f: a.get(f) for f in ("name", "country", "sector", "kind") if a.get(f) is not None}
    if "location" in out:
        loc = out["location"]
        if not isinstance(loc, dict) or not loc.get("name"):
            raise ValueError("location needs a name")
        for c in ("lat", "lon"):
            if loc.get(c) is not None and not isinstance(loc[c], (int, float)):
                raise ValueError(f"location.{c} must be a number")
        if loc.get("lat") is not None and not -90 <= loc["lat"] <= 90:
            raise ValueError("location.lat must be within -90..90")
        if loc.get("lon") is not None and not -180 <= loc["lon"] <= 180:
            raise ValueError("location.lon must be within -180..180")
        out["location"] = {f: loc.get(f) for f in ("name", "geonameid", "lat", "lon", "admin1", "country",
                                                    "geo_precision") if loc.get(f) is not None}
    if "wrong" in out and not isinstance(out["wrong"], bool):
        raise ValueError("wrong must be true or false")
    return out


def current_values(record: dict, status: str, fields: Iterable[str]) -> dict:
    """The values a correction of `fields` replaces, in the shape of the correction."""
    plover = record.get("plover") or {}
    acled = record.get("acled") or {}
    out: dict[str, Any] = {}
    for f in fields:
        if f == "plover_type":
            out[f] = plover.get("type")
        elif f == "plover_mode":
            out[f] = plover.get("mode")
        elif f == "acled_event_type":
            out[f] = acled.get("event_type")
        elif f == "acled_sub_event_type":
            out[f] = acled.get("sub_event_type")
        elif f in ("actor1", "actor2"):
            lst = record.get("actors" if f == "actor1" else "recipients") or []
            out[f] = {k: lst[0].get(k) for k in ("name", "text", "country", "sector", "kind")} if lst else None
        elif f == "location":
            out[f] = record.get("location")
        elif f == "date":
            out[f] = (record.get("date") or {}).get("value")
        elif f == "wrong":
            out[f] = status == "wrong"
    return out


def apply_changes(record: dict, changes: dict) -> dict:
    """A new event record with a correction applied (the input is not modified)."""
    rec = json.loads(json.dumps(record))
    plover = rec.setdefault("plover", {"type": None, "mode": None, "context": []})
    if "plover_type" in changes:
        plover["type"] = changes["plover_type"]
    if "plover_mode" in changes:
        plover["mode"] = changes["plover_mode"] or None
    if "acled_event_type" in changes or "acled_sub_event_type" in changes:
        et = changes.get("acled_event_type")
        sub = changes.get("acled_sub_event_type")
        if et == "" or sub == "":
            rec["acled"] = None
        else:
            old = rec.get("acled") or {}
            sub = sub or (old.get("sub_event_type") if "acled_event_type" not in changes
                          or SUB_TO_TYPE.get(old.get("sub_event_type") or "") == et else None)
            et = et or SUB_TO_TYPE.get(sub or "") or old.get("event_type")
            if sub is None and et:
                sub = ACLED_TYPES[et][0] if et in ACLED_TYPES else None
            rec["acled"] = {"event_type": et, "sub_event_type": sub, "disorder_type": disorder_type(et, sub)}
    for f, lst in (("actor1", "actors"), ("actor2", "recipients")):
        if f in changes:
            new = dict(changes[f])
            new.setdefault("kind", None)
            new.update(text=None, span=None, source="human")
            actors = rec.get(lst) or []
            rec[lst] = [new] + actors[1:]
    if "location" in changes:
        loc = dict(changes["location"])
        old = rec.get("location") or {}
        new = {"text": None, "name": loc.get("name"), "geonameid": loc.get("geonameid"), "lat": loc.get("lat"),
               "lon": loc.get("lon"), "feature_code": None, "admin1": loc.get("admin1"),
               "country": loc.get("country"), "geo_precision": loc.get("geo_precision", old.get("geo_precision") or 1),
               "span": None}
        rec["location"] = new
    if "date" in changes:
        rec["date"] = {"text": None, "value": changes["date"], "end": None, "time_precision": 1,
                       "anchor": "human", "span": None}
    return rec


def replay(machine: dict, corrections: list[CorrectionRow]) -> tuple[dict, str]:
    """The corrected record and status: the machine record with every correction applied in order."""
    rec = machine
    status = "machine"
    for c in corrections:
        rec = apply_changes(rec, c.changes)
        if "wrong" in c.changes:
            status = "wrong" if c.changes["wrong"] else "corrected"
        elif status == "machine":
            status = "corrected"
    return rec, status


# ---------------------------------------------------------------- filters

@dataclass
class EventFilters:
    start: Optional[date] = None
    end: Optional[date] = None
    plover_type: Optional[str] = None
    acled_type: Optional[str] = None
    country: Optional[str] = None
    admin1: Optional[str] = None
    bbox: Optional[tuple[float, float, float, float]] = None
    actor: Optional[str] = None
    q: Optional[str] = None
    status: Optional[str] = None
    doc_id: Optional[str] = None

    @classmethod
    def parse(cls, **params) -> "EventFilters":
        """From strings (API query / CLI options); raises ValueError with a message on bad values."""
        f = cls()
        for k, v in params.items():
            if v is None or v == "":
                continue
            if k in ("start", "end"):
                if isinstance(v, str):
                    try:
                        v = date.fromisoformat(v)
                    except ValueError:
                        raise ValueError(f"{k} must be a date like 2024-12-06, not {v!r}") from None
            elif k == "bbox":
                v = parse_bbox(v)
            elif k == "status" and v not in STATUSES:
                raise ValueError(f"status must be one of {', '.join(STATUSES)}")
            elif not hasattr(f, k):
                raise ValueError(f"unknown filter {k!r}")
            setattr(f, k, v)
        return f

    def clauses(self) -> tuple[list, bool]:
        """SQL conditions on EventRow (and DocumentRow); the flag says whether documents must be joined."""
        c: list = []
        join_doc = False
        if self.start:
            c.append(EventRow.date >= self.start)
        if self.end:
            c.append(EventRow.date <= self.end)
        if self.plover_type:
            c.append(EventRow.plover_type == self.plover_type.upper())
        if self.acled_type:
            c.append(or_(EventRow.acled_event_type == self.acled_type, EventRow.acled_sub_event_type == self.acled_type))
        if self.country:
            c.append(EventRow.country == self.country.upper())
        if self.admin1:
            c.append(EventRow.admin1 == self.admin1.upper())
        if self.bbox:
            w, s, e, n = self.bbox
            c += [EventRow.lon >= w, EventRow.lon <= e, EventRow.lat >= s, EventRow.lat <= n]
        if self.actor:
            needle = _like(search_norm(self.actor.strip()))
            c.append(EventRow.actors_search.like(needle, escape="\\"))
        if self.q:
            needle = _like(search_norm(self.q.strip()))
            c.append(or_(EventRow.anchor_norm.like(needle, escape="\\"), DocumentRow.text_norm.like(needle, escape="\\")))
            join_doc = True
        if self.status:
            c.append(EventRow.status == self.status)
        if self.doc_id:
            c.append(DocumentRow.doc_id == self.doc_id)
            join_doc = True
        return c, join_doc


def parse_bbox(v: Any) -> tuple[float, float, float, float]:
    if isinstance(v, (list, tuple)):
        parts = list(v)
    else:
        parts = str(v).split(",")
    try:
        w, s, e, n = (float(p) for p in parts)
    except (TypeError, ValueError):
        raise ValueError("bbox must be minlon,minlat,maxlon,maxlat (four numbers)") from None
    if not (-180 <= w <= e <= 180 and -90 <= s <= n <= 90):
        raise ValueError("bbox must be minlon,minlat,maxlon,maxlat with min <= max, within -180..180 / -90..90")
    return w, s, e, n


def _like(s: str) -> str:
    return "%" + s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# ---------------------------------------------------------------- results

@dataclass
class IngestResult:
    added_doc: bool
    added_events: int
    replaced: bool
    doc_id: Optional[str] = None
    error: Optional[str] = None


@dataclass
class IngestSummary:
    seen: int = 0
    added_docs: int = 0
    added_events: int = 0
    replaced: int = 0
    unchanged: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)

    def add(self, r: IngestResult) -> None:
        self.seen += 1
        if r.error is not None:
            self.errors.append((r.doc_id or "?", r.error))
        elif r.added_doc:
            self.added_docs += 1
        elif r.replaced:
            self.replaced += 1
        else:
            self.unchanged += 1
        self.added_events += r.added_events


def _newer(new: Optional[str], old: Optional[str]) -> bool:
    if new == old or new is None:
        return False
    if old is None:
        return True
    try:
        from packaging.version import Version

        return Version(new) > Version(old)
    except Exception:
        return True


def event_out(row: EventRow, doc_id: str) -> dict:
    """The API's EventOut shape."""
    return {
        "id": row.id, "doc_id": doc_id, "plover_type": row.plover_type, "plover_mode": row.plover_mode,
        "acled_event_type": row.acled_event_type, "acled_sub_event_type": row.acled_sub_event_type,
        "date": row.date_value, "time_precision": row.time_precision,
        "location_name": row.location_name, "lat": row.lat, "lon": row.lon, "admin1": row.admin1,
        "country": row.country, "geo_precision": row.geo_precision,
        "actor1": row.actor1, "actor1_country": row.actor1_country, "actor1_sector": row.actor1_sector,
        "actor2": row.actor2, "actor2_country": row.actor2_country, "actor2_sector": row.actor2_sector,
        "dead": row.dead, "injured": row.injured, "arrested": row.arrested,
        "anchor_quote": row.anchor_quote,
        "anchor_span": [row.anchor_start, row.anchor_end] if row.anchor_start is not None else None,
        "sentence_index": row.sentence_index, "status": row.status, "confidence": row.confidence,
        "record": row.record,
    }


def correction_out(c: CorrectionRow) -> dict:
    created = c.created_at
    if created is not None and created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    return {"id": c.id, "user": c.user, "created_at": created.isoformat() if created else None,
            "changes": c.changes, "before": c.before, "note": c.note}


# ---------------------------------------------------------------- the store

class Store:
    def __init__(self, url: str = DEFAULT_DB, upgrade: bool = True, echo: bool = False):
        self.url = normalize_url(url)
        try:
            self.engine: Engine = create_engine(self.url, echo=echo, future=True, pool_pre_ping=True)
        except (ArgumentError, NoSuchModuleError, ValueError) as e:
            raise StoreError(f"bad database URL {url!r}: {e}") from None
        except ImportError as e:
            raise StoreError(f"no driver for {url!r}: {e} (for PostgreSQL: pip install 'psycopg[binary]')") from None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.Session = sessionmaker(self.engine, expire_on_commit=False)
        if upgrade:
            try:
                from marsad.store.migrate import upgrade as do_upgrade

                do_upgrade(self.engine)
            except DBAPIError as e:
                raise StoreError(f"cannot open database {self.safe_url}: {_short(e)}") from None
            except SQLAlchemyError as e:
                raise StoreError(f"cannot open database {self.safe_url}: {e}") from None

    @property
    def safe_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------ writing

    def ingest_record(self, record: Any, session: Optional[Session] = None) -> IngestResult:
        """Store one document record (dict, records.Document) or error record; see the module doc."""
        if hasattr(record, "model_dump"):
            record = record.model_dump()
        if "_unchanged" in record:  # already stored by this pipeline version (Store.ingest's pre-check)
            return IngestResult(False, 0, False, doc_id=record["_unchanged"])
        if session is None:
            with self.Session.begin() as s:
                return self._ingest(s, record)
        return self._ingest(session, record)

    def _ingest(self, s: Session, record: dict) -> IngestResult:
        if "error" in record and "text" not in record:
            doc_id, error = str(record.get("doc_id") or "?")[:255], str(record["error"])[:2000]
            exists = s.scalar(select(IngestErrorRow.id).where(IngestErrorRow.doc_id == doc_id,
                                                              IngestErrorRow.error == error))
            if exists is None:
                s.add(IngestErrorRow(doc_id=doc_id, error=error))
            return IngestResult(False, 0, False, doc_id=doc_id, error=error)
        text = record.get("text")
        if not isinstance(text, str) or not record.get("doc_id"):
            raise ValueError("a document record needs 'doc_id' and 'text'")
        h = content_hash(text)
        version = record.get("pipeline_version")
        doc = s.scalar(select(DocumentRow).where(DocumentRow.content_hash == h)
                       .options(selectinload(DocumentRow.events).selectinload(EventRow.corrections)))
        if doc is not None:
            if not _newer(version, doc.pipeline_version):
                return IngestResult(False, 0, False, doc_id=doc.doc_id)
            record = dict(record, doc_id=doc.doc_id)
            self._set_doc(doc, record, h)
            added = self._reconcile(s, doc, record.get("events") or [], version)
            return IngestResult(False, added, True, doc_id=doc.doc_id)
        doc_id = str(record["doc_id"])[:240]
        if s.scalar(select(DocumentRow.id).where(DocumentRow.doc_id == doc_id)) is not None:
            doc_id = f"{doc_id}~{h[:8]}"
        record = dict(record, doc_id=doc_id)
        doc = DocumentRow()
        self._set_doc(doc, record, h)
        s.add(doc)
        s.flush()
        added = 0
        for key, ev in keyed_events(record.get("events") or []):
            s.add(self._new_event(doc, key, ev, version))
            added += 1
        return IngestResult(True, added, False, doc_id=doc_id)

    @staticmethod
    def _set_doc(doc: DocumentRow, record: dict, h: str) -> None:
        doc.content_hash = h
        doc.doc_id = record["doc_id"]
        doc.title = record.get("title")
        doc.outlet = record.get("outlet")
        doc.url = record.get("url")
        doc.published = record.get("published")
        doc.published_date = _parse_day(record.get("published"))
        doc.pipeline_version = record.get("pipeline_version")
        doc.text_norm = search_norm((record.get("title") or "") + "\n" + record["text"])
        doc.record = {k: v for k, v in record.items() if k != "events"}
        clipped = _clip(DocumentRow.__table__, {"outlet": doc.outlet, "published": doc.published,
                                                "pipeline_version": doc.pipeline_version})
        doc.outlet, doc.published, doc.pipeline_version = clipped["outlet"], clipped["published"], clipped["pipeline_version"]

    @staticmethod
    def _new_event(doc: DocumentRow, key: str, ev: dict, version: Optional[str]) -> EventRow:
        return EventRow(document=doc, machine_key=key, status="machine", machine_record=ev, record=ev,
                        pipeline_version=version, **event_columns(ev))

    def _reconcile(self, s: Session, doc: DocumentRow, events: list[dict], version: Optional[str]) -> int:
        old = list(doc.events)
        taken: set[int] = set()

        def find(pred) -> Optional[EventRow]:
            for row in old:
                if id(row) not in taken and pred(row):
                    return row
            return None

        added = 0
        for key, ev in keyed_events(events):
            span = list((ev.get("anchor") or {}).get("span") or [])
            ptype = (ev.get("plover") or {}).get("type")
            row = (find(lambda r: r.machine_key == key)
                   or find(lambda r: list((r.machine_record.get("anchor") or {}).get("span") or []) == span
                           and (r.machine_record.get("plover") or {}).get("type") == ptype)
                   or find(lambda r: list((r.machine_record.get("anchor") or {}).get("span") or []) == span))
            if row is None:
                s.add(self._new_event(doc, key, ev, version))
                added += 1
                continue
            taken.add(id(row))
            record, status = replay(ev, row.corrections)
            row.machine_key, row.machine_record, row.record, row.status = key, ev, record, status
            row.pipeline_version = version
            for k, v in event_columns(record).items():
                setattr(row, k, v)
        for row in old:
            if id(row) not in taken and not row.corrections:
                doc.events.remove(row)
                s.delete(row)
        return added

    def ingest(self, paths: list[Path], published: Optional[str] = None, progress: bool = True,
               pipeline=None, records: bool = False, console=None, stories: bool = True) -> IngestSummary:
        """Extract (or, with records=True, read document records from JSONL) and store; one commit per document.

        With `stories`, the new documents are then clustered into stories and
        their events merged across articles (update_stories).
        """
        summary = IngestSummary()
        items = _read_records(paths) if records else self._extract(paths, published, pipeline)
        total = _count_inputs(paths) if progress else None
        for rec in _progress(items, progress, total, console):
            try:
                r = self.ingest_record(rec)
            except (ValueError, TypeError) as e:
                r = self.ingest_record({"doc_id": str(rec.get("doc_id", "?")) if isinstance(rec, dict) else "?",
                                        "error": f"not a document record: {e}"})
            summary.add(r)
        if stories:
            self.update_stories()
        return summary

    def update_stories(self) -> dict:
        """Assign stories to new documents and merge new events (marsad/store/stories.py)."""
        from marsad.store.stories import update_stories

        return update_stories(self)

    def _extract(self, paths, published, pipeline) -> Iterator[dict]:
        """Document/error records for the inputs; texts already stored by this pipeline version are not re-run."""
        from marsad.io import read_inputs
        from marsad.pipeline import InputDoc, Pipeline

        pipeline = pipeline or Pipeline()
        for item in read_inputs([Path(p) for p in paths], published=published):
            if isinstance(item, InputDoc) and isinstance(item.text, str):
                with self.Session() as s:
                    known = s.execute(select(DocumentRow.doc_id, DocumentRow.pipeline_version)
                                      .where(DocumentRow.content_hash == content_hash(item.text))).first()
                if known is not None and not _newer(pipeline.version, known[1]):
                    yield {"_unchanged": known[0]}
                    continue
            for rec in pipeline.process([item]):
                yield rec.model_dump()

    def correct_event(self, event_id: int, changes: dict, user: str, note: Optional[str] = None) -> dict:
        """Apply a human correction; keeps who/when/what-before. Raises NotFound / ValueError."""
        if not user or not str(user).strip():
            raise ValueError("user is required")
        changes = validate_changes(changes)
        with self.Session.begin() as s:
            row = s.get(EventRow, event_id, options=[selectinload(EventRow.corrections)])
            if row is None:
                raise NotFound(event_id)
            before = current_values(row.record, row.status, changes)
            c = CorrectionRow(event=row, user=str(user).strip()[:255], changes=changes, before=before, note=note,
                              created_at=utcnow())
            s.add(c)
            s.flush()
            record, status = replay(row.machine_record, row.corrections)
            row.record, row.status = record, status
            for k, v in event_columns(record).items():
                setattr(row, k, v)
            s.flush()
            doc_id = row.document.doc_id
            return event_out(row, doc_id)

    # ------------------------------------------------ reading

    def counts(self) -> dict[str, int]:
        with self.Session() as s:
            return {
                "documents": s.scalar(select(func.count()).select_from(DocumentRow)) or 0,
                "events": s.scalar(select(func.count()).select_from(EventRow)) or 0,
                "corrections": s.scalar(select(func.count()).select_from(CorrectionRow)) or 0,
                "errors": s.scalar(select(func.count()).select_from(IngestErrorRow)) or 0,
            }

    def _filtered(self, stmt, filters: Optional[EventFilters]):
        conds, join_doc = (filters or EventFilters()).clauses()
        if join_doc:
            stmt = stmt.join(DocumentRow, DocumentRow.id == EventRow.document_id)
        return stmt.where(and_(*conds)) if conds else stmt

    def query_events(self, filters: Optional[EventFilters] = None, limit: int = 100, offset: int = 0
                     ) -> tuple[int, list[dict]]:
        """(total matching, EventOut dicts of one page), newest first."""
        filters = filters or EventFilters()
        with self.Session() as s:
            total = s.scalar(self._filtered(select(func.count(EventRow.id)), filters)) or 0
            if total == 0 or offset >= total:
                return total, []
            ids_q = (self._filtered(select(EventRow.id), filters)
                     .order_by(EventRow.date.desc().nulls_last(), EventRow.id.desc()).limit(limit).offset(offset))
            ids = list(s.scalars(ids_q))
            rows = s.execute(select(EventRow, DocumentRow.doc_id).join(DocumentRow, DocumentRow.id == EventRow.document_id)
                             .where(EventRow.id.in_(ids))).all()
            by_id = {r.id: event_out(r, d) for r, d in rows}
            return total, [by_id[i] for i in ids if i in by_id]

    def iter_events(self, filters: Optional[EventFilters] = None, batch: int = 1000) -> Iterator[tuple[dict, dict]]:
        """(EventOut, document meta) for every matching event, oldest first, in id order within a day."""
        last = 0
        while True:
            with self.Session() as s:
                stmt = (self._filtered(select(EventRow.id), filters).where(EventRow.id > last)
                        .order_by(EventRow.id).limit(batch))
                ids = list(s.scalars(stmt))
                if not ids:
                    return
                rows = s.execute(select(EventRow, DocumentRow).join(DocumentRow, DocumentRow.id == EventRow.document_id)
                                 .where(EventRow.id.in_(ids)).order_by(EventRow.id)).all()
                for r, d in rows:
                    yield event_out(r, d.doc_id), {"doc_id": d.doc_id, "title": d.title, "outlet": d.outlet,
                                                   "published": d.published, "url": d.url,
                                                   "updated_at": r.updated_at}
                last = ids[-1]

    def get_event(self, event_id: int) -> dict:
        """EventOut plus its document and corrections; raises NotFound."""
        with self.Session() as s:
            row = s.get(EventRow, event_id, options=[selectinload(EventRow.corrections)])
            if row is None:
                raise NotFound(event_id)
            d = row.document
            out = event_out(row, d.doc_id)
            rec = d.record
            out["document"] = {"doc_id": d.doc_id, "title": d.title, "outlet": d.outlet, "published": d.published,
                               "url": d.url, "text": rec.get("text"), "sentences": rec.get("sentences") or [],
                               "mentions": rec.get("mentions") or {}}
            out["corrections"] = [correction_out(c) for c in row.corrections]
            return out

    def list_documents(self, limit: int = 100, offset: int = 0, q: Optional[str] = None) -> tuple[int, list[dict]]:
        with self.Session() as s:
            cond = DocumentRow.text_norm.like(_like(search_norm(q.strip())), escape="\\") if q and q.strip() else None
            count = select(func.count(DocumentRow.id))
            if cond is not None:
                count = count.where(cond)
            total = s.scalar(count) or 0
            n_events = (select(func.count(EventRow.id)).where(EventRow.document_id == DocumentRow.id)
                        .correlate(DocumentRow).scalar_subquery())
            stmt = select(DocumentRow.doc_id, DocumentRow.title, DocumentRow.outlet, DocumentRow.published,
                          n_events.label("n_events"))
            if cond is not None:
                stmt = stmt.where(cond)
            stmt = stmt.order_by(DocumentRow.published_date.desc().nulls_last(), DocumentRow.id.desc())
            rows = s.execute(stmt.limit(limit).offset(offset)).all()
            return total, [dict(r._mapping) for r in rows]

    def get_document(self, doc_id: str) -> dict:
        """The document record with its current (corrected) events and their ids; raises NotFound."""
        with self.Session() as s:
            d = s.scalar(select(DocumentRow).where(DocumentRow.doc_id == doc_id)
                         .options(selectinload(DocumentRow.events)))
            if d is None:
                raise NotFound(doc_id)
            out = dict(d.record)
            out["events"] = [e.record for e in d.events]
            out["event_ids"] = [e.id for e in d.events]
            out["event_status"] = [e.status for e in d.events]
            return out

    def find_document(self, text: str) -> Optional[str]:
        with self.Session() as s:
            return s.scalar(select(DocumentRow.doc_id).where(DocumentRow.content_hash == content_hash(text)))

    def timeline(self, filters: Optional[EventFilters] = None) -> list[dict]:
        with self.Session() as s:
            stmt = self._filtered(select(EventRow.date, func.count(EventRow.id)), filters)
            stmt = stmt.where(EventRow.date.is_not(None)).group_by(EventRow.date).order_by(EventRow.date)
            return [{"date": d.isoformat(), "count": n} for d, n in s.execute(stmt).all()]

    def facets(self) -> dict[str, list[str]]:
        with self.Session() as s:
            def distinct(col) -> list[str]:
                return sorted(v for v in s.scalars(select(col).where(col.is_not(None)).distinct()) if v)

            return {"plover_types": distinct(EventRow.plover_type),
                    "acled_types": sorted(set(distinct(EventRow.acled_event_type))
                                          | set(distinct(EventRow.acled_sub_event_type))),
                    "countries": distinct(EventRow.country), "admin1": distinct(EventRow.admin1)}

    def errors(self, limit: int = 1000) -> list[dict]:
        with self.Session() as s:
            rows = s.scalars(select(IngestErrorRow).order_by(IngestErrorRow.id).limit(limit))
            return [{"doc_id": r.doc_id, "error": r.error, "created_at": r.created_at.isoformat()} for r in rows]


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _short(e: DBAPIError) -> str:
    msg = str(getattr(e, "orig", e) or e).strip().splitlines()
    return msg[0] if msg else type(e).__name__




def _read_records(paths) -> Iterator[dict]:
    """Document records as `marsad extract` writes them (JSON Lines, optionally gzipped)."""
    import gzip

    from marsad.io import expand

    for path in expand([Path(p) for p in paths]):
        opener = gzip.open if path.name.endswith(".gz") else open
        try:
            with opener(path, "rt", encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    if not line.strip():
                        continue
                    try:
                        rec = json.loads(line)
                    except json.JSONDecodeError as e:
                        yield {"doc_id": f"{path.name}:{n}", "error": f"broken JSON line: {e.msg}"}
                        continue
                    if not isinstance(rec, dict):
                        yield {"doc_id": f"{path.name}:{n}", "error": "JSON line is not an object"}
                        continue
                    yield rec
        except (OSError, UnicodeDecodeError) as e:
            yield {"doc_id": path.name, "error": f"cannot read {path}: {e}"}


def _count_inputs(paths) -> Optional[int]:
    import gzip

    from marsad.io import expand

    n = 0
    try:
        for p in expand([Path(x) for x in paths]):
            if p.name.endswith((".jsonl", ".json", ".jsonl.gz")):
                opener = gzip.open if p.name.endswith(".gz") else open
                with opener(p, "rt", encoding="utf-8", errors="replace") as f:
                    n += sum(1 for line in f if line.strip())
            else:
                n += 1
    except OSError:
        return None
    return n


def _progress(items: Iterable, show: bool, total: Optional[int], console) -> Iterator:
    if not show:
        yield from items
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TextColumn("docs"),
                  TimeElapsedColumn(), console=console or Console(stderr=True)) as bar:
        task = bar.add_task("ingest", total=total)
        for item in items:
            yield item
            bar.advance(task)
