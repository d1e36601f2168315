"""Acceptance 1: ingest ../shared/data/news/articles.jsonl (358 articles) into SQLite and, when
MARSAD_TEST_PG_URL is set, PostgreSQL; equal counts in both; a second ingest adds nothing."""
from __future__ import annotations

import pytest

from fixtures.store_db import PG_URL

from marsad.store.store import Store

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def articles(shared_dir):
    path = shared_dir / "data" / "news" / "articles.jsonl"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    return path


@pytest.fixture(scope="module")
def pipeline():
    from marsad.pipeline import Pipeline

    return Pipeline()


def _ingest_twice(url: str, articles, pipeline) -> dict:
    store = Store(url)
    try:
        first = store.ingest([articles], progress=False, pipeline=pipeline)
        counts = store.counts()
        assert first.seen == 358
        assert counts["documents"] + counts["errors"] >= 358 - first.unchanged  # nothing is lost
        assert counts["documents"] == first.added_docs and counts["events"] == first.added_events
        second = store.ingest([articles], progress=False, pipeline=pipeline)
        assert (second.added_docs, second.added_events, second.replaced) == (0, 0, 0)
        assert store.counts() == counts
        _, docs = store.list_documents(limit=1000)
        counts["per_doc"] = sorted((d["doc_id"], d["n_events"]) for d in docs)
        return counts
    finally:
        store.close()


@pytest.fixture(scope="module")
def sqlite_counts(articles, pipeline, tmp_path_factory):
    return _ingest_twice(f"sqlite:///{tmp_path_factory.mktemp('shared') / 'news.db'}", articles, pipeline)


def test_sqlite_ingest(sqlite_counts):
    assert sqlite_counts["documents"] + sqlite_counts["errors"] == 358
    assert sqlite_counts["documents"] > 300


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="MARSAD_TEST_PG_URL not set (no PostgreSQL server)")
def test_postgres_ingest_matches_sqlite(sqlite_counts, articles, pipeline):
    from marsad.store.synthetic import reset_database

    reset_database(PG_URL)
    try:
        pg = _ingest_twice(PG_URL, articles, pipeline)
    finally:
        reset_database(PG_URL)
    assert pg == sqlite_counts
