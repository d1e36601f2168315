"""Train the same-event pair model (marsad/data/stories/event_model.json) and measure cross-article merging.

    python scripts/eval_merge.py RECORDS.jsonl [--cache /tmp/profiles.pkl] [--write] [--no-merge-cv]

RECORDS.jsonl: `marsad extract` output for ../shared/data/corpus/almayadeen-2023-2024.jsonl.gz;
labels: marsad/data/stories/labels/event_pairs.tsv (doc ids + event anchors; an event of the
records is found by its anchor, marsad.stories.labels.find_event). Pairs whose event the
extractor no longer finds are counted and left out of the figures.

Every event mention gets the story of its document (the documents clustered with the shipped
same-story model, profiles cached with --cache as in scripts/train_story_pairs.py), so the
story-membership feature is the one the store computes. Cross-validation: grouped 5-fold (a
group is a connected component of the labelled pairs' documents); the decision threshold is
chosen inside each training part (inner grouped 4-fold, F-beta-best, --beta). Reported: the pair model
(a pair is "same" when it passes merge.candidate and the model accepts it), the merging
itself (each fold's model merges every event of the corpus in date order; held-out pairs
scored as "in one merged event"), and the hand rule (merge.same_event) on the same pairs.
--write refits on all pairs and rewrites the model (byte for byte the same for the same
records and labels).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.stories import merge  # noqa: E402
from marsad.stories.labels import find_event, read_event_pairs  # noqa: E402
from marsad.stories.model import event_model_path  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
import train_story_pairs  # noqa: E402
from train_story_pairs import (best_threshold, cluster_all, components, fit_lr, load_profiles, pr,  # noqa: E402
                               read_records)


def mentions_of(records: list[dict], story_of: dict[str, str]) -> dict[tuple[str, int], merge.Mention]:
    out = {}
    for r in records:
        for i, ev in enumerate(r.get("events") or []):
            out[(r["doc_id"], i)] = merge.Mention(ref=(r["doc_id"], i), doc_id=r["doc_id"], record=ev,
                                                  outlet=r.get("outlet"), published=r.get("published"),
                                                  story_id=story_of.get(r["doc_id"]))
    return out


def merge_all(ms: dict, model=None, rule: bool = False) -> dict:
    m = merge.EventMerger(model=model, rule=rule)
    for x in sorted(ms.values(), key=lambda x: (x.day.isoformat() if x.day else "9999", str(x.ref))):
        m.add(x)
    return m.group_of


def classify(model, X, cand) -> np.ndarray:
    return np.array([c and model.probability(list(x)) >= model.threshold for x, c in zip(X, cand)])


def inner_threshold(X, y, groups, cand, n_splits=4) -> float:
    from sklearn.model_selection import GroupKFold

    oof = np.zeros(len(y))
    for tr, te in GroupKFold(n_splits=n_splits).split(X, y, groups):
        m = fit_lr(X[tr], y[tr], merge.EVENT_FEATURES)
        oof[te] = [m.probability(list(x)) if c else 0.0 for x, c in zip(X[te], cand[te])]
    return best_threshold(oof, y)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("records", type=Path)
    ap.add_argument("--cache", type=Path, default=None, help="pickle of the profiles, outside the repository")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--no-merge-cv", action="store_true", help="skip merging the corpus once per fold")
    ap.add_argument("--beta", type=float, default=1.0, help="thresholds maximize F-beta (0.5: precision first)")
    args = ap.parse_args(argv)
    train_story_pairs.BETA = args.beta
    from sklearn.model_selection import GroupKFold

    from marsad.stories.model import load_model

    records = list(read_records(args.records))
    profiles = load_profiles(args.records, set(), True, args.cache)
    story_of = cluster_all(profiles, load_model())
    ms = mentions_of(records, story_of)
    by_doc = {r["doc_id"]: r for r in records}
    labels, lost = [], 0
    for p in read_event_pairs():
        ia = find_event(by_doc[p.doc_a].get("events") or [], p.anchor_a) if p.doc_a in by_doc else None
        ib = find_event(by_doc[p.doc_b].get("events") or [], p.anchor_b) if p.doc_b in by_doc else None
        if ia is None or ib is None:
            lost += 1
            continue
        labels.append(((p.doc_a, ia), (p.doc_b, ib), p.same))
    y = np.array([lab for *_, lab in labels])
    X = np.array([[merge.event_features(ms[a], ms[b])[n] for n in merge.EVENT_FEATURES] for a, b, _ in labels])
    cand = np.array([merge.candidate(ms[a], ms[b]) for a, b, _ in labels])
    groups = np.array(components([(a[0], b[0], lab) for a, b, lab in labels]))
    print(f"{len(labels)} labelled event pairs scored ({int(y.sum())} same event; {lost} more whose event the "
          f"extractor no longer finds), {len(ms)} events, {len(set(groups))} document groups; "
          f"{int(cand.sum())} pairs pass the candidate gates ({int(y[cand].sum())} of the same-event ones)")

    rule_groups = merge_all(ms, rule=True)
    pred = [rule_groups[a] is rule_groups[b] for a, b, _ in labels]
    p, r, tp, fp, fn = pr(pred, list(y))
    n_rule = len({id(g) for g in rule_groups.values()})
    print(f"hand rule (same day, <= {merge.MERGE_KM:.0f} km): P {p:.3f} R {r:.3f} (tp {tp} fp {fp} fn {fn}); "
          f"{len(ms)} events -> {n_rule} merged")

    pred = np.zeros(len(y), dtype=bool)
    merged = np.zeros(len(y), dtype=bool)
    ts = []
    for train, test in GroupKFold(n_splits=5).split(X, y, groups):
        t = inner_threshold(X[train], y[train], groups[train], cand[train])
        ts.append(t)
        model = fit_lr(X[train], y[train], merge.EVENT_FEATURES, t)
        pred[test] = classify(model, X[test], cand[test])
        if not args.no_merge_cv:
            gof = merge_all(ms, model=model)
            merged[test] = [gof[labels[i][0]] is gof[labels[i][1]] for i in test]
    p, r, tp, fp, fn = pr(list(pred), list(y))
    print(f"pair model, grouped 5-fold CV, thresholds chosen inside ({', '.join(f'{t:.2f}' for t in ts)}): "
          f"P {p:.3f} R {r:.3f} (tp {tp} fp {fp} fn {fn})")
    if not args.no_merge_cv:
        p, r, tp, fp, fn = pr(list(merged), list(y))
        print(f"merging with each fold's model, grouped 5-fold CV: P {p:.3f} R {r:.3f} (tp {tp} fp {fp} fn {fn})")
    t_all = inner_threshold(X, y, groups, cand, n_splits=5)
    model = fit_lr(X, y, merge.EVENT_FEATURES, t_all)
    gof = merge_all(ms, model=model)
    p, r, tp, fp, fn = pr([gof[a] is gof[b] for a, b, _ in labels], list(y))
    print(f"final model (threshold {t_all:.2f}) merging, in-sample: P {p:.3f} R {r:.3f} (tp {tp} fp {fp} fn {fn}); "
          f"{len(ms)} events -> {len({id(g) for g in gof.values()})} merged")
    for name, c in sorted(zip(merge.EVENT_FEATURES, model.coef), key=lambda t: -abs(t[1])):
        print(f"  {name:18s} {c:+.3f}")
    if args.write:
        event_model_path().write_text(model.to_json(), encoding="utf-8")
        print("wrote", event_model_path())
    return 0


if __name__ == "__main__":
    sys.exit(main())
