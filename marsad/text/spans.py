"""Mentions indexed by offset, so a stage finds those near a trigger without scanning them all.

`SpanIndex(items)` sorts anything with a ``span = [start, end)`` by start once;
`starting_in(a, b)` (mentions starting in [a, b)) and `covering(pos)` are then
bisections, and return the items in the order of the list they came from, so a
stage that used to scan ``doc.places`` gets exactly the same answer.
`MentionIndex.of(doc)` holds one for each mention list of a Doc, plus sentence
lookup by offset; each is rebuilt when its list was replaced or grew.
"""
from __future__ import annotations

import weakref
from bisect import bisect_left, bisect_right
from typing import Any, Callable, Generic, Sequence, TypeVar

T = TypeVar("T")


class SpanIndex(Generic[T]):
    def __init__(self, items: Sequence[T], span: Callable[[T], Any] = lambda it: it.span):
        keyed = sorted(((span(it)[0], i, it) for i, it in enumerate(items) if span(it)), key=lambda k: (k[0], k[1]))
        self.span = span
        self.starts = [k[0] for k in keyed]
        self.order = [k[1] for k in keyed]  # position in the original list
        self.items = [k[2] for k in keyed]
        self.in_list_order = self.order == sorted(self.order)
        self.longest = max((span(it)[1] - span(it)[0] for it in self.items), default=0)

    def __len__(self) -> int:
        return len(self.items)

    def _slice(self, a: int, b: int) -> list[T]:
        if self.in_list_order:
            return self.items[a:b]
        return [it for _, it in sorted(zip(self.order[a:b], self.items[a:b]), key=lambda k: k[0])]

    def starting_in(self, start: int, end: int) -> list[T]:
        """Items whose span starts in [start, end), in list order."""
        return self._slice(bisect_left(self.starts, start), bisect_left(self.starts, end))

    def covering(self, pos: int) -> list[T]:
        """Items whose span contains offset `pos`, in list order."""
        return self.around(pos, pos + 1)

    def around(self, start: int, end: int) -> list[T]:
        """Items whose span overlaps [start, end), in list order."""
        a = bisect_left(self.starts, start - self.longest)
        b = bisect_left(self.starts, end)
        return [it for it in self._slice(a, b) if self.span(it)[1] > start]


class SpanSet:
    """Spans added in any order; `overlaps` by bisection on their starts (linear cost per document)."""

    def __init__(self, spans=()):
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.longest = 0
        for sp in spans:
            self.add(sp)

    def add(self, span) -> None:
        i = bisect_right(self.starts, span[0])
        self.starts.insert(i, span[0])
        self.ends.insert(i, span[1])
        self.longest = max(self.longest, span[1] - span[0])

    def overlaps(self, s: int, e: int) -> bool:
        """Any span [a, b) with a < e and s < b."""
        lo = bisect_left(self.starts, s - self.longest)
        hi = bisect_left(self.starts, e)
        return any(self.ends[k] > s for k in range(lo, hi))


class MentionIndex:
    """Places, actors (people and organizations in text order), times and statements of a Doc,
    each indexed when first asked for and again after its list was replaced or grew."""

    def __init__(self, doc: Any):
        # the Doc keeps this index: a plain reference back would make every Doc a reference cycle, freed
        # only by the cyclic garbage collector (whose passes over survivors then cost ~1-2 ms per article)
        try:
            self._doc = weakref.ref(doc)
        except TypeError:  # an object without weak references
            self._doc = lambda: doc
        self._built: dict[str, tuple[tuple, SpanIndex]] = {}
        self._sent_key: tuple = ()
        self.main_country: Any = _UNSET  # per-document summaries the event stage computes once
        self.main_place: Any = _UNSET

    @property
    def doc(self) -> Any:
        return self._doc()

    @classmethod
    def of(cls, doc: Any) -> "MentionIndex":
        ix = doc.__dict__.get("_mention_index")
        if ix is None:
            ix = doc.__dict__["_mention_index"] = cls(doc)
        return ix

    def _index(self, name: str, items: Sequence, key: tuple, span=lambda it: it.span) -> SpanIndex:
        hit = self._built.get(name)
        if hit is None or hit[0] != key:
            hit = self._built[name] = (key, SpanIndex(items, span))
            if name == "places":
                self.main_country = self.main_place = _UNSET
        return hit[1]

    @property
    def places(self) -> SpanIndex:
        d = self.doc
        return self._index("places", d.places, (id(d.places), len(d.places)))

    @property
    def actors(self) -> SpanIndex:
        d = self.doc
        key = (id(d.people), len(d.people), id(d.organizations), len(d.organizations))
        hit = self._built.get("actors")
        return hit[1] if hit and hit[0] == key else self._index("actors", d.actors(), key)

    @property
    def times(self) -> SpanIndex:
        d = self.doc
        return self._index("times", d.times, (id(d.times), len(d.times)))

    @property
    def statements(self) -> SpanIndex:
        d = self.doc
        return self._index("statements", d.statements, (id(d.statements), len(d.statements)))

    @property
    def quotes(self) -> SpanIndex:
        """Statements indexed by their quote's span."""
        d = self.doc
        return self._index("quotes", d.statements, (id(d.statements), len(d.statements)),
                           span=lambda st: st.quote_span)

    def sentence_of(self, pos: int) -> int:
        """Index of the sentence containing offset `pos`, or -1 (as `Doc.sentence_of`)."""
        sents = self.doc.sentences
        if self._sent_key != (id(sents), len(sents)):
            self._sent_key = (id(sents), len(sents))
            self._sent_starts = [s for s, _ in sents]
            self._sent_ends = [e for _, e in sents]
        i = bisect_right(self._sent_starts, pos) - 1
        return i if i >= 0 and pos < self._sent_ends[i] else -1


_UNSET = object()
