"""Learned place-mention filter: whether a gazetteer match, once ranked, is a place the text names.

The geo stage matches every gazetteer name in the text; most matches that are no place are common
words ("الخيام", the tents), a namesake abroad ("زنجبار" in a Yemen report), part of a longer name the
gazetteer lacks ("مستشفى الشفاء" read as a Saudi hamlet "الشفاء"), or a name inside an organisation's.
`features` reads the evidence around a match (its word frequency, the trigger word and preposition in
front, the NER model's tags, quotes, the noun before it, the entry's kind, population and country
against the countries and places the article has already pinned); `PlaceFilter` scores it with a
gradient-boosted tree ensemble trained on the event corpus's place annotations (a match is right when
an annotated place overlaps it and the entry is that place) by scripts/train_place_filter.py, which
prints the document-grouped cross-validation. The model ships as marsad/data/geo/place_filter.json
(trees with rounded thresholds and values: rebuilt byte for byte) and is compiled once into a plain
Python function at load, so scoring a match costs a few microseconds. It reads the matches of texts that
name a country (news articles do); a text that names none keeps the hand guards (too few such texts to learn from).
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from typing import Callable, Optional, Sequence

from marsad.text.normalize import normalize

KINDS = ("country", "continent", "admin1", "admin2", "region", "city", "site")
ROLES = ("town", "admin", "near", "rif", "rif_unit")
MENA = frozenset("SY IQ LB JO PS IL YE EG LY SD SA AE QA KW BH OM DZ MA TN MR SO DJ KM TR IR".split())
# nouns that make the following name the name of a building or a street, not of the town it is named
# after: "مستشفى الشفاء" is the hospital, "دوار النابلسي" a roundabout, "شارع نابلس" a street
BUILDING_NOUNS = frozenset(normalize(w) for w in (
    "مستشفى مسجد مجمع دوار سوق جامعة مدرسة كنيسة فندق ملعب شارع ميدان ساحة برج مقام مرقد جسر "
    "مصنع محطة مبنى قصر").split())

FEATURES = (
    "zipf",  # wordfreq Zipf of a one-word name as a word (0 for several words)
    "words",  # number of words of the name
    "key_len",  # letters of the name
    *(f"role={r}" for r in ROLES),  # trigger word in front: "مدينة X", "محافظة X", "ريف X", "جنوب X"
    "ner_loc",  # the NER model tags a LOC span ending with the name
    "ner_veto",  # the NER model tags a person or organisation over it (surely)
    "prep",  # a preposition of place right before it ("في", "إلى", glued "ب")
    "clitic",  # a proclitic was stripped ("وحلب")
    "quoted",  # in quotation marks ("كيسوفيم")
    "after_building",  # a building/street noun right before it (BUILDING_NOUNS)
    "heh",  # a one-word name spelt with final ه in the text where the gazetteer has ة ("حديثه")
    *(f"kind={k}" for k in KINDS),
    "log_pop",  # log10(pop + 10)
    "cc_in_article",  # its country is one the article names
    "mena",
    "admin1_pinned",  # its admin-1 unit is one the article has pinned
    "sent_log_km",  # log10(1 + km) to the nearest other place of the sentence (-1 when none)
    "doc_log_km",  # log10(1 + km) to the nearest place the article has pinned so far (-1 when none)
    "log_cands",  # log2 of the number of gazetteer entries of the name
    "override",  # overrides.tsv fixes this name
    "repeats",  # log2 of how often the name is matched in the article
    "sent_start",  # first token of its sentence (a headline word, a dateline)
    "hand",  # the hand guards of geo.PlaceResolver accept it (the filter learns where to overrule them)
)
INDEX = {f: i for i, f in enumerate(FEATURES)}
_HAND = INDEX["hand"]


def features(*, zipf: float, key: str, role: Optional[str], ner_loc: bool, ner_veto: bool, prep: bool,
             clitic: bool, quoted: bool, after_building: bool, heh: bool, e, context: frozenset,
             admin1s: frozenset, sent_km: float, doc_km: float, n_cands: int, override: bool,
             repeats: int, sent_start: bool, hand: bool) -> list[float]:
    """The feature vector of a ranked match (`e` a geo.Entry); distances are math.inf when unknown.
    One list literal in FEATURES order: the geo stage builds one per match, so it is kept cheap."""
    kind, inf = e.kind, math.inf
    return [zipf, float(key.count(" ") + 1), float(len(key) - key.count(" ")),
            float(role == "town"), float(role == "admin"), float(role == "near"), float(role == "rif"),
            float(role == "rif_unit"),
            float(ner_loc), float(ner_veto), float(prep), float(clitic), float(quoted), float(after_building),
            float(heh),
            float(kind == "country"), float(kind == "continent"), float(kind == "admin1"), float(kind == "admin2"),
            float(kind == "region"), float(kind == "city"), float(kind == "site"),
            math.log10(e.pop + 10), float(e.cc in context), float(e.cc in MENA),
            float(bool(e.admin1) and e.admin1 in admin1s),
            math.log10(1 + sent_km) if sent_km != inf else -1.0,
            math.log10(1 + doc_km) if doc_km != inf else -1.0,
            math.log2(max(n_cands, 1)), float(override), math.log2(max(repeats, 1)), float(sent_start), float(hand)]


def _tree_source(tree: dict, depth: int = 1) -> list[str]:
    """Nested ifs of one tree (sklearn layout: feature, threshold, left, right, value per node)."""
    out: list[str] = []

    def walk(n: int, d: int) -> None:
        pad = "    " * d
        if tree["left"][n] < 0:
            out.append(f"{pad}s += {tree['value'][n]!r}")
            return
        out.append(f"{pad}if x[{tree['feature'][n]}] <= {tree['threshold'][n]!r}:")
        walk(tree["left"][n], d + 1)
        out.append(f"{pad}else:")
        walk(tree["right"][n], d + 1)

    walk(0, depth)
    return out


class PlaceFilter:
    """Probability that a ranked match is a place the text names: a match the hand guards accept is kept at
    `threshold` or above, one they reject only at `rescue` or above (overruling them needs more: "وادي" is
    no و + "ادي", Edd in Eritrea, though a town word and the NER model's LOC tag stand before it)."""

    def __init__(self, names: Sequence[str], trees: list[dict], init: float, threshold: float,
                 rescue: float = 0.0):
        if tuple(names) != FEATURES:
            raise ValueError("place filter model was trained on other features; rerun scripts/train_place_filter.py")
        self.trees, self.init, self.threshold = trees, init, threshold
        self.rescue = max(rescue, threshold)
        src = ["def margin(x):", f"    s = {init!r}"]
        for t in trees:
            src += _tree_source(t)
        src.append("    return s")
        ns: dict = {}
        exec(compile("\n".join(src), "<place_filter>", "exec"), {}, ns)  # our own model file, not input text
        self.margin: Callable[[Sequence[float]], float] = ns["margin"]

    def prob(self, x: Sequence[float]) -> float:
        return 1.0 / (1.0 + math.exp(-self.margin(x)))

    def accept(self, x: Sequence[float]) -> bool:
        return self.prob(x) >= (self.threshold if x[_HAND] else self.rescue)

    def to_json(self) -> str:
        return json.dumps({"features": list(FEATURES), "init": self.init, "threshold": self.threshold,
                           "rescue": self.rescue, "trees": self.trees}, separators=(",", ":")) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "PlaceFilter":
        d = json.loads(text)
        return cls(d["features"], d["trees"], d["init"], d["threshold"], d.get("rescue", 0.0))

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> Optional["PlaceFilter"]:
        """The shipped model, or None when it is missing (the hand guards of geo.PlaceResolver then decide)."""
        f = resources.files("marsad.data").joinpath("geo", "place_filter.json")
        return cls.from_json(f.read_text(encoding="utf-8")) if f.is_file() else None
