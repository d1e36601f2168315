#!/usr/bin/env python3
"""Train the place-mention filter (marsad/resolve/place_filter.py) on the event corpus's places.

    python scripts/train_place_filter.py [--cv] [--write] [--files A.jsonl B.jsonl ...]

Training data: the place annotations of the event corpus (corpus/annotations/*.jsonl, plus any --files),
joined with their texts from ../shared by scripts/annot.py (as scripts/train_place_ranker.py does);
never the dev gold. Every gazetteer match the geo stage ranks gives one row (place_filter.FEATURES),
labelled 1 when an annotated place overlaps it and the ranked entry is that place (same GeoNames id, or
within 10 km) or one of the same area coded another way (`meant`). The gazetteer is read without the names the corpus annotations add to it
(scripts/corpus_places.py, `how = 'corpus'` keys); instead each document's rows are logged with the
names of the other documents only (5-fold cross-fitting), so the filter learns how far such a name can
be trusted on a document it was not taken from.

--cv prints document-grouped 5-fold cross-validation (the same folds as train_place_ranker.py): the
hand guards and the learned filter, each without and with the corpus names of the training folds (the
candidate ranker is refitted on the training folds too): detection precision and recall of place
mentions, and of the detected ones the share pinned within 10 km and the share with the exact GeoNames
id. --write trains on all documents and writes marsad/data/geo/place_filter.json (deterministic:
rerunning gives the same bytes).
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
from train_place_ranker import (annotation_files, corpus_arguments, evaluate, fit as fit_ranker,  # noqa: E402
                                gold_places, is_right, km, load_records, prepared_docs, report, training_rows)

MODEL = REPO / "marsad" / "data" / "geo" / "place_filter.json"
N_TREES, DEPTH, RATE = 60, 3, 0.2
THRESHOLD = 0.4  # the probability at which a match the hand guards accept is kept
RESCUE = 0.4  # ... and one they reject (--cv prints THRESHOLDS side by side)
THRESHOLDS = ((0.4, 0.4), (0.4, 0.6), (0.3, 0.3))


def fresh_gazetteer():
    """The gazetteer without the corpus names (a new object: names are added to it per fold)."""
    from marsad.resolve.geo import Gazetteer

    return Gazetteer.load.__wrapped__(Gazetteer, False)


def names_of(recs: list[dict], known):
    """(key, gid, wof, Entry) of the corpus names given by these documents (scripts/corpus_places.py)."""
    from corpus_places import corpus_names
    from marsad.resolve.geo import Entry, Gazetteer

    out = []
    for r in corpus_names([(rec["doc_id"], p) for rec in recs for p in rec["mentions"]["places"]], known):
        if r["lat"] is None and not (r["gid"] or r["wof"]):
            continue
        kind = r["kind"]
        e = Entry(r["gid"], kind, r["name"], r["lat"] or 0.0, r["lon"] or 0.0,
                  {"region": "RGN", "site": "BLDG"}.get(kind, "PPL"), r["country"], 0,
                  r["admin1"] or (Gazetteer.load().admin1_at(r["lat"], r["lon"]) if r["country"] and r["lat"] else None),
                  r["wof"])
        out += [(k, r["gid"], r["wof"], e if r["lat"] is not None else None) for k in r["names"]]
    return out


def with_names(gaz, recs: list[dict]):
    from build_gazetteer import word_zipf

    rows = []
    for key, gid, wof, e in names_of(recs, gaz.keys):
        if key in gaz.keys:  # only names no source has, for any place (as the build)
            continue
        if e is None and not gaz._query("SELECT id FROM place WHERE " + ("geonameid = ?" if gid else "wof_id = ?")
                                        + " LIMIT 1", (gid or wof,)):
            continue
        rows.append((key, gid, wof, e))
    gaz.add_names(rows, word_zipf)
    return gaz


def resolver_for(gaz, ranker, place_filter=None):
    from marsad.resolve.geo import PlaceResolver

    gaz.ranker, gaz._top = ranker, {}
    r = PlaceResolver(gaz, place_filter=place_filter)
    r.filter = place_filter  # None: the hand guards
    return r


def meant(ent, g: dict) -> bool:
    """The match names the annotated place: its entry is that place, or one of the same area coded another
    way ("ريف حمص": Homs or the governorate; "البحر الأحمر": a sea's point is a convention) - which entry
    is right is the ranker's task, whether the words name a place is the filter's."""
    return is_right(ent.gid, ent.lat, ent.lon, g) or g.get("geo_precision") == 3 or \
        km(ent.lat, ent.lon, g["lat"], g["lon"]) <= 50


def logged_rows(docs, recs, resolver) -> tuple[list, list]:
    """(X, y) of every ranked match of these documents, all kept while logging."""
    X, y = [], []
    for doc, r in zip(docs, recs):
        resolver.accept_log = []
        resolver(doc)
        log, resolver.accept_log = resolver.accept_log, None
        gold = gold_places(r)
        for (_, s, e), ent, x in log:
            X.append(x)
            y.append(int(any(s < g["span"][1] and g["span"][0] < e and meant(ent, g) for g in gold)))
    return X, y


def crossfit_rows(docs, recs, ranker, names: bool, k: int = 5) -> tuple[list, list]:
    """Rows of all these documents, each logged with the corpus names of the other folds only."""
    if not names:
        return logged_rows(docs, recs, resolver_for(fresh_gazetteer(), ranker))
    X, y = [], []
    n = len(docs)
    for j in range(k):
        part = [i for i in range(n) if i % k == j]
        rest = [recs[i] for i in range(n) if i % k != j]
        res = resolver_for(with_names(fresh_gazetteer(), rest), ranker)
        Xj, yj = logged_rows([docs[i] for i in part], [recs[i] for i in part], res)
        X += Xj
        y += yj
    return X, y


def fit(X, y):
    import numpy as np
    from sklearn.ensemble import GradientBoostingClassifier

    from marsad.resolve.place_filter import FEATURES, PlaceFilter

    m = GradientBoostingClassifier(n_estimators=N_TREES, max_depth=DEPTH, learning_rate=RATE, random_state=0)
    m.fit(np.asarray(X, dtype=float), np.asarray(y))
    p = float(m.init_.class_prior_[1])
    trees = []
    for est in m.estimators_[:, 0]:
        t = est.tree_
        trees.append({"feature": [int(f) for f in t.feature], "threshold": [round(float(v), 6) for v in t.threshold],
                      "left": [int(v) for v in t.children_left], "right": [int(v) for v in t.children_right],
                      "value": [round(float(v) * RATE, 6) for v in t.value[:, 0, 0]]})
    return PlaceFilter(FEATURES, trees, round(math.log(p / (1 - p)), 6), THRESHOLD, RESCUE)


def main() -> None:
    args = corpus_arguments(__doc__)
    if args.write and MODEL.exists():
        MODEL.unlink()  # rebuilt below; an old model may read other features
    recs = load_records(annotation_files(args.files), args.shared)
    docs, _ = prepared_docs(recs)
    # the ranker's rows, logged under the hand weights and guards without corpus names (as train_place_ranker.py)
    RX, Ry, Rg = training_rows(docs, recs, resolver_for(fresh_gazetteer(), None))
    print(f"{len(recs)} documents, {sum(len(gold_places(r)) for r in recs)} annotated places")
    if args.cv:
        from sklearn.model_selection import GroupKFold

        zero = {k: 0 for k in ("pred", "pred_ok", "gold", "det", "within", "gid_n", "gid_ok")}
        configs = ["hand guards", "+ names"] + [f"filter{n} p>={t[0]}|{t[1]}" for n in ("", " + names") for t in THRESHOLDS]
        counts = {c: dict(zero) for c in configs}
        n_docs = len(docs)
        for train_docs, test_docs in GroupKFold(n_splits=5).split(range(n_docs), groups=range(n_docs)):
            train, test = sorted(train_docs), sorted(test_docs)
            in_train = set(train)
            rows = [i for i, g in enumerate(Rg) if g in in_train]
            ranker = fit_ranker([RX[i] for i in rows], [Ry[i] for i in rows])
            tr_docs, tr_recs = [docs[i] for i in train], [recs[i] for i in train]
            te_docs, te_recs = [docs[i] for i in test], [recs[i] for i in test]
            for name, names in (("hand guards", False), ("+ names", True)):
                gaz = with_names(fresh_gazetteer(), tr_recs) if names else fresh_gazetteer()
                evaluate(te_docs, te_recs, resolver_for(gaz, ranker), counts[name])
            for name, names in (("filter", False), ("filter + names", True)):
                flt = fit(*crossfit_rows(tr_docs, tr_recs, ranker, names))
                gaz = with_names(fresh_gazetteer(), tr_recs) if names else fresh_gazetteer()
                for t in THRESHOLDS:
                    flt.threshold, flt.rescue = t
                    evaluate(te_docs, te_recs, resolver_for(gaz, ranker, flt), counts[f"{name} p>={t[0]}|{t[1]}"])
        print("document-grouped 5-fold cross-validation:")
        for name, c in counts.items():
            print(report(name, c))
    if args.write:
        ranker = fit_ranker(RX, Ry)
        X, y = crossfit_rows(docs, recs, ranker, True)
        print(f"{len(y)} ranked matches, {sum(y)} right")
        MODEL.write_text(fit(X, y).to_json(), encoding="utf-8")
        print(f"wrote {MODEL.relative_to(REPO)}")


if __name__ == "__main__":
    main()
