"""Train the learned event models on the annotated corpus; print document-grouped cross-validation.

    python -m marsad.extract.train_events --shared ../shared            # 5-fold CV, then the shipped model
    python -m marsad.extract.train_events --shared ../shared --cv-only  # figures only
    python -m marsad.extract.train_events --shared ../shared --rules    # the same folds, rule triggers

Data: corpus/annotations/*.jsonl (document ids, offsets and labels; docs/annotation.md) joined with the
article texts of ../shared by scripts/annot.py. A doubly annotated article counts once: its adjudicated
version when there is one, else the first annotator's.

Cross-validation: the articles are split into 5 folds by a hash of their id (every sentence of an article
in the same fold); the model is trained on four and the full pipeline is run on the fifth; the
predictions of the five folds are scored together with ../shared/eval/score.py (events, event types,
actors on matched events). The shipped models (marsad/data/events/trigger_*.tsv.gz) are then trained on
every article; training is deterministic, so the command rebuilds it byte for byte.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import importlib.util
import json
import pickle
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from marsad.data import data_path
from marsad.extract.trigger_model import (DETECTOR_FILE, META_FILE, TYPES_FILE, TriggerDetector, TriggerModel,
                                          TypeClassifier, event_class, gold_labels, sentence_context,
                                          token_features, type_features, window_text, window_vectors)

ROOT = Path(__file__).resolve().parents[2]
FOLDS = 5
# chosen by the cross-validation below (352 articles: 0.5/0.5 events F1 0.382, 0.4/0.25 0.414; rules 0.383)
THRESHOLD = 0.4
TYPE_C = 2.0
# the USE window vector's weight against the sparse 0/1 features in the type classifier (0: not used)
DENSE_SCALE = 1.0
DETECTOR_C = 0.3
POSITIVE_WEIGHT = 3.0
LEXICON_THRESHOLD = 0.25


def _load_module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def corpus_records(shared: Path) -> list[dict]:
    """The annotated articles as full gold records, one per article, in doc id order."""
    annot = _load_module("annot", ROOT / "scripts" / "annot.py")
    annot.SHARED = shared
    chosen: dict[str, dict] = {}
    for path in annot.annotation_files():
        for d in annot.read_jsonl(path):
            old = chosen.get(d["doc_id"])
            if old is None or (d.get("adjudicated") and not old.get("adjudicated")):
                chosen[d["doc_id"]] = d
    out = []
    for doc_id in sorted(chosen):
        d, probs = annot.check_doc(chosen[doc_id])
        if probs:
            print(f"{doc_id}: {len(probs)} annotation problems, left out", file=sys.stderr)
            continue
        out.append(annot.full_record(d))
    return out


def fold_of(doc_id: str) -> int:
    return int(hashlib.sha1(doc_id.encode("utf-8")).hexdigest(), 16) % FOLDS


def prepared_docs(records: list[dict], cache_dir: Path | None):
    """Each article through every stage before the event stage (cached on disk between runs)."""
    from marsad import __version__
    from marsad.pipeline import InputDoc, Pipeline

    pipe = Pipeline()
    pre = pipe.stages[:-1]
    key = hashlib.sha1((__version__ + "|" + "|".join(r["doc_id"] + str(len(r["text"])) for r in records))
                       .encode()).hexdigest()[:16]
    path = cache_dir / f"marsad-events-pre-{key}.pkl" if cache_dir else None
    if path and path.exists():
        return pickle.loads(path.read_bytes())
    docs = {}
    for r in records:
        doc = pipe.make_doc(InputDoc(text=r["text"], doc_id=r["doc_id"], published=r.get("published"),
                                     outlet=r.get("outlet"), title=r.get("title")))
        for stage in pre:
            doc = stage(doc)
        doc.__dict__.pop("_mention_index", None)  # a lookup cache (text/spans.py) rebuilt on demand; unpicklable
        docs[r["doc_id"]] = doc
    if path:
        try:
            path.write_bytes(pickle.dumps(docs))
        except (pickle.PicklingError, TypeError, AttributeError):
            pass  # a stage caches something unpicklable on the Doc: recompute next time
    return docs


def sequences(doc, record: dict, cache: dict) -> list[tuple[list[list[str]], list[str], dict[int, str], dict]]:
    """Per sentence: CRF attributes of its tokens, their trigger labels, the class of each trigger, and
    the text around each trigger (`window_text`, for the encoder)."""
    out = []
    for si, (s, e) in enumerate(doc.sentences):
        ctx = sentence_context(doc, si)
        if not ctx.toks:
            continue
        evs = [ev for ev in record["events"] if ev.get("trigger") and s <= ev["trigger"]["span"][0] < e]
        labels, classes = gold_labels(ctx, evs)
        windows = {i: window_text(doc.text, ctx.toks, i) for i in classes}
        out.append((token_features(ctx, cache), labels, classes, windows))
    return out


def window_table(seqs) -> dict:
    """The USE vector of every trigger window of the sentences (text → vector)."""
    texts = sorted({w for *_, windows in seqs for w in windows.values()})
    return dict(zip(texts, window_vectors(texts))) if DENSE_SCALE else {}


def class_meta(records: list[dict]) -> dict:
    """For each label class, the most frequent PLOVER type, mode and context in the training data."""
    types, modes, contexts = defaultdict(Counter), defaultdict(Counter), defaultdict(Counter)
    for r in records:
        for ev in r["events"]:
            cls = event_class(ev["plover"]["type"], (ev.get("acled") or {}).get("sub_event_type"))
            types[cls][ev["plover"]["type"]] += 1
            modes[cls][ev["plover"].get("mode")] += 1
            contexts[cls][tuple(ev["plover"].get("context") or ())] += 1
    best = lambda c: sorted(c.items(), key=lambda kv: (-kv[1], str(kv[0])))[0][0]
    return {"classes": {cls: {"type": best(types[cls]), "mode": best(modes[cls]),
                              "context": list(best(contexts[cls])), "events": sum(types[cls].values())}
                        for cls in sorted(types)}}


def train(seqs, vectors: dict | None = None) -> tuple[TriggerDetector, TypeClassifier]:
    """The trigger detector and the type classifier, trained on (features, labels, classes, windows)
    sentences; `vectors`: window text → USE vector (window_table)."""
    return train_detector(seqs), train_types(seqs, vectors or {})


def train_detector(seqs) -> TriggerDetector:
    """Logistic regression, trigger words against all others (positives weighted up: they are ~1 %);
    features seen in fewer than two words of the training data are left out."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    seen: Counter = Counter()
    for feats, *_ in seqs:
        for f in feats:
            seen.update(set(f))
    keep = {f for f, n in seen.items() if n >= 2}
    X, y = [], []
    for feats, labels, *_ in seqs:
        for f, lab in zip(feats, labels):
            X.append({x: 1 for x in f if x in keep})
            y.append(lab == "B-EV")
    vec = DictVectorizer()
    A = vec.fit_transform(X)
    clf = LogisticRegression(C=DETECTOR_C, class_weight={False: 1, True: POSITIVE_WEIGHT}, max_iter=3000).fit(A, y)
    names = vec.get_feature_names_out()
    weights = {str(n): float(round(w, 4)) for n, w in zip(names, clf.coef_[0]) if abs(w) >= 5e-3}
    return TriggerDetector(float(round(clf.intercept_[0], 4)), weights)


def train_types(seqs, vectors: dict) -> TypeClassifier:
    """Multinomial logistic regression over the trigger words' sparse features, and (when `vectors` is
    given) the USE vector of each one's window scaled by DENSE_SCALE."""
    import numpy as np
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    X, y, V = [], [], []
    for feats, _, classes, windows in seqs:
        for i, cls in sorted(classes.items()):
            X.append({f: 1 for f in type_features(feats[i])})
            y.append(cls)
            if vectors:
                V.append(vectors[windows[i]])
    vec = DictVectorizer()
    A = vec.fit_transform(X)
    n_sparse = A.shape[1]
    if V:
        A = hstack([A, csr_matrix(np.array(V) * DENSE_SCALE)]).tocsr()
    if len(set(y)) < 2:
        return TypeClassifier([y[0]] if y else ["P:ASSAULT"], [0.0], {})
    clf = LogisticRegression(C=TYPE_C, max_iter=2000).fit(A, y)
    classes = [str(c) for c in clf.classes_]
    coef = clf.coef_ if len(classes) > 2 else __import__("numpy").vstack([-clf.coef_[0] / 2, clf.coef_[0] / 2])
    bias = list(clf.intercept_) if len(classes) > 2 else [-clf.intercept_[0] / 2, clf.intercept_[0] / 2]
    names = vec.get_feature_names_out()
    weights = {str(n): [float(round(coef[k, j], 4)) for k in range(len(classes))]
               for j, n in enumerate(names) if abs(coef[:, j]).max() >= 5e-3}
    # the scale folded into the weights: at run time the raw vector is multiplied by them
    dense = (np.round(coef[:, n_sparse:].T * DENSE_SCALE, 4).astype(np.float32) if V else None)
    return TypeClassifier(classes, [float(round(b, 4)) for b in bias], weights, dense)


def predict(docs: dict, ids: list[str], model: TriggerModel | None, actor_ranker=False,
            recipient_ranker=False, subtype_model=False, rescue_filter=False) -> dict[str, dict]:
    """The records of articles `ids` (the rankers and the sub-type model False: the rules' choices; never
    the shipped models, which were trained on these articles)."""
    from marsad.extract.events import EventExtractor

    stage = EventExtractor(trigger_model=model if model is not None else False, actor_ranker=actor_ranker,
                           recipient_ranker=recipient_ranker, subtype_model=subtype_model,
                           rescue_filter=rescue_filter)
    out = {}
    for doc_id in ids:
        doc = stage(copy.deepcopy(docs[doc_id]))
        out[doc_id] = json.loads(doc.to_record().model_dump_json())
    return out


def cross_validate(records, docs, shared: Path, rules: bool = False, threshold: float = THRESHOLD,
                   lexicon_threshold: float = LEXICON_THRESHOLD) -> dict:
    score = _load_module("score", shared / "eval" / "score.py")
    gold = {r["doc_id"]: scoring_copy(r, score) for r in records}
    preds: dict[str, dict] = {}
    cache: dict = {}
    if rules:  # the corpus trigger rows and the actor and recipient rankers (as shipped) learn on the other folds
        from marsad.extract import train_actor_ranker as AR
        from marsad.extract import train_subtypes as ST
        from marsad.extract.triggers import use_corpus_rows

        ids = [r["doc_id"] for r in records]
        by_id = {r["doc_id"]: r for r in records}
        use_corpus_rows([])  # the rankers learn from the hand lexicon's candidates: no row of a test fold
        rows = AR.decisions(docs, by_id, ids, score)
        recipient_rows = AR.recipient_decisions(docs, by_id, ids, score)
        subtype_rows = ST.decisions(docs, by_id, ids, ST.attack_subtypes(records))
        for k in range(FOLDS):
            test = [d for d in ids if fold_of(d) == k]
            train_ids = [d for d in ids if fold_of(d) != k]
            use_corpus_rows(fold_corpus_rows([by_id[d] for d in train_ids], docs))
            preds.update(predict(docs, test, None, *AR.rankers(rows, recipient_rows, train_ids),
                                 ST.fit(subtype_rows, train_ids)))
        use_corpus_rows(None)
        return score.score(gold, preds)
    seqs = {r["doc_id"]: sequences(docs[r["doc_id"]], r, cache) for r in records}
    vectors = window_table([s for ss in seqs.values() for s in ss])
    for k in range(FOLDS):
        test = [r["doc_id"] for r in records if fold_of(r["doc_id"]) == k]
        train_recs = [r for r in records if fold_of(r["doc_id"]) != k]
        detector, types = train([s for r in train_recs for s in seqs[r["doc_id"]]], vectors)
        meta = {**class_meta(train_recs), "threshold": threshold, "lexicon_threshold": lexicon_threshold}
        model = TriggerModel(None, meta=meta, detector=detector, types=types)
        preds.update(predict(docs, test, model))
    return score.score(gold, preds)


def fold_corpus_rows(train_recs: list[dict], docs: dict) -> list[list[str]]:
    """The trigger rows of corpus_triggers.py learned from these training articles only."""
    from marsad.extract.corpus_triggers import learn_rows
    from marsad.extract.triggers import trigger_lexicon

    return learn_rows(train_recs, docs, trigger_lexicon(), class_meta(train_recs)["classes"])


def scoring_copy(record: dict, score) -> dict:
    """The gold record as score.py expects it: the corpus lists every place mention, the scorer counts
    document-level places, so repeats of one place are kept once."""
    places = []
    for p in record["mentions"]["places"]:
        if not any(score.one_place(p, q) for q in places):
            places.append(p)
    return {**record, "mentions": {**record["mentions"], "places": places}}


def print_scores(res: dict, title: str) -> None:
    print(title)
    for k, v in res.items():
        if isinstance(v, dict):
            print(f"  {k:26} P {v['precision']:.3f}  R {v['recall']:.3f}  F1 {v['f1']:.3f}"
                  f"  (tp {v['tp']}, pred {v['pred']}, gold {v['gold']})")
        else:
            print(f"  {k:26} {v}")


def corpus_command(doc: str, c: float, argv=None, extra=()) -> tuple:
    """The command line shared by the trainers of the rule path's learned parts (--shared, --cache,
    --cv-only, --no-cv, -c, and `extra`: (flags, keyword arguments) pairs), and what they all load: (args,
    score.py, the corpus records, the records by id, their Docs run up to the event stage, the ids)."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--cache", default=None, help="folder for the articles run up to the event stage")
    ap.add_argument("--cv-only", action="store_true")
    ap.add_argument("--no-cv", action="store_true")
    ap.add_argument("-c", type=float, default=c, help="inverse regularization strength")
    for flags, kw in extra:
        ap.add_argument(*flags, **kw)
    args = ap.parse_args(argv)
    shared = shared_folder(ap, args.shared)
    args.shared = shared
    records = corpus_records(shared)
    docs = prepared_docs(records, Path(args.cache) if args.cache else None)
    return (args, _load_module("score", shared / "eval" / "score.py"), records, {r["doc_id"]: r for r in records},
            docs, [r["doc_id"] for r in records])


def shared_folder(ap, path: str) -> Path:
    """../shared (or --shared) as a Path, or a clear usage error when it lacks the corpus or the scorer."""
    shared = Path(path)
    for need in ("eval/score.py", "data/news/articles.jsonl"):
        if not (shared / need).is_file():
            ap.error(f"{shared / need} not found: --shared must name the shared data folder (../shared)")
    return shared


def main(argv=None) -> None:
    global DENSE_SCALE
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--cv-only", action="store_true")
    ap.add_argument("--no-cv", action="store_true")
    ap.add_argument("--rules", action="store_true",
                    help="the rule path: CV of the lexicon triggers (corpus trigger rows learned per fold), "
                         "then write the corpus trigger rows (corpus_triggers.py)")
    ap.add_argument("--threshold", type=float, default=THRESHOLD,
                    help="a word is a trigger when the detector gives it at least this")
    ap.add_argument("--lexicon-threshold", type=float, default=LEXICON_THRESHOLD,
                    help="the same for a word the trigger lexicon reads as a trigger")
    ap.add_argument("--dense-scale", type=float, default=DENSE_SCALE,
                    help="weight of the USE window vector in the type classifier (0: sparse features only)")
    ap.add_argument("--cache", default=tempfile.gettempdir(), help="folder for the pre-event stage cache")
    args = ap.parse_args(argv)
    DENSE_SCALE = args.dense_scale  # read by window_table and train_types
    shared = shared_folder(ap, args.shared)
    t0 = time.time()
    records = corpus_records(shared)
    print(f"{len(records)} annotated articles, {sum(len(r['events']) for r in records)} events")
    docs = prepared_docs(records, Path(args.cache) if args.cache else None)
    print(f"pipeline before the event stage: {time.time() - t0:.0f} s")
    if not args.no_cv:
        res = cross_validate(records, docs, shared, rules=args.rules, threshold=args.threshold,
                             lexicon_threshold=args.lexicon_threshold)
        print_scores(res, f"document-grouped {FOLDS}-fold cross-validation "
                          f"({'rule triggers' if args.rules else 'learned triggers'}):")
    if args.cv_only:
        return
    if args.rules:  # the rule path's corpus trigger rows, learned from every article
        from marsad.extract.corpus_triggers import CORPUS_FILE, write_rows

        out = Path(data_path("events", CORPUS_FILE))
        table = fold_corpus_rows(records, docs)
        write_rows(table, out)
        print(f"{len(table)} corpus trigger rows written to {out}; retrain the actor rankers next "
              f"(python -m marsad.extract.train_actor_ranker)")
        return
    cache: dict = {}
    seqs = [s for r in records for s in sequences(docs[r["doc_id"]], r, cache)]
    detector, types = train(seqs, window_table(seqs))
    detector.write(Path(data_path("events", DETECTOR_FILE)))
    types.write(Path(data_path("events", TYPES_FILE)))
    out = Path(data_path("events", DETECTOR_FILE))
    meta = {**class_meta(records), "threshold": args.threshold, "lexicon_threshold": args.lexicon_threshold}
    meta["trained_on"] = {"articles": len(records), "events": sum(len(r["events"]) for r in records)}
    Path(data_path("events", META_FILE)).write_text(json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True)
                                                    + "\n", encoding="utf-8")
    print(f"model written to {out} ({out.stat().st_size / 1e6:.1f} MB) in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
