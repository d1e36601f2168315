"""Train the learned event filter (event_filter.py) on the annotated corpus; print document-grouped CV.

    python -m marsad.extract.train_event_filter --shared ../shared             # CV (lexicon triggers), then the shipped models
    python -m marsad.extract.train_event_filter --shared ../shared --cv-only --triggers rules learned oracle

Cross-validation uses the folds of train_events.py (5 folds by a hash of the article id). In each fold
the filter is trained on the candidate events of the four training folds, its threshold is chosen by an
inner 4-fold CV inside those training folds (events F1 of score.py over the thresholds THRESHOLDS), and
the full event stage runs with it on the fifth fold; the five folds' predictions are scored together by
../shared/eval/score.py, next to the rule filters on the same folds and triggers. Trigger sources:
`rules` (the hand lexicon alone), `learned` (trigger_model.py, trained on the same training folds),
`corpus` (the lexicon with the corpus trigger rows of corpus_triggers.py learned on the same training
folds: the default rule path), `oracle` (the annotated triggers and classes: the ceiling of everything
after trigger detection).

The shipped models are the learned stack that MARSAD_EVENTS=learned loads: the place ranker
(marsad/data/events/place_ranker.tsv) is trained on the annotated triggers of every article, the filter
(marsad/data/events/event_filter.tsv) on the candidates of the shipped trigger model (run
`python -m marsad.extract.train_events --shared ../shared --no-cv` first) placed by that ranker, its
threshold chosen by a 5-fold CV over all of them; training is deterministic, so the commands rebuild
them byte for byte.

The default rule path's rescue filter (event_filter.RescueFilter, marsad/data/events/rescue_filter.tsv):

    python -m marsad.extract.train_event_filter --shared ../shared --rescue [--cv-only | --no-cv]

prints the grouped CV of the default rule path with and without it (each fold's corpus trigger rows,
actor and recipient rankers, sub-type model and rescue filter learned from its four training folds, the
filter's bar from RULED_OUT_THRESHOLDS by an inner CV), then trains it on the candidates of the shipped
rule path (run train_events --rules, train_subtypes and train_actor_ranker first) and writes it.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import json
import pickle
import time
from pathlib import Path

from marsad.data import data_path
from marsad.extract import train_events as T
from marsad.extract.event_filter import (FILTER_FILE, RESCUE_FILE, EventFilter, RescueFilter, candidate_features,
                                         rescuable, train_filter)
from marsad.extract.events import EventExtractor, dedupe

C = 0.3
NEWS_POOL_PREFIX = "ar-news-"  # ids of ../shared/data/news/articles.jsonl (the corpus file's are almayadeen-*)
THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55)
# the rescue filter (--rescue): every candidate the rules keep stays, one they drop is kept when the
# model gives it at least one of these (chosen by the inner CV; 1.01: none)
RULED_OUT_THRESHOLDS = (0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 1.01)
INNER_FOLDS = 4


class OracleTriggers:
    """A trigger model that returns the annotated triggers and classes (for measuring only)."""

    def __init__(self, base, records_by_id: dict):
        self.base = base
        self.records = records_by_id

    def triggers(self, doc, si: int, cache: dict):
        from marsad.extract.trigger_model import gold_labels, sentence_context
        from marsad.extract.triggers import Trigger

        ctx = sentence_context(doc, si)
        s, e = doc.sentences[si]
        evs = [ev for ev in self.records[doc.doc_id]["events"]
               if ev.get("trigger") and s <= ev["trigger"]["span"][0] < e]
        _, classes = gold_labels(ctx, evs)
        return [Trigger(index=h, token=ctx.toks[h], row=self.base.row_for(c, ctx.toks[h]))
                for h, c in sorted(classes.items())]


def _inner_fold(doc_id: str) -> int:
    return int(hashlib.sha1(("inner|" + doc_id).encode("utf-8")).hexdigest(), 16) % INNER_FOLDS


def _event_dict(ev) -> dict:
    return ev.model_dump(mode="json", include={"plover", "acled", "location", "date", "actors"})


class CandidateSet:
    """The candidates of some articles under one trigger source, with features and labels."""

    def __init__(self, docs: dict, records_by_id: dict, ids: list[str], trigger_model, score, place_ranker=None,
                 one_to_one: bool = False, stage: EventExtractor | None = None):
        stage = stage or EventExtractor(trigger_model=trigger_model if trigger_model is not None else False,
                                        event_filter=False, place_ranker=place_ranker or False, actor_ranker=False,
                                        recipient_ranker=False, subtype_model=False, rescue_filter=False)
        self.ids = ids
        self.cands, self.feats, self.labels = {}, {}, {}
        for doc_id in ids:
            doc = docs[doc_id]
            cands = stage.candidates(doc)
            self.cands[doc_id] = cands
            self.feats[doc_id] = candidate_features(doc, cands)
            self.labels[doc_id] = (_matched(records_by_id[doc_id], cands, score) if one_to_one
                                   else _labels(records_by_id[doc_id], cands, score))

    def training_data(self, ids) -> tuple[list[list[str]], list[bool]]:
        X, y = [], []
        for doc_id in ids:
            for f, lab in zip(self.feats[doc_id], self.labels[doc_id]):
                if lab is not None:
                    X.append(f)
                    y.append(lab)
        return X, y


def _labels(record: dict, cands: list, score) -> list[bool | None]:
    """True when score.py's event match pairs the candidate with an annotated event of the article,
    None when it matches only an optional one, else False."""
    gold = [e for e in record["events"]]
    out = []
    for c in cands:
        pe = _event_dict(c.event)
        hits = [g for g in gold if _full(score, g, pe)]
        out.append(True if any(not g.get("optional") for g in hits) else (None if hits else False))
    return out


def _matched(record: dict, cands: list, score) -> list[bool | None]:
    """True when score.py's one-to-one matching over all the article's candidates (in text order)
    pairs the candidate with an annotated event: a later retelling of a matched event is a negative,
    so the filter learns to drop retellings (the within-article de-duplication). None for candidates
    that only an optional event takes."""
    preds = [_event_dict(c.event) for c in cands]
    gev = [e for e in record["events"] if not e.get("optional")]
    full = lambda g, p: _full(score, g, p)
    pairs = score.match(gev, preds, full, prefer=lambda g, p: score.first_actor(g) == score.first_actor(p))
    used = {id(p) for _, p in pairs}
    opt = [e for e in record["events"] if e.get("optional")]
    spare = {id(p) for _, p in score.match(opt, [p for p in preds if id(p) not in used], full)}
    return [True if id(p) in used else (None if id(p) in spare else False) for p in preds]


def _full(score, ge: dict, pe: dict) -> bool:
    kind, want = score.etype(ge)
    return (score.ptype(pe, kind) == want and score.same_place(ge.get("location"), pe.get("location"), 30)
            and score.same_date(ge.get("date"), pe.get("date")))


def choose_threshold(cs: CandidateSet, ids: list[str], gold: dict, score, c: float = C,
                     rescue: bool = False) -> float:
    """The threshold with the best events F1 (score.py) on `ids`, from probabilities of an inner CV;
    `rescue`: the bar for the rescuable candidates the rules drop, all they keep staying."""
    probs: dict[str, list[float]] = {}
    for k in range(INNER_FOLDS):
        inner_test = [d for d in ids if _inner_fold(d) == k]
        X, y = cs.training_data([d for d in ids if _inner_fold(d) != k])
        model = train_filter(X, y, c)
        for d in inner_test:
            probs[d] = [model.probability(f) for f in cs.feats[d]]
    best = None
    keep = (lambda cd, p, t: cd.rule_keep or rescuable(cd) and p >= t) if rescue else (lambda cd, p, t: p >= t)
    for t in RULED_OUT_THRESHOLDS if rescue else THRESHOLDS:
        preds = {}
        for d in ids:
            kept = [copy.deepcopy(cd.event) for cd, p in zip(cs.cands[d], probs[d]) if keep(cd, p, t)]
            preds[d] = {"events": [_event_dict(e) for e in dedupe(kept)]}
        f1 = score.score({d: gold[d] for d in ids}, preds)["events"]["f1"]
        if best is None or f1 > best[0]:
            best = (f1, t)
    return best[1]


def fit(cs: CandidateSet, ids: list[str], gold: dict, score, c: float = C) -> EventFilter:
    threshold = choose_threshold(cs, ids, gold, score, c)
    X, y = cs.training_data(ids)
    model = train_filter(X, y, c, threshold)
    return model


def cross_validate(records, docs, shared: Path, sources: list[str], models: list[str], c: float = C,
                   dump: str | None = None) -> dict:
    """Per trigger source: score.py figures of the rule decisions and of each learned combination
    ("filter", "place", "place+filter") over the same folds."""
    from marsad.extract.place_ranker import train_ranker
    from marsad.extract.triggers import use_corpus_rows

    # trigger source "rules" is the hand lexicon alone, "corpus" the rule path with each fold's corpus
    # trigger rows (corpus_triggers.py): the shipped rows were learned from every article
    score = T._load_module("score", shared / "eval" / "score.py")
    gold = {r["doc_id"]: T.scoring_copy(r, score) for r in records}
    by_id = {r["doc_id"]: r for r in records}
    ids = [r["doc_id"] for r in records]
    pairs = place_pairs(docs, by_id, ids, score) if any("place" in m for m in models) else {}
    results = {}
    for source in sources:
        preds: dict[str, dict] = {m: {} for m in ["rules"] + models}
        thresholds: dict[str, list] = {m: [] for m in models}
        fixed_trig = OracleTriggers(_shipped_triggers(), by_id) if source == "oracle" else None
        fixed = None
        use_corpus_rows([])
        if source not in ("learned", "corpus") and any("filter" in m for m in models):
            fixed = CandidateSet(docs, by_id, ids, fixed_trig, score)
        fixed_one = CandidateSet(docs, by_id, ids, fixed_trig, score, one_to_one=True) \
            if fixed is not None and any(m.endswith("-dedup") for m in models) else None
        for k in range(T.FOLDS):
            test = [d for d in ids if T.fold_of(d) == k]
            train = [d for d in ids if T.fold_of(d) != k]
            trig = _fold_trigger_model([by_id[d] for d in train], docs) if source == "learned" else fixed_trig
            if source == "corpus":  # the rule path with the corpus trigger rows of the training folds
                use_corpus_rows(T.fold_corpus_rows([by_id[d] for d in train], docs))
            tm = trig if trig is not None else False
            ranker = None
            if pairs:
                X = [f for d in train for f in pairs[d][0]]
                y = [lab for d in train for lab in pairs[d][1]]
                ranker = train_ranker(X, y, c)
            stages = {"rules": EventExtractor(trigger_model=tm, event_filter=False, place_ranker=False,
                                              actor_ranker=False, recipient_ranker=False, subtype_model=False, rescue_filter=False)}
            for m in models:
                place = ranker if "place" in m else None
                filt = None
                if "filter" in m:
                    one = m.endswith("-dedup")
                    cs = (fixed_one if one else fixed) if (fixed is not None and place is None) else \
                        CandidateSet(docs, by_id, train, trig, score, place_ranker=place, one_to_one=one)
                    filt = fit(cs, train, gold, score, c)
                    thresholds[m].append(filt.threshold)
                stages[m] = EventExtractor(trigger_model=tm, event_filter=filt or False, place_ranker=place or False,
                                           actor_ranker=False, recipient_ranker=False, subtype_model=False, rescue_filter=False)
            for d in test:
                for m, stage in stages.items():
                    doc = stage(copy.deepcopy(docs[d]))
                    preds[m][d] = json.loads(doc.to_record().model_dump_json())
        if dump:
            Path(dump).mkdir(parents=True, exist_ok=True)
            for m, p in preds.items():
                (Path(dump) / f"{source}-{m}.json").write_text(json.dumps(p, ensure_ascii=False), encoding="utf-8")
        results[source] = {m: score.score(gold, p) for m, p in preds.items()}
        # the news pool alone (ar-news-*: several outlets, like the dev gold) next to the whole corpus
        news = {d: g for d, g in gold.items() if d.startswith(NEWS_POOL_PREFIX)}
        if news and len(news) < len(gold):
            results[source].update({f"{m} [news]": score.score(news, p) for m, p in preds.items()})
        results[source]["thresholds"] = thresholds
    use_corpus_rows(None)
    return results


def rule_path(actor_ranker=False, recipient_ranker=False, subtype_model=False, rescue_filter=False) -> EventExtractor:
    """The default rule path's event stage with the given learned parts (False: the rules')."""
    return EventExtractor(trigger_model=False, event_filter=False, place_ranker=False, actor_ranker=actor_ranker,
                          recipient_ranker=recipient_ranker, subtype_model=subtype_model, rescue_filter=rescue_filter)


def fit_rescue(cs: CandidateSet, ids: list[str], gold: dict, score, c: float = C) -> RescueFilter:
    bar = choose_threshold(cs, ids, gold, score, c, rescue=True)
    m = train_filter(*cs.training_data(ids), c)
    return RescueFilter(m.bias, m.weights, ruled_out_threshold=bar)


def cross_validate_rescue(records, docs, shared: Path, c: float = C) -> dict:
    """The default rule path with and without the rescue filter, document-grouped 5-fold CV: in each
    fold the corpus trigger rows, the actor and recipient rankers, the sub-type model and the rescue
    filter (its bar chosen by an inner CV) learn from the four training folds only."""
    from marsad.extract import train_actor_ranker as AR
    from marsad.extract import train_subtypes as ST
    from marsad.extract.triggers import use_corpus_rows

    score = T._load_module("score", shared / "eval" / "score.py")
    gold = {r["doc_id"]: T.scoring_copy(r, score) for r in records}
    by_id = {r["doc_id"]: r for r in records}
    ids = [r["doc_id"] for r in records]
    use_corpus_rows([])  # the rankers and the sub-type model learn from the hand lexicon's candidates
    actor_rows = AR.decisions(docs, by_id, ids, score)
    recipient_rows = AR.recipient_decisions(docs, by_id, ids, score)
    subtype_rows = ST.decisions(docs, by_id, ids, ST.attack_subtypes(records))
    preds: dict[str, dict] = {"default rule path, hand-written filters": {}, "default rule path + rescue filter": {}}
    bars = []
    for k in range(T.FOLDS):
        test = [d for d in ids if T.fold_of(d) == k]
        train = [d for d in ids if T.fold_of(d) != k]
        use_corpus_rows(T.fold_corpus_rows([by_id[d] for d in train], docs))
        actor, recipient = AR.rankers(actor_rows, recipient_rows, train)
        parts = {"actor_ranker": actor, "recipient_ranker": recipient, "subtype_model": ST.fit(subtype_rows, train)}
        cs = CandidateSet(docs, by_id, train, None, score, stage=rule_path(**parts))
        rescue = fit_rescue(cs, train, gold, score, c)
        bars.append(rescue.ruled_out_threshold)
        for name, stage in (("default rule path, hand-written filters", rule_path(**parts)),
                            ("default rule path + rescue filter", rule_path(**parts, rescue_filter=rescue))):
            for d in test:
                preds[name][d] = json.loads(stage(copy.deepcopy(docs[d])).to_record().model_dump_json())
        use_corpus_rows([])
    use_corpus_rows(None)
    out = {m: {**score.score(gold, p), "recipients": AR.recipients_on_matched(gold, p, score)} for m, p in preds.items()}
    news = {d: g for d, g in gold.items() if d.startswith(NEWS_POOL_PREFIX)}
    out.update({f"{m} [news]": score.score(news, p) for m, p in preds.items()})
    out["thresholds"] = bars
    return out


def place_pairs(docs: dict, by_id: dict, ids: list[str], score) -> dict:
    """Per article, the place ranker's training pairs from its annotated triggers."""
    from marsad.extract.place_ranker import training_pairs

    stage = EventExtractor(trigger_model=OracleTriggers(_shipped_triggers(), by_id), event_filter=False,
                           place_ranker=False, actor_ranker=False, recipient_ranker=False, subtype_model=False, rescue_filter=False)
    return {d: training_pairs(docs[d], by_id[d], stage, score) for d in ids}


def _shipped_triggers():
    from marsad.extract.trigger_model import TriggerModel

    return TriggerModel.shipped()


def prepared_docs(records: list[dict], cache_dir: Path | None) -> dict:
    """train_events.prepared_docs, cached on disk: the mention index the stages leave on each Doc holds
    lambdas that pickle cannot store, so it is dropped (and rebuilt on first use)."""
    from marsad import __version__

    key = hashlib.sha1((__version__ + "|" + "|".join(r["doc_id"] + str(len(r["text"])) for r in records))
                       .encode()).hexdigest()[:16]
    path = cache_dir / f"marsad-filter-pre-{key}.pkl" if cache_dir else None
    if path and path.exists():
        return pickle.loads(path.read_bytes())
    docs = T.prepared_docs(records, None)
    for doc in docs.values():
        doc.__dict__.pop("_mention_index", None)
    if path:
        path.write_bytes(pickle.dumps(docs))
    return docs


def _fold_trigger_model(train_recs: list[dict], docs: dict):
    from marsad.extract.trigger_model import TriggerModel

    cache: dict = {}
    seqs = [s for r in train_recs for s in T.sequences(docs[r["doc_id"]], r, cache)]
    detector, types = T.train(seqs, T.window_table(seqs))  # with the USE window vectors, as shipped
    meta = {**T.class_meta(train_recs), "threshold": T.THRESHOLD, "lexicon_threshold": T.LEXICON_THRESHOLD}
    return TriggerModel(None, meta=meta, detector=detector, types=types)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(T.ROOT.parent / "shared"))
    ap.add_argument("--cv-only", action="store_true")
    ap.add_argument("--no-cv", action="store_true")
    ap.add_argument("--triggers", nargs="+", default=["rules"], choices=["rules", "corpus", "learned", "oracle"])
    ap.add_argument("--models", nargs="+", default=["filter", "place", "place+filter"],
                    choices=["filter", "place", "place+filter", "filter-dedup", "place+filter-dedup"], help="learned combinations to measure")
    ap.add_argument("--c", type=float, default=C, help="inverse regularization strength")
    ap.add_argument("--dump", help="folder for the cross-validated predictions (one JSON file per setting)")
    ap.add_argument("--cache", default="/tmp", help="folder for the pre-event stage cache")
    ap.add_argument("--rescue", action="store_true",
                    help="the default rule path's rescue filter: its CV, then rescue_filter.tsv (run train_subtypes "
                         "and train_actor_ranker first)")
    args = ap.parse_args(argv)
    shared = T.shared_folder(ap, args.shared)
    t0 = time.time()
    records = T.corpus_records(shared)
    docs = prepared_docs(records, Path(args.cache) if args.cache else None)
    print(f"{len(records)} annotated articles; pipeline before the event stage: {time.time() - t0:.0f} s")
    if args.rescue:
        if not args.no_cv:
            res = cross_validate_rescue(records, docs, shared, args.c)
            for which, sc in res.items():
                if which != "thresholds":
                    print(f"{which:48}: events F1 {sc['events']['f1']:.3f} (P {sc['events']['precision']:.3f} "
                          f"R {sc['events']['recall']:.3f}, tp {sc['events']['tp']})  types {sc['event_types']['f1']:.3f}"
                          f"  actors {sc['actors_on_matched_events']:.3f}"
                          + (f"  recipients {sc['recipients']:.3f}" if "recipients" in sc else ""), flush=True)
            print(f"rescue bars chosen per fold: {res['thresholds']}")
        if not args.cv_only:  # the shipped filter learns from the candidates of the shipped rule path
            score = T._load_module("score", shared / "eval" / "score.py")
            gold = {r["doc_id"]: T.scoring_copy(r, score) for r in records}
            by_id = {r["doc_id"]: r for r in records}
            ids = [r["doc_id"] for r in records]
            stage = EventExtractor(trigger_model=False, event_filter=False, place_ranker=False, rescue_filter=False)
            model = fit_rescue(CandidateSet(docs, by_id, ids, None, score, stage=stage), ids, gold, score, args.c)
            out = Path(data_path("events", RESCUE_FILE))
            model.write(out)
            print(f"rescue filter written to {out} ({len(model.weights)} weights, bar {model.ruled_out_threshold}) "
                  f"in {time.time() - t0:.0f} s")
        return
    if not args.no_cv:
        res = cross_validate(records, docs, shared, args.triggers, args.models, args.c, args.dump)
        for source, r in res.items():
            for which, sc in r.items():
                if which == "thresholds":
                    continue
                print(f"{source:8} triggers, {which:20}: events F1 {sc['events']['f1']:.3f} "
                      f"(P {sc['events']['precision']:.3f} R {sc['events']['recall']:.3f})  "
                      f"types {sc['event_types']['f1']:.3f}  actors {sc['actors_on_matched_events']}")
            print(f"{source:8} filter thresholds chosen per fold: {r['thresholds']}", flush=True)
    if args.cv_only:
        return
    score = T._load_module("score", shared / "eval" / "score.py")
    gold = {r["doc_id"]: T.scoring_copy(r, score) for r in records}
    by_id = {r["doc_id"]: r for r in records}
    ids = [r["doc_id"] for r in records]
    from marsad.extract.place_ranker import RANKER_FILE, train_ranker

    pairs = place_pairs(docs, by_id, ids, score)
    ranker = train_ranker([f for d in ids for f in pairs[d][0]], [lab for d in ids for lab in pairs[d][1]], args.c)
    out = Path(data_path("events", RANKER_FILE))
    ranker.write(out)
    print(f"place ranker written to {out} ({len(ranker.weights)} weights)")
    # the filter learns from the candidates of the stack it is shipped in (MARSAD_EVENTS=learned): the
    # shipped trigger model (train_events.py, run first) with locations chosen by this ranker
    cs = CandidateSet(docs, by_id, ids, _shipped_triggers(), score, place_ranker=ranker)
    model = fit(cs, ids, gold, score, args.c)
    out = Path(data_path("events", FILTER_FILE))
    model.write(out)
    print(f"filter written to {out} ({len(model.weights)} weights, threshold {model.threshold}) "
          f"in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
