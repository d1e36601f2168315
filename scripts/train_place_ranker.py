#!/usr/bin/env python3
"""Train the place candidate ranker (marsad/resolve/place_ranker.py) on the event corpus's places.

    python scripts/train_place_ranker.py [--cv] [--write] [--files A.jsonl B.jsonl ...]

Training data: the place annotations of the event corpus (corpus/annotations/*.jsonl, plus any
--files, e.g. /work/annot/*/batch.jsonl), joined with their texts from ../shared by
scripts/annot.py; a doc_id annotated twice is used once (the first file given wins). Never the dev
gold. Each place mention the resolver ranks gives one row per gazetteer candidate, labelled 1 when
the candidate is the annotated place (same GeoNames id, or within 10 km for a place without one).

--cv prints document-grouped 5-fold cross-validation, hand weights and the learned ranker on the
same folds: detection precision and recall of place mentions, and of the detected ones the share
pinned within 10 km and the share with the exact GeoNames id. --write trains on all documents and
writes marsad/data/geo/place_ranker.json (deterministic: rerunning gives the same bytes).
"""
from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODEL = REPO / "marsad" / "data" / "geo" / "place_ranker.json"


def km(la1, lo1, la2, lo2) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (la1, lo1, la2, lo2))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 6371 * 2 * math.asin(min(1.0, math.sqrt(h)))


def load_records(files: list[str], shared: Path) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "all.jsonl"
        subprocess.run([sys.executable, str(REPO / "scripts" / "annot.py"), "build", str(out),
                        "--files", *files], check=True, stdout=subprocess.DEVNULL)
        recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    seen, docs = set(), []
    for r in recs:
        if r["doc_id"] not in seen:
            seen.add(r["doc_id"])
            docs.append(r)
    return docs


def prepared_docs(recs: list[dict]):
    """Docs run through every stage before places (cleaning, sentences, NER), once."""
    from marsad.pipeline import Pipeline
    from marsad.resolve.geo import PlaceResolver

    p = Pipeline(ner=True)
    k = next(i for i, s in enumerate(p.stages) if isinstance(s, PlaceResolver))
    docs = []
    for r in recs:
        doc = p.make_doc_lenient(r["text"], published=(r.get("published") or "")[:10] or None)
        doc.doc_id = r["doc_id"]
        for stage in p.stages[:k]:
            doc = stage(doc)
        docs.append(doc)
    return docs, p.stages[k]


def gold_places(r: dict) -> list[dict]:
    return [p for p in r["mentions"]["places"] if p.get("span") and p.get("lat") is not None]


def is_right(e_gid, e_lat, e_lon, g: dict) -> bool:
    return bool(g.get("geonameid") and e_gid == g["geonameid"]) or km(e_lat, e_lon, g["lat"], g["lon"]) <= 10


def evaluate(docs, recs, resolver, counts: dict) -> None:
    for doc, r in zip(docs, recs):
        resolver(doc)
        gold = gold_places(r)
        ov = lambda g, p: p.span[0] < g["span"][1] and g["span"][0] < p.span[1]
        for p in doc.places:
            counts["pred"] += 1
            counts["pred_ok"] += any(ov(g, p) for g in r["mentions"]["places"] if g.get("span"))
        for g in gold:
            counts["gold"] += 1
            hit = [p for p in doc.places if ov(g, p)]
            if not hit:
                continue
            counts["det"] += 1
            counts["within"] += is_right(hit[0].geonameid, hit[0].lat, hit[0].lon, g)
            if g.get("geonameid"):
                counts["gid_n"] += 1
                counts["gid_ok"] += hit[0].geonameid == g["geonameid"]


def report(name: str, c: dict) -> str:
    return (f"{name:24s} detection P {c['pred_ok'] / max(c['pred'], 1):.3f} R {c['det'] / max(c['gold'], 1):.3f} | "
            f"within 10 km {c['within'] / max(c['det'], 1):.3f} | exact id {c['gid_ok'] / max(c['gid_n'], 1):.3f} "
            f"({c['gold']} places, {c['det']} detected, {c['gid_n']} with an id)")


def training_rows(docs, recs, resolver):
    """(X, y, group) rows: every candidate of every ranked mention that has a right candidate among two or more."""
    gaz = resolver.gaz
    X, y, groups = [], [], []
    for n, (doc, r) in enumerate(zip(docs, recs)):
        gaz.rank_log = []
        resolver(doc)
        log, gaz.rank_log = gaz.rank_log, None
        gold = gold_places(r)
        for (_, s, e), rows in log:
            g = next((g for g in gold if s < g["span"][1] and g["span"][0] < e), None)
            if g is None or len(rows) < 2:
                continue
            labels = [is_right(ent.gid, ent.lat, ent.lon, g) for ent, _ in rows]
            if not any(labels) or all(labels):
                continue
            # pairwise: each right candidate against each wrong one of the same mention (a ranking, not a
            # probability: what matters is the order among namesakes)
            for (_, xp), lp in zip(rows, labels):
                for (_, xn), ln in zip(rows, labels):
                    if lp and not ln:
                        d = [a - b for a, b in zip(xp, xn)]
                        X += [d, [-v for v in d]]
                        y += [1, 0]
                        groups += [n, n]
    return X, y, groups


def fit(X, y):
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from marsad.resolve.place_ranker import FEATURES, PlaceRanker

    m = LogisticRegression(C=1.0, max_iter=5000, fit_intercept=False)
    m.fit(np.asarray(X, dtype=float), np.asarray(y))
    return PlaceRanker(FEATURES, [float(c) for c in m.coef_[0]], 0.0)


def corpus_arguments(description: str) -> argparse.Namespace:
    """The command line both place-model scripts take: the shared folder, extra annotation files,
    --cv and --write."""
    ap = argparse.ArgumentParser(description=description.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--files", nargs="*", default=[])
    ap.add_argument("--cv", action="store_true")
    ap.add_argument("--write", action="store_true")
    return ap.parse_args()


def annotation_files(extra: list[str]) -> list[str]:
    return sorted(str(p) for p in (REPO / "corpus" / "annotations").glob("*.jsonl")) + extra


def main() -> None:
    args = corpus_arguments(__doc__)
    recs = load_records(annotation_files(args.files), args.shared)
    docs, _ = prepared_docs(recs)
    from marsad.resolve.geo import Gazetteer, PlaceResolver

    # the gazetteer without the names taken from this corpus, the hand guards (not the learned filter)
    resolver = PlaceResolver(Gazetteer.load(corpus_names=False))
    resolver.filter = None
    gaz = resolver.gaz
    shipped = gaz.ranker
    gaz.ranker, gaz._top = None, {}  # rows are logged under the hand weights: the same mentions either way
    X, y, groups = training_rows(docs, recs, resolver)
    print(f"{len(recs)} documents, {sum(len(gold_places(r)) for r in recs)} annotated places, "
          f"{len(y) // 2} right/wrong candidate pairs from {len(set(groups))} documents")
    if args.cv:
        from sklearn.model_selection import GroupKFold

        hand, learned = {k: 0 for k in ("pred", "pred_ok", "gold", "det", "within", "gid_n", "gid_ok")}, None
        learned = dict(hand)
        hand = dict(hand)
        n_docs = len(docs)
        folds = GroupKFold(n_splits=5).split(range(n_docs), groups=range(n_docs))
        for train_docs, test_docs in folds:
            train = set(train_docs)
            rows = [i for i, g in enumerate(groups) if g in train]
            model = fit([X[i] for i in rows], [y[i] for i in rows])
            test = sorted(test_docs)
            gaz.ranker, gaz._top = None, {}
            evaluate([docs[i] for i in test], [recs[i] for i in test], resolver, hand)
            gaz.ranker, gaz._top = model, {}
            evaluate([docs[i] for i in test], [recs[i] for i in test], resolver, learned)
        print("document-grouped 5-fold cross-validation:")
        print(report("hand weights", hand))
        print(report("learned", learned))
    if args.write:
        model = fit(X, y)
        MODEL.write_text(model.to_json(), encoding="utf-8")
        print(f"wrote {MODEL.relative_to(REPO)}")
    gaz.ranker, gaz._top = shipped, {}


if __name__ == "__main__":
    main()
