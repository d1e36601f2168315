"""Learned candidate ranker for place names: which gazetteer entry a mention means.

`features` reads the same evidence the hand weights of `Gazetteer.score` read (feature class,
population, the article's countries, the admin-1 units it has pinned, distance to the other places of
the sentence, the trigger word in front, UBports' preferred name, MENA), as a vector; `PlaceRanker`
scores it with a logistic regression trained on the event corpus's place annotations
(corpus/annotations/*.jsonl and the annotators' batches) by scripts/train_place_ranker.py, which also
prints the document-grouped cross-validation. The model ships as marsad/data/geo/place_ranker.json
(feature names, coefficients rounded to 6 places: rebuilt byte for byte).
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from typing import Optional, Sequence

KINDS = ("country", "continent", "admin1", "admin2", "region", "city", "site")
MENA = frozenset("SY IQ LB JO PS IL YE EG LY SD SA AE QA KW BH OM DZ MA TN MR SO DJ KM TR IR".split())
MINOR_POP = 20_000

FEATURES = (
    *(f"kind={k}" for k in KINDS),
    "log_pop",  # log10(pop + 10), capped at 7
    "pop_share",  # log10 of pop / the largest namesake's pop (0 for the largest, negative below)
    "village",  # a city under 20,000 (GeoNames lists villages called "بيان", "مصدر")
    "hamlet",  # a city under 1,000
    "cc_in_article",  # its country is one the article names
    "cc_in_article_small",  # ... but it is 10x smaller than a namesake
    "abroad_town",  # the article names countries, not this one; a town under 1M
    "no_context",  # the article names no country yet
    "mena",
    "preferred",  # UBports' preferred Arabic name for it
    "preferred_lost",  # preferred, but a larger place claims the same name
    "wof_only",  # the name is only a WOF variant spelling of it
    "admin1_pinned",  # its admin-1 unit is one the article has pinned
    "closeness",  # exp(-km/40) to the sentence's other places (Context.closeness)
    "has_points",  # the sentence has other pinned places
    "log_km",  # log10(1 + km) to the nearest of them (0 when none)
    "site_full_name",  # a site named in full ("مطار دمشق")
    "cue_unit_match",  # "محافظة X", "ريف X": a unit is asked for and it is one
    "cue_unit_miss",
    "cue_town_match",  # "مدينة X", "بلدة X": a town or site
    "cue_town_miss",
    "cue_site_match",  # "مطار X", "معبر X"
    "cue_site_miss",
    "multiword",  # the name has several words
)
INDEX = {f: i for i, f in enumerate(FEATURES)}


def features(e, key: str, context: frozenset, maxpop: int, prefer: Optional[str], near, *,
             preferred_lost: bool = False, wof_only: bool = False) -> list[float]:
    """The feature vector of candidate `e` (a geo.Entry) for mention key `key`."""
    x = [0.0] * len(FEATURES)
    if e.kind in KINDS:
        x[INDEX["kind=" + e.kind]] = 1.0
    x[INDEX["log_pop"]] = min(math.log10(e.pop + 10), 7.0)
    x[INDEX["pop_share"]] = max(math.log10((e.pop + 10) / (maxpop + 10)), -6.0)
    city = e.kind == "city"
    x[INDEX["village"]] = float(city and e.pop < MINOR_POP)
    x[INDEX["hamlet"]] = float(city and e.pop < 1000)
    if e.cc in context:
        x[INDEX["cc_in_article_small" if city and e.pop * 10 < maxpop else "cc_in_article"]] = 1.0
    x[INDEX["abroad_town"]] = float(bool(context) and e.cc not in context and city and e.pop < 1_000_000)
    x[INDEX["no_context"]] = float(not context)
    x[INDEX["mena"]] = float(e.cc in MENA)
    x[INDEX["preferred"]] = float(e.preferred == key and not preferred_lost)
    x[INDEX["preferred_lost"]] = float(preferred_lost)
    x[INDEX["wof_only"]] = float(wof_only)
    if near is not None:
        x[INDEX["admin1_pinned"]] = float(bool(e.admin1) and e.admin1 in near.admin1s)
        if near.points:
            x[INDEX["closeness"]] = near.closeness(e)
            x[INDEX["has_points"]] = 1.0
            x[INDEX["log_km"]] = math.log10(1 + near.distance(e))
    multi = " " in key
    x[INDEX["multiword"]] = float(multi)
    x[INDEX["site_full_name"]] = float(e.kind == "site" and multi)
    if prefer == "admin1":
        x[INDEX["cue_unit_match" if e.kind in ("admin1", "region", "admin2") else "cue_unit_miss"]] = 1.0
    elif prefer == "city":
        x[INDEX["cue_town_match" if e.kind in ("city", "site") else "cue_town_miss"]] = 1.0
    elif prefer == "site":
        x[INDEX["cue_site_match" if e.kind == "site" else "cue_site_miss"]] = 1.0
    return x


class PlaceRanker:
    """A linear score over `features`: higher is likelier the meant place."""

    def __init__(self, names: Sequence[str], coef: Sequence[float], intercept: float = 0.0):
        if tuple(names) != FEATURES:
            raise ValueError("place ranker model was trained on other features; rerun scripts/train_place_ranker.py")
        self.coef = tuple(coef)
        self.intercept = intercept
        self._w = dict(zip(FEATURES, self.coef))
        self._static: dict[tuple, float] = {}

    def score(self, x: Sequence[float]) -> float:
        return self.intercept + sum(w * v for w, v in zip(self.coef, x) if v)

    def score_entry(self, i: int, e, key: str, context: frozenset, maxpop: int, prefer: Optional[str], near, *,
                    preferred_lost: bool = False, wof_only: bool = False) -> float:
        """`score(features(...))` computed fast (the geo stage ranks ~30 candidates an article): the part
        that does not depend on the article is cached per candidate and mention key, the rest added here."""
        k = (i, key, maxpop, prefer, preferred_lost, wof_only)
        s = self._static.get(k)
        if s is None:
            x = features(e, key, frozenset(), maxpop, prefer, None, preferred_lost=preferred_lost, wof_only=wof_only)
            x[INDEX["no_context"]] = 0.0
            s = self.score(x)
            if len(self._static) > 200_000:
                self._static.clear()
            self._static[k] = s
        w = self._w
        city = e.kind == "city"
        if not context:
            s += w["no_context"]
        elif e.cc in context:
            s += w["cc_in_article_small" if city and e.pop * 10 < maxpop else "cc_in_article"]
        elif city and e.pop < 1_000_000:
            s += w["abroad_town"]
        if near is not None:
            if e.admin1 and e.admin1 in near.admin1s:
                s += w["admin1_pinned"]
            if near.points:
                d = near.distances(e)
                c = [math.exp(-x / 40) for x in d]
                s += (w["closeness"] * (max(c) + sum(c) / len(c)) / 2 + w["has_points"]
                      + w["log_km"] * math.log10(1 + min(d)))
        return s

    def to_json(self) -> str:
        return json.dumps({"features": list(FEATURES), "coef": [round(c, 6) for c in self.coef],
                           "intercept": round(self.intercept, 6)}, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "PlaceRanker":
        d = json.loads(text)
        return cls(d["features"], d["coef"], d["intercept"])

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> Optional["PlaceRanker"]:
        """The shipped model, or None when it is missing (the hand weights then rank)."""
        f = resources.files("marsad.data").joinpath("geo", "place_ranker.json")
        return cls.from_json(f.read_text(encoding="utf-8")) if f.is_file() else None
