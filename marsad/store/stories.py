"""Stories and merged events in the store: incremental update and reading.

``update_stories(store)`` assigns every document that has no ``story_id`` yet
(in publication order) and merges every event that has no
``merged_event_id`` yet; documents and merged events already assigned are
only read, as context (the days around the new ones). So:

* ingesting the same corpus twice changes nothing (nothing is unassigned);
* adding one day's articles touches only the stories those articles join or
  found and the merged events their events join or found.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Optional

import numpy as np
from sqlalchemy import delete, func, select, update

from marsad.store.models import DocumentRow, EventRow, MergedEventRow, StoryRow, utcnow


def _signature(blob: Optional[bytes]):
    return None if blob is None else np.frombuffer(blob, dtype=np.uint32).copy()


def update_stories(store) -> dict:
    """Cluster new documents into stories and merge new events; returns counts of what changed."""
    from marsad.stories.cluster import MAX_SPAN_DAYS, StoryClusterer
    from marsad.stories.pairs import WINDOW_DAYS
    from marsad.stories.profile import embed, profile

    out = {"documents": 0, "stories_touched": 0, "events": 0, "merged_touched": 0}
    with store.Session() as s:
        new = s.execute(select(DocumentRow.id, DocumentRow.published_date).where(DocumentRow.story_id.is_(None))
                        .order_by(DocumentRow.published_date.asc().nulls_last(), DocumentRow.id)).all()
    if new:
        out.update(_cluster(store, [i for i, _ in new], [d for _, d in new if d is not None],
                            StoryClusterer, profile, embed, WINDOW_DAYS + MAX_SPAN_DAYS))
    out.update(_merge(store))
    return out


# documents profiled, encoded and assigned at a time (a multiple of embed()'s batch of 256)
CLUSTER_CHUNK = 512


def _cluster(store, new_ids: list[int], days: list[date], Clusterer, profile, embed, reach: int) -> dict:
    clusterer = Clusterer()
    with store.Session() as s:
        ctx_ids: list[int] = []
        if days:
            lo, hi = min(days) - timedelta(days=reach), max(days) + timedelta(days=clusterer.window)
            ctx_ids = list(s.scalars(select(DocumentRow.id).where(DocumentRow.story_id.is_not(None),
                                                                   DocumentRow.published_date >= lo,
                                                                   DocumentRow.published_date <= hi)))
        kinds = dict(s.execute(select(StoryRow.story_id, StoryRow.kind)).all())
        # every stored signature: a re-publication months later is still a duplicate
        ctx = set(ctx_ids)
        for doc_id, blob, dup, sid, pk in s.execute(select(DocumentRow.doc_id, DocumentRow.minhash,
                                                           DocumentRow.duplicate_of, DocumentRow.story_id,
                                                           DocumentRow.id).where(DocumentRow.story_id.is_not(None))):
            if pk not in ctx and blob is not None:
                clusterer.load_signature(doc_id, _signature(blob), sid, dup)
        ctx_profiles = []
        for i in range(0, len(ctx_ids), 500):
            for row in s.scalars(select(DocumentRow).where(DocumentRow.id.in_(ctx_ids[i:i + 500]))):
                rec = dict(row.record)
                rec["events"] = [e.record for e in row.events]
                ctx_profiles.append((profile(rec, _signature(row.minhash)), row.story_id, row.duplicate_of))
    from marsad.stories.pairs import needs_vectors

    vectors = needs_vectors(clusterer.model.features)  # the sentence encoder runs only for a model that uses it
    titles = "title_cosine" in clusterer.model.features
    if vectors:
        embed([p for p, _, _ in ctx_profiles], titles=titles)
    for p, sid, dup in sorted(ctx_profiles, key=lambda t: (t[0].day or date.max, t[0].doc_id)):
        clusterer.load(p, sid, kinds.get(sid, "story"), dup)
    del ctx_profiles
    # new documents in publication order, a chunk at a time: a profile leaves memory once no later
    # document can be compared with it (WINDOW_DAYS), so memory stays flat however long the corpus;
    # each chunk's assignments are committed, and a rerun after a crash picks up the documents left
    touched: set[str] = set()
    done = 0
    for i in range(0, len(new_ids), CLUSTER_CHUNK):
        chunk = new_ids[i:i + CLUSTER_CHUNK]
        profiles: dict[int, object] = {}
        with store.Session() as s:
            for row in s.scalars(select(DocumentRow).where(DocumentRow.id.in_(chunk))):
                rec = dict(row.record)
                rec["events"] = [e.record for e in row.events]
                profiles[row.id] = profile(rec)
        ordered = [(pk, profiles[pk]) for pk in chunk if pk in profiles]
        del profiles
        if vectors:
            embed([p for _, p in ordered], titles=titles)
        assigned = []
        for pk, p in ordered:
            if p.day is not None:
                clusterer.forget_before(p.day - timedelta(days=clusterer.window))
            a = clusterer.add(p)
            assigned.append({"id": pk, "story_id": a.story_id, "duplicate_of": a.duplicate_of,
                             "minhash": np.asarray(p.signature, dtype=np.uint32).tobytes()})
            touched.add(a.story_id)
        done += len(ordered)
        with store.Session.begin() as s:
            # one executemany UPDATE by primary key: no row (and its record JSON) loaded, no flush per document
            s.execute(update(DocumentRow), assigned)
    with store.Session.begin() as s:
        for sid in touched:
            st = clusterer.stories.get(sid)
            docs = s.execute(select(DocumentRow.title, DocumentRow.published_date).where(DocumentRow.story_id == sid)
                             .order_by(DocumentRow.published_date.asc().nulls_last(), DocumentRow.id)).all()
            dated = [d for _, d in docs if d is not None]
            row = s.get(StoryRow, sid) or StoryRow(story_id=sid)
            row.kind = st.kind if st else "story"
            row.title = docs[0][0] if docs else None
            row.first_day, row.last_day = (min(dated), max(dated)) if dated else (None, None)
            row.n_docs = len(docs)
            row.updated_at = utcnow()
            s.add(row)
    return {"documents": done, "stories_touched": len(touched)}


# only the columns a mention needs: loading whole rows would hold every article's text in memory
_MENTION_COLS = (EventRow.id, EventRow.record, EventRow.merged_event_id, DocumentRow.doc_id, DocumentRow.outlet,
                 DocumentRow.url, DocumentRow.published, DocumentRow.story_id)


def _mention(row):
    from marsad.stories.merge import Mention

    return Mention(ref=row.id, doc_id=row.doc_id, record=row.record, outlet=row.outlet, url=row.url,
                   published=row.published, story_id=row.story_id)


# new events read, merged and written at a time: memory holds a chunk and the merged events still open
MERGE_CHUNK = 2000


def _merge(store) -> dict:
    from marsad.stories.merge import CANDIDATE_DAYS, DAY_WINDOW, EventMerger, day_of

    merger = EventMerger()
    window = DAY_WINDOW if merger.rule else CANDIDATE_DAYS
    with store.Session() as s:
        # the date columns copied from each record: the days are known before any record is read
        new = s.execute(select(EventRow.id, EventRow.date, EventRow.date_value, EventRow.time_precision)
                        .where(EventRow.merged_event_id.is_(None), EventRow.status != "wrong")
                        .order_by(EventRow.date.asc().nulls_last(), EventRow.id)).all()
        if not new:
            return {"events": 0, "merged_touched": 0}
        ids = [r.id for r in new]
        days = {d for r in new if (d := day_of(r.date_value, r.time_precision)) is not None}
        # merged events of the same days (± the window) are the only ones a new mention can join
        reach = max(DAY_WINDOW, CANDIDATE_DAYS)
        ctx_days = sorted({d + timedelta(days=k) for d in days for k in range(-reach, reach + 1)})
        groups: dict[int, list] = defaultdict(list)
        for i in range(0, len(ctx_days), 200):
            rows = s.execute(select(*_MENTION_COLS).join(DocumentRow, DocumentRow.id == EventRow.document_id)
                             .where(EventRow.merged_event_id.is_not(None), EventRow.date.in_(ctx_days[i:i + 200]),
                                    EventRow.status != "wrong")
                             .order_by(EventRow.merged_event_id, EventRow.id)).all()
            for r in rows:
                groups[r.merged_event_id].append(_mention(r))
    for key in sorted(groups):
        merger.load(key, groups[key])
    del groups
    touched, seen, written = [], set(), 0
    for i in range(0, len(ids), MERGE_CHUNK):
        chunk = ids[i:i + MERGE_CHUNK]
        with store.Session() as s:
            rows = {r.id: r for r in s.execute(select(*_MENTION_COLS)
                                               .join(DocumentRow, DocumentRow.id == EventRow.document_id)
                                               .where(EventRow.id.in_(chunk)))}
        for pk in chunk:
            g, _ = merger.add(_mention(rows[pk]))
            if id(g) not in seen:
                seen.add(id(g))
                touched.append(g)
        del rows
        nxt = new[i + MERGE_CHUNK].date if i + MERGE_CHUNK < len(new) else None
        if i + MERGE_CHUNK < len(new) and nxt is not None:
            # what no later mention can join: written now, and gone from memory
            final = {id(g) for g in merger.forget_before(nxt - timedelta(days=window))}
            final |= {id(g) for g in touched if not any(m.day is not None and m.ptype for m in g.mentions)}
            done = [g for g in touched if id(g) in final]
            touched = [g for g in touched if id(g) not in final]
            merger.release(done)  # the undated ones: in no day bucket, never joined
        else:  # the last chunk, or only undated events left: nothing joins anything any more
            done, touched = touched, []
        _write_merged(store, done)
        written += len(done)
        # while `done` still holds them: a freed object's id() can be given to a new merged event
        seen.difference_update(id(g) for g in done)
    with store.Session.begin() as s:
        # merged events left without events (their articles were re-extracted) go
        alive = select(EventRow.merged_event_id).where(EventRow.merged_event_id.is_not(None)).distinct()
        s.execute(delete(MergedEventRow).where(MergedEventRow.id.not_in(alive)))
    return {"events": len(ids), "merged_touched": written}


def _write_merged(store, touched: list) -> None:
    """Store merged events (new rows, or their stored rows updated) and link their events to them."""
    with store.Session.begin() as s:
        keys = [g.key for g in touched if g.key is not None]
        stored = {}
        for i in range(0, len(keys), 500):
            stored.update((r.id, r) for r in s.scalars(select(MergedEventRow)
                                                      .where(MergedEventRow.id.in_(keys[i:i + 500]))))
        for i in range(0, len(touched), 1000):  # a thousand at a time: flushed rows can leave memory
            chunk = touched[i:i + 1000]
            rows = []
            for g in chunk:
                row = stored.pop(g.key, None) if g.key is not None else None
                if row is None:
                    row = MergedEventRow()
                    s.add(row)
                _fill(row, g)
                rows.append(row)
            s.flush()  # one flush: the new merged events get their ids
            links = []
            for g, row in zip(chunk, rows):
                g.key = row.id
                links += [{"id": m.ref, "merged_event_id": row.id} for m in g.mentions]
            # executemany UPDATE by primary key: no event rows (and their JSON) loaded
            s.execute(update(EventRow), links)


def _fill(row: MergedEventRow, g) -> None:
    first = g.mentions[0]
    rec = first.record
    from marsad.stories.merge import reliability

    summ = g.summary(reliability=reliability)
    loc = rec.get("location") or {}
    acled = rec.get("acled") or {}

    def actor(role: str) -> Optional[str]:
        for m in g.mentions:
            lst = m.record.get(role) or []
            if lst and (lst[0].get("name") or lst[0].get("text")):
                return lst[0].get("name") or lst[0].get("text")
        return None

    row.plover_type = (rec.get("plover") or {}).get("type")
    row.acled_event_type, row.acled_sub_event_type = acled.get("event_type"), acled.get("sub_event_type")
    row.date_value = summ["date"]
    from marsad.store.store import _parse_day

    row.date = _parse_day(summ["date"])
    row.location_name = loc.get("name") or loc.get("text")
    row.geonameid, row.lat, row.lon = loc.get("geonameid"), loc.get("lat"), loc.get("lon")
    row.country, row.admin1 = (loc.get("country") or None), (loc.get("admin1") or None)
    if row.country:
        row.country = str(row.country)[:8]
    if row.admin1:
        row.admin1 = str(row.admin1)[:16]
    row.actor1, row.actor2 = actor("actors"), actor("recipients")
    row.dead, row.injured, row.arrested = summ["dead"], summ["injured"], summ["arrested"]
    row.source_count = summ["source_count"]
    row.outlets = summ["outlets"]
    row.disagreements = summ["disagreements"]
    stories = [m.story_id for m in g.mentions if m.story_id]
    row.story_id = stories[0] if stories else None
    row.updated_at = utcnow()


# ---------------------------------------------------------------- reading

def merged_out(row: MergedEventRow, sources: Optional[list[dict]] = None) -> dict:
    out = {k: getattr(row, k) for k in ("id", "plover_type", "acled_event_type", "acled_sub_event_type",
                                        "date_value", "location_name", "geonameid", "lat", "lon", "country",
                                        "admin1", "actor1", "actor2", "dead", "injured", "arrested",
                                        "source_count", "outlets", "disagreements", "story_id")}
    out["date"] = out.pop("date_value")
    if sources is not None:
        out["sources"] = sources
    return out


def _sources(s, merged_ids: list[int]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = defaultdict(list)
    for i in range(0, len(merged_ids), 500):
        rows = s.execute(select(EventRow, DocumentRow).join(DocumentRow, DocumentRow.id == EventRow.document_id)
                         .where(EventRow.merged_event_id.in_(merged_ids[i:i + 500])).order_by(EventRow.id)).all()
        for e, d in rows:
            out[e.merged_event_id].append({
                "event_id": e.id, "doc_id": d.doc_id, "title": d.title, "outlet": d.outlet, "url": d.url,
                "published": d.published, "date": e.date_value, "location_name": e.location_name,
                "actor1": e.actor1, "actor2": e.actor2, "dead": e.dead, "injured": e.injured,
                "anchor_quote": e.anchor_quote, "status": e.status})
    return out


def list_merged(store, limit: int = 100, offset: int = 0, min_sources: int = 1, story_id: Optional[str] = None,
                with_sources: bool = False) -> tuple[int, list[dict]]:
    with store.Session() as s:
        cond = [MergedEventRow.source_count >= min_sources]
        if story_id:
            cond.append(MergedEventRow.story_id == story_id)
        total = s.scalar(select(func.count(MergedEventRow.id)).where(*cond)) or 0
        rows = list(s.scalars(select(MergedEventRow).where(*cond)
                              .order_by(MergedEventRow.date.desc().nulls_last(), MergedEventRow.id.desc())
                              .limit(limit).offset(offset)))
        src = _sources(s, [r.id for r in rows]) if with_sources else None
        return total, [merged_out(r, src[r.id] if src is not None else None) for r in rows]


def iter_merged(store, batch: int = 1000):
    """Every merged event with its sources, oldest id first (for exports)."""
    last = 0
    while True:
        with store.Session() as s:
            rows = list(s.scalars(select(MergedEventRow).where(MergedEventRow.id > last)
                                  .order_by(MergedEventRow.id).limit(batch)))
            if not rows:
                return
            src = _sources(s, [r.id for r in rows])
            for r in rows:
                yield merged_out(r, src[r.id])
            last = rows[-1].id


def get_merged(store, merged_id: int) -> dict:
    from marsad.store.store import NotFound

    with store.Session() as s:
        row = s.get(MergedEventRow, merged_id)
        if row is None:
            raise NotFound(merged_id)
        return merged_out(row, _sources(s, [row.id])[row.id])


def list_stories(store, limit: int = 100, offset: int = 0, kind: Optional[str] = None, min_docs: int = 1
                 ) -> tuple[int, list[dict]]:
    with store.Session() as s:
        cond = [StoryRow.n_docs >= min_docs]
        if kind:
            cond.append(StoryRow.kind == kind)
        total = s.scalar(select(func.count(StoryRow.story_id)).where(*cond)) or 0
        rows = list(s.scalars(select(StoryRow).where(*cond)
                              .order_by(StoryRow.first_day.desc().nulls_last(), StoryRow.story_id)
                              .limit(limit).offset(offset)))
        docs: dict[str, list[dict]] = defaultdict(list)
        ids = [r.story_id for r in rows]
        for i in range(0, len(ids), 500):
            for d in s.execute(select(DocumentRow.story_id, DocumentRow.doc_id, DocumentRow.title, DocumentRow.outlet,
                                      DocumentRow.published, DocumentRow.duplicate_of)
                               .where(DocumentRow.story_id.in_(ids[i:i + 500]))
                               .order_by(DocumentRow.published_date.asc().nulls_last(), DocumentRow.id)).all():
                docs[d.story_id].append({"doc_id": d.doc_id, "title": d.title, "outlet": d.outlet,
                                         "published": d.published, "duplicate_of": d.duplicate_of})
        return total, [_story_out(r, docs[r.story_id]) for r in rows]


def _story_out(r: StoryRow, docs: list[dict]) -> dict:
    return {"story_id": r.story_id, "kind": r.kind, "title": r.title,
            "first_day": r.first_day.isoformat() if r.first_day else None,
            "last_day": r.last_day.isoformat() if r.last_day else None, "n_docs": r.n_docs, "documents": docs}


def get_story(store, story_id: str) -> dict:
    """A story with its documents (title, lead, published, outlet) and its merged events with sources."""
    from marsad.store.store import NotFound

    with store.Session() as s:
        r = s.get(StoryRow, story_id)
        if r is None:
            raise NotFound(story_id)
        docs = []
        for d in s.scalars(select(DocumentRow).where(DocumentRow.story_id == story_id)
                           .order_by(DocumentRow.published_date.asc().nulls_last(), DocumentRow.id)):
            text = (d.record or {}).get("text") or ""
            sents = (d.record or {}).get("sentences") or []
            lead = text[sents[0][0]:sents[0][1]] if sents else text[:300]
            docs.append({"doc_id": d.doc_id, "title": d.title, "outlet": d.outlet, "published": d.published,
                         "url": d.url, "duplicate_of": d.duplicate_of, "lead": lead,
                         "n_events": len(d.events)})
        merged_ids = list(s.scalars(select(EventRow.merged_event_id).join(DocumentRow,
                                                                          DocumentRow.id == EventRow.document_id)
                                    .where(DocumentRow.story_id == story_id, EventRow.merged_event_id.is_not(None))
                                    .distinct()))
        rows = list(s.scalars(select(MergedEventRow).where(MergedEventRow.id.in_(merged_ids))
                              .order_by(MergedEventRow.date.asc().nulls_last(), MergedEventRow.id))) if merged_ids else []
        src = _sources(s, [m.id for m in rows])
        out = _story_out(r, docs)
        out["merged_events"] = [merged_out(m, src[m.id]) for m in rows]
        return out
