"""`ByteCache`: a memo bounded by the bytes of what it holds, for per-word caches.

`functools.lru_cache` bounds the number of entries, and entries vary from a few
bytes to kilobytes, so memory kept growing with the vocabulary of the corpus.
Here each entry's size is estimated when it is stored (`size(key, value)`), and
the cache keeps two generations: new entries go to the current one; when it
holds half the budget it becomes the old one (the previous old one is dropped)
and a hit in the old generation moves the entry back to the current one. So
frequent words stay, rare ones age out, the total stays under `max_bytes`, and
a hit costs one dict lookup (no linked list to update as in an LRU).
"""
from __future__ import annotations

import sys
from functools import wraps
from typing import Any, Callable, Hashable

_MISS = object()
SLOT = 100  # a dict slot and the key object's header, roughly


def key_and_value_size(key: Any, value: Any) -> int:
    return sys.getsizeof(key) + sys.getsizeof(value) + SLOT


def key_size(key: Any, value: Any) -> int:
    """For values shared with something else (a lexicon's own lists): only the key is new memory."""
    return sys.getsizeof(key) + SLOT


class ByteCache:
    def __init__(self, max_bytes: int, size: Callable[[Any, Any], int] = key_and_value_size):
        self.max_bytes = max_bytes
        self.size = size
        self.current: dict = {}
        self.old: dict = {}
        self.current_bytes = 0
        self.old_bytes = 0

    @property
    def nbytes(self) -> int:
        return self.current_bytes + self.old_bytes

    def __len__(self) -> int:
        return len(self.current) + len(self.old)

    def get(self, key: Hashable, default: Any = None) -> Any:
        value = self.current.get(key, _MISS)
        if value is not _MISS:
            return value
        value = self.old.get(key, _MISS)
        if value is _MISS:
            return default
        self.put(key, value)  # used again: keep it
        return value

    def put(self, key: Hashable, value: Any) -> None:
        n = self.size(key, value)
        if self.current_bytes + n > self.max_bytes // 2 and self.current:
            self.old, self.old_bytes = self.current, self.current_bytes
            self.current, self.current_bytes = {}, 0
        self.current[key] = value
        self.current_bytes += n

    def clear(self) -> None:
        self.current, self.old = {}, {}
        self.current_bytes = self.old_bytes = 0


def cached(max_bytes: int, size: Callable[[Any, Any], int] = key_and_value_size):
    """Decorator: memoize a one-argument function in a `ByteCache` (``f.cache`` to inspect or clear)."""

    def wrap(fn):
        cache = ByteCache(max_bytes, size)

        @wraps(fn)
        def wrapper(arg):
            value = cache.current.get(arg, _MISS)
            if value is _MISS:
                value = cache.get(arg, _MISS)
                if value is _MISS:
                    value = fn(arg)
                    cache.put(arg, value)
            return value

        wrapper.cache = cache
        wrapper.cache_clear = cache.clear
        return wrapper

    return wrap
