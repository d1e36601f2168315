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
from typing import Optional, Sequence

from marsad.ner import features
from marsad.ner.features import DATA
from marsad.text.normalize import normalize

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


# Label consistency within a document: a name the tagger found once with some confidence is the same
# name where it stands again untagged ("بشار الأسد" ... later "وبشار الأسد", "الأسد"). Chosen by the
# article-grouped cross-validation of `python -m marsad.ner.train` (micro F1 +2 points, PERS +5).
PROPAGATE_MIN_CONFIDENCE = 0.5
# the surname of a person tagged in full counts alone ("الأسد") unless it is among the corpus's most
# frequent words ("الله" of "عبد الله") or a nationality adjective
NAME_PART_MIN_RANK = 300
# و/ف/ب/ل/ك glued to the first word of a repeated name: "وبشار الأسد", "لنتنياهو"
NAME_CLITICS = ("و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل", "وك")
_CLITIC_1 = frozenset(c for c in NAME_CLITICS if len(c) == 1)
_CLITIC_2 = frozenset(c for c in NAME_CLITICS if len(c) == 2)


def _surname(word: str, rank: dict) -> bool:
    """Whether the last word of a person's name stands for the person alone: not one of the corpus's most
    frequent words, not a nationality adjective that the tagger took into the name ("الوزير البريطاني")."""
    from marsad.resolve.actors import nationality_of  # imported on use: it loads the records (pydantic), ~150 ms
    return (len(word) >= 3 and rank.get(normalize(word), 1 << 30) >= NAME_PART_MIN_RANK
            and nationality_of(word) is None)


def propagate_names(sentences: Sequence[Sequence[str]], found: list[list[tuple]], window: int | None = None,
                    min_confidence: float = PROPAGATE_MIN_CONFIDENCE) -> list[list[tuple]]:
    """`found` (per sentence, (type, start, end, confidence) entities of `sentences`) plus the other
    occurrences of each name found with at least `min_confidence`, where none of their words is in an
    entity already or where the tagger's entities there lie inside the longer name; the type of a name
    found with several is its most frequent. `window`: sentences each side of a finding that it reaches
    (None: the whole document; the cross-validation uses 30, since ANERcorp marks no article boundaries).
    Added entities carry the best confidence of their name."""
    from marsad.ner.features import resources

    rank = resources().rank
    names: dict[tuple[str, ...], list[tuple[int, str, float]]] = {}
    for si, ents in enumerate(found):
        toks = sentences[si]
        for typ, a, b, conf in ents:
            if conf < min_confidence:
                continue
            name = tuple(toks[a:b])
            if sum(map(len, name)) >= 3:
                names.setdefault(name, []).append((si, typ, conf))
            last = toks[b - 1]
            if typ == "PERS" and b - a >= 2 and _surname(last, rank):
                names.setdefault((last,), []).append((si, typ, conf))
    if not names:
        return found
    # where the first word of each name stands, also after a clitic: (sentence, position)
    firsts = {name[0] for name in names}
    at: dict[str, list[tuple[int, int]]] = {}
    for si, toks in enumerate(sentences):
        for i, w in enumerate(toks):
            if w in firsts:
                at.setdefault(w, []).append((si, i))
            if w[:1] in _CLITIC_1 and len(w) >= 3 and w[1:] in firsts:
                at.setdefault(w[1:], []).append((si, i))
            if w[:2] in _CLITIC_2 and len(w) >= 4 and w[2:] in firsts:
                at.setdefault(w[2:], []).append((si, i))
    out = [list(ents) for ents in found]
    # owner[si][i]: the index in out[si] of the entity covering word i; a longer found name replaces
    # the tagger's shorter entities inside it ("كوفي عنان" where only "عنان" was tagged: grouped CV
    # micro F1 0.749 -> 0.752), never a name this function added, and never one it only overlaps
    owner: list[list[int | None]] = [[None] * len(toks) for toks in sentences]
    for si, ents in enumerate(out):
        for k, (_, a, b, _) in enumerate(ents):
            for i in range(a, b):
                owner[si][i] = k
    n_found = [len(ents) for ents in out]
    for name in sorted(names, key=lambda n: (-len(n), n)):
        hits = names[name]
        counts: dict[str, int] = {}
        for _, typ, _ in hits:
            counts[typ] = counts.get(typ, 0) + 1
        typ = min(counts, key=lambda t: (-counts[t], t))
        conf = max(c for *_, c in hits)
        reach = None if window is None else {s for h, *_ in hits for s in range(h - window, h + window + 1)}
        n = len(name)
        for si, i in at.get(name[0], ()):
            if reach is not None and si not in reach:
                continue
            toks = sentences[si]
            if i + n > len(toks) or tuple(toks[i + 1:i + n]) != name[1:]:
                continue
            inside = {k for k in owner[si][i:i + n] if k is not None}
            if any(k >= n_found[si] or out[si][k][1] < i or out[si][k][2] > i + n
                   or out[si][k][2] - out[si][k][1] == n for k in inside):
                continue
            for k in inside:
                out[si][k] = None
            out[si].append((typ, i, i + n, conf))
            owner[si][i:i + n] = [len(out[si]) - 1] * n
    return [sorted((e for e in ents if e is not None), key=lambda e: e[1]) for ents in out]


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
