"""Normalization for matching, with a map back to the original offsets.

The original text is never changed. `NormText` holds a normalized copy in which
alef forms (أ إ آ ٱ) become ا, ى becomes ي, ة becomes ه, Eastern Arabic and
Persian digits become ASCII digits, and diacritics and tatweel are dropped
("محمّـد" → "محمد"). `orig_span` maps a span of the normalized copy back to
the original, so every match made on it cites the exact source characters.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from marsad.text.cache import cached

# one character in, one or zero characters out
_MAP = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
    "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي",
    "ـ": "",  # tatweel: "الحـرب" → "الحرب"
    "\u200c": "", "\u200d": "", "\u200f": "", "\u200e": "", "\u00ad": "",
    "“": '"', "”": '"', "«": '"', "»": '"', "„": '"',
    "٫": ".", "٬": ",", "،": "،",
}
for _i, _d in enumerate("٠١٢٣٤٥٦٧٨٩"):
    _MAP[_d] = str(_i)
for _i, _d in enumerate("۰۱۲۳۴۵۶۷۸۹"):
    _MAP[_d] = str(_i)
for _c in range(0x064B, 0x0660):  # harakat, shadda, sukun, superscript alef ...
    _MAP[chr(_c)] = ""
_MAP["\u0670"] = ""

_TABLE = str.maketrans(_MAP)
_DROPPED = re.compile("[" + "".join(re.escape(c) for c, r in _MAP.items() if r == "") + "]")


def normalize(s: str) -> str:
    """Normalize a string for matching (lexicon keys go through this too)."""
    return s.translate(_TABLE)


@cached(8 * 2**20, size=lambda k, v: 160 + 2 * len(k) + (0 if v == k else 50 + 2 * len(v)))
def normalize_word(w: str) -> str:
    """`normalize` for a single word, cached: news vocabulary repeats heavily."""
    return w.translate(_TABLE)


@dataclass(frozen=True)
class NormText:
    """A normalized copy of a text plus, for each of its characters, the original index."""

    text: str
    offsets: tuple[int, ...]  # offsets[i] = original index of normalized char i; offsets[len] = len(original)

    @classmethod
    def of(cls, original: str) -> "NormText":
        text = original.translate(_TABLE)
        n = len(original)
        if len(text) == n:  # nothing dropped: offsets are the identity (every mapping is one char or none)
            return cls(text, tuple(range(n + 1)))
        import numpy as np

        dropped = [m.start() for m in _DROPPED.finditer(original)]
        kept = np.delete(np.arange(n + 1), dropped)  # the sentinel n stays last
        return cls(text, tuple(kept.tolist()))

    def orig_span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) for the normalized [start, end)."""
        if end <= start:
            o = self.offsets[start]
            return o, o
        return self.offsets[start], self.offsets[end - 1] + 1

    def norm_index(self, orig: int) -> int:
        """First normalized index whose original index is >= orig (binary search)."""
        lo, hi = 0, len(self.offsets) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self.offsets[mid] < orig:
                lo = mid + 1
            else:
                hi = mid
        return lo
