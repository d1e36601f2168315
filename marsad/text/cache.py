"""`ByteLRU`: a least-recently-used cache bounded by the bytes of what it holds.

`functools.lru_cache` bounds the number of entries, and entries vary from a few
bytes to kilobytes, so memory kept growing with the vocabulary of the corpus.
Here each entry's size is estimated when it is stored (`size(value)` plus the
key), and the oldest entries go as soon as the total passes `max_bytes`:
peak memory stays flat however many documents pass.
"""
from __future__ import annotations

import sys
from collections import OrderedDict
from typing import Any, Callable, Hashable, Optional


class ByteLRU:
    def __init__(self, max_bytes: int, size: Callable[[Any], int] = sys.getsizeof):
        self.max_bytes = max_bytes
        self.size = size
        self.nbytes = 0
        self._data: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: Hashable) -> Optional[Any]:
        hit = self._data.get(key)
        if hit is None:
            return None
        self._data.move_to_end(key)
        return hit[0]

    def put(self, key: Hashable, value: Any) -> None:
        n = self.size(value) + sys.getsizeof(key) + 100  # + the dict slot and the (value, n) tuple
        old = self._data.pop(key, None)
        if old is not None:
            self.nbytes -= old[1]
        self._data[key] = (value, n)
        self.nbytes += n
        while self.nbytes > self.max_bytes and len(self._data) > 1:
            _, (_, m) = self._data.popitem(last=False)
            self.nbytes -= m

    def clear(self) -> None:
        self._data.clear()
        self.nbytes = 0


def cached(max_bytes: int, size: Callable[[Any], int] = sys.getsizeof):
    """Decorator: memoize a one-argument function in a `ByteLRU` (``f.cache`` to inspect or clear)."""

    def wrap(fn):
        cache = ByteLRU(max_bytes, size)
        missing = object()

        def wrapper(arg):
            hit = cache._data.get(arg, missing)
            if hit is not missing:
                cache._data.move_to_end(arg)
                return hit[0]
            value = fn(arg)
            cache.put(arg, value)
            return value

        wrapper.cache = cache
        wrapper.__wrapped__ = fn
        wrapper.__doc__ = fn.__doc__
        wrapper.__name__ = fn.__name__
        wrapper.cache_clear = cache.clear
        return wrapper

    return wrap
