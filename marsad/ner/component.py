"""Pipeline stages 'ner' (tagging) and 'ner-merge' (combining the model with the lexicons).

`NerStage` (runs right after segmentation) tags every sentence of the Doc with
the shipped CRF (`marsad.ner.model.NerTagger`) and fills ``doc.ner`` with
``(start, end, label)`` spans in original-text offsets, ``doc.text[start:end]``
being the entity as written (clitics attached, as in ANERcorp: "لحزب الله").
Sentences are tokenized as the training data was: runs of word characters
(diacritics and tatweel included) and single punctuation marks. Each span's
confidence (the lowest per-token marginal probability of its tags) is kept in
``doc.ner_confidence`` (a dict ``(start, end, label) → float``) for `merge_ner`.

`merge_ner` runs AFTER the place and actor (lexicon) stages. The rule for
lexicon/model disagreements, in order:

1. Lexicon first. A PERS/ORG entity that overlaps any actor the lexicon stage
   found (``doc.people`` / ``doc.organizations``, any source) adds nothing: the
   lexicon mention already carries country and sector.
2. New actors. Any other PERS or ORG entity with confidence >= ADD_MIN (0.6)
   becomes ``Actor(kind="person"|"organization", source="ner", sector=None)``.
   A leading conjunction/preposition clitic before the article (و ف ب ك + ال)
   is left out of its text and span ("والرئيس" → "الرئيس"), so
   ``doc.text[span] == text``. ``country`` comes from a nationality adjective
   right after the entity, or right before a person's name ("الرئيس السوري بشار
   الأسد" → SYR), via the actor lexicon's ``marsad/data/actors/nationalities.tsv``; else None.
3. Places: the model is a second signal only. A lexicon place is DROPPED when
   a PERS or ORG entity with confidence >= DROP_MIN (0.9) covers it entirely
   and the entity is longer than the place (a person named after a town, the
   town in a club's name: "ريال مدريد"), or when the entity is exactly the
   place's span and tagged PERS with confidence >= DROP_MIN.
   Places the model tags LOC, or does not tag, are kept; LOC entities the
   lexicon did not resolve are not added (a place needs coordinates).
"""
from __future__ import annotations

import re

from marsad.doc import Doc
from marsad.ner.model import propagate_names
from marsad.records import Actor
from marsad.text.normalize import normalize
from marsad.text.segment import sentences as split_sentences
from marsad.text.spans import SpanIndex, SpanSet

ADD_MIN = 0.6
DROP_MIN = 0.9
# words as in ANERcorp (diacritics, tatweel, Quranic marks inside), or one punctuation mark
_TOKEN = re.compile(r"[\w\u0610-\u061A\u0640\u064B-\u065F\u0670\u06D6-\u06ED]+|[^\w\s]", re.UNICODE)
_ARTICLE_CLITICS = ("وبال", "فبال", "وكال", "وال", "فال", "بال", "كال")


class NerStage:
    name = "ner"

    def __init__(self, tagger=None):
        self._tagger = tagger

    @property
    def tagger(self):
        if self._tagger is None:
            from marsad.ner.model import NerTagger

            self._tagger = NerTagger.default()
        return self._tagger

    def __call__(self, doc: Doc) -> Doc:
        spans = doc.sentences or split_sentences(doc.text)
        sents: list[tuple[list, tuple[str, ...]]] = []
        for s, e in spans:
            toks = list(_TOKEN.finditer(doc.text, s, e))
            if toks:
                sents.append((toks, tuple(m.group() for m in toks)))
        distinct = list(dict.fromkeys(words for _, words in sents))  # news repeats its lead: tag each once
        tagged = dict(zip(distinct, self._entities_many([list(w) for w in distinct])))
        # a name tagged once also where it stands again untagged (model.propagate_names)
        ents = propagate_names([words for _, words in sents], [tagged[words] for _, words in sents])
        found: list[tuple[int, int, str]] = []
        conf: dict[tuple[int, int, str], float] = {}
        for (toks, _), sent_ents in zip(sents, ents):
            for label, i, j, c in sent_ents:
                span = (toks[i].start(), toks[j - 1].end(), label)
                found.append(span)
                conf[span] = c
        doc.ner = found
        doc.ner_confidence = conf  # type: ignore[attr-defined]
        return doc

    def _entities_many(self, sentences: list[list[str]]) -> list:
        """Entities of each sentence, tagged in batches: the numeric scorer holds the feature and score
        arrays of a whole batch at once, so one batch for a 1 MB document cost ~270 MB; sentences are
        tagged independently, so batching changes no label."""
        many = getattr(self.tagger, "entities_many", None)
        if not many:
            return [self.tagger.entities(s) for s in sentences]
        out: list = []
        for i in range(0, len(sentences), NER_BATCH_SENTENCES):
            out.extend(many(sentences[i:i + NER_BATCH_SENTENCES]))
        return out


NER_BATCH_SENTENCES = 256


def nationality(word: str) -> str | None:
    """ISO3 of a nationality adjective in any of its forms: "الإيرانية" → IRN, "والسوريين" → SYR."""
    from marsad.resolve.actors import nationality_of

    hit = nationality_of(word)
    return hit[0] if hit else None


def _strip_clitic(text: str, start: int) -> tuple[str, int]:
    """Drop و/ف/ب/ك (one or two letters) before the article: "والرئيس" → "الرئيس"."""
    n = normalize(text)
    if len(n) != len(text):  # diacritics: do not risk misaligned offsets
        return text, start
    for p in _ARTICLE_CLITICS:
        if p.endswith("ال") and n.startswith(p) and len(n) > len(p) + 1:
            k = len(p) - 2
            return text[k:], start + k
    return text, start


def _word_before(text: str, pos: int) -> str:
    m = re.search(r"([\w\u064B-\u065F\u0640]+)\W*$", text[max(0, pos - 40):pos])
    return m.group(1) if m else ""


def _word_after(text: str, pos: int) -> str:
    m = re.match(r"\s*([\w\u064B-\u065F\u0640]+)", text[pos:pos + 40])
    return m.group(1) if m else ""


def merge_ner(doc: Doc) -> Doc:
    """Add model-only PERS/ORG actors and use the model as a second signal on places (rule above)."""
    conf: dict = getattr(doc, "ner_confidence", {}) or {}
    actor_spans = SpanSet(a.span for a in doc.people + doc.organizations if a.span)
    places = SpanIndex(list(enumerate(doc.places)), span=lambda kp: kp[1].span)
    drop: set[int] = set()
    for s, e, label in doc.ner:
        c = conf.get((s, e, label), 0.5)
        if label not in ("PERS", "ORG"):
            continue
        if c >= DROP_MIN:
            for k, p in places.starting_in(s, e + 1):
                ps, pe = p.span
                inside = s <= ps and pe <= e and (e - s) > (pe - ps)
                if inside or (label == "PERS" and (ps, pe) == (s, e)):
                    drop.add(k)
        if c < ADD_MIN or actor_spans.overlaps(s, e):
            continue
        text, start = _strip_clitic(doc.text[s:e], s)
        country = nationality(_word_after(doc.text, e))
        if country is None and label == "PERS":
            country = nationality(_word_before(doc.text, s))
        actor = Actor(text=text, name=text, country=country, sector=None,
                      kind="person" if label == "PERS" else "organization", span=[start, e], source="ner")
        (doc.people if label == "PERS" else doc.organizations).append(actor)
        actor_spans.add(actor.span)
    if drop:
        doc.places = [p for k, p in enumerate(doc.places) if k not in drop]
    doc.people.sort(key=lambda a: (a.span or [0])[0])
    doc.organizations.sort(key=lambda a: (a.span or [0])[0])
    return doc


class NerMergeStage:
    """`merge_ner` as a pipeline stage (after the place and actor stages)."""

    name = "ner-merge"

    def __call__(self, doc: Doc) -> Doc:
        return merge_ner(doc)
