"""Features of a document pair for the same-story classifier (model.py).

All features are symmetric and computed from two `Profile`s only. `FEATURES`
fixes their order; the shipped model's coefficients follow it.
"""
from __future__ import annotations

from marsad.stories.geo import SAME_PLACE_KM, km
from marsad.stories.profile import Profile

WINDOW_DAYS = 3  # a story's follow-ups come within a few days; farther pairs are never compared

# Every pair feature computed (feature_table); FEATURES is the subset the shipped model uses, kept
# after grouped cross-validation on the labelled pairs (scripts/train_story_pairs.py --features).
ALL_FEATURES = ("day_gap", "same_day", "title_overlap", "lead_shared", "place_near", "places_shared",
                "people_shared", "orgs_jaccard", "bulletin_any", "lead_cosine", "title_cosine", "rare_shared",
                "minhash_jaccard", "event_keys_shared", "event_places_shared", "event_days_jaccard",
                "numbers_shared", "numbers_differ")
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


def _cosine(u, v) -> float:
    return float(u @ v) if u is not None and v is not None else 0.0


def _capped(n: int, cap: int) -> float:
    return float(min(n, cap)) / cap


def feature_table(a: Profile, b: Profile) -> dict[str, float]:
    """Every candidate pair feature (ALL_FEATURES), each in [0, 1] except day_gap (days, capped)."""
    gap = day_gap(a, b)
    sig = 0.0
    if a.signature is not None and b.signature is not None and len(a.signature) == len(b.signature):
        sig = float((a.signature == b.signature).mean())  # MinHash estimate of the body shingles' Jaccard
    return {
        "day_gap": float(min(gap, WINDOW_DAYS + 1)),
        "same_day": float(gap == 0),
        "title_overlap": overlap(a.title_words, b.title_words),
        "lead_shared": _capped(len(a.lead_words & b.lead_words), 10),
        "place_near": float(near(a, b)),
        "places_shared": _capped(len(a.places & b.places), 3),
        "people_shared": _capped(len(a.people & b.people), 3),
        "orgs_jaccard": jaccard(a.orgs, b.orgs),
        "bulletin_any": float(a.bulletin or b.bulletin),
        "lead_cosine": _cosine(a.vector, b.vector),
        "title_cosine": _cosine(a.title_vector, b.title_vector),
        "rare_shared": _capped(len(a.rare & b.rare), 4),
        "minhash_jaccard": sig,
        "event_keys_shared": _capped(len(a.event_keys & b.event_keys), 3),  # (type, place, day) reported by both
        "event_places_shared": _capped(len(a.event_places & b.event_places), 3),
        "event_days_jaccard": jaccard(a.event_days, b.event_days),
        "numbers_shared": _capped(len(a.numbers & b.numbers), 2),
        # both leads give numbers and share none: two tolls, two counts, two happenings
        "numbers_differ": float(bool(a.numbers) and bool(b.numbers) and not (a.numbers & b.numbers)),
    }


def features(a: Profile, b: Profile, names: tuple[str, ...] = FEATURES) -> list[float]:
    t = feature_table(a, b)
    return [t[n] for n in names]
