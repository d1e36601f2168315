"""API routes for stories and merged events (included by marsad/api/app.py).

    GET /api/stories                 stories, newest first (paged)
    GET /api/stories/{story_id}      a story: its articles and its merged events with their sources
    GET /api/merged-events           merged events, newest first (paged; ?min_sources=2 for multi-source)
    GET /api/merged-events/{id}      one merged event with every source mention side by side
"""
from __future__ import annotations

from typing import Any, Optional

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel

from marsad.store.store import NotFound

MAX_ID = 2**31 - 1


class StoryDoc(BaseModel):
    doc_id: str
    title: Optional[str] = None
    outlet: Optional[str] = None
    published: Optional[str] = None
    duplicate_of: Optional[str] = None
    url: Optional[str] = None
    lead: Optional[str] = None
    n_events: Optional[int] = None


class Source(BaseModel):
    event_id: int
    doc_id: str
    title: Optional[str] = None
    outlet: Optional[str] = None
    url: Optional[str] = None
    published: Optional[str] = None
    date: Optional[str] = None
    location_name: Optional[str] = None
    actor1: Optional[str] = None
    actor2: Optional[str] = None
    dead: Optional[int] = None
    injured: Optional[int] = None
    anchor_quote: Optional[str] = None
    status: Optional[str] = None


class MergedEvent(BaseModel):
    id: int
    plover_type: Optional[str] = None
    acled_event_type: Optional[str] = None
    acled_sub_event_type: Optional[str] = None
    date: Optional[str] = None
    location_name: Optional[str] = None
    geonameid: Optional[int] = None
    lat: Optional[float] = None
    lon: Optional[float] = None
    country: Optional[str] = None
    admin1: Optional[str] = None
    actor1: Optional[str] = None
    actor2: Optional[str] = None
    dead: Optional[int] = None
    injured: Optional[int] = None
    arrested: Optional[int] = None
    source_count: int
    outlets: list[str] = []
    disagreements: dict[str, Any] = {}
    story_id: Optional[str] = None
    sources: Optional[list[Source]] = None


class Story(BaseModel):
    story_id: str
    kind: str
    title: Optional[str] = None
    first_day: Optional[str] = None
    last_day: Optional[str] = None
    n_docs: int
    documents: list[StoryDoc]
    merged_events: Optional[list[MergedEvent]] = None


class StoryList(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[Story]


class MergedList(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[MergedEvent]


def stories_router(store, dependencies: list, responses: dict) -> APIRouter:
    from marsad.store import stories as st

    r = APIRouter(tags=["stories"], dependencies=dependencies, responses=responses)
    not_found = {404: {"description": "not found"}}

    @r.get("/api/stories", response_model=StoryList)
    def list_stories(limit: int = Query(50, ge=1, le=1000), offset: int = Query(0, ge=0, le=10_000_000),
                     min_docs: int = Query(1, ge=1, le=10_000, description="only stories with this many articles"),
                     kind: Optional[str] = Query(None, pattern="^(story|bulletin)$")) -> dict:
        total, items = st.list_stories(store, limit=limit, offset=offset, kind=kind, min_docs=min_docs)
        return {"total": total, "limit": limit, "offset": offset, "items": items}

    @r.get("/api/stories/{story_id}", response_model=Story, responses=not_found)
    def get_story(story_id: str = Path(max_length=64)) -> dict:
        try:
            return st.get_story(store, story_id)
        except NotFound:
            raise HTTPException(404, f"no story {story_id!r}")

    @r.get("/api/merged-events", response_model=MergedList)
    def list_merged(limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=10_000_000),
                    min_sources: int = Query(1, ge=1, le=10_000), story_id: Optional[str] = Query(None, max_length=64),
                    sources: bool = Query(False, description="include every source mention")) -> dict:
        total, items = st.list_merged(store, limit=limit, offset=offset, min_sources=min_sources,
                                      story_id=story_id, with_sources=sources)
        return {"total": total, "limit": limit, "offset": offset, "items": items}

    @r.get("/api/merged-events/{merged_id}", response_model=MergedEvent, responses=not_found)
    def get_merged(merged_id: int = Path(ge=1, le=MAX_ID)) -> dict:
        try:
            return st.get_merged(store, merged_id)
        except NotFound:
            raise HTTPException(404, f"no merged event {merged_id}")

    return r
