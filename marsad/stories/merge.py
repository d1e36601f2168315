"""Cross-article event merging, by ACLED's rules.

Two event mentions from different articles are one event when they agree on

* type: the same PLOVER type, and the same ACLED sub-event type when both
  have one;
* day: both dated to the day (time_precision 1), at most ``DAY_WINDOW`` days
  apart (0 as shipped: same day; a wider window keeps the date disagreement);
* place: the same GeoNames id, or both specific places (not a country or a
  first-level region) within ``MERGE_KM`` (10 km as shipped, tighter than the
  codebook's 30 km matching radius, see below); a country- or
  region-level location only merges with the same id inside one story;
* actors: first actor and first recipient do not contradict (same name, or
  same country and sector; a side one report leaves out is no contradiction).

As shipped, the pairwise decision is a learned one (``event_model.json``, a
logistic regression over ``EVENT_FEATURES``: day gap, place identity and
distance, region-level places, sub-type and actor agreement, shared
reported counts, anchor wording, story membership), trained and measured by
``scripts/eval_merge.py`` on the labelled event pairs; candidates are gated
by the same type, at most ``CANDIDATE_DAYS`` apart and within
``CANDIDATE_KM`` (or the same place id). ``same_event`` keeps the hand rule
above, for comparison (``EventMerger(rule=True)``).

A merged event keeps every source mention (doc, event, outlet, URL, reported
counts and date). Its fatality count follows ACLED: the lowest reported
count, unless a more reliable source reports one (``reliability``: higher
wins; equal by default, an outlet table can be passed in); its date is the
day most sources give (the earliest on a tie). Merging is incremental: an
added mention joins the best matching merged event in its day window or
founds one; nothing already merged moves.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, timedelta
from typing import Callable, Optional

from marsad.stories.geo import km
from marsad.text.normalize import normalize

# Chosen with scripts/eval_merge.py --sweep on the labelled event pairs: the codebook's 30 km and a
# one-day window merge neighbouring towns' raids (Jenin and Nablus are 27 km apart) and
# successive days' clashes; 10 km on the same day keeps one happening together.
DAY_WINDOW = 0
MERGE_KM = 10.0
_BROAD = ("PCL", "ADM1", "CONT", "RGN", "TERR")
# gates before the learned decision: what can be one event at all
CANDIDATE_DAYS = 1
CANDIDATE_KM = 50.0
LINK_MEMBERS = 5  # the members of a merged event a new mention is compared with (the first ones)
LINK = "average"  # the mean of its probabilities with them must pass the threshold ("complete": each must)

EVENT_FEATURES = ("day_gap", "same_place", "distance", "broad_any", "subtype_same", "subtype_differ",
                  "actors_agree", "recipients_agree", "actor_same", "counts_same", "counts_differ",
                  "anchor_jaccard", "same_story")


def day_of(value: Optional[str], precision: Optional[int]) -> Optional[date]:
    """The day of a date value coded to the day ("2024-12-05"), else None ("2024-12", a range)."""
    if not value or len(value) != 10 or (precision or 1) != 1:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@dataclass
class Mention:
    """One event as one article reports it."""

    ref: object  # the stored event id (or any caller key)
    doc_id: str
    record: dict  # the event record (codebook section 2)
    outlet: Optional[str] = None
    url: Optional[str] = None
    published: Optional[str] = None
    story_id: Optional[str] = None
    _anchor_words: Optional[frozenset] = field(default=None, repr=False, compare=False)

    @property
    def ptype(self) -> Optional[str]:
        return (self.record.get("plover") or {}).get("type")

    @property
    def sub_type(self) -> Optional[str]:
        return (self.record.get("acled") or {}).get("sub_event_type")

    @property
    def day(self) -> Optional[date]:
        d = self.record.get("date") or {}
        return day_of(d.get("value"), d.get("time_precision"))

    @property
    def location(self) -> dict:
        return self.record.get("location") or {}

    def size(self, key: str) -> Optional[int]:
        v = (self.record.get("size") or {}).get(key)
        return v if isinstance(v, int) else None


def _actor(m: Mention, role: str) -> Optional[dict]:
    lst = m.record.get(role) or []
    return lst[0] if lst else None


def actors_agree(a: Optional[dict], b: Optional[dict]) -> bool:
    if not a or not b:
        return True
    na, nb = a.get("name") or a.get("text"), b.get("name") or b.get("text")
    if na and nb and normalize(na).lower() == normalize(nb).lower():
        return True
    ca, cb = a.get("country"), b.get("country")
    sa, sb = a.get("sector"), b.get("sector")
    if ca and cb and ca != cb:
        return False
    if sa and sb and sa != sb:
        return False
    return bool((ca and cb) or (sa and sb))


def _broad(loc: dict) -> bool:
    return str(loc.get("feature_code") or "").startswith(_BROAD) or (loc.get("geo_precision") or 1) >= 3


def places_agree(a: Mention, b: Mention) -> bool:
    la, lb = a.location, b.location
    if la.get("geonameid") is None or lb.get("geonameid") is None:
        return False
    if _broad(la) or _broad(lb):
        return la["geonameid"] == lb["geonameid"] and a.story_id is not None and a.story_id == b.story_id
    if la["geonameid"] == lb["geonameid"]:
        return True
    if None in (la.get("lat"), la.get("lon"), lb.get("lat"), lb.get("lon")):
        return False
    return km(la["lat"], la["lon"], lb["lat"], lb["lon"]) <= MERGE_KM


def _distance(a: Mention, b: Mention) -> Optional[float]:
    la, lb = a.location, b.location
    if la.get("geonameid") is None or lb.get("geonameid") is None:
        return None
    if la["geonameid"] == lb["geonameid"]:
        return 0.0
    if None in (la.get("lat"), la.get("lon"), lb.get("lat"), lb.get("lon")):
        return None
    return km(la["lat"], la["lon"], lb["lat"], lb["lon"])


def candidate(a: Mention, b: Mention) -> bool:
    """The gates before the learned decision: two articles, one type, dated to the day, close in time and place."""
    if a.doc_id == b.doc_id or a.ptype is None or a.ptype != b.ptype:
        return False
    da, db = a.day, b.day
    if da is None or db is None or abs((da - db).days) > CANDIDATE_DAYS:
        return False
    d = _distance(a, b)
    if d is None:
        return False
    if (_broad(a.location) or _broad(b.location)) and d != 0.0:
        return False
    return d <= CANDIDATE_KM


def _anchor_words(m: Mention) -> frozenset:
    if m._anchor_words is None:  # computed once per mention: a mention meets many candidates
        from marsad.stories.profile import content_words

        m._anchor_words = content_words((m.record.get("anchor") or {}).get("quote") or "")
    return m._anchor_words


def event_features(a: Mention, b: Mention) -> dict[str, float]:
    """The pair features of two candidate mentions (EVENT_FEATURES), for the learned same-event decision."""
    import math

    gap = abs((a.day - b.day).days) if a.day and b.day else CANDIDATE_DAYS + 1
    d = _distance(a, b)
    sa, sb = a.sub_type, b.sub_type
    aa, ab = _actor(a, "actors"), _actor(b, "actors")
    na = normalize(str((aa or {}).get("name") or "")).lower()
    nb = normalize(str((ab or {}).get("name") or "")).lower()
    same_counts = differ_counts = 0.0
    for k in ("dead", "injured", "arrested"):
        va, vb = a.size(k), b.size(k)
        if va is not None and vb is not None:
            if va == vb:
                same_counts = 1.0
            else:
                differ_counts = 1.0
    wa, wb = _anchor_words(a), _anchor_words(b)
    return {
        "day_gap": float(min(gap, CANDIDATE_DAYS + 1)),
        "same_place": float(d == 0.0),
        "distance": min(1.0, math.log1p(d) / math.log1p(CANDIDATE_KM)) if d is not None else 1.0,
        "broad_any": float(_broad(a.location) or _broad(b.location)),
        "subtype_same": float(bool(sa) and sa == sb),
        "subtype_differ": float(bool(sa) and bool(sb) and sa != sb),
        "actors_agree": float(actors_agree(aa, ab)),
        "recipients_agree": float(actors_agree(_actor(a, "recipients"), _actor(b, "recipients"))),
        "actor_same": float(bool(na) and na == nb),
        "counts_same": same_counts,
        "counts_differ": differ_counts,
        "anchor_jaccard": len(wa & wb) / len(wa | wb) if wa and wb else 0.0,
        "same_story": float(a.story_id is not None and a.story_id == b.story_id),
    }


def same_event(a: Mention, b: Mention) -> bool:
    """The pairwise rule (module docstring); both mentions must be mergeable (dated to the day, located)."""
    if a.doc_id == b.doc_id or a.ptype != b.ptype or a.ptype is None:
        return False
    if a.sub_type and b.sub_type and a.sub_type != b.sub_type:
        return False
    da, db = a.day, b.day
    if da is None or db is None or abs((da - db).days) > DAY_WINDOW:
        return False
    if not places_agree(a, b):
        return False
    return (actors_agree(_actor(a, "actors"), _actor(b, "actors"))
            and actors_agree(_actor(a, "recipients"), _actor(b, "recipients")))


@dataclass
class MergedEvent:
    key: object  # a caller key (the stored merged event id), None until stored
    mentions: list[Mention] = field(default_factory=list)

    @property
    def docs(self) -> set[str]:
        return {m.doc_id for m in self.mentions}

    def summary(self, reliability: Optional[Callable[[Mention], float]] = None) -> dict:
        """The merged values and the disagreements between sources (see module docstring)."""
        first = self.mentions[0]
        days = [m.day for m in self.mentions if m.day is not None]
        counts = Counter(days)
        day = min(counts, key=lambda d: (-counts[d], d)) if counts else None
        out: dict = {"date": day.isoformat() if day else (first.record.get("date") or {}).get("value"),
                     "source_count": len(self.docs),
                     "outlets": sorted({m.outlet for m in self.mentions if m.outlet})}
        disagreements: dict = {}
        rel = reliability or (lambda _m: 0.0)
        for k in ("dead", "injured", "arrested"):
            reported = [(m, m.size(k)) for m in self.mentions if m.size(k) is not None]
            if not reported:
                out[k] = None
                continue
            top = max(rel(m) for m, _ in reported)
            out[k] = min(v for m, v in reported if rel(m) == top)
            if len({v for _, v in reported}) > 1:
                disagreements[k] = {m.doc_id: v for m, v in reported}
        if len(set(days)) > 1:
            disagreements["date"] = {m.doc_id: m.day.isoformat() for m in self.mentions if m.day}
        out["disagreements"] = disagreements
        return out


@lru_cache(maxsize=1)
def outlet_reliability() -> dict[str, float]:
    """Outlet ranks from data/stories/source_reliability.tsv (shipped without entries: all sources equal)."""
    from marsad.data import data_path

    out: dict[str, float] = {}
    for line in data_path("stories", "source_reliability.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, rank = line.rsplit("\t", 1)
            out[name.strip()] = float(rank)
    return out


def reliability(m: Mention) -> float:
    return outlet_reliability().get(m.outlet or "", 0.0)


class EventMerger:
    """Incremental merging; the learned pair model decides (``rule=True``: the hand rule ``same_event``)."""

    def __init__(self, model=None, rule: bool = False):
        self.rule = rule
        self.model = None
        if not rule:
            from marsad.stories.model import load_event_model

            self.model = model or load_event_model()
        self.groups: list[MergedEvent] = []
        self.by_key: dict[tuple[str, date], list[MergedEvent]] = defaultdict(list)
        self.group_of: dict[object, MergedEvent] = {}

    def _index(self, g: MergedEvent, m: Mention) -> None:
        if m.day is not None and m.ptype:
            bucket = self.by_key[(m.ptype, m.day)]
            if g not in bucket:
                bucket.append(g)
        self.group_of[m.ref] = g

    def load(self, key: object, mentions: list[Mention]) -> MergedEvent:
        """A merged event already stored, with its mentions."""
        g = MergedEvent(key, list(mentions))
        self.groups.append(g)
        for m in mentions:
            self._index(g, m)
        return g

    def forget_before(self, day: date) -> list[MergedEvent]:
        """Drop the day buckets before `day` and return the merged events no bucket holds any more: with
        mentions added in date order and `day` the next one's day less the window, no later mention can
        join them, so the caller writes them and they leave memory."""
        dropped: dict[int, MergedEvent] = {}
        for key in [k for k in self.by_key if k[1] < day]:
            for g in self.by_key.pop(key):
                dropped[id(g)] = g
        done = [g for g in dropped.values()
                if not any((m.ptype, m.day) in self.by_key for m in g.mentions if m.day is not None and m.ptype)]
        self.release(done)
        return done

    def release(self, groups: list[MergedEvent]) -> None:
        """Forget merged events no later mention can join (they are written; memory stays flat)."""
        if groups:
            gone = {id(g) for g in groups}
            self.groups = [g for g in self.groups if id(g) not in gone]
            for g in groups:
                for m in g.mentions:
                    self.group_of.pop(m.ref, None)

    def add(self, m: Mention) -> tuple[MergedEvent, bool]:
        """(the merged event `m` now belongs to, whether it was founded by `m`)."""
        if m.ref in self.group_of:
            return self.group_of[m.ref], False
        best, best_score = None, None
        window = DAY_WINDOW if self.rule else CANDIDATE_DAYS
        if m.day is not None and m.ptype:
            seen = set()
            for d in range(-window, window + 1):
                for g in self.by_key.get((m.ptype, m.day + timedelta(days=d)), ()):
                    if id(g) in seen or m.doc_id in g.docs:
                        continue
                    seen.add(id(g))
                    score = self._score(g, m)
                    if score is not None and (best_score is None or score > best_score):
                        best, best_score = g, score
        if best is not None:
            best.mentions.append(m)
            self._index(best, m)
            return best, False
        g = MergedEvent(None, [m])
        self.groups.append(g)
        self._index(g, m)
        return g, True

    def _score(self, g: MergedEvent, m: Mention) -> Optional[float]:
        """How well `m` joins `g` (higher is better), or None when it does not."""
        if self.rule:
            # the founding mention decides type/place; every mention must agree on the day and the actors
            if not same_event(g.mentions[0], m):
                return None
            if not all(same_event(o, m) or o.doc_id == m.doc_id for o in g.mentions[1:]):
                return None
            return float(len(g.mentions))
        probs = []
        for o in g.mentions[:LINK_MEMBERS]:
            if not candidate(o, m):
                return None
            probs.append(self.model.probability_of(event_features(o, m)))
            if LINK == "complete" and probs[-1] < self.model.threshold:
                return None
        score = min(probs) if LINK == "complete" else (max(probs) if LINK == "single" else sum(probs) / len(probs))
        return score if score >= self.model.threshold else None
