"""Train the actor and recipient rankers (actor_ranker.py) on the annotated corpus, print their CV.

    python -m marsad.extract.train_actor_ranker --shared ../shared [--cache DIR] [--cv-only | --no-cv]

Document-grouped 5-fold cross-validation (the folds of train_events.py): for each fold a ranker is
trained on the other four, then the rule event stage runs with it on the held-out articles and score.py
scores them, each held-out fold read with the corpus trigger rows of its training folds
(corpus_triggers.py; the rankers' own training candidates come from the hand lexicon, so nothing is
learned from a test article); the rules' own choices are scored on the same articles ("recipients": of the events
score.py's matching pairs, the share whose first recipient has the annotated country and sector). Then
the shipped models are trained on every article and written to marsad/data/events/actor_ranker.tsv,
actor_countries.tsv and recipient_ranker.tsv (byte for byte the same for the same corpus and code).
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

from marsad.data import data_path
from marsad.extract import train_events as T
from marsad.extract.actor_ranker import (ACTOR_FILE, COUNTRY_FILE, RECIPIENT_COUNTRY_FILE, RECIPIENT_FILE,
                                         ActorRanker, RecipientRanker, country_key, write_countries)
from marsad.extract.events import EventExtractor, _main_country, _with_country
from marsad.extract.train_event_filter import _event_dict, _full
from marsad.extract.triggers import use_corpus_rows

C = 0.05  # 0.3: CV actors 0.582 against 0.587
COUNTRY_LEAST, COUNTRY_SHARE = 5, 0.6  # CV actors 0.609; 0.610 with 3, at the cost of one-off entries


class _Recorder:
    """Stands in for a ranker while the rules decide: keeps each decision's candidates and features
    (`ranker.options`) and returns the rules' choice."""

    def __init__(self, ranker: type):
        self.options = ranker.options
        self.log: dict[int, tuple[list, list]] = {}

    def choose(self, doc, sent, trig, clause_end, rule_choice, other):
        self.log[trig.token.start] = self.options(doc, sent, trig, clause_end, rule_choice, other)
        return rule_choice


def first_recipient(e: dict) -> tuple:
    r = (e.get("recipients") or [None])[0] or {}
    return (r.get("country"), r.get("sector"))


def _matched(docs: dict, records_by_id: dict, ids: list[str], score, role: str):
    """(article id, Doc, candidate event, the annotated events it matches, the role's candidates and their
    features) for each candidate event of the rules that an annotated event matches."""
    for doc_id in ids:
        rec = _Recorder(ActorRanker if role == "actor" else RecipientRanker)
        doc = copy.deepcopy(docs[doc_id])
        stage = EventExtractor(trigger_model=False, event_filter=False, place_ranker=False, subtype_model=False,
                               rescue_filter=False, actor_ranker=rec if role == "actor" else False,
                               recipient_ranker=rec if role == "recipient" else False)
        gold = [g for g in records_by_id[doc_id]["events"] if not g.get("optional")]
        for c in stage.candidates(doc, complete=False):
            pe = _event_dict(c.event)
            hits = [g for g in gold if _full(score, g, pe)]
            if hits and c.trig.token.start in rec.log:
                yield (doc_id, doc, c, hits) + rec.log[c.trig.token.start]


def recipient_decisions(docs: dict, records_by_id: dict, ids: list[str], score) -> dict[str, list]:
    """As `decisions`, for the recipient: the last "candidate" of each decision is "no recipient"."""
    out: dict[str, list] = {d: [] for d in ids}
    for doc_id, doc, c, hits, cands, feats in _matched(docs, records_by_id, ids, score, "recipient"):
        wanted = {first_recipient(g) for g in hits}
        whos = [_with_country(a, c.event.location, doc) for a in cands]
        right = [(w.country, w.sector) in wanted for w in whos] + [(None, None) in wanted]
        out[doc_id].append((feats, right, False, table_keys(doc, cands, whos, wanted)))
    return out


def table_keys(doc, cands: list, whos: list, wanted: set) -> list[tuple]:
    """For country_table, per candidate: its key (mention, the article's country), the country the event
    stage gives it, and the annotated country of the role's actor of the same sector (None where unsure or
    where the mention has a fixed identity: a person, an organisation, a state keeps its country)."""
    main = _main_country(doc)
    keys = []
    for a, who in zip(cands, whos):
        countries = {w[0] for w in wanted if who and w[1] == who.sector}
        generic = a.country is None or a.kind == "group"  # "المقاومة", "القوات"
        keys.append(((country_key(a), main), who.country if who else None,
                     countries.pop() if len(countries) == 1 and generic else None))
    return keys


def recipients_on_matched(gold: dict, preds: dict, score) -> float:
    """Of the events score.py's matching pairs, the share whose first recipient has the annotated codes."""
    ok = n = 0
    for d, g in gold.items():
        gev = [e for e in g.get("events", []) if not e.get("optional")]
        pairs = score.match(gev, preds.get(d, {}).get("events", []), lambda a, b: _full(score, a, b),
                            prefer=lambda a, b: score.first_actor(a) == score.first_actor(b))
        for ge, pe in pairs:
            n += 1
            ok += first_recipient(ge) == first_recipient(pe)
    return ok / max(n, 1)


def decisions(docs: dict, records_by_id: dict, ids: list[str], score) -> dict[str, list]:
    """Per article, for each candidate event the annotation matches: (features of each actor candidate,
    whether each is right, whether no actor is right, the country-table keys of the candidates)."""
    out: dict[str, list] = {d: [] for d in ids}
    for doc_id, doc, c, hits, cands, feats in _matched(docs, records_by_id, ids, score, "actor"):
        wanted = {score.first_actor(g) for g in hits}
        whos = [_with_country(a, c.event.location, doc) for a in cands]
        right = [(who.country, who.sector) in wanted if who else False for who in whos]
        out[doc_id].append((feats, right, (None, None) in wanted, table_keys(doc, cands, whos, wanted)))
    return out


def accuracy(model: ActorRanker, rows: dict, ids, threshold: float) -> tuple[int, int]:
    """Decisions whose chosen candidate (or none, below `threshold`) has the annotated actor's codes."""
    ok = n = 0
    for d in ids:
        for feats, right, none_right, _ in rows[d]:
            n += 1
            if not feats:
                ok += none_right
                continue
            p, best = max(((model.probability(f), i) for i, f in enumerate(feats)), key=lambda x: (x[0], -x[1]))
            ok += right[best] if p >= threshold else none_right
    return ok, n


def fit(rows: dict, ids, c: float = C, most: int = 12) -> ActorRanker:
    """A ranking model: logistic regression without intercept on the difference of a right and a wrong
    candidate's features (and the reverse), so the weights order the candidates of one decision (at most
    `most` pairs a decision). Scored candidate by candidate (corpus CV: actors 0.579), the model learnt
    how common each kind of candidate is rather than which of them wins. Threshold 0: the best candidate
    is the actor (the annotators name an actor for 99.6 % of the matched events)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    X, y = [], []
    for d in ids:
        for feats, right, *_ in rows[d]:
            good = [f for f, r in zip(feats, right) if r]
            bad = [f for f, r in zip(feats, right) if not r]
            for n, (g, b) in enumerate((g, b) for g in good for b in bad):
                if n >= most:
                    break
                diff = {k: 1.0 for k in g}
                for k in b:
                    diff[k] = diff.get(k, 0.0) - 1.0
                diff = {k: v for k, v in diff.items() if v}
                X += [diff, {k: -v for k, v in diff.items()}]
                y += [True, False]
    vec = DictVectorizer()
    clf = LogisticRegression(C=c, max_iter=5000, fit_intercept=False).fit(vec.fit_transform(X), y)
    weights = {str(n): float(round(w, 4)) for n, w in zip(vec.get_feature_names_out(), clf.coef_[0]) if abs(w) >= 5e-4}
    return ActorRanker(0.0, weights, 0.0)


def names_a_country(mention: str) -> bool:
    """A mention with a nationality adjective or a country's name in it says its own country."""
    from marsad.resolve.actors import nationality_of
    from marsad.resolve.geo import resolve_name

    for w in mention.split():
        place = resolve_name(w)
        if nationality_of(w) or (place is not None and (place.feature_code or "").startswith("PCL")):
            return True
    return False


def country_table(rows: dict, ids, least: int = COUNTRY_LEAST, share: float = COUNTRY_SHARE) -> dict:
    """(mention, article's country) → the country annotators give that mention there, where it differs
    from the one the actor stage gives, in at least `least` matched events and a `share` of them:
    "المقاومة" alone is Palestinian by default, Lebanese in a report on Lebanon, Yemeni in one on Yemen;
    "الطائرات" in a Gaza report are Israeli. Only mentions that name no country themselves."""
    from collections import Counter

    seen: dict[tuple, Counter] = {}
    given: dict[tuple, Counter] = {}
    for d in ids:
        for *_, keys in rows[d]:
            for key, ours, gold in keys:
                if gold is not None:
                    seen.setdefault(key, Counter())[gold] += 1
                    given.setdefault(key, Counter())[ours] += 1
    table = {}
    for key, counts in seen.items():
        if names_a_country(key[0]):
            continue  # "القوات الأوكرانية" is Ukrainian whatever the annotators coded for the event's actor
        (country, n), total = counts.most_common(1)[0], sum(counts.values())
        if n >= least and n / total >= share and given[key].most_common(1)[0][0] != country:
            table[key] = country
    return table


def predict(docs: dict, ids: list[str], ranker, recipient_ranker=False, subtype_model=False) -> dict[str, dict]:
    stage = EventExtractor(trigger_model=False, event_filter=False, place_ranker=False, actor_ranker=ranker,
                           recipient_ranker=recipient_ranker, subtype_model=subtype_model, rescue_filter=False)
    return {d: json.loads(stage(copy.deepcopy(docs[d])).to_record().model_dump_json()) for d in ids}


def main(argv=None) -> None:
    args, score, records, by_id, docs, ids = T.corpus_command(
        __doc__, C, argv, [(("--no-countries",), {"action": "store_true", "help": "CV without the country table"})])
    if not args.no_cv:
        # the rankers learn from the hand lexicon's candidates, each test fold is read with the corpus
        # trigger rows of its training folds (corpus_triggers.py): nothing learned from a test article
        use_corpus_rows([])
        rows = decisions(docs, by_id, ids, score)
        recipient_rows = recipient_decisions(docs, by_id, ids, score)
        print(f"{len(ids)} articles, {sum(len(v) for v in rows.values())} matched candidate events")
        gold = {r["doc_id"]: T.scoring_copy(r, score) for r in records}
        from marsad.extract import train_subtypes as ST

        subtype_rows = ST.decisions(docs, by_id, ids, ST.attack_subtypes(records))
        runs = {"rules' actor and recipient": {}, "actor ranker": {}, "actor and recipient rankers": {},
                "actor and recipient rankers, sub-type model (the default without the rescue filter)": {}}
        right = [0, 0]
        for k in range(T.FOLDS):
            test = [d for d in ids if T.fold_of(d) == k]
            train_ids = [d for d in ids if T.fold_of(d) != k]
            use_corpus_rows(T.fold_corpus_rows([by_id[d] for d in train_ids], docs))
            model, recipients = rankers(rows, recipient_rows, train_ids, args.c, not args.no_countries)
            runs["rules' actor and recipient"].update(predict(docs, test, False))
            runs["actor ranker"].update(predict(docs, test, model))
            runs["actor and recipient rankers"].update(predict(docs, test, model, recipients))
            runs["actor and recipient rankers, sub-type model (the default without the rescue filter)"].update(
                predict(docs, test, model, recipients, ST.fit(subtype_rows, train_ids)))
            ok, n = accuracy(model, rows, test, model.threshold)
            right[0] += ok
            right[1] += n
        use_corpus_rows(None)
        for name, preds in runs.items():
            res = score.score(gold, preds)
            print(f"{name}: events F1 {res['events']['f1']:.3f} (P {res['events']['precision']:.3f} "
                  f"R {res['events']['recall']:.3f}), types {res['event_types']['f1']:.3f}, "
                  f"actors on matched events {res['actors_on_matched_events']:.3f}, "
                  f"recipients {recipients_on_matched(gold, preds, score):.3f}")
        print(f"learned actor decisions right on the held-out folds: {right[0]}/{right[1]} = "
              f"{right[0] / max(right[1], 1):.3f}")
    if not args.cv_only:  # the shipped rankers learn from the candidates of the shipped lexicon
        rows = decisions(docs, by_id, ids, score)
        recipient_rows = recipient_decisions(docs, by_id, ids, score)
        model = fit(rows, ids, args.c)
        path = Path(data_path("events", ACTOR_FILE))
        model.write(path)
        table = country_table(rows, ids)
        write_countries(table, Path(data_path("events", COUNTRY_FILE)))
        recipients = as_recipient_ranker(fit(recipient_rows, ids, args.c))
        recipients.write(Path(data_path("events", RECIPIENT_FILE)))
        recipient_table = country_table(recipient_rows, ids)
        write_countries(recipient_table, Path(data_path("events", RECIPIENT_COUNTRY_FILE)))
        print(f"wrote {path} ({len(model.weights)} weights), {COUNTRY_FILE} ({len(table)} mentions), "
              f"{RECIPIENT_FILE} ({len(recipients.weights)} weights), {RECIPIENT_COUNTRY_FILE} "
              f"({len(recipient_table)} mentions)")


def rankers(rows: dict, recipient_rows: dict, ids, c: float = C, countries: bool = True):
    """The actor and recipient rankers, with their country tables, trained on articles `ids`."""
    actor = fit(rows, ids, c)
    recipient = as_recipient_ranker(fit(recipient_rows, ids, c))
    if countries:
        actor.countries = country_table(rows, ids)
        recipient.countries = country_table(recipient_rows, ids)
    return actor, recipient


def as_recipient_ranker(m: ActorRanker) -> RecipientRanker:
    return RecipientRanker(m.bias, m.weights, m.threshold)


if __name__ == "__main__":
    main()
