"""Story clustering and cross-article event merging on a stored corpus: time, peak RSS, counts.

    python bench/bench_stories.py RECORDS.jsonl [--db sqlite:////tmp/stories-bench.db]

RECORDS.jsonl: `marsad extract` output for the corpus (extract once, reuse:
python -m marsad.cli extract ../shared/data/corpus/almayadeen-2023-2024.jsonl.gz -o /tmp/corpus.jsonl).
Stores the records (no stories), then times the clustering (update_stories' document
part) and the merging separately, then the incremental case: the last day's documents are
removed and added back, and only they are clustered again. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("records", type=Path)
    ap.add_argument("--db", default="sqlite:////tmp/stories-bench.db")
    args = ap.parse_args(argv)
    from sqlalchemy import func, select

    from marsad.store import stories as st
    from marsad.store.models import DocumentRow, EventRow, MergedEventRow, StoryRow
    from marsad.store.store import Store

    if args.db.startswith("sqlite:///"):
        Path(args.db[len("sqlite:///"):]).unlink(missing_ok=True)
    store = Store(args.db)
    t = time.perf_counter()
    s = store.ingest([args.records], records=True, progress=False, stories=False)
    t_store = time.perf_counter() - t
    print(f"stored {s.seen} records in {t_store:.1f} s; RSS peak {rss_mb():.0f} MB")

    from marsad.stories.cluster import MAX_SPAN_DAYS, StoryClusterer
    from marsad.stories.pairs import WINDOW_DAYS
    from marsad.stories.profile import embed, profile

    with store.Session() as ss:
        new = ss.execute(select(DocumentRow.id, DocumentRow.published_date).where(DocumentRow.story_id.is_(None))
                         .order_by(DocumentRow.published_date.asc().nulls_last(), DocumentRow.id)).all()
    t = time.perf_counter()
    c = st._cluster(store, [i for i, _ in new], [d for _, d in new if d is not None], StoryClusterer, profile, embed,
                    WINDOW_DAYS + MAX_SPAN_DAYS)
    t_cluster = time.perf_counter() - t
    print(f"clustering: {c['documents']} documents -> {c['stories_touched']} stories in {t_cluster:.1f} s; "
          f"RSS peak {rss_mb():.0f} MB")
    t = time.perf_counter()
    m = st._merge(store)
    t_merge = time.perf_counter() - t
    with store.Session() as ss:
        n_events = ss.scalar(select(func.count(EventRow.id)))
        n_merged = ss.scalar(select(func.count(MergedEventRow.id)))
        multi = ss.scalar(select(func.count(MergedEventRow.id)).where(MergedEventRow.source_count > 1))
        n_stories = ss.scalar(select(func.count(StoryRow.story_id)))
        multi_st = ss.scalar(select(func.count(StoryRow.story_id)).where(StoryRow.n_docs > 1))
        dups = ss.scalar(select(func.count(DocumentRow.id)).where(DocumentRow.duplicate_of.is_not(None)))
    print(f"merging: {m['events']} events -> {n_merged} merged events ({multi} with several sources) "
          f"in {t_merge:.1f} s; RSS peak {rss_mb():.0f} MB")
    print(f"events before merging {n_events}, after {n_merged}; stories {n_stories} ({multi_st} with several "
          f"articles); near-duplicates {dups}")

    # incremental: take the last day out and add it back
    with store.Session.begin() as ss:
        last = ss.scalar(select(func.max(DocumentRow.published_date)))
        ids = list(ss.scalars(select(DocumentRow.id).where(DocumentRow.published_date == last)))
        before = dict(ss.execute(select(DocumentRow.doc_id, DocumentRow.story_id)
                                 .where(DocumentRow.published_date < last)).all())
        for row in ss.scalars(select(DocumentRow).where(DocumentRow.id.in_(ids))):
            row.story_id = None
            for e in row.events:
                e.merged_event_id = None
    t = time.perf_counter()
    inc = store.update_stories()
    t_inc = time.perf_counter() - t
    with store.Session() as ss:
        after = dict(ss.execute(select(DocumentRow.doc_id, DocumentRow.story_id)
                                .where(DocumentRow.published_date < last)).all())
    changed = sum(1 for k in before if before[k] != after.get(k))
    print(f"incremental: one day ({last}, {inc['documents']} documents, {inc['events']} events) re-added in "
          f"{t_inc:.1f} s; earlier documents whose story changed: {changed}")
    t = time.perf_counter()
    again = store.update_stories()
    print(f"same corpus again: {again} in {time.perf_counter() - t:.2f} s")
    print(f"clustering + merging {t_cluster + t_merge:.1f} s; peak RSS {rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
