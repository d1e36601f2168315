"""Casualty and arrest counts: "مقتل 7 مدنيين", "إصابة العشرات", "اعتقال المئات", "3 شهداء".

ACLED's rules for vague counts come from marsad/data/events/quantities.tsv
(عشرات = 12, مئات = 100, عدد من = 3). A count word looks for a number in the
next three tokens ("استشهاد 3 فلسطينيين", skipping "من") or the two before it ("7 شهداء").
"""
from __future__ import annotations

import re
from functools import lru_cache

from marsad.records import Size
from marsad.text.lexicon import table_lexicon
from marsad.text.segment import Token

_DIGITS = re.compile(r"^\d{1,6}$")
_SKIP = {"من", "نحو", "قرابه", "حوالي", "اكثر", "اقل", "ما", "يقارب", "الي", "عن", "لا", "يقل"}


@lru_cache(maxsize=1)
def _kinds():
    return table_lexicon("events", "counts.tsv")


def quantity(tok: Token) -> int | None:
    """The number a token states: "7", "٧", "العشرات" → 12, "ثلاثة" → 3."""
    if _DIGITS.match(tok.norm):
        return int(tok.norm)
    rows = table_lexicon("events", "quantities.tsv").lookup(tok.norm)
    return int(rows[0][1]) if rows else None


def count_in(toks: list[Token]) -> Size:
    size = Size()
    for i, tok in enumerate(toks):
        rows = _kinds().lookup(tok.norm)
        if not rows:
            continue
        kind = rows[0][1]
        if getattr(size, kind) is not None:
            continue
        n = _number_after(toks, i) or _number_before(toks, i)
        if n is not None:
            setattr(size, kind, n)
    return size


def _number_after(toks: list[Token], i: int) -> int | None:
    j, seen = i + 1, 0
    while j < len(toks) and seen < 3:
        if toks[j].norm in _SKIP:
            j += 1
            continue
        n = quantity(toks[j])
        if n is not None:
            return n
        seen += 1
        j += 1
    return None


def _number_before(toks: list[Token], i: int) -> int | None:
    for j in (i - 1, i - 2):
        if j >= 0:
            n = quantity(toks[j])
            if n is not None and _DIGITS.match(toks[j].norm):
                return n
    return None
