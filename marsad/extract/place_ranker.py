"""Learned location attachment: which place mention is where a trigger's event happened.

The event stage's rule (events._located) takes the places listed right after the trigger, else the
nearest place before it in the sentence, else (for material events) the previous sentence's last
place. This module scores every (trigger, place option) pair instead: the places of the trigger's
sentence (countries included), of the sentence before it, the article's main place, and the rule's
own choice (unlisted villages included). Features: order and token distance, rank among the places
on that side, the word in front of the place (في، على، ب، من، قرب ...), whether a comma, another
clause's trigger, a speech verb or a quote lies between them, the place's precision and GeoNames
class, whether it is the article's main place or in its main country, how often the article names
it, and whether the rule chose it, each crossed with the event type. The best option becomes the
location; when it is the rule's first listed place, the rule's whole list is kept (one event per
listed place: "سيطرت على الرستن وتلبيسة").

Training data: the annotated corpus (corpus/annotations/*.jsonl with ../shared, scripts/annot.py). For
every annotated trigger whose event has a location, the options that score.py's place test (same
GeoNames id, within 30 km, or the same admin-1 for a region) accepts are positives, the others
negatives. Rebuild the shipped model (marsad/data/events/place_ranker.tsv) byte for byte, with the
cross-validation that measured it, by

    python -m marsad.extract.train_event_filter --shared ../shared --model place
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from marsad.data import data_path
from marsad.text.normalize import normalize

RANKER_FILE = "place_ranker.tsv"
PREPOSITIONS = ("في", "على", "ب", "من", "الى", "إلى", "قرب", "نحو", "داخل", "عند", "محيط", "شمال", "جنوب",
                "شرق", "غرب", "شمالي", "جنوبي", "شرقي", "غربي", "بلدة", "مدينة", "قرية", "مخيم", "ريف")


@dataclass
class PlaceOption:
    place: object  # records.Place
    where: str  # sentence | previous | main | rule
    rule_index: int | None = None  # position in the rule's list of places, None when not chosen


def _ident(p) -> tuple:
    return (p.geonameid, p.text if p.geonameid is None else None, p.geo_precision)


def place_options(doc, sent, trig, rule_places: list) -> list[PlaceOption]:
    """The places a trigger's event could be at, one option per distinct place (its mention nearest
    the trigger; the rule's own mention when the rule chose it)."""
    from marsad.extract.events import _main_place
    from marsad.text.spans import MentionIndex

    ix = MentionIndex.of(doc)
    opts: dict[tuple, PlaceOption] = {}
    for k, p in enumerate(rule_places):
        opts.setdefault(_ident(p), PlaceOption(p, "rule", k))
    pos = trig.token.start

    def add(p, where):
        key = _ident(p)
        old = opts.get(key)
        if old is None:
            opts[key] = PlaceOption(p, where)
        elif old.where != "rule" and old.place.span and p.span and \
                abs(p.span[0] - pos) < abs(old.place.span[0] - pos) and where == old.where:
            old.place = p

    for p in ix.places.starting_in(sent.start, sent.end):
        add(p, "sentence")
    if sent.index > 0:
        s, e = doc.sentences[sent.index - 1]
        for p in ix.places.starting_in(s, e):
            add(p, "previous")
    main = _main_place(doc)
    if main is not None:
        add(main, "main")
    return list(opts.values())


def _bucket(x: int, edges: tuple[int, ...]) -> str:
    for e in edges:
        if x <= e:
            return str(e)
    return f">{edges[-1]}"


def option_features(doc, sent, trig, clause_end: int, opts: list[PlaceOption]) -> list[list[str]]:
    from marsad.extract.events import _main_country, _main_place
    from marsad.extract.triggers import trigger_lexicon
    from marsad.text.spans import MentionIndex

    ix = MentionIndex.of(doc)
    main, main_cc = _main_place(doc), _main_country(doc)
    lex = trigger_lexicon()
    toks = sent.toks
    tstart, tend = trig.token.start, trig.token.end
    mentions: dict = {}
    for p in doc.places:
        if p.geonameid:
            mentions[p.geonameid] = mentions.get(p.geonameid, 0) + 1
    in_sent = [o for o in opts if o.place.span and sent.start <= o.place.span[0] < sent.end]
    after = sorted((o for o in in_sent if o.place.span[0] >= tend), key=lambda o: o.place.span[0])
    before = sorted((o for o in in_sent if o.place.span[1] <= tstart), key=lambda o: -o.place.span[0])
    trig_quoted = bool(ix.quotes.covering(tstart))
    out = []
    for o in opts:
        p = o.place
        f = [f"where={o.where}"]
        if o.rule_index is not None:
            f.append("rule_first" if o.rule_index == 0 else "rule_listed")
        prec = p.geo_precision or 1
        fc = (p.feature_code or "-")
        f.append(f"prec={prec}")
        f.append(f"fc={'PCL' if fc.startswith('PCL') else fc[:3] if fc.startswith(('ADM', 'PPL')) else fc}")
        if not p.geonameid:
            f.append("unlisted")
        if main is not None and p.geonameid and p.geonameid == main.geonameid:
            f.append("main_place")
        if p.country:
            f.append("main_country" if p.country == main_cc else "other_country")
        if p.geonameid:
            f.append(f"mentions={_bucket(mentions.get(p.geonameid, 0), (1, 2, 4, 8))}")
        if p.span and sent.start <= p.span[0] < sent.end:
            s0, s1 = p.span
            if s0 >= tend:
                between = [t for t in toks if tend <= t.start and t.end <= s0]
                f.append("after")
                f.append(f"rank_after={_bucket(after.index(o), (0, 1, 2))}")
                f.append("in_clause" if s0 < clause_end else "past_clause")
                gap = doc.text[tend:s0]
            else:
                between = [t for t in toks if s1 <= t.start and t.end <= tstart]
                f.append("before")
                f.append(f"rank_before={_bucket(before.index(o), (0, 1, 2))}" if o in before else "overlap")
                gap = doc.text[s1:tstart] if s1 <= tstart else ""
            f.append(f"tokdist={_bucket(len(between), (0, 1, 2, 4, 8, 16))}")
            if "،" in gap or "," in gap:
                f.append("comma_between")
            if any(lex.has(t.norm) for t in between):
                f.append("trigger_between")
            if ix.statements.starting_in(min(tend, s1), max(s0, tstart)):
                f.append("speech_between")
            if bool(ix.quotes.covering(s0)) != trig_quoted:
                f.append("quote_boundary")
            prev_word = doc.text[max(0, s0 - 16):s0].split()
            w = normalize(prev_word[-1]) if prev_word else ""
            glued = doc.text[s0 - 1] if s0 > 0 and not doc.text[s0 - 1].isspace() else ""
            if glued:
                f.append(f"glued={glued}")
            f.append(f"prep={w if w in PREPOSITIONS else ('-' if not w else 'other')}")
        t = trig.row.type
        out.append(f + [f"t={t}&{x}" for x in f if not x.startswith("mentions=")])
    return out


@dataclass
class PlaceRanker:
    bias: float
    weights: dict[str, float] = field(default_factory=dict)

    def score(self, feats: list[str]) -> float:
        return self.bias + sum(self.weights.get(f, 0.0) for f in feats)

    def choose(self, doc, sent, trig, clause_end: int, rule_places: list, source: str) -> tuple[list, str]:
        """The event's places: the rule's list when the best option is its first place, else the
        best option alone, else the rule's (empty) answer."""
        opts = place_options(doc, sent, trig, rule_places)
        if not opts:
            return rule_places, source
        feats = option_features(doc, sent, trig, clause_end, opts)
        best = max(range(len(opts)), key=lambda i: (self.score(feats[i]), -i))
        o = opts[best]
        if o.rule_index is not None:
            return rule_places, source
        return [o.place], o.where

    def write(self, path: Path) -> None:
        lines = [f"#bias\t{self.bias:.4f}"] + [f"{n}\t{w:.4f}" for n, w in sorted(self.weights.items())]
        Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> "PlaceRanker":
        bias, weights = 0.0, {}
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            name, _, value = line.rpartition("\t")
            if name == "#bias":
                bias = float(value)
            elif name:
                weights[name] = float(value)
        return cls(bias, weights)

    @classmethod
    def shipped(cls) -> "PlaceRanker | None":
        path = Path(data_path("events", RANKER_FILE))
        return cls.read(path) if path.exists() else None


def train_ranker(X: list[list[str]], y: list[bool], c: float = 0.3) -> PlaceRanker:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    if len(set(y)) < 2:
        return PlaceRanker(0.0, {})
    vec = DictVectorizer()
    A = vec.fit_transform([{f: 1 for f in fs} for fs in X])
    clf = LogisticRegression(C=c, max_iter=5000).fit(A, y)
    names = vec.get_feature_names_out()
    weights = {str(n): float(round(w, 4)) for n, w in zip(names, clf.coef_[0]) if abs(w) >= 5e-4}
    return PlaceRanker(float(round(clf.intercept_[0], 4)), weights)


def training_pairs(doc, record: dict, stage, score) -> tuple[list[list[str]], list[bool]]:
    """Options of every annotated trigger with a located event (stage: an EventExtractor whose
    trigger model gives the annotated triggers), labelled by score.py's place test."""
    from marsad.extract.events import _located

    X, y = [], []
    for sent, trig, clause_end, _ in stage.trigger_sites(doc):
        golds = [g for g in record["events"] if g.get("trigger") and g.get("location")
                 and g["trigger"]["span"][0] < trig.token.end and trig.token.start < g["trigger"]["span"][1]]
        if not golds:
            continue
        rule_places, _ = _located(doc, sent, trig, clause_end)
        opts = place_options(doc, sent, trig, rule_places)
        labels = [any(score.same_place(g["location"], o.place.model_dump(mode="json"), 30) for g in golds)
                  for o in opts]
        if not any(labels):
            continue
        X += option_features(doc, sent, trig, clause_end, opts)
        y += labels
    return X, y
