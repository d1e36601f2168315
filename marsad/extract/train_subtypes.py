"""Train the attack sub-type model (subtype_model.py) on the annotated corpus; print document-grouped CV.

    python -m marsad.extract.train_subtypes --shared ../shared [--cache DIR] [--cv-only | --no-cv] [-c C]

Training decisions: every attack the rule path (hand lexicon, rules' actors) makes whose trigger word is
the trigger of an annotated ASSAULT, with that event's ACLED sub-type as the label. Document-grouped
5-fold cross-validation (the folds of train_events.py), as train_actor_ranker.py measures the rankers:
each held-out fold is read with the corpus trigger rows and the actor and recipient rankers of its
training folds, once with the rules' sub-types (the default before this model) and once with a sub-type
model trained on the training folds' decisions; score.py scores both, and the share of held-out
decisions whose sub-type is the annotated one is printed for the rules and the model. Then the shipped
model is trained on every article and written to marsad/data/events/subtypes.tsv (byte for byte the
same for the same corpus and code).
"""
from __future__ import annotations

import copy
from pathlib import Path

from marsad.data import data_path
from marsad.extract import train_events as T
from marsad.extract.events import EventExtractor
from marsad.extract.subtype_model import SUBTYPE_FILE, SubtypeModel
from marsad.extract.triggers import use_corpus_rows

C = 0.5


class _Recorder:
    """Stands in for the model while the rules decide: the event stage keeps the features it computed
    on each candidate (`Candidate.subtype_features`) and the rules' sub-type stands."""

    def __init__(self, classes: set[str]):
        self.classes = classes

    def choose(self, feats, sub, mode):
        return sub, mode


def attack_subtypes(records: list[dict]) -> set[str]:
    """The ACLED sub-types annotators gave ASSAULT events."""
    return {e["acled"]["sub_event_type"] for r in records for e in r["events"]
            if e["plover"]["type"] == "ASSAULT" and e.get("acled") and e["acled"].get("sub_event_type")}


def decisions(docs: dict, by_id: dict, ids: list[str], classes: set[str]) -> dict[str, list[tuple[list[str], str, str]]]:
    """Per article: (features, the rules' sub-type, the annotated sub-type) of each attack of the rule
    path whose trigger word is an annotated ASSAULT's trigger (one per trigger, whatever its places)."""
    stage = EventExtractor(trigger_model=False, event_filter=False, place_ranker=False, actor_ranker=False,
                           recipient_ranker=False, subtype_model=_Recorder(classes), rescue_filter=False)
    out = {}
    for d in ids:
        gold = [e for e in by_id[d]["events"] if e["plover"]["type"] == "ASSAULT" and e.get("trigger")
                and (e.get("acled") or {}).get("sub_event_type") in classes]
        rows, seen = [], set()
        for c in stage.candidates(copy.deepcopy(docs[d])):
            if c.subtype_features is None or c.trig.token.start in seen:
                continue
            a, b = c.trig.token.start, c.trig.token.end
            hit = [e for e in gold if e["trigger"]["span"][0] < b and a < e["trigger"]["span"][1]]
            if hit:
                seen.add(a)
                rows.append((c.subtype_features, c.event.acled.sub_event_type, hit[0]["acled"]["sub_event_type"]))
        out[d] = rows
    return out


def fit(rows: dict, ids, c: float = C) -> SubtypeModel:
    X = [f for d in ids for f, _, _ in rows[d]]
    y = [g for d in ids for _, _, g in rows[d]]
    return SubtypeModel.fit(X, y, c)


def main(argv=None) -> None:
    from marsad.extract import train_actor_ranker as AR

    args, score, records, by_id, docs, ids = T.corpus_command(__doc__, C, argv)
    classes = attack_subtypes(records)
    use_corpus_rows([])  # decisions of the hand lexicon's candidates: no corpus row learned from a test article
    rows = decisions(docs, by_id, ids, classes)
    n = sum(len(v) for v in rows.values())
    print(f"{len(ids)} articles, {n} attack decisions with an annotated sub-type; rules right on "
          f"{sum(r == g for v in rows.values() for _, r, g in v)}")
    if not args.no_cv:
        actor_rows = AR.decisions(docs, by_id, ids, score)
        recipient_rows = AR.recipient_decisions(docs, by_id, ids, score)
        gold = {r["doc_id"]: T.scoring_copy(r, score) for r in records}
        runs = {"rules' sub-types (before)": {}, "sub-type model": {}}
        right = {"rules": 0, "model": 0, "n": 0}
        for k in range(T.FOLDS):
            test = [d for d in ids if T.fold_of(d) == k]
            train_ids = [d for d in ids if T.fold_of(d) != k]
            model = fit(rows, train_ids, args.c)
            for d in test:
                for f, rule, want in rows[d]:
                    right["n"] += 1
                    right["rules"] += rule == want
                    right["model"] += model.choose(f, rule, None)[0] == want
            use_corpus_rows(T.fold_corpus_rows([by_id[d] for d in train_ids], docs))
            actor, recipient = AR.rankers(actor_rows, recipient_rows, train_ids)
            runs["rules' sub-types (before)"].update(AR.predict(docs, test, actor, recipient, False))
            runs["sub-type model"].update(AR.predict(docs, test, actor, recipient, model))
            use_corpus_rows([])
        use_corpus_rows(None)
        for name, preds in runs.items():
            res = score.score(gold, preds)
            print(f"{name}: events F1 {res['events']['f1']:.3f} (P {res['events']['precision']:.3f} "
                  f"R {res['events']['recall']:.3f}, tp {res['events']['tp']}), types {res['event_types']['f1']:.3f}, "
                  f"actors on matched events {res['actors_on_matched_events']:.3f}")
        print(f"held-out attack decisions with the annotated sub-type: rules {right['rules']}/{right['n']}, "
              f"model {right['model']}/{right['n']}")
    if not args.cv_only:
        model = fit(rows, ids, args.c)
        path = Path(data_path("events", SUBTYPE_FILE))
        model.write(path)
        print(f"wrote {path} ({len(model.classes)} classes, {len(model.weights)} features)")
    use_corpus_rows(None)


if __name__ == "__main__":
    main()
