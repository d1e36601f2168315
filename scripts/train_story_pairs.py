"""Train the same-story pair classifier (marsad/data/stories/pair_model.json) and measure it and the clustering.

    python scripts/train_story_pairs.py RECORDS.jsonl [--cluster] [--write] [--cache /tmp/profiles.pkl]
                                        [--features a,b,c] [--clf lr|lgbm]

RECORDS.jsonl: the document records `marsad extract` writes for
../shared/data/corpus/almayadeen-2023-2024.jsonl.gz (the labelled pairs in
marsad/data/stories/labels/article_pairs.tsv name its ids).

Cross-validation: grouped 5-fold, a group being a connected component of the
labelled pairs' documents, so no article is on both sides of a fold. Inside
each training part an inner grouped 4-fold picks the decision threshold (the
F-beta-best one on the inner out-of-fold probabilities; --beta, 0.5 by default:
precision first, a false join mixes two happenings); the outer fold is then
scored at that threshold, so no figure is tuned on the pairs it is scored on.
With --cluster each fold's model clusters the whole corpus (documents in
publication order, marsad.stories.cluster) and the held-out pairs are scored
as "in one story". --clf lgbm scores a LightGBM classifier the same way (for
comparison; the shipped model is the logistic regression, which loads without
scikit-learn). --write refits on all pairs (threshold from a grouped 5-fold
on all of them) and rewrites the model, byte for byte the same for the same
records, labels and features. --cache keeps the profiles (with their sentence
vectors) in a pickle outside the repository between runs.
"""
from __future__ import annotations

import argparse
import json
import pickle
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.stories.cluster import StoryClusterer, order_key  # noqa: E402
from marsad.stories.labels import read_article_pairs  # noqa: E402
from marsad.stories.model import PairModel, model_path  # noqa: E402
from marsad.stories.pairs import ALL_FEATURES, FEATURES, feature_table  # noqa: E402
from marsad.stories.profile import embed, profile  # noqa: E402


def read_records(path: Path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if "error" not in r:
                yield r


def components(pairs) -> list[int]:
    parent: dict[str, str] = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, *_ in pairs:
        parent[find(a)] = find(b)
    roots: dict[str, int] = {}
    return [roots.setdefault(find(a), len(roots)) for a, *_ in pairs]


def fit_lr(X: np.ndarray, y: np.ndarray, names: tuple[str, ...], threshold: float = 0.5) -> PairModel:
    from sklearn.linear_model import LogisticRegression

    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    clf = LogisticRegression(C=1.0, class_weight="balanced", solver="liblinear", random_state=0, max_iter=1000)
    clf.fit((X - mean) / scale, y)
    return PairModel(tuple(names), tuple(float(v) for v in mean), tuple(float(v) for v in scale),
                     tuple(float(v) for v in clf.coef_[0]), float(clf.intercept_[0]), threshold)


class LGBM:
    """LightGBM behind the PairModel interface the clusterer uses (comparison only, never shipped)."""

    def __init__(self, X, y, names, threshold=0.5):
        import lightgbm as lgb

        self.features = tuple(names)
        self.threshold = threshold
        self.clf = lgb.LGBMClassifier(n_estimators=200, learning_rate=0.05, num_leaves=7, min_child_samples=5,
                                      class_weight="balanced", random_state=0, verbose=-1)
        self.clf.fit(X, y)

    def probability(self, x) -> float:
        return float(self.clf.predict_proba(np.asarray([x]))[0, 1])

    def probabilities(self, X) -> np.ndarray:
        return self.clf.predict_proba(X)[:, 1]


def probabilities(model, X: np.ndarray) -> np.ndarray:
    if isinstance(model, LGBM):
        return model.probabilities(X)
    return np.array([model.probability(list(x)) for x in X])


def fit(kind: str, X, y, names, threshold=0.5):
    return LGBM(X, y, names, threshold) if kind == "lgbm" else fit_lr(X, y, names, threshold)


def pr(pred, gold) -> tuple[float, float, int, int, int]:
    tp = sum(1 for p, g in zip(pred, gold) if p and g)
    fp = sum(1 for p, g in zip(pred, gold) if p and not g)
    fn = sum(1 for p, g in zip(pred, gold) if not p and g)
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0), tp, fp, fn


BETA = 0.5  # F-beta the thresholds maximize; < 1 weighs precision higher (--beta): precision first


def best_threshold(prob: np.ndarray, y: np.ndarray) -> float:
    """The F-beta-best threshold on out-of-fold probabilities (ties: the higher threshold, for precision)."""
    best_t, best_f = 0.5, -1.0
    b2 = BETA * BETA
    for t in np.round(np.arange(0.05, 0.96, 0.05), 2):
        p, r, *_ = pr(list(prob >= t), list(y))
        f = (1 + b2) * p * r / (b2 * p + r) if p + r else 0.0
        if f >= best_f:
            best_t, best_f = float(t), f
    return best_t


def inner_threshold(kind, X, y, groups, names, n_splits=4) -> float:
    from sklearn.model_selection import GroupKFold

    oof = np.zeros(len(y))
    for tr, te in GroupKFold(n_splits=n_splits).split(X, y, groups):
        oof[te] = probabilities(fit(kind, X[tr], y[tr], names), X[te])
    return best_threshold(oof, y)


def cluster_all(profiles, model) -> dict[str, str]:
    c = StoryClusterer(model)
    for p in sorted(profiles.values(), key=order_key):
        c.add(p)
    return dict(c.story_of)


def load_profiles(records: Path, want: set[str], everything: bool, cache: Path | None) -> dict:
    if cache and cache.exists():
        with open(cache, "rb") as f:
            stored = pickle.load(f)
        if (stored.get("records") == (str(records), records.stat().st_mtime) and (stored["all"] or not everything)
                and want <= set(stored["profiles"])):
            return stored["profiles"]
    profiles = {}
    for r in read_records(records):
        if everything or r["doc_id"] in want:
            profiles[r["doc_id"]] = profile(r)
    embed(list(profiles.values()))
    if cache:
        with open(cache, "wb") as f:
            pickle.dump({"records": (str(records), records.stat().st_mtime), "all": everything,
                         "profiles": profiles}, f)
    return profiles


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("records", type=Path)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--cluster", action="store_true", help="also cross-validate the clustering (slower)")
    ap.add_argument("--cache", type=Path, default=None, help="pickle of the profiles, outside the repository")
    ap.add_argument("--features", default=",".join(FEATURES), help=f"comma-separated, of {','.join(ALL_FEATURES)}")
    ap.add_argument("--clf", choices=("lr", "lgbm"), default="lr")
    ap.add_argument("--beta", type=float, default=0.5,
                    help="thresholds maximize F-beta (0.5, the default: precision first)")
    args = ap.parse_args(argv)
    global BETA
    BETA = args.beta
    from sklearn.model_selection import GroupKFold

    names = tuple(n.strip() for n in args.features.split(",") if n.strip())
    bad = [n for n in names if n not in ALL_FEATURES]
    if bad:
        ap.error(f"unknown features {bad}")
    pairs = read_article_pairs()
    want = {a for a, _, _ in pairs} | {b for _, b, _ in pairs}
    profiles = load_profiles(args.records, want, args.cluster, args.cache)
    missing = sorted(want - set(profiles))
    if missing:
        print(f"{len(missing)} labelled documents missing from {args.records}: {missing[:5]}", file=sys.stderr)
        pairs = [p for p in pairs if p[0] in profiles and p[1] in profiles]
    X = np.array([[feature_table(profiles[a], profiles[b])[n] for n in names] for a, b, _ in pairs])
    y = np.array([lab for _, _, lab in pairs])
    groups = np.array(components(pairs))
    print(f"{len(pairs)} labelled pairs ({int(y.sum())} same story), {len(set(groups))} document groups; "
          f"{args.clf} over {', '.join(names)}")
    pred = np.zeros(len(y), dtype=bool)
    prob = np.zeros(len(y))
    cl_pred = np.zeros(len(y), dtype=bool)
    thresholds = []
    for train, test in GroupKFold(n_splits=5).split(X, y, groups):
        t = inner_threshold(args.clf, X[train], y[train], groups[train], names)
        thresholds.append(t)
        m = fit(args.clf, X[train], y[train], names, t)
        prob[test] = probabilities(m, X[test])
        pred[test] = prob[test] >= t
        if args.cluster:
            story = cluster_all(profiles, m)
            cl_pred[test] = [story[pairs[i][0]] == story[pairs[i][1]] for i in test]
    for t in (0.3, 0.5, 0.6, 0.7, 0.8, 0.9):
        p, r, *_ = pr(list(prob >= t), list(y))
        print(f"  at a fixed threshold {t:.2f}: CV P {p:.3f} R {r:.3f}")
    p, r, tp, fp, fn = pr(list(pred), list(y))
    print(f"pair classifier, grouped 5-fold CV, threshold chosen inside each training part "
          f"({', '.join(f'{t:.2f}' for t in thresholds)}): P {p:.3f} R {r:.3f} (tp {tp} fp {fp} fn {fn})")
    if args.cluster:
        p, r, tp, fp, fn = pr(list(cl_pred), list(y))
        print(f"clustering, grouped 5-fold CV:      P {p:.3f} R {r:.3f} (tp {tp} fp {fp} fn {fn})")
    if args.clf == "lgbm":
        return 0
    t_all = inner_threshold("lr", X, y, groups, names, n_splits=5)
    model = fit_lr(X, y, names, t_all)
    print(f"final model: threshold {t_all:.2f} (grouped 5-fold on all pairs)")
    if args.cluster:
        story = cluster_all(profiles, model)
        p, r, tp, fp, fn = pr([story[a] == story[b] for a, b, _ in pairs], list(y))
        print(f"clustering, final model (in-sample): P {p:.3f} R {r:.3f} (tp {tp} fp {fp} fn {fn})")
    for name, c in sorted(zip(names, model.coef), key=lambda t: -abs(t[1])):
        print(f"  {name:20s} {c:+.3f}")
    if args.write:
        model_path().write_text(model.to_json(), encoding="utf-8")
        print("wrote", model_path())
    return 0


if __name__ == "__main__":
    sys.exit(main())
