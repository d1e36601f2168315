"""The event store (SQLAlchemy 2; SQLite by default, PostgreSQL by URL). See store.py.

Kept import-light: `from marsad.store import Store` loads SQLAlchemy only then.
"""
from __future__ import annotations

__all__ = ["Store", "EventFilters", "IngestResult", "StoreError", "NotFound", "DEFAULT_DB"]


def __getattr__(name: str):
    if name in __all__:
        from marsad.store import store

        return getattr(store, name)
    raise AttributeError(name)
