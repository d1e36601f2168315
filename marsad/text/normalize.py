"""Normalization for matching, with a map back to the original offsets.

The original text is never changed. `NormText` holds a normalized copy in which
alef forms (أ إ آ ٱ) become ا, ى becomes ي, ة becomes ه, Eastern Arabic and
Persian digits become ASCII digits, and diacritics and tatweel are dropped
("محمّـد" → "محمد"). `orig_span` maps a span of the normalized copy back to
the original, so every match made on it cites the exact source characters.
"""
from __future__ import annotations

from dataclasses import dataclass

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


def normalize(s: str) -> str:
    """Normalize a string for matching (lexicon keys go through this too)."""
    return s.translate(_TABLE)


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
        kept = [i for i, ch in enumerate(original) if _MAP.get(ch, ch)]
        return cls(text, tuple(kept) + (n,))

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
