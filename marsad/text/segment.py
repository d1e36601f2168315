"""Sentence and token segmentation with clitic handling, offsets into the original.

Sentences end at . ! ? ؟ ; or a line break ("...وسط البلاد. وقال" → two sentences).
Tokens are runs of letters/digits; each token keeps its original span and its
normalized form. Arabic attaches conjunctions, prepositions and the article to
the word ("وبالمدينة" = و+ب+ال+مدينة) and pronouns after it ("بلاده" = بلاد+ه):
`clitic_stems` lists the readings a lexicon lookup should try, longest first.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from marsad.text.normalize import normalize_word

_SENT_END = re.compile(r"[.!?؟;؛]+(?=[\s\"'”»)\]]|$)|\n+")
# letters and digits plus Arabic diacritics and tatweel, but not Arabic punctuation (، ؛ ؟)
_TOKEN = re.compile(r"[\w\u0640\u064B-\u065F\u0670]+", re.UNICODE)

# proclitic chains, longest first: "وبال" in "وبالمدينة", "لل" in "للتجنيد" (ل + ال)
PROCLITICS = ("وبال", "وكال", "فبال", "وال", "فال", "بال", "كال", "ولل", "فلل", "لل", "وب", "ول", "فب", "فل", "وس", "و", "ف", "ب", "ل", "ك", "ال", "س")
# enclitic pronouns: "بلاده" (his country), "سيطرتها" (its control), "قواتهم". Not ي: in news it is
# far more often the nisba ending ("الاجتماعي" social) than "my".
ENCLITICS = ("هما", "كما", "هم", "هن", "ها", "كم", "نا", "ه", "ك")
# the same, grouped by the letter a word must start (end) with to carry them, in the same order
_PROCLITICS_BY_FIRST = {c: tuple(p for p in PROCLITICS if p[0] == c) for c in {p[0] for p in PROCLITICS}}
_ENCLITICS_BY_LAST = {c: tuple(s for s in ENCLITICS if s[-1] == c) for c in {s[-1] for s in ENCLITICS}}


class Token(NamedTuple):
    """A word with its original span and normalized form; immutable (a named tuple: a document makes
    thousands, and a tuple is made at half the cost of a frozen dataclass)."""

    start: int
    end: int
    text: str
    norm: str


def sentences(text: str, skip: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """Sentence spans, trimmed of whitespace, leaving out the `skip` spans (boilerplate)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENT_END.finditer(text):
        end = m.end() if m.group().strip() else m.start()
        _add_trimmed(text, pos, end, spans)
        pos = m.end()
    _add_trimmed(text, pos, len(text), spans)
    if skip:
        spans = [s for s in spans if not any(a <= s[0] and s[1] <= b for a, b in skip)]
    return spans


def _add_trimmed(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and any(c.isalnum() for c in text[start:end]):
        out.append((start, end))


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Word tokens of text[start:end] with original spans and normalized forms. Two words that lost
    the space between them in the source page ("مصادرالميادين") are two tokens (`glued_split`)."""
    end = len(text) if end is None else end
    out = []
    append = out.append
    normalized = normalize_word.cache  # its current generation read inline: one dict look-up per known word
    for m in _TOKEN.finditer(text, start, end):
        word, a = m.group(), m.start()
        cut = glued_split(word) if len(word) >= GLUED_MIN else None
        if cut:
            append(Token(a, a + cut, word[:cut], normalize_word(word[:cut])))
            append(Token(a + cut, m.end(), word[cut:], normalize_word(word[cut:])))
        else:
            norm = normalized.current.get(word)
            append(Token(a, m.end(), word, normalize_word(word) if norm is None else norm))
    return out


GLUED_MIN = 6
# free-standing words that a lost space glues to the word before them ("المقاومةفي")
GLUED_TAILS = ("في", "من", "على", "الى", "إلى", "عن", "مع")
# wordfreq Zipf of each part: both must be ordinary words ("في" 6.9, "مصادر" 4.4, "الميادين" 3.4),
# while the glued whole is not a known word; a clitic form such as "نختارهما" is never cut, since its
# tail "هما" is not a word that follows a space-less join in these pages
GLUED_PART_ZIPF = 3.0
_MARKS = re.compile("[\u0640\u064b-\u0652]")  # tatweel and harakat, as wordfreq drops them
_LETTERS_AND_MARKS = re.compile("[\u0621-\u064a\u064b-\u0652]*\\Z")


def glued_cuts(word: str) -> list[int]:
    """Candidate cuts of a word: before an "ال" inside it, or before a free preposition at its end,
    leaving out cuts whose head is a clitic chain ("وال" + "مدينة" is one word)."""
    cuts = [i for i in range(2, len(word) - 2) if word.startswith("ال", i)]
    cuts += [len(word) - len(t) for t in GLUED_TAILS if word.endswith(t) and len(word) - len(t) >= 3]
    return [i for i in cuts if word[:i] not in PROCLITICS and normalize_word(word[:i]) not in PROCLITICS]


@lru_cache(maxsize=1)
def _word_lists() -> tuple[dict[str, float], frozenset[str]]:
    """Common Arabic words with their Zipf value, and known words that only look joined
    (marsad/data/text, built from wordfreq by scripts/build_word_lists.py)."""
    import gzip

    from marsad.data import data_path

    common: dict[str, float] = {}
    with gzip.open(data_path("text", "common_words.tsv.gz"), "rt", encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                w, z = line.rstrip("\n").split("\t")
                common[w] = float(z)
    with open(data_path("text", "joined_words.txt"), encoding="utf-8") as f:
        joined = frozenset(line.strip() for line in f if line.strip() and not line.startswith("#"))
    return common, joined


def word_zipf(word: str) -> float:
    """wordfreq Zipf of a word as written (0 for a word not among the common ones)."""
    return _word_lists()[0].get(word, 0.0)


# bounded small: the look-ups are cheap, and a cache of every long word of a large corpus grew by ~10 MB
@lru_cache(maxsize=16_384)
def glued_split(word: str) -> int | None:
    """Where a run of letters is two words joined by a lost space, the length of the first word.

    Pages scraped without the space that a tag or line break gave ("إلىالميادين", "مصادرالميادين",
    "المقاومةفي") read as one unknown word, so no lexicon, gazetteer or model sees either word. A cut is
    made only when the whole is not a known Arabic word and both parts are common words (wordfreq
    Zipf ≥ 3), and only before the article "ال" or before a free preposition, where a space-less join
    shows."""
    if not _LETTERS_AND_MARKS.match(word):
        return None
    bare = _MARKS.sub("", word)
    common, joined = _word_lists()
    if bare in common or bare in joined:
        return None
    best = None
    for i in glued_cuts(word):
        z = min(common.get(_MARKS.sub("", word[:i]), 0.0), common.get(_MARKS.sub("", word[i:]), 0.0))
        if z >= GLUED_PART_ZIPF and (best is None or z > best[0]):
            best = (z, i)
    return best[1] if best else None


def clitic_stems(norm_token: str, min_stem: int = 2) -> list[tuple[int, str]]:
    """(prefix length, stem) readings of a normalized token, the token itself first.

    "والرستن" → [(0, "والرستن"), (3, "رستن"), (1, "الرستن"), ...]; callers keep the
    first reading their lexicon knows. Prefix length counts normalized characters.
    """
    out = [(0, norm_token)]
    seen = {norm_token}
    for p in _PROCLITICS_BY_FIRST.get(norm_token[:1], ()):
        if norm_token.startswith(p) and len(norm_token) - len(p) >= min_stem:
            stem = norm_token[len(p):]
            if stem not in seen:
                seen.add(stem)
                out.append((len(p), stem))
    return out


def strip_enclitic(norm_stem: str, min_stem: int = 3) -> list[str]:
    """Stems with a pronoun suffix removed: "سيطرتها" → ["سيطرت"] (ت from ة before a suffix)."""
    out = []
    for s in _ENCLITICS_BY_LAST.get(norm_stem[-1:], ()):
        if norm_stem.endswith(s) and len(norm_stem) - len(s) >= min_stem:
            base = norm_stem[: -len(s)]
            out.append(base[:-1] + "ه" if base.endswith("ت") else base)
            out.append(base)
    return out
