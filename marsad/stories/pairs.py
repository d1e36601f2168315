"""Features of a document pair for the same-story classifier (model.py).

All features are symmetric and computed from two `Profile`s only. `FEATURES`
fixes their order; the shipped model's coefficients follow it.
"""
from __future__ import annotations

from marsad.stories.geo import SAME_PLACE_KM, km
from marsad.stories.profile import Profile, cosine

WINDOW_DAYS = 3  # a story's follow-ups come within a few days; farther pairs are never compared

# Every pair feature computed (feature_table); FEATURES, the ones the shipped model uses. On the 360
# labelled pairs all 23 reach a grouped-CV average precision of 0.61, these 9 0.60 (the noise of 67
# positive pairs is larger), but a regression over all of them learns signs no reader would accept
# (a same day counts against one story, collinear word overlaps cancel) and joins two strikes on one
# town two days apart; each of these 9 has the sign the story definition gives it.
ALL_FEATURES = ("day_gap", "same_day", "title_overlap", "lead_shared", "place_near", "places_shared",
                "people_shared", "orgs_jaccard", "bulletin_any", "lead_cosine", "title_cosine", "rare_shared",
                "minhash_jaccard", "event_keys_shared", "event_places_shared", "event_days_jaccard",
                "numbers_shared", "numbers_differ", "lead_tfidf", "body_tfidf", "named_shared", "lead_rare_shared",
                "repeat_event")
FEATURES = ("day_gap", "lead_tfidf", "body_tfidf", "named_shared", "lead_rare_shared", "bulletin_any", "lead_cosine",
            "repeat_event", "event_keys_shared")


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


def _minhash_jaccard(a: Profile, b: Profile) -> float:
    """MinHash estimate of the two bodies' shingle Jaccard."""
    if a.signature is None or b.signature is None or len(a.signature) != len(b.signature):
        return 0.0
    return float((a.signature == b.signature).mean())


# name -> f(a, b); each in [0, 1] except day_gap (days, capped). One function per feature, so the
# clusterer computes only the features its model uses (features()).
_FEATURE_FUNCTIONS = {
    "day_gap": lambda a, b: float(min(day_gap(a, b), WINDOW_DAYS + 1)),
    "same_day": lambda a, b: float(day_gap(a, b) == 0),
    "title_overlap": lambda a, b: overlap(a.title_words, b.title_words),
    "lead_shared": lambda a, b: _capped(len(a.lead_words & b.lead_words), 10),
    "place_near": lambda a, b: float(near(a, b)),
    "places_shared": lambda a, b: _capped(len(a.places & b.places), 3),
    "people_shared": lambda a, b: _capped(len(a.people & b.people), 3),
    "orgs_jaccard": lambda a, b: jaccard(a.orgs, b.orgs),
    "bulletin_any": lambda a, b: float(a.bulletin or b.bulletin),
    "lead_cosine": lambda a, b: _cosine(a.vector, b.vector),
    "title_cosine": lambda a, b: _cosine(a.title_vector, b.title_vector),
    "rare_shared": lambda a, b: _capped(len(a.rare & b.rare), 4),
    "minhash_jaccard": _minhash_jaccard,
    # (type, place, day) reported by both
    "event_keys_shared": lambda a, b: _capped(len(a.event_keys & b.event_keys), 3),
    "event_places_shared": lambda a, b: _capped(len(a.event_places & b.event_places), 3),
    "event_days_jaccard": lambda a, b: jaccard(a.event_days, b.event_days),
    "numbers_shared": lambda a, b: _capped(len(a.numbers & b.numbers), 2),
    # both leads give numbers and share none: two tolls, two counts, two happenings
    "numbers_differ": lambda a, b: float(bool(a.numbers) and bool(b.numbers) and not (a.numbers & b.numbers)),
    # TF-IDF cosines with corpus document frequencies: what two reports share that few others do
    "lead_tfidf": lambda a, b: cosine(a.lead_terms, b.lead_terms),
    "body_tfidf": lambda a, b: cosine(a.body_terms, b.body_terms),
    # people named by name in both ("خضر عدنان"); roles ("مسؤول عسكري") are in every other report
    "named_shared": lambda a, b: _capped(len(a.named_people & b.named_people), 3),
    # specific stems of both leads ("زيكيم", "موسوي", "المنقوش"): names and details of one happening
    "lead_rare_shared": lambda a, b: _capped(len(a.lead_rare_terms & b.lead_rare_terms), 4),
    # an event of one type at one place in both, on different days, and no (type, place, day) in common:
    # "غارة على حماة" on Friday and again on Sunday, two happenings however alike the words
    "repeat_event": lambda a, b: float(day_gap(a, b) > 0 and bool(a.event_places & b.event_places)
                                       and not (a.event_keys & b.event_keys)),
}
assert tuple(_FEATURE_FUNCTIONS) == ALL_FEATURES


def feature_table(a: Profile, b: Profile) -> dict[str, float]:
    """Every candidate pair feature (ALL_FEATURES)."""
    return {n: f(a, b) for n, f in _FEATURE_FUNCTIONS.items()}


def features(a: Profile, b: Profile, names: tuple[str, ...] = FEATURES) -> list[float]:
    return [_FEATURE_FUNCTIONS[n](a, b) for n in names]


def needs_vectors(names: tuple[str, ...]) -> bool:
    """Whether features `names` use the sentence-encoder vectors (profile.embed must run first)."""
    return any(n in ("lead_cosine", "title_cosine") for n in names)
