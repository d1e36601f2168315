"""`NerTagger`: the shipped CRF model (``marsad/data/ner/ner.crfsuite``), loaded once.

    >>> from marsad.ner.model import NerTagger
    >>> NerTagger.default().tag(["قال", "الرئيس", "بشار", "الأسد"])
    ['O', 'O', 'B-PERS', 'I-PERS']

Tokens are words as in ANERcorp: clitics stay attached ("والرئيس"),
punctuation marks are separate tokens. Output tags are BIO (B-/I- PERS, LOC,
ORG, MISC, or O), repaired so that an I- tag never follows O or another type.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Optional

from marsad.ner.features import DATA, sent_features

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
        import pycrfsuite

        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"NER model not found: {path} (train it: python -m marsad.ner.train)")
        self.path = path
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(path))

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
        return repair_bio(self._tagger.tag(sent_features(tokens)))

    def tag_with_confidence(self, tokens: list[str]) -> tuple[list[str], list[float]]:
        """Tags plus, per token, the marginal probability of its predicted (raw) label."""
        if not tokens:
            return [], []
        raw = self._tagger.tag(sent_features(tokens))
        conf = [self._tagger.marginal(y, i) for i, y in enumerate(raw)]
        return repair_bio(raw), conf

    def entities(self, tokens: list[str]) -> list[tuple[str, int, int, float]]:
        """(type, start token, end token, confidence = lowest token marginal in the span).
        Marginals are computed only for the tokens inside entities (most tokens are O)."""
        if not tokens:
            return []
        raw = self._tagger.tag(sent_features(tokens))
        out = []
        for typ, s, e in entities(repair_bio(raw)):
            out.append((typ, s, e, min(self._tagger.marginal(raw[i], i) for i in range(s, e))))
        return out
