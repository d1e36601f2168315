"""The Marsad REST API (FastAPI). OpenAPI spec at /openapi.json, docs at /docs.

    from marsad.api.app import create_app
    app = create_app("sqlite:///marsad.db", token="s3cret")

Writes (POST) need `Authorization: Bearer <token>` (token argument, else env
MARSAD_TOKEN); with no token configured, writes are refused (403). Reads are
open unless `private=True` or MARSAD_PRIVATE=1, in which case they need the
token too. The web app (marsad.web.mount) is served from "/" when present.
"""
from __future__ import annotations

import os
import datetime as dt
from typing import Any, Literal, Optional, Union

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, field_validator

from marsad import __version__
from marsad.api.hardening import (DEFAULT_MAX_BODY_BYTES, DEFAULT_WRITES_PER_MINUTE, auth_problem, harden,
                                  valid_text)
from marsad.store.store import EventFilters, NotFound, Store, StoreError
from marsad.store.vocab import ACLED_TYPES, PLOVER_TYPES, SUB_TO_TYPE

MAX_ID = 2**31 - 1

PloverType = Literal[PLOVER_TYPES]  # type: ignore[valid-type]
AcledEventType = Literal[tuple(ACLED_TYPES) + ("",)]  # type: ignore[valid-type]
AcledSubType = Literal[tuple(SUB_TO_TYPE) + ("",)]  # type: ignore[valid-type]
Status = Literal["machine", "corrected", "wrong"]


# ------------------------------------------------------------------ models

class Problem(BaseModel):
    detail: Union[str, list[Any], dict[str, Any]] = Field(description="what is wrong with the request")


class Health(BaseModel):
    status: str
    documents: int
    events: int


class EventOut(BaseModel):
    id: int
    doc_id: str
    plover_type: Optional[str] = None
    plover_mode: Optional[str] = None
    acled_event_type: Optional[str] = None
    acled_sub_event_type: Optional[str] = None
    date: Optional[str] = Field(None, description="ISO 8601 as coded: 2024-12-05, 2024-12 or 2024")
    time_precision: Optional[int] = None
    location_name: Optional[str] = None
    lat: Optional[float] = None
    lon: Optional[float] = None
    admin1: Optional[str] = None
    country: Optional[str] = Field(None, description="ISO 3166 alpha-2 of the event location")
    geo_precision: Optional[int] = None
    actor1: Optional[str] = None
    actor1_country: Optional[str] = None
    actor1_sector: Optional[str] = None
    actor2: Optional[str] = None
    actor2_country: Optional[str] = None
    actor2_sector: Optional[str] = None
    dead: Optional[int] = None
    injured: Optional[int] = None
    arrested: Optional[int] = None
    anchor_quote: Optional[str] = None
    anchor_span: Optional[list[int]] = Field(None, description="[start, end) into the document text")
    sentence_index: Optional[int] = None
    status: Status
    confidence: Optional[float] = None
    record: dict[str, Any] = Field(description="the full event record (codebook section 2), corrections applied")


class EventList(BaseModel):
    total: int
    items: list[EventOut]


class DocumentBrief(BaseModel):
    doc_id: str
    title: Optional[str] = None
    outlet: Optional[str] = None
    published: Optional[str] = None
    url: Optional[str] = None
    text: str
    sentences: list[list[int]]
    mentions: dict[str, Any]


class CorrectionOut(BaseModel):
    id: int
    user: str
    created_at: Optional[str] = None
    changes: dict[str, Any]
    before: dict[str, Any]
    note: Optional[str] = None


class EventDetail(EventOut):
    document: DocumentBrief
    corrections: list[CorrectionOut]


class DocumentSummary(BaseModel):
    doc_id: str
    title: Optional[str] = None
    outlet: Optional[str] = None
    published: Optional[str] = None
    n_events: int


class DocumentList(BaseModel):
    total: int
    items: list[DocumentSummary]


class DocumentFull(BaseModel):
    """The document record (codebook section 1) with its current events and their ids, in the same order."""

    model_config = ConfigDict(extra="allow")
    doc_id: str
    text: str
    events: list[dict[str, Any]]
    event_ids: list[int]


_no_nul = valid_text  # no NUL, no lone surrogate (marsad/api/hardening.py)


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, description="the article text (Arabic); at most the server's max_chars "
                                                  "characters (default 1,000,000)")
    doc_id: Optional[str] = Field(None, min_length=1, max_length=200)
    published: Optional[str] = Field(None, max_length=64, description="ISO date, e.g. 2024-12-06")
    outlet: Optional[str] = Field(None, max_length=255)
    title: Optional[str] = Field(None, max_length=2000)
    url: Optional[str] = Field(None, max_length=2000)

    _check = field_validator("text", "doc_id", "published", "outlet", "title", "url")(_no_nul)


class DocumentPosted(BaseModel):
    doc_id: str
    event_ids: list[int]
    added: bool


class ActorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Optional[str] = Field(None, max_length=500)
    country: Optional[str] = Field(None, max_length=8, description="ISO alpha-3 or IGO code")
    sector: Optional[str] = Field(None, max_length=16, description="PLOVER sector, e.g. MIL")
    kind: Optional[Literal["person", "organization", "group", "state"]] = None

    _check = field_validator("name", "country", "sector")(_no_nul)


class LocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=500)
    geonameid: Optional[int] = Field(None, ge=0, le=MAX_ID)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    admin1: Optional[str] = Field(None, max_length=16, description="ISO 3166-2, e.g. SY-HM")
    country: Optional[str] = Field(None, max_length=8, description="ISO alpha-2")
    geo_precision: Optional[Literal[1, 2, 3]] = None

    _check = field_validator("name", "admin1", "country")(_no_nul)


class CorrectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user: str = Field(min_length=1, max_length=255, description="who makes the correction")
    note: Optional[str] = Field(None, max_length=5000)
    plover_type: Optional[PloverType] = None
    plover_mode: Optional[str] = Field(None, max_length=64)
    acled_event_type: Optional[AcledEventType] = Field(None, description="'' removes the ACLED coding")
    acled_sub_event_type: Optional[AcledSubType] = None
    actor1: Optional[ActorIn] = None
    actor2: Optional[ActorIn] = None
    location: Optional[LocationIn] = None
    date: Optional[dt.date] = Field(None, description="YYYY-MM-DD")
    wrong: Optional[bool] = Field(None, description="true: the event is wrong (not an event); false: undo that")

    _check = field_validator("user", "note", "plover_mode")(_no_nul)


class TimelineItem(BaseModel):
    date: str
    count: int


class Timeline(BaseModel):
    items: list[TimelineItem]


class Facets(BaseModel):
    plover_types: list[str]
    acled_types: list[str]
    countries: list[str]
    admin1: list[str]


# ------------------------------------------------------------------ app

R401 = {401: {"model": Problem, "description": "no bearer token"}}
R403 = {403: {"model": Problem, "description": "wrong token, or writes disabled (MARSAD_TOKEN unset)"}}
R404 = {404: {"model": Problem, "description": "not found"}}
R422 = {422: {"model": Problem, "description": "invalid request"}}
R400 = {400: {"model": Problem, "description": "the body is not JSON"}}


def create_app(db_url: str, token: Optional[str] = None, private: bool = False, limits=None,
               max_body_bytes: Optional[int] = None, writes_per_minute: Optional[int] = None) -> FastAPI:
    """The API over the store at `db_url`. token: None → env MARSAD_TOKEN; private or MARSAD_PRIVATE=1 closes reads.

    limits: a pipeline.Limits for posted documents (env MARSAD_MAX_CHARS sets its max_chars);
    max_body_bytes (env MARSAD_MAX_BODY_BYTES, default 10 MB) and writes_per_minute per client
    (env MARSAD_WRITES_PER_MINUTE, default 120): see api/hardening.py.
    """
    from marsad.pipeline import Limits

    token = token if token is not None else (os.environ.get("MARSAD_TOKEN") or None)
    limits = limits or Limits(max_chars=int(os.environ.get("MARSAD_MAX_CHARS") or Limits.max_chars))
    max_body_bytes = max_body_bytes or int(os.environ.get("MARSAD_MAX_BODY_BYTES") or DEFAULT_MAX_BODY_BYTES)
    writes_per_minute = writes_per_minute or int(os.environ.get("MARSAD_WRITES_PER_MINUTE")
                                                 or DEFAULT_WRITES_PER_MINUTE)
    private = private or os.environ.get("MARSAD_PRIVATE", "").strip().lower() in ("1", "true", "yes")
    store = Store(db_url)
    bearer = HTTPBearer(auto_error=False, description="MARSAD_TOKEN")

    def check(creds: Optional[HTTPAuthorizationCredentials]) -> None:
        problem = auth_problem(token, f"Bearer {creds.credentials}" if creds else None)
        if problem:
            raise HTTPException(problem[0], problem[1],
                                headers={"WWW-Authenticate": "Bearer"} if problem[0] == 401 else None)

    def can_write(creds: Optional[HTTPAuthorizationCredentials] = Depends(bearer)) -> None:
        check(creds)

    def can_read(creds: Optional[HTTPAuthorizationCredentials] = Depends(bearer)) -> None:
        if private:
            check(creds)

    read_deps = [Depends(can_read)] if private else []
    read_resp = {**R401, **R403} if private else {}

    app = FastAPI(title="Marsad API", version=__version__, docs_url=None, redoc_url=None,  # docs: hardening.py
                  description="Coded events from Arabic news: filter, inspect, correct. "
                              "Writes need `Authorization: Bearer <MARSAD_TOKEN>`.")
    app.state.store = store
    app.state.pipeline = None

    @app.exception_handler(StoreError)
    async def _store_error(_request: Request, exc: StoreError):
        return JSONResponse({"detail": str(exc)}, status_code=503)

    def filters(start: Optional[dt.date] = Query(None, description="events on or after this day"),
                end: Optional[dt.date] = Query(None, description="events on or before this day"),
                plover_type: Optional[str] = Query(None, max_length=32, description="PLOVER type, e.g. ASSAULT"),
                acled_type: Optional[str] = Query(None, max_length=128,
                                                  description="ACLED event type or sub-event type"),
                country: Optional[str] = Query(None, max_length=8, description="ISO alpha-2 of the location"),
                admin1: Optional[str] = Query(None, max_length=16, description="ISO 3166-2, e.g. SY-HM"),
                bbox: Optional[str] = Query(None, max_length=200, description="minlon,minlat,maxlon,maxlat"),
                actor: Optional[str] = Query(None, max_length=500,
                                             description="substring of an actor's name or text, or ISO3 country"),
                q: Optional[str] = Query(None, max_length=500,
                                         description="Arabic full text over the document text and anchor (normalized)"),
                status: Optional[Status] = Query(None)) -> EventFilters:
        params = dict(start=start, end=end, plover_type=plover_type, acled_type=acled_type, country=country,
                      admin1=admin1, bbox=bbox, actor=actor, q=q, status=status)
        params = {k: (v.replace("\x00", "") if isinstance(v, str) else v) for k, v in params.items()}
        try:
            return EventFilters.parse(**params)
        except ValueError as e:
            raise HTTPException(422, str(e))

    @app.get("/api/health", response_model=Health, tags=["meta"])
    def health() -> dict:
        c = store.counts()
        return {"status": "ok", "documents": c["documents"], "events": c["events"]}

    @app.get("/api/events", response_model=EventList, tags=["events"], dependencies=read_deps,
             responses={**R422, **read_resp})
    def list_events(f: EventFilters = Depends(filters), limit: int = Query(100, ge=1, le=1000),
                    offset: int = Query(0, ge=0, le=10_000_000)) -> dict:
        total, items = store.query_events(f, limit=limit, offset=offset)
        return {"total": total, "items": items}

    @app.get("/api/events/{event_id}", response_model=EventDetail, tags=["events"], dependencies=read_deps,
             responses={**R404, **R422, **read_resp})
    def get_event(event_id: int = Path(ge=1, le=MAX_ID)) -> dict:
        try:
            return store.get_event(event_id)
        except NotFound:
            raise HTTPException(404, "no such event")

    @app.post("/api/events/{event_id}/corrections", response_model=EventOut, tags=["events"],
              dependencies=[Depends(can_write)], responses={**R400, **R401, **R403, **R404, **R422})
    def correct_event(body: CorrectionIn, event_id: int = Path(ge=1, le=MAX_ID)) -> dict:
        changes = body.model_dump(exclude={"user", "note"}, exclude_none=True)
        for k in ("actor1", "actor2", "location"):
            if k in changes:
                changes[k] = {f: v for f, v in changes[k].items() if v is not None}
        try:
            return store.correct_event(event_id, changes, user=body.user, note=body.note)
        except NotFound:
            raise HTTPException(404, "no such event")
        except ValueError as e:
            raise HTTPException(422, str(e))

    @app.get("/api/timeline", response_model=Timeline, tags=["events"], dependencies=read_deps,
             responses={**R422, **read_resp})
    def timeline(f: EventFilters = Depends(filters)) -> dict:
        return {"items": store.timeline(f)}

    @app.get("/api/facets", response_model=Facets, tags=["events"], dependencies=read_deps, responses=read_resp)
    def facets() -> dict:
        return store.facets()

    @app.get("/api/documents", response_model=DocumentList, tags=["documents"], dependencies=read_deps,
             responses={**R422, **read_resp})
    def list_documents(limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=10_000_000),
                       q: Optional[str] = Query(None, max_length=500, description="normalized full text")) -> dict:
        total, items = store.list_documents(limit=limit, offset=offset, q=q.replace("\x00", "") if q else q)
        return {"total": total, "items": items}

    @app.get("/api/documents/{doc_id:path}", response_model=DocumentFull, tags=["documents"],
             dependencies=read_deps, responses={**R404, **R422, **read_resp})
    def get_document(doc_id: str) -> dict:
        try:
            return store.get_document(doc_id)
        except NotFound:
            raise HTTPException(404, "no such document")

    @app.post("/api/documents", response_model=DocumentPosted, status_code=201, tags=["documents"],
              dependencies=[Depends(can_write)], responses={**R400, **R401, **R403, **R422})
    def post_document(body: DocumentIn) -> dict:
        from marsad.pipeline import BadDocument, Pipeline

        if app.state.pipeline is None:
            app.state.pipeline = Pipeline(limits=limits)
        try:
            record = app.state.pipeline.extract(body.text, doc_id=body.doc_id, published=body.published,
                                                outlet=body.outlet, title=body.title, url=body.url)
        except BadDocument as e:
            raise HTTPException(422, f"cannot extract this document: {e}")
        result = store.ingest_record(record)
        doc = store.get_document(result.doc_id)
        return {"doc_id": result.doc_id, "event_ids": doc["event_ids"], "added": result.added_doc}

    from marsad.api.stories import stories_router  # stories and merged events (marsad/api/stories.py)

    app.include_router(stories_router(store, read_deps, read_resp))

    try:
        from marsad.web import mount  # the analysts' web app, when installed
    except ImportError:
        pass
    else:
        mount(app)

    return harden(app, token, max_body_bytes=max_body_bytes, writes_per_minute=writes_per_minute)
