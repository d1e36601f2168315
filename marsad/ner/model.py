"""`NerTagger`: the shipped CRF model (``marsad/data/ner/ner.crfsuite``), loaded once.

    >>> from marsad.ner.model import NerTagger
    >>> NerTagger.default().tag(["قال", "الرئيس", "بشار", "الأسد"])
    ['O', 'O', 'B-PERS', 'I-PERS']

Tokens are words as in ANERcorp: clitics stay attached ("والرئيس"),
punctuation marks are separate tokens. Output tags are BIO (B-/I- PERS, LOC,
ORG, MISC, or O), repaired so that an I- tag never follows O or another type.

Scoring is numeric (`marsad.ner.crf`): the same labels and marginals as
``pycrfsuite.Tagger`` on the same model, without a string feature list per token.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Optional

from marsad.ner import features
from marsad.ner.features import DATA

MODEL = DATA / "ner.crfsuite"
LICENCE = DATA / "LICENSE-ANERcorp.txt"


def repair_bio(tags: list[str]) -> list[str]:
    out = []
    prev = "O"
    for t in tags:
        if t.startswith("I-") and (prev == "O" or prev[2:] != t[2:]):
            t = "B-" + t[2:]
        out.append(t)
        prev = t
    return out


def entities(tags: list[str]) -> list[tuple[str, int, int]]:
    """(type, first token, last token + 1) of each entity in repaired BIO tags."""
    out: list[tuple[str, int, int]] = []
    start, typ = -1, ""
    for i, t in enumerate(tags + ["O"]):
        if start >= 0 and not (t.startswith("I-") and t[2:] == typ):
            out.append((typ, start, i))
            start = -1
        if t.startswith("B-"):
            start, typ = i, t[2:]
    return out


class NerTagger:
    _default: Optional["NerTagger"] = None
    _lock = threading.Lock()

    def __init__(self, path: Path | str = MODEL):
        from marsad.ner.crf import CrfScorer, CrfWeights

        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"NER model not found: {path} (train it: python -m marsad.ner.train)")
        self.path = path
        self.scorer = CrfScorer(CrfWeights.load(path), features.word_features, features.span_attributes,
                                features.CONTEXT, features.PAIRS, features.EDGES)

    @classmethod
    def default(cls) -> "NerTagger":
        """The shipped model, loaded once per process."""
        with cls._lock:
            if cls._default is None:
                cls._default = cls()
            return cls._default

    def tag(self, tokens: list[str]) -> list[str]:
        if not tokens:
            return []
        return repair_bio(self.scorer.tag([tokens])[0][0])

    def tag_with_confidence(self, tokens: list[str]) -> tuple[list[str], list[float]]:
        """Tags plus, per token, the marginal probability of its predicted (raw) label."""
        if not tokens:
            return [], []
        raw, marg = self.scorer.tag([tokens])[0]
        return repair_bio(raw), marg.tolist()

    def entities(self, tokens: list[str]) -> list[tuple[str, int, int, float]]:
        """(type, start token, end token, confidence = lowest token marginal in the span)."""
        return self.entities_many([tokens])[0] if tokens else []

    def entities_many(self, sentences: list[list[str]]) -> list[list[tuple[str, int, int, float]]]:
        """`entities` of many sentences, scored together (one call per document)."""
        out = []
        for raw, marg in self.scorer.tag([s for s in sentences if s]):
            out.append([(typ, s, e, float(marg[s:e].min())) for typ, s, e in entities(repair_bio(raw))])
        it = iter(out)
        return [next(it) if s else [] for s in sentences]
