"""Features of a document pair for the same-story classifier (model.py).

All features are symmetric and computed from two `Profile`s only. `FEATURES`
fixes their order; the shipped model's coefficients follow it.
"""
from __future__ import annotations

import numpy as np

from marsad.stories.geo import SAME_PLACE_KM, km
from marsad.stories.profile import Profile

WINDOW_DAYS = 3  # a story's follow-ups come within a few days; farther pairs are never compared

FEATURES = ("same_day", "day_gap", "title_overlap", "lead_jaccard", "lead_shared", "body_minhash",
            "place_shared", "place_near", "broad_shared", "people_shared", "orgs_jaccard",
            "types_jaccard", "event_place_shared", "bulletin_any", "same_outlet", "lead_cosine", "rare_shared")


def jaccard(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def overlap(a: frozenset, b: frozenset) -> float:
    """Share of the smaller set found in the other (a short title inside a longer one counts fully)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def near(a: Profile, b: Profile) -> bool:
    if a.places & b.places:
        return True
    for la, oa in a.coords:
        for lb, ob in b.coords:
            if abs(la - lb) < 0.3 and abs(oa - ob) < 0.4 and km(la, oa, lb, ob) <= SAME_PLACE_KM:
                return True
    return False


def day_gap(a: Profile, b: Profile) -> int:
    if a.day is None or b.day is None:
        return WINDOW_DAYS + 1
    return abs((a.day - b.day).days)


def minhash_jaccard(a: Profile, b: Profile) -> float:
    if a.signature is None or b.signature is None:
        return 0.0
    return float(np.count_nonzero(a.signature == b.signature)) / len(a.signature)


def features(a: Profile, b: Profile) -> list[float]:
    gap = day_gap(a, b)
    return [
        float(gap == 0),
        float(min(gap, WINDOW_DAYS + 1)),
        overlap(a.title_words, b.title_words),
        jaccard(a.lead_words, b.lead_words),
        float(min(len(a.lead_words & b.lead_words), 10)) / 10,
        minhash_jaccard(a, b),
        float(min(len(a.places & b.places), 3)) / 3,
        float(near(a, b)),
        float(bool(a.broad_places & b.broad_places)),
        float(min(len(a.people & b.people), 3)) / 3,
        jaccard(a.orgs, b.orgs),
        jaccard(a.event_types, b.event_types),
        float(bool(a.event_places & b.event_places)),
        float(a.bulletin or b.bulletin),
        float(bool(a.outlet) and a.outlet == b.outlet),
        float(a.vector @ b.vector) if a.vector is not None and b.vector is not None else 0.0,
        float(min(len(a.rare & b.rare), 4)) / 4,
    ]
