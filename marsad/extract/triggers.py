"""Event triggers: words that state an event, from marsad/data/events/triggers.tsv.

A trigger row can require a following word ("أطلقت ... النار" is firing,
"أطلقت ... صواريخ" is shelling): `find_triggers` picks, for each token, the
first row whose follow-word condition holds within the next four tokens.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from marsad.text.lexicon import FormLexicon, forms, read_tsv, readings
from marsad.text.normalize import normalize
from marsad.data import data_path
from marsad.text.segment import Token

FOLLOW_WINDOW = 4


@dataclass(frozen=True)
class TriggerRow:
    follow: frozenset[str]
    type: str
    mode: str | None
    context: tuple[str, ...]
    acled: str | None  # sub-event type, or a rule: seize | arrest | strike | fight
    example: str


@dataclass(frozen=True)
class Trigger:
    index: int  # token index within the sentence
    token: Token
    row: TriggerRow


def _lexicon_rows(table: list[list[str]]) -> list[tuple[str, TriggerRow]]:
    rows = []
    for cells in table:
        cells = cells + [""] * (7 - len(cells))
        row = TriggerRow(frozenset(forms(cells[1])), cells[2], cells[3] or None,
                         tuple(c for c in cells[4].split("|") if c), None if cells[5] in ("", "-") else cells[5],
                         cells[6])
        for f in forms(cells[0]):
            rows.append((f, row))
    return rows


@lru_cache(maxsize=1)
def _hand_rows() -> tuple[tuple[str, TriggerRow], ...]:
    return tuple(_lexicon_rows(read_tsv(data_path("events", "triggers.tsv"))))


@lru_cache(maxsize=1)
def trigger_lexicon() -> FormLexicon:
    """The hand-written lexicon (triggers.tsv): the rules' readings that the learned models use as features."""
    return FormLexicon(list(_hand_rows()))


_corpus_rows: list[list[str]] | None = None  # None: the shipped table; cross-validation sets each fold's


@lru_cache(maxsize=1)
def rule_lexicon() -> FormLexicon:
    """What the rule path reads as triggers: the hand lexicon, then the forms learned from the event
    corpus (corpus_triggers.py, data/events/triggers_corpus.tsv) that the hand lexicon lacks
    (MARSAD_CORPUS_TRIGGERS=off: the hand lexicon alone)."""
    from marsad.extract.corpus_triggers import CORPUS_FILE

    path = data_path("events", CORPUS_FILE)
    learned = _corpus_rows if _corpus_rows is not None else (
        read_tsv(path) if path.exists() and corpus_triggers_on() else [])
    return FormLexicon(list(_hand_rows()) + _lexicon_rows(learned))


def corpus_triggers_on() -> bool:
    """MARSAD_CORPUS_TRIGGERS: "on" (the default) or "off"; a misspelt value is an error, not a silent choice."""
    value = os.environ.get("MARSAD_CORPUS_TRIGGERS", "") or "on"
    if value not in ("on", "off"):
        raise ValueError(f"MARSAD_CORPUS_TRIGGERS={value!r}: expected 'on' or 'off'")
    return value == "on"


def use_corpus_rows(rows: list[list[str]] | None) -> None:
    """Cross-validation: the rule path reads these learned rows (None: the shipped table again)."""
    global _corpus_rows
    _corpus_rows = rows
    rule_lexicon.cache_clear()


@lru_cache(maxsize=1)
def _blockers() -> tuple[FormLexicon, FormLexicon]:
    rows = read_tsv(data_path("events", "blockers.tsv"))
    lex = lambda roles: FormLexicon([(f, r[1]) for r in rows if r[1] in roles for f in forms(r[0])])
    return lex(("head", "background")), lex(("tail",))


@lru_cache(maxsize=1)
def _area_nouns() -> FormLexicon:
    rows = read_tsv(data_path("events", "blockers.tsv"))
    return FormLexicon([(f, r[1]) for r in rows if r[1] == "area" for f in forms(r[0])])


@lru_cache(maxsize=1)
def _phrases() -> frozenset[tuple[str, str]]:
    """(word before, trigger word) pairs that make a compound preposition (blockers.tsv, role phrase)."""
    rows = read_tsv(data_path("events", "blockers.tsv"))
    return frozenset(tuple(normalize(w) for w in f.split())
                     for r in rows if r[1] == "phrase" for f in r[0].split("|"))


def _in_name(toks: list[Token], i: int) -> bool:
    """"هيئة تحرير الشام", "معركة طوفان الأقصى": the trigger word is part of a name;
    "منذ اغتيال الحريري": it only dates something else; "مناطق سيطرة قسد", "خط المواجهة": an
    indefinite noun of area before it names where something is (in the corpus 70 such words, none an
    annotated event), while "المنطقة ضربت" (definite: the clause has ended) may still be one; "في مواجهة
    العدو": with the word before it, a compound preposition (against)."""
    heads, tails = _blockers()
    if i > 0:
        prev = toks[i - 1].norm
        if heads.has(prev) or (_area_nouns().has(prev) and "ال" not in prev[:4]) \
                or (prev.removeprefix("و"), toks[i].norm.removeprefix("و")) in _phrases():
            return True
    return i + 1 < len(toks) and tails.has(toks[i + 1].norm)


def find_triggers(toks: list[Token]) -> list[Trigger]:
    lex = rule_lexicon()
    out = []
    for i, tok in enumerate(toks):
        rows = lex.lookup(tok.norm)
        if not rows and tok.norm.endswith("ا") and len(tok.norm) > 4:
            # the accusative "إضراباً" is "إضراب"; the dual "بحثا", "التقيا" (the two of them) is "بحث", "التقى"
            rows = lex.lookup(tok.norm[:-1])
        if not rows or _in_name(toks, i):
            continue
        following = None
        for row in rows:
            if row.follow:
                if following is None:
                    following = {r for t in toks[i + 1:i + 1 + FOLLOW_WINDOW] for r in readings(t.norm)}
                if not row.follow & following:
                    continue
            out.append(Trigger(i, tok, row))
            break
    return _merge_light_verbs(out)


MERGE_WINDOW = 3
WEAPON_WINDOW = 7
OPEN_RULES = {"strike", "strike-if-weapon", "fight", "assault"}  # ACLED sub-type left to weapon words


def _merge_light_verbs(found: list[Trigger]) -> list[Trigger]:
    """Two triggers of one type a few words apart state one event: "استعاد الجيش السيطرة",
    "شنت الطائرات غارات", "بسط سيطرته": keep the first, whose clause then covers both."""
    out: list[Trigger] = []
    for t in found:
        if out and out[-1].row.type == t.row.type and t.index - out[-1].index <= MERGE_WINDOW:
            continue
        # "استهدفوا القوات في جنين بعبوة ناسفة": the weapon word names how, it is not a second event
        if (out and out[-1].row.type == t.row.type == "ASSAULT" and out[-1].row.acled in OPEN_RULES
                and t.row.acled not in OPEN_RULES and t.index - out[-1].index <= WEAPON_WINDOW):
            continue
        out.append(t)
    return out
