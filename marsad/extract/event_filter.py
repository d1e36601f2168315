"""The learned event filter: keep or drop each candidate event of the event stage.

The event stage (events.py) turns every trigger into candidate events (one per listed place) and
records the verdict of each hand-written filter: what the type needs stated (requirements.tsv: an
actor, a recipient, a place), purpose and class words ("لمواجهة", "الاعتقالات"), plural speech nouns
("مطالبات"), acts that are only demanded or threatened ("تطالب بقصف"), negation and hypotheticals.
The rules drop a candidate when any verdict says so. This module replaces that conjunction by a
logistic regression over the verdicts and the trigger's own features (type and lexicon reading, the
word, definiteness, where its place came from and how far, actor sector, date source, sentence
position, reported speech, and whether the article has another candidate of the same type, place and
day), each crossed with the event type.

Training data: the annotated corpus (corpus/annotations/*.jsonl joined with ../shared by
scripts/annot.py; docs/annotation.md). A candidate is positive when score.py's event match (type,
location within 30 km, date) pairs it with an annotated event of its article; candidates that match only
an optional event are left out. Rebuild the shipped model (marsad/data/events/event_filter.tsv) byte for
byte, and print the document-grouped cross-validation that chose it, with

    python -m marsad.extract.train_event_filter --shared ../shared

That filter is the learned stack's (MARSAD_EVENTS=learned). The default rule path has `RescueFilter`: the
same features and model, trained on the rule path's candidates, deciding only about the candidates the
rules drop for want of evidence (`rescuable`); what the rules keep stays. Rebuild
marsad/data/events/rescue_filter.tsv, printing its CV, with

    python -m marsad.extract.train_event_filter --shared ../shared --rescue

Weights are stored to four decimals, sorted by feature name; no library is needed at run time.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from marsad.data import data_path
from marsad.extract.sparse_logit import SparseLogit, bucket

FILTER_FILE = "event_filter.tsv"
RESCUE_FILE = "rescue_filter.tsv"
SPEECH_ACT_TYPES = {"REQUEST", "THREATEN", "REJECT", "ACCUSE"}


def _key(ev) -> tuple:
    loc = ev.location
    where = (loc.geonameid, loc.text if loc.geonameid is None else None) if loc else None
    return (ev.plover.type, ev.acled.sub_event_type if ev.acled else None, where,
            ev.date.value if ev.date else None)


def candidate_features(doc, cands: list) -> list[list[str]]:
    """The features of each candidate of an article (events.Candidate), as strings. The type-free
    features are also crossed with the event type ("t=ASSAULT&v=unplaced")."""
    from marsad.extract.events import _main_place
    from marsad.text.spans import MentionIndex

    ix = MentionIndex.of(doc)
    main = _main_place(doc)
    nsent = max(1, len(doc.sentences))
    keys = [_key(c.event) for c in cands]
    count: dict[tuple, int] = {}
    for k in keys:
        count[k] = count.get(k, 0) + 1
    seen_keys: dict[tuple, int] = {}
    kept_before: set[tuple] = set()
    same_sentence: dict[tuple[int, int], int] = {}
    for c in cands:
        same_sentence[(c.sent.index, id(c.trig))] = same_sentence.get((c.sent.index, id(c.trig)), 0) + 1
    i_of = {id(c): i for i, c in enumerate(cands)}
    groups: dict[tuple, list[int]] = {}  # candidates that could be twins: same type, sub-type and day
    for i, c in enumerate(cands):
        groups.setdefault(_twin_group(c), []).append(i)
    out = []
    for c, k in zip(cands, keys):
        ev, trig = c.event, c.trig
        t = ev.plover.type
        sub = ev.acled.sub_event_type if ev.acled else "-"
        w = trig.token.norm
        base = [f"sub={sub}", f"rule={trig.row.acled or '-'}", f"w={w.lstrip('وف') or w}",
                f"needs={c.needs or '-'}", f"src={c.place_source}", "rulekeep" if c.rule_keep else "ruledrop"]
        base += [f"v={name}" for name, hit in sorted(c.verdicts.items()) if hit]
        base.append(f"nverdicts={min(3, sum(c.verdicts.values()))}")
        base.append("def" if w.startswith(("ال", "وال", "بال", "فال", "لل")) else "indef")
        if w.endswith("ات"):
            base.append("plural_at")
        if w.startswith("و"):
            base.append("wa")
        if w.startswith("ل") and not w.startswith("لل"):
            base.append("la")
        actor = ev.actors[0] if ev.actors else None
        base.append(f"actor={actor.sector if actor and actor.sector else ('x' if actor else '-')}")
        base.append(f"actor_kind={actor.kind if actor else '-'}")
        base.append("recipient" if ev.recipients else "no_recipient")
        place = ev.location
        if place is not None:
            base.append(f"prec={place.geo_precision or 1}")
            base.append("gazetteer" if place.geonameid else "unlisted")
            if main is not None and place.geonameid and place.geonameid == main.geonameid:
                base.append("main_place")
            if place.span:
                d = place.span[0] - trig.token.end
                base.append(f"pdist={bucket(d, (-200, -60, -20, 0, 20, 60, 150))}")
        base.append(f"nplaces={min(c.places, 3)}")
        if c.list_index:
            base.append("listed_after_first")
        when = ev.date
        base.append(f"date={when.anchor if when and when.anchor == 'published' else ('text' if when else '-')}")
        if when is not None and when.time_precision and when.time_precision > 1:
            base.append("date_coarse")
        if ev.modality and ev.modality.future:
            base.append("future")
        si = c.sent.index
        base.append(f"sent={bucket(si, (0, 1, 2, 4, 8, 16))}")
        base.append(f"sentrel={min(3, 4 * si // nsent)}")
        if ev.attribution:
            base.append("attributed")
        if ix.quotes.covering(trig.token.start):
            base.append("in_quote")
        if c.previous is not None:
            base.append(f"prev={c.previous.row.type}")
            if c.previous.row.type in SPEECH_ACT_TYPES:
                base.append(f"prev_speech_gap={bucket(trig.index - c.previous.index, (1, 3, 6))}")
        base.append(f"tok={bucket(trig.index, (0, 2, 5, 10, 20))}")
        n = count[k]
        base.append(f"samekey={min(n, 3)}")
        first = k not in seen_keys
        seen_keys[k] = seen_keys.get(k, 0) + 1
        base.append("first_of_key" if first else "repeat_of_key")
        if k in kept_before:
            base.append("key_rulekept_before")
        if c.rule_keep:
            kept_before.add(k)
        base += _twin_features(cands, c, i_of[id(c)], groups[_twin_group(c)])
        feats = [f"t={t}"] + base + [f"t={t}&{f}" for f in base if not f.startswith(("w=", "sub=", "rule="))]
        out.append(feats)
    return out


def _km(a, b) -> float:
    if a.lat is None or b.lat is None or a.lon is None or b.lon is None:
        return math.inf
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 6371 * 2 * math.asin(min(1.0, math.sqrt(h)))


def _twins(a, b) -> bool:
    """Same type and day, and the same place (or both unplaced, or within 30 km): what score.py could
    match to one annotated event, so a retelling of one event or two events the article tells apart."""
    ea, eb = a.event, b.event
    if (ea.plover.type, ea.acled.sub_event_type if ea.acled else None) != \
            (eb.plover.type, eb.acled.sub_event_type if eb.acled else None):
        return False
    if (ea.date.value[:10] if ea.date and ea.date.value else None) != \
            (eb.date.value[:10] if eb.date and eb.date.value else None):
        return False
    la, lb = ea.location, eb.location
    if la is None or lb is None:
        return la is None and lb is None
    return (la.geonameid is not None and la.geonameid == lb.geonameid) or _km(la, lb) <= 30


def _twin_group(c) -> tuple:
    """What two twins (`_twins`) share exactly: type, sub-type and day."""
    ev = c.event
    return (ev.plover.type, ev.acled.sub_event_type if ev.acled else None,
            ev.date.value[:10] if ev.date and ev.date.value else None)


def _twin_features(cands: list, c, i: int, group: list[int]) -> list[str]:
    """Whether an earlier (or later) candidate of the article is a twin of this one, and whether it has
    the same actor or was kept by the rules: a retelling ("وكانت الطائرات قد قصفت البلدة") comes later.
    `group`: the indices of the candidates of c's `_twin_group`, in order (only they can be twins)."""
    before = [cands[j] for j in group if j < i and cands[j].trig is not c.trig and _twins(cands[j], c)]
    after = [cands[j] for j in group if j > i and cands[j].trig is not c.trig and _twins(cands[j], c)]
    out = [f"twins_before={min(len(before), 2)}"]
    if after:
        out.append("twin_after")
    who = lambda x: (x.event.actors[0].country, x.event.actors[0].sector) if x.event.actors else None
    if any(b.rule_keep for b in before):
        out.append("twin_before_rulekept")
    if any(who(b) == who(c) for b in before):
        out.append("twin_before_same_actor")
    if any(b.sent.index == c.sent.index for b in before):
        out.append("twin_before_same_sentence")
    return out


class EventFilter(SparseLogit):
    """Logistic regression over candidate features; a candidate is kept when its probability is at
    least `threshold`."""

    def decide(self, doc, cands: list) -> None:
        for c, f in zip(cands, candidate_features(doc, cands)):
            c.keep = self.probability(f) >= self.threshold

    @classmethod
    def shipped(cls) -> "EventFilter | None":
        path = Path(data_path("events", FILTER_FILE))
        return cls.read(path) if path.exists() else None


# verdicts that say the act was not reported as done: no filter brings such a candidate back
NOT_DONE = ("negated", "hypothetical", "demanded")


def rescuable(c) -> bool:
    """A candidate the hand-written filters drop only for want of evidence (no place, actor or recipient
    named, an anaphoric or plural noun), not because the text says the act did not happen: negated,
    hypothetical ("من أجل اعتقال"), demanded or an aim ("تحرك الجيش لقصف حمص")."""
    return not c.rule_keep and not c.aim and not any(c.verdicts.get(v) for v in NOT_DONE)


@dataclass
class RescueFilter(EventFilter):
    """The rule path's filter: every candidate the hand-written filters keep stays (threshold 0); one they
    drop is kept when the model gives it at least `ruled_out_threshold` ("دعت الوزارة" with no recipient
    named, a strike whose place is two sentences up). Trained on the candidates of the default rule path
    (train_event_filter.py --rescue); marsad/data/events/rescue_filter.tsv."""

    threshold: float = 0.0  # unused: what the rules keep stays
    ruled_out_threshold: float = 1.01

    def settings(self) -> dict[str, float]:
        return {**super().settings(), "ruled_out_threshold": self.ruled_out_threshold}

    def decide(self, doc, cands: list) -> None:
        if not any(rescuable(c) for c in cands):
            return
        feats = candidate_features(doc, cands)  # features read the whole article's candidates
        for c, f in zip(cands, feats):
            c.keep = c.rule_keep or rescuable(c) and self.probability(f) >= self.ruled_out_threshold

    @classmethod
    def shipped(cls) -> "RescueFilter | None":
        path = Path(data_path("events", RESCUE_FILE))
        return cls.read(path) if path.exists() else None


def train_filter(X: list[list[str]], y: list[bool], c: float = 0.5, threshold: float = 0.5) -> EventFilter:
    """Fit the filter on candidate features and labels (deterministic: lbfgs, fixed data order)."""
    return EventFilter.fit(X, y, c, threshold)
