"""Modality of an event: negated, future, hypothetical, historical.

Cue words before the trigger come from marsad/data/events/modality.tsv:
"لم تسيطر" (negated), "تعتزم فرض" (future), "في حال استهدفت" (hypothetical).
A verb with the future prefix س ("ستواصل", "سيقصف") is future. An event dated more
than 30 days before publication is historical.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from marsad.records import Modality, TimeExpr
from marsad.text.lexicon import read_tsv, forms
from marsad.data import data_path
from marsad.text.segment import Token

HISTORICAL_DAYS = 30


@lru_cache(maxsize=1)
def _cues() -> dict[str, tuple[str, int]]:
    out = {}
    for cells in read_tsv(data_path("events", "modality.tsv")):
        for f in forms(cells[0]):
            out[f] = (cells[1], int(cells[2]))
    return out


def modality_of(toks: list[Token], i: int, when: TimeExpr | None, published: date | None) -> Modality:
    m = Modality()
    cues = _cues()
    for back in range(1, 7):
        j = i - back
        if j < 0:
            break
        word = toks[j].norm.lstrip("وف") if len(toks[j].norm) > 3 else toks[j].norm
        hit = cues.get(toks[j].norm) or cues.get(word)
        if hit and back <= hit[1]:
            setattr(m, hit[0], True)
    # "ستواصل"/"سيقصف": س + present-tense prefix (ي ت ن)
    w = toks[i].norm.lstrip("وف")
    if len(w) > 4 and w[0] == "س" and w[1] in "يتن":
        m.future = True
    if when and when.value and published and len(when.value) == 10:
        try:
            m.historical = (published - date.fromisoformat(when.value)).days > HISTORICAL_DAYS
        except ValueError:
            pass
    return m
