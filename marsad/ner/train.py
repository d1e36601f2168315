"""Train the shipped Arabic NER model (CRF, python-crfsuite) and cross-validate it by article.

    python -m marsad.ner.train --shared ../shared            # resources, grouped 5-fold CV, final model
    python -m marsad.ner.train --shared ../shared --quick    # one held-out block (fold 5) only
    python -m marsad.ner.train --shared ../shared --no-cv    # final model only
    python -m marsad.ner.train --shared ../shared --aqmar-dev --no-cv   # AQMAR dev report only

Data: ANERcorp train (CAMeL split, ``data/ner/anercorp/train.txt``); with
``--aqmar`` (off by default: on held-out block 5 it lowered micro F1 0.696 → 0.677,
ORG and MISC most, PERS flat), AQMAR train+dev (Wikipedia articles, ``data/ner/aqmar``)
on the training side of every fold and of the final model. AQMAR tag mapping to
ANERcorp's: PER→PERS, LOC→LOC, ORG→ORG, MIS→MISC (B-/I- kept; AQMAR's MIS is wider
than ANERcorp's MISC: it includes events, works, languages, products).

Cross-validation is article-grouped only: ANERcorp's files carry no document ids,
but its sentences are in article order, so 5 contiguous blocks keep (nearly) every
article on one side. Shuffled-sentence folds put sentences of one article on both
sides and measure memory of the article's names (0.809 vs 0.722 for the same model),
so they are not reported. Scored on ANERcorp sentences only, entity level, exact span
and type (seqeval = conlleval counting).

``--aqmar-dev`` reports F1 on AQMAR dev (mapped tags) for a model trained on
ANERcorp train + AQMAR train only (AQMAR dev never trained on for that report).

Every figure is printed twice: the CRF's own tags, and the tags as the pipeline gives them, with each
name the CRF found also where it stands again untagged in the article (`model.propagate_names`; a
held-out block has no article ends, so a name reaches 30 sentences each side).

Seeds are fixed (clusters seed 13; CRF L-BFGS is deterministic), so the shipped
model is reproducible.

Writes ``marsad/data/ner/ner.crfsuite`` and ``marsad/data/ner/ner_cv.json``
(and rebuilds ``gaz_loc.tsv`` and ``clusters.tsv`` first unless --keep-resources).
The never-used ANERcorp test split is not read here.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from multiprocessing import Pool
from pathlib import Path

from marsad.ner import features as F

DATA = F.DATA
MODEL = DATA / "ner.crfsuite"
CV_JSON = DATA / "ner_cv.json"
PARAMS = {"c1": 0.05, "c2": 0.01, "max_iterations": 120, "feature.possible_transitions": True}
AQMAR_TAGS = {"PER": "PERS", "MIS": "MISC"}  # LOC, ORG unchanged
TYPES = ("PERS", "LOC", "ORG", "MISC")
# sentences each side that a name found in the held-out block reaches (ANERcorp marks no article ends;
# 30 and 60 score alike)
PROPAGATE_WINDOW = 30


def read_conll(path: Path, tag_map: dict[str, str] | None = None) -> list[tuple[list[str], list[str]]]:
    sents, toks, tags = [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n").rstrip("\r")
            if not line.strip():
                if toks:
                    sents.append((toks, tags))
                toks, tags = [], []
                continue
            parts = line.split()
            tag = parts[-1] if len(parts) > 1 else "O"
            if tag_map and tag != "O":
                p, _, t = tag.partition("-")
                tag = p + "-" + tag_map.get(t, t)
            toks.append(parts[0])
            tags.append(tag)
    if toks:
        sents.append((toks, tags))
    return sents


def _train(sents, model_path: str, params: dict) -> None:
    import pycrfsuite

    tr = pycrfsuite.Trainer(verbose=False)
    for toks, tags in sents:
        tr.append(F.sent_features(toks), tags)
    tr.set_params(params)
    tr.train(model_path)


def _predict(model_path: str, sents) -> tuple[list[list[str]], list[list[str]]]:
    """The CRF's tags of each sentence, and the same after `propagate_names` (window of
    PROPAGATE_WINDOW sentences: the held-out block stands for the articles it holds)."""
    import pycrfsuite

    from marsad.ner.model import entities, propagate_names, repair_bio

    tg = pycrfsuite.Tagger()
    tg.open(model_path)
    tags, found = [], []
    for toks, _ in sents:
        tg.set(F.sent_features(toks))
        raw = tg.tag()
        marg = [tg.marginal(y, t) for t, y in enumerate(raw)]
        tags.append(raw)
        found.append([(typ, a, b, min(marg[a:b])) for typ, a, b in entities(repair_bio(raw))])
    spread = []
    for toks_tags, ents in zip(sents, propagate_names([t for t, _ in sents], found, window=PROPAGATE_WINDOW)):
        out = ["O"] * len(toks_tags[0])
        for typ, a, b, _ in ents:
            out[a:b] = ["B-" + typ] + ["I-" + typ] * (b - a - 1)
        spread.append(out)
    return tags, spread


def _job(args):
    """Train one model; tag `test` with it unless it is the final model (kept at `path`)."""
    name, train, test, params, path, keep = args
    t = time.time()
    _train(train, path, params)
    pred = _predict(path, test) if test else ([], [])
    if not keep:
        os.remove(path)
    return name, pred, time.time() - t


def score(gold: list[list[str]], pred: list[list[str]]) -> dict:
    from seqeval.metrics import classification_report

    rep = classification_report(gold, pred, output_dict=True, zero_division=0)
    out = {"micro": {k: round(float(v), 4) for k, v in rep["micro avg"].items()}}
    for t in TYPES:
        if t in rep:
            out[t] = {k: round(float(v), 4) for k, v in rep[t].items()}
    return out


def folds(n: int, k: int = 5) -> list[tuple[int, int]]:
    size = n // k
    return [(i * size, (i + 1) * size if i < k - 1 else n) for i in range(k)]


def run_jobs(jobs, workers: int) -> dict:
    """Run training jobs (folds, the AQMAR-dev model, the final model) side by side."""
    out = {}
    with Pool(max(1, min(workers, len(jobs)))) as pool:
        for name, pred, secs in pool.imap_unordered(_job, jobs):
            out[name] = pred
            print(f"  {name}: trained and tagged in {secs:.0f}s", file=sys.stderr, flush=True)
    return out


def print_scores(s: dict, title: str) -> None:
    print(title)
    print(f"  {'type':6} {'P':>7} {'R':>7} {'F1':>7} {'support':>8}")
    for key in ("micro",) + TYPES:
        if key in s:
            v = s[key]
            print(f"  {key:6} {v['precision']:7.4f} {v['recall']:7.4f} {v['f1-score']:7.4f} {int(v['support']):8d}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--quick", action="store_true", help="score one held-out block (fold 5) only")
    ap.add_argument("--no-cv", action="store_true")
    ap.add_argument("--aqmar", action="store_true", help="add AQMAR train+dev to the training side")
    ap.add_argument("--aqmar-dev", action="store_true",
                    help="also report AQMAR dev F1 (model trained on ANERcorp train + AQMAR train)")
    ap.add_argument("--keep-resources", action="store_true", help="do not rebuild gazetteer/clusters")
    ap.add_argument("--c1", type=float, default=PARAMS["c1"])
    ap.add_argument("--c2", type=float, default=PARAMS["c2"])
    ap.add_argument("--iters", type=int, default=PARAMS["max_iterations"])
    ap.add_argument("--workers", type=int, default=2, help="trainings run side by side (7 jobs in all)")
    ap.add_argument("--out", type=Path, default=MODEL)
    a = ap.parse_args(argv)
    params = dict(PARAMS, c1=a.c1, c2=a.c2, max_iterations=a.iters)
    ner_dir = a.shared / "data" / "ner"
    t0 = time.time()
    if not a.keep_resources:
        from marsad.ner import resources as R

        print("building gazetteer:", R.build_gazetteer(a.shared, stop=R.frequent_words(a.shared)), "names", file=sys.stderr)
        print("building clusters:", R.build_clusters(a.shared), "words", file=sys.stderr)
        F.reset_resources()
    aner = read_conll(ner_dir / "anercorp" / "train.txt")
    aq_train = read_conll(ner_dir / "aqmar" / "train.txt", AQMAR_TAGS) if a.aqmar or a.aqmar_dev else []
    aq_dev = read_conll(ner_dir / "aqmar" / "dev.txt", AQMAR_TAGS) if a.aqmar or a.aqmar_dev else []
    extra = aq_train + aq_dev if a.aqmar else []
    print(f"ANERcorp {len(aner)} sentences, {sum(len(s[0]) for s in aner)} tokens; extra {len(extra)} sentences",
          file=sys.stderr)
    result = {"params": params, "aqmar": a.aqmar, "feature_version": F.FEATURE_VERSION}
    import tempfile

    tmp = tempfile.mkdtemp(prefix="marsad-ner-")
    jobs = []
    bounds = folds(len(aner))
    fold_ids = [] if a.no_cv else [4] if a.quick else list(range(5))
    for i in fold_ids:  # article-grouped: contiguous blocks of the corpus order
        lo, hi = bounds[i]
        jobs.append((f"fold {i + 1}/5", aner[:lo] + aner[hi:] + extra, aner[lo:hi], params,
                     os.path.join(tmp, f"fold{i}.crfsuite"), False))
    if a.aqmar_dev:  # AQMAR dev is never trained on for its own report
        jobs.append(("aqmar dev", aner + aq_train, aq_dev, params, os.path.join(tmp, "aqmar.crfsuite"), False))
    if not a.quick:
        jobs.append(("final", aner + extra, [], params, str(a.out), True))
    preds = run_jobs(jobs, a.workers)
    if fold_ids:
        gold, crf, spread, per_fold = [], [], [], {}
        for i in fold_ids:
            lo, hi = bounds[i]
            g = [tags for _, tags in aner[lo:hi]]
            p, q = preds[f"fold {i + 1}/5"]
            gold += g
            crf += p
            spread += q
            per_fold[str(i + 1)] = score(g, q)["micro"]["f1-score"]
        title = "held-out block 5/5" if a.quick else "article-grouped 5-fold cross-validation on ANERcorp train"
        s_crf = score(gold, crf)
        print_scores(s_crf, f"{title} (contiguous blocks), CRF alone: entity-level (seqeval/conlleval) scores")
        s = score(gold, spread)
        print_scores(s, f"{title}, as the pipeline tags (CRF + names propagated within {PROPAGATE_WINDOW} sentences)")
        print("  per fold micro F1:", per_fold)
        result["cv_grouped"] = s
        result["cv_grouped_crf_alone"] = s_crf
        result["cv_grouped_folds"] = per_fold
    if a.aqmar_dev:
        g = [tags for _, tags in aq_dev]
        p, q = preds["aqmar dev"]
        s_crf = score(g, p)
        print_scores(s_crf, "AQMAR dev (trained on ANERcorp train + AQMAR train; tags mapped), CRF alone")
        s = score(g, q)
        print_scores(s, "AQMAR dev, as the pipeline tags (names propagated)")
        result["aqmar_dev"] = s
        result["aqmar_dev_crf_alone"] = s_crf
    if a.quick:
        print(f"time {time.time() - t0:.0f}s", file=sys.stderr)
        return 0
    print(f"final model: {a.out} ({a.out.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
    if a.out == MODEL and (fold_ids or a.aqmar_dev):
        if CV_JSON.exists():  # keep figures not rerun this time (same params, data and features)
            old = json.loads(CV_JSON.read_text(encoding="utf-8"))
            if all(old.get(k) == result[k] for k in ("params", "aqmar", "feature_version")):
                result = {**old, **result}
        CV_JSON.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"total time {time.time() - t0:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
