"""Modality of an event: negated, future, hypothetical, historical.

Cue words before the trigger come from marsad/data/events/modality.tsv:
"لم تسيطر" (negated), "تعتزم فرض" (future), "في حال استهدفت" (hypothetical).
A verb with the future prefix س ("ستواصل", "سيقصف") is future, but only when the س is
a prefix: in "سيطرت" (took control) or "سقطت" it is the first letter of the root.
An event dated more than 30 days before publication is historical.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from marsad.records import Modality, TimeExpr
from marsad.text.lexicon import read_tsv, forms
from marsad.data import data_path
from marsad.text.segment import Token, strip_enclitic

IMPERFECT_PREFIXES = "يتنا"  # يقصف تقصف نقصف اقصف (أ normalized to ا)
# words that make the verbal noun after them an aim: "حتى استعادة الأمن" (until security is restored),
# "بهدف السيطرة" (aiming at control), "من أجل اعتقال", "لـ استهداف" (ل of purpose written apart)
PURPOSE_WORDS = frozenset({"حتي", "بهدف", "بغيه", "اجل", "لاجل", "كي", "لكي", "ل", "سعيا", "املا"})

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
    if has_future_prefix(toks[i].norm):
        m.future = True
    if i > 0 and toks[i - 1].norm in PURPOSE_WORDS and is_verbal_noun(toks[i]):
        m.hypothetical = True  # "حتى استعادة الأمن", "بهدف السيطرة": a goal, not something that happened
    if when and when.value and published and len(when.value) == 10:
        try:
            m.historical = (published - date.fromisoformat(when.value)).days > HISTORICAL_DAYS
        except ValueError:
            pass
    return m


def has_future_prefix(norm: str) -> bool:
    """"سيقصف", "وستواصل", "ستسيطر": س + an imperfect verb. Not "سيطرت", "وسيطروا", "سيطرتها":
    a word the trigger lexicon knows with its س kept has س as a root letter, not as a prefix."""
    w = norm[1:] if norm[:1] in "وف" and len(norm) > 4 else norm
    if len(w) < 4 or w[0] != "س" or w[1] not in IMPERFECT_PREFIXES:
        return False
    if w[1] == "ا" and len(w) < 5:  # "سأقصف" (I will shell) yes; "سائد" (prevailing) no
        return False
    return not _known_with_initial_s(w)


def _known_with_initial_s(w: str) -> bool:
    """The word, or the word less a plural ending or a pronoun suffix, is a trigger form as written."""
    from marsad.extract.triggers import trigger_lexicon

    index = trigger_lexicon().index
    candidates = [w, *strip_enclitic(w)]
    if w.endswith(("وا", "ون")):
        candidates.append(w[:-2])
    return any(c in index for c in candidates)


def is_verbal_noun(tok: Token) -> bool:
    """A verbal noun (masdar), not a verb: with the article ("السيطرة"), with ة ("استعادة", "مواجهة";
    a verb never ends in ة), or of the derived patterns افتعال/استفعال/انفعال ("اعتقال", "استهداف")
    and تفعيل ("تفجير"). A past verb after حتى ("حتى سيطرت") still tells an event."""
    w, text = tok.norm, tok.text.rstrip("\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652")
    if w.startswith("ال") or text.endswith("ة"):
        return True
    return len(w) >= 5 and w[-2] == "ا" and w[0] == "ا" or len(w) >= 5 and w[0] == "ت" and w[-2] == "ي"
