"""Reported speech and attribution chains: who said what, through whom.

"وقال مصدر مطلع لصحيفة نيويورك تايمز الأمريكية إن ..." gives a statement with
speaker "مصدر مطلع" (anonymous), via "صحيفة نيويورك تايمز الأمريكية" and the
quote from after "إن" to the end of the sentence. "وأضاف: “...”" continues the
previous speaker. "بحسب الصحيفة" attributes a sentence to the last outlet named
with that noun. Cue words live in marsad/data/events/speech.tsv.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from marsad.data import data_path
from marsad.doc import Doc
from marsad.records import Actor, Attribution, Statement
from marsad.text.cache import cached, key_size
from marsad.text.lexicon import read_tsv, readings, table_lexicon
from marsad.text.segment import Token, clitic_stems
from marsad.text.spans import MentionIndex

_QUOTE = re.compile(r"[“\"«]([^”\"»]{3,}?)[”\"»]")
_STOP_PUNCT = set("،,:؛;()")
MAX_SPEAKER = 8
MAX_VIA = 6


def _lex(role: str):
    return table_lexicon("events", "speech.tsv", role_col=1, role=role)


@lru_cache(maxsize=1)
def _role_index() -> dict[str, frozenset]:
    """Normalized form -> the roles of speech.tsv it has (the forms of each role's lexicon)."""
    roles = {row[1] for row in read_tsv(data_path("events", "speech.tsv")) if len(row) > 1}
    index: dict[str, set] = {}
    for role in roles:
        for form in _lex(role).index:
            index.setdefault(form, set()).add(role)
    return {form: frozenset(rs) for form, rs in index.items()}


_ROLE_SETS: dict[frozenset, frozenset] = {}  # one object per distinct set of roles


@cached(4 * 2**20, size=key_size)
def _roles_of(norm: str) -> frozenset:
    """The roles of a token: those of any of its readings, as `_lex(role).has(norm)` answers for each
    role; every check of a token is then one set test (they run for every token of every sentence)."""
    index = _role_index()
    roles = frozenset().union(*(index[r] for r in readings(norm) if r in index))
    return _ROLE_SETS.setdefault(roles, roles)


def _is(role: str, tok: Token) -> bool:
    return role in _roles_of(tok.norm)


def _media_token(tok: Token) -> bool:
    """"لصحيفة", "شبكة", "وكالة" ...: an outlet noun, possibly with a proclitic."""
    return "media" in _roles_of(tok.norm)


@dataclass
class _Cursor:
    """Tokens of one sentence plus the original text, for punctuation checks between tokens."""

    doc: Doc
    toks: list[Token]

    def gap(self, i: int) -> str:
        """Original characters between token i-1 and token i."""
        return self.doc.text[self.toks[i - 1].end:self.toks[i].start] if i > 0 else ""

    def phrase_end(self, i: int, limit: int, stop) -> int:
        """Index after the phrase starting at token i: stops at punctuation, a stop word or `limit` tokens."""
        j = i
        while j < len(self.toks) and j - i < limit:
            if j > i and any(c in _STOP_PUNCT for c in self.gap(j)):
                break
            if stop(self.toks[j]):
                break
            j += 1
        return j


class SpeechExtractor:
    name = "speech"

    def __call__(self, doc: Doc) -> Doc:
        previous: Statement | None = None
        outlets: list[str] = []  # outlets named so far, for "بحسب الصحيفة"
        for s, e in doc.sentences:
            cur = _Cursor(doc, doc.tokens_between(s, e))
            for st in self._sentence(doc, cur, (s, e), previous, outlets):
                doc.statements.append(st)
                previous = st
        return doc

    def _sentence(self, doc: Doc, cur: _Cursor, sent: tuple[int, int], previous, outlets) -> list[Statement]:
        out = []
        toks = cur.toks
        for i, tok in enumerate(toks[:-1]):
            if not _is("verb", tok):
                continue
            # a speech verb deep in a clause is rarely the frame, unless a clause opener precedes it:
            # "..., فيما كشفت الشبكة السورية عن ..."
            if i > 6 and not tok.norm.startswith(("و", "ف")) and not _is("opener", toks[i - 1]):
                continue
            st = self._statement(doc, cur, i, sent, previous, outlets)
            if st:
                out.append(st)
                previous = st
        return out

    def _statement(self, doc, cur: _Cursor, i: int, sent, previous, outlets) -> Statement | None:
        toks = cur.toks
        stop = lambda t: _is("complement", t) or _media_token(t) and t.norm[:1] == "ل" or t.norm in ("عن", "الي")
        colon = _colon_before_quote(doc, cur, i, sent)
        j = colon if colon is not None else cur.phrase_end(i + 1, MAX_SPEAKER, stop)
        via, k = self._via(cur, j, outlets)
        # "نقلت شبكة بلومبرج عن مصدر ...": the outlet is the subject, the speaker follows "عن"
        relays = toks[i].norm.lstrip("وف").startswith(("نقل", "تنقل", "ينقل"))
        if relays and j > i + 1 and _media_token(toks[i + 1]) and j < len(toks) and toks[j].norm == "عن":
            via = doc.text[toks[i + 1].start:toks[j - 1].end]
            outlets.append(via)
            i2 = j
            j = cur.phrase_end(j + 1, MAX_SPEAKER, stop)
            speaker_start = i2 + 1
        else:
            speaker_start = i + 1
        quote_span = self._quote(doc, cur, max(j, k), sent)
        if quote_span is None:
            return None
        via = via or self._aside_source(doc, cur, i, quote_span[0])
        if j > speaker_start:
            sp = (toks[speaker_start].start, toks[j - 1].end)
            speaker_text = doc.text[sp[0]:sp[1]]
            actor = _actor_in(doc, sp)
            anonymous = _is("anonymous", toks[speaker_start]) and not (actor and actor.kind == "person")
        elif previous is not None and _is("continue", toks[i]):
            speaker_text, actor, anonymous = previous.speaker, previous.speaker_actor, previous.anonymous
            via = via or previous.via
        else:
            return None
        return Statement(speaker=(actor.name if actor and actor.name and not anonymous else speaker_text),
                         speaker_actor=actor, via=via, anonymous=anonymous,
                         quote=doc.text[quote_span[0]:quote_span[1]], quote_span=list(quote_span),
                         span=[toks[i].start, toks[i].end])

    def _via(self, cur: _Cursor, j: int, outlets: list[str]) -> tuple[str | None, int]:
        """'لصحيفة نيويورك تايمز' right after the speaker → (outlet text, index after it)."""
        toks = cur.toks
        if j < len(toks) and _media_token(toks[j]) and toks[j].norm[:1] == "ل":
            k = cur.phrase_end(j, MAX_VIA, lambda t: _is("complement", t) or t.norm == "عن")
            via = cur.doc.text[toks[j].start + 1:toks[k - 1].end]  # without the "ل"
            outlets.append(via)
            return via, k
        return None, j

    def _aside_source(self, doc: Doc, cur: _Cursor, i: int, quote_start: int) -> str | None:
        """"أكد مسؤولون، بحسب الصحيفة، أن ...": the outlet named in an aside before the quote."""
        for k in range(i + 1, len(cur.toks) - 1):
            t = cur.toks[k]
            if t.start >= quote_start:
                break
            if _is("source", t):
                nxt = cur.toks[k + 1]
                end = cur.phrase_end(k + 1, 4, lambda x: _is("complement", x))
                return _resolve_outlet(doc, doc.text[nxt.start:cur.toks[end - 1].end], nxt)
        return None

    def _quote(self, doc: Doc, cur: _Cursor, j: int, sent) -> tuple[int, int] | None:
        """The quote: a quoted passage after the verb, else the clause after "إن/أن", else after ":"."""
        toks = cur.toks
        after = toks[j - 1].end if j > 0 else sent[0]
        m = _QUOTE.search(doc.text, after, sent[1] + 2)
        if m and m.start() - after < 40:
            return m.start(1), m.end(1)
        # skip a short aside before the complement: "أكد مسؤولون، بحسب الصحيفة، أن ..."
        j = next((k for k in range(j, min(len(toks), j + 5)) if _is("complement", toks[k])), j)
        if j < len(toks) and _is("complement", toks[j]) and j + 1 < len(toks):
            start = toks[j + 1].start
            end = sent[1]
            while end > start and doc.text[end - 1] in ".،, ”\"»":
                end -= 1
            return (start, end) if end > start else None
        if ":" in doc.text[after:toks[j].start if j < len(toks) else sent[1]] and j < len(toks):
            return toks[j].start, sent[1]
        return None


def _colon_before_quote(doc: Doc, cur: _Cursor, i: int, sent) -> int | None:
    """'وقال حسن عبد الغني الناطق باسم ...: “...”': index of the first token after the colon."""
    for j in range(i + 1, min(len(cur.toks), i + 26)):
        if ":" in cur.gap(j):
            return j
    return None


def _actor_in(doc: Doc, span: tuple[int, int]) -> Actor | None:
    found = MentionIndex.of(doc).actors.starting_in(span[0], span[1])
    return found[0] if found else None


def source_attributions(doc: Doc, start: int, end: int) -> list[Attribution]:
    """Attribution of the words doc.text[start:end]: statements whose quote covers them,
    plus "بحسب X" / "وفقاً لـ X" in the same sentence."""
    out: list[Attribution] = []
    ix = MentionIndex.of(doc)
    for st in ix.quotes.around(end - 2, start + 1):  # quotes from before `start` to `end` - 1 or later
        qs = st.quote_span
        if qs[0] <= start and end <= qs[1] + 1:
            out.append(Attribution(speaker=st.speaker, via=st.via, anonymous=st.anonymous, span=st.span))
    si = ix.sentence_of(start)
    if si >= 0:
        for t, via_start, via_end in _source_phrases(doc, si):
            via = _resolve_outlet(doc, doc.text[via_start:via_end], t.next)
            out.append(Attribution(speaker=None, via=via, anonymous=False, span=[t.word.start, t.word.end]))
    return out


@dataclass(frozen=True)
class _SourceWord:
    word: Token  # "بحسب", "وفقاً"
    next: Token  # the first word of who is cited


def _source_phrases(doc: Doc, si: int) -> list[tuple[_SourceWord, int, int]]:
    """"بحسب ما أفاد مراسلون", "وفقاً لوكالة رويترز" in sentence si: (source word, start, end of the cited);
    once per sentence (the event stage asks for each trigger)."""
    s, e = doc.sentences[si]
    key = (si, s, e)
    memo = doc.__dict__.setdefault("_source_phrases", {})  # (a Doc pickled before the field had none)
    cached = memo.get(key)
    if cached is None:
        cached = memo[key] = _find_source_phrases(doc, s, e)
    return cached


def _find_source_phrases(doc: Doc, s: int, e: int) -> list[tuple[_SourceWord, int, int]]:
    toks = doc.tokens_between(s, e)
    out = []
    for i, t in enumerate(toks[:-1]):
        if _is("source", t):
            k = i + 1
            if toks[k].norm in ("ل", "عن") and k + 1 < len(toks):
                k += 1
            k2 = _Cursor(doc, toks).phrase_end(k, 4, lambda x: _is("complement", x))
            out.append((_SourceWord(t, toks[k]), toks[k].start, toks[k2 - 1].end))
    return out


def source_spans(doc: Doc, si: int) -> list[tuple[int, int]]:
    """Where sentence si names who a report is attributed to ("بحسب ما أفاد مراسلون"): the reporter
    there is the source, never a participant of the events the sentence tells."""
    return [(w.word.start, end) for w, _start, end in _source_phrases(doc, si)]


def _resolve_outlet(doc: Doc, via: str, tok: Token) -> str:
    """"الصحيفة" alone → the last "صحيفة X" named before it."""
    stems = {s for _, s in clitic_stems(tok.norm)}
    if len(via.split()) == 1 and stems & {"الصحيفه", "الوكاله", "الشبكه", "القناه"}:
        noun = (stems & {"الصحيفه", "الوكاله", "الشبكه", "القناه"}).pop()[2:]
        for st in reversed(doc.statements):
            if st.via and st.span and st.span[0] < tok.start and noun in st.via.replace("ة", "ه"):
                return st.via
    return via
