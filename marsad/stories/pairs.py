"""Features of a document pair for the same-story classifier (model.py).

All features are symmetric and computed from two `Profile`s only. `FEATURES`
fixes their order; the shipped model's coefficients follow it.
"""
from __future__ import annotations

from marsad.stories.geo import SAME_PLACE_KM, km
from marsad.stories.profile import Profile

WINDOW_DAYS = 3  # a story's follow-ups come within a few days; farther pairs are never compared

# Kept after grouped cross-validation on the labelled pairs (scripts/train_story_pairs.py): the
# same-day flag, outlet identity, body MinHash, event-type overlap and broad-place overlap carried only
# the way the labelled pairs were sampled (one outlet; hard negatives drawn from the same days).
FEATURES = ("day_gap", "title_overlap", "lead_shared", "place_near", "people_shared", "orgs_jaccard",
            "bulletin_any", "lead_cosine", "rare_shared")


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


def features(a: Profile, b: Profile) -> list[float]:
    gap = day_gap(a, b)
    return [
        float(min(gap, WINDOW_DAYS + 1)),
        overlap(a.title_words, b.title_words),
        float(min(len(a.lead_words & b.lead_words), 10)) / 10,
        float(near(a, b)),
        float(min(len(a.people & b.people), 3)) / 3,
        jaccard(a.orgs, b.orgs),
        float(a.bulletin or b.bulletin),
        float(a.vector @ b.vector) if a.vector is not None and b.vector is not None else 0.0,
        float(min(len(a.rare & b.rare), 4)) / 4,
    ]
