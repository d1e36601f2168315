"""Train the same-story pair classifier (marsad/data/stories/pair_model.json) and measure it.

    python scripts/train_story_pairs.py RECORDS.jsonl [--write] [--cluster]

RECORDS.jsonl: the document records `marsad extract` writes for
../shared/data/corpus/almayadeen-2023-2024.jsonl.gz (the labelled pairs in
marsad/data/stories/labels/article_pairs.tsv name its ids). Logistic
regression (scikit-learn, liblinear, fixed seed) over marsad.stories.pairs
features; grouped 5-fold cross-validation where a group is the labelled
pairs' connected component of documents, so no article is on both sides of
a fold. Prints cross-validated pairwise precision/recall of the classifier
and, with --cluster, of the clustering itself (each fold's model clusters the
whole corpus and is scored on the held-out pairs). --write rewrites the model
(byte for byte the same for the same records and labels).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.stories.cluster import StoryClusterer, order_key  # noqa: E402
from marsad.stories.model import PairModel, model_path  # noqa: E402
from marsad.stories.pairs import FEATURES, features  # noqa: E402
from marsad.stories.profile import embed, profile  # noqa: E402

LABELS = ROOT / "marsad" / "data" / "stories" / "labels" / "article_pairs.tsv"


def read_labels(path: Path = LABELS) -> list[tuple[str, str, int]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        a, b, y = line.split("\t")[:3]
        out.append((a, b, int(y)))
    return out


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

    for a, b, _ in pairs:
        parent[find(a)] = find(b)
    roots = {}
    return [roots.setdefault(find(a), len(roots)) for a, _, _ in pairs]


def fit(X: np.ndarray, y: np.ndarray, threshold: float = 0.5) -> PairModel:
    from sklearn.linear_model import LogisticRegression

    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    clf = LogisticRegression(C=1.0, class_weight="balanced", solver="liblinear", random_state=0, max_iter=1000)
    clf.fit((X - mean) / scale, y)
    return PairModel(FEATURES, tuple(float(v) for v in mean), tuple(float(v) for v in scale),
                     tuple(float(v) for v in clf.coef_[0]), float(clf.intercept_[0]), threshold)


def pr(pred: list[bool], gold: list[int]) -> tuple[float, float, int, int, int]:
    tp = sum(1 for p, g in zip(pred, gold) if p and g)
    fp = sum(1 for p, g in zip(pred, gold) if p and not g)
    fn = sum(1 for p, g in zip(pred, gold) if not p and g)
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0), tp, fp, fn


def cluster_all(profiles, model: PairModel) -> dict[str, str]:
    c = StoryClusterer(model)
    for p in sorted(profiles.values(), key=order_key):
        c.add(p)
    return dict(c.story_of)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("records", type=Path)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--cluster", action="store_true", help="also cross-validate the clustering (slower)")
    ap.add_argument("--threshold", type=float, default=0.65, help="decision threshold (F1-best in CV)")
    args = ap.parse_args(argv)
    from sklearn.model_selection import GroupKFold

    pairs = read_labels()
    want = {a for a, _, _ in pairs} | {b for _, b, _ in pairs}
    profiles = {}
    for r in read_records(args.records):
        if args.cluster or r["doc_id"] in want:
            profiles[r["doc_id"]] = profile(r)
    embed(list(profiles.values()))
    missing = sorted(want - set(profiles))
    if missing:
        print(f"{len(missing)} labelled documents missing from {args.records}: {missing[:5]}", file=sys.stderr)
        pairs = [p for p in pairs if p[0] in profiles and p[1] in profiles]
    X = np.array([features(profiles[a], profiles[b]) for a, b, _ in pairs])
    y = np.array([lab for _, _, lab in pairs])
    groups = components(pairs)
    print(f"{len(pairs)} labelled pairs ({int(y.sum())} same story), {len(set(groups))} document groups")
    folds = list(GroupKFold(n_splits=5).split(X, y, groups))
    pred = np.zeros(len(y), dtype=bool)
    prob = np.zeros(len(y))
    cl_pred = np.zeros(len(y), dtype=bool)
    for train, test in folds:
        m = fit(X[train], y[train], args.threshold)
        pred[test] = [m.same(list(x)) for x in X[test]]
        prob[test] = [m.probability(list(x)) for x in X[test]]
        if args.cluster:
            story = cluster_all(profiles, m)
            cl_pred[test] = [story[pairs[i][0]] == story[pairs[i][1]] for i in test]
    for t in (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95):
        p, r, tp, fp, fn = pr(list(prob >= t), list(y))
        print(f"  threshold {t:.2f}: CV P {p:.3f} R {r:.3f}")
    p, r, tp, fp, fn = pr(list(pred), list(y))
    print(f"pair classifier, grouped 5-fold CV: P {p:.3f} R {r:.3f} (tp {tp} fp {fp} fn {fn})")
    if args.cluster:
        p, r, tp, fp, fn = pr(list(cl_pred), list(y))
        print(f"clustering, grouped 5-fold CV:      P {p:.3f} R {r:.3f} (tp {tp} fp {fp} fn {fn})")
    model = fit(X, y, args.threshold)
    if args.cluster:
        story = cluster_all(profiles, model)
        p, r, tp, fp, fn = pr([story[a] == story[b] for a, b, _ in pairs], list(y))
        print(f"clustering, final model (in-sample): P {p:.3f} R {r:.3f} (tp {tp} fp {fp} fn {fn})")
    for name, c in sorted(zip(FEATURES, model.coef), key=lambda t: -abs(t[1])):
        print(f"  {name:20s} {c:+.3f}")
    if args.write:
        model_path().write_text(model.to_json(), encoding="utf-8")
        print("wrote", model_path())
    return 0


if __name__ == "__main__":
    sys.exit(main())
