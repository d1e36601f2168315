"""Token features for the Arabic NER CRF.

Fast by design: everything that depends on one word only (normalized form,
clitic-stripped stem, prefixes/suffixes, shape, cluster ids, gazetteer and
trigger-word membership) is computed once per distinct word and cached; a
sentence then only concatenates cached tuples for the word and its neighbours
(-2..+2) and adds two bigrams and the multi-word gazetteer matches.

Resources (all external or unlabelled, so cross-validation does not leak):
``marsad/data/ner/gaz_loc.tsv`` (GeoNames / Natural Earth / CLDR place names),
``marsad/data/ner/clusters.tsv`` (word clusters from the unlabelled Al Mayadeen
corpus; its line order also gives each word's corpus frequency rank, see
`_corpus_stats`), the person and organization names of the actor lexicon
(``marsad/data/actors``, see `_actor_names`), and the small hand-written trigger and
first-name lists below.
The same function computes the features at training and at tagging time.

The features come in two parts, which is what lets `marsad.ner.crf` score a
document numerically without building a string list per token:

* `word_features(tok)` -> `WordFeatures`: what depends on one word only: the
  token's own attributes, and the attributes it gives to its neighbours
  (``shared``, added to the token d positions away under the prefix of d in
  `CONTEXT`: the "-1:w=..." attributes go to the next token, d = +1; the scorer
  looks each shared attribute up once for all four neighbours).
* `position_features(keys)`: what depends on the sequence (bigrams, sentence
  edges, multi-word gazetteer matches), from each word's small ``key``
  (the scorer adds the bigrams, `PAIRS`, and sentence edges, `EDGES`, as arrays
  and asks `span_attributes` only for the name matches).

`sent_features` (training and the reference tagger) is exactly their sum, so
new features go in one of the two and both training and tagging see them.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from marsad.text.normalize import normalize
from marsad.text.segment import clitic_stems, strip_enclitic

DATA = Path(__file__).resolve().parent.parent / "data" / "ner"
FEATURE_VERSION = 3
ACTORS = DATA.parent / "actors"

def _word_lists() -> dict[str, set[str]]:
    """Hand-written feature word lists from marsad/data/ner/feature_words.tsv."""
    lists: dict[str, set[str]] = {}
    for line in (DATA / "feature_words.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, word = line.split("\t")
            lists.setdefault(name, set()).add(word)
    return lists


_LISTS = _word_lists()
PERS_TITLES = _LISTS["PERS_TITLES"]  # "الرئيس", "الشيخ" before a person
ORG_HEADS = _LISTS["ORG_HEADS"]  # "حزب", "وزارة" opening an organization name
LOC_TRIGGERS = _LISTS["LOC_TRIGGERS"]  # "مدينة", "محافظة" before a place
FIRST_NAMES = _LISTS["FIRST_NAMES"]  # "محمد", "جورج"
NATIONALITY_SUFFIX = ("ي", "يه", "يون", "يين", "يان")
_FLAGGED: dict[str, list[str]] = {}  # word -> the flags of the lists it is in
for _flag, _words in (("ttl", PERS_TITLES), ("orgh", ORG_HEADS), ("loct", LOC_TRIGGERS), ("fn", FIRST_NAMES)):
    for _w in _words:
        _FLAGGED.setdefault(_w, []).append(_flag)

_DIGIT = re.compile(r"^[0-9٠-٩]+([.,٫][0-9٠-٩]+)*$")
_LATIN = re.compile(r"[A-Za-z]")
_ARABIC = re.compile(r"[\u0621-\u064A]")
_PUNCT = re.compile(r"^[^\w]+$", re.UNICODE)


def _load_tsv(name: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    path = DATA / name
    if not path.exists():
        return out
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            out[parts[0]] = parts[1:]
    return out


class Resources:
    """Gazetteer and cluster tables, loaded once per process."""

    def __init__(self) -> None:
        self.clusters = _load_tsv("clusters.tsv")
        # clusters.tsv lists the corpus vocabulary most frequent first: the line is the frequency rank
        self.rank = {w: i for i, w in enumerate(self.clusters)}
        gaz = _load_tsv("gaz_loc.tsv")
        self.gaz1: dict[str, str] = {}  # single-word names → tier
        self.gazm: dict[str, str] = {}  # multi-word names (space-joined) → tier
        self.gaz_first: set[str] = set()
        self.gaz_maxlen = 1
        lengths: dict[str, set[int]] = {}  # first word → word counts of the names it starts
        for name, rest in gaz.items():
            tier = rest[0] if rest else "1"
            toks = name.split(" ")
            if len(toks) == 1:
                self.gaz1[name] = tier
            else:
                self.gazm[name] = tier
                self.gaz_first.add(toks[0])
                lengths.setdefault(toks[0], set()).add(len(toks))
                self.gaz_maxlen = max(self.gaz_maxlen, len(toks))
        self.gaz_lengths = {w: tuple(sorted(ks, reverse=True)) for w, ks in lengths.items()}
        self.actor_names, self.actor_words = _actor_names()


def _bare(word: str) -> str:
    """The word without its article, as `word_features` computes "b=" ("الأسد" → "أسد")."""
    return word[2:] if word.startswith("ال") and len(word) > 4 else word


def _actor_names() -> tuple[dict[str, list[tuple[tuple[str, ...], str]]], dict[str, set[str]]]:
    """Person and organization names of the actor lexicon (marsad/data/actors: hand-written
    tables and the MIT-licensed UniversalPetrarch dictionaries), as bare normalized tokens.

    Returns (first token → [(tokens, "ap"|"ao"), longest first], word → attributes): "ap1"
    the first word of a person's name ("فيصل"), "ap2" a later one ("مقداد"), "ao" a word of
    an organization's name. These name lists are external to ANERcorp, so CV does not leak."""
    names: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    words: dict[str, set[str]] = {}
    for fname, tag in (("people.tsv", "ap"), ("people_petrarch.tsv", "ap"),
                       ("organizations.tsv", "ao"), ("organizations_petrarch.tsv", "ao")):
        path = ACTORS / fname
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line or line.startswith("#") or line.startswith("form\t"):
                continue
            toks = tuple(_bare(normalize(t)) for t in line.split("\t")[0].replace("_", " ").split())
            if not toks or any(len(t) < 2 for t in toks):
                continue
            names.setdefault(toks[0], []).append((toks, tag))
            for k, t in enumerate(toks):
                if len(t) < 3:  # "في", "بن": too common to say anything alone
                    continue
                words.setdefault(t, set()).add(tag + ("1" if k == 0 else "2") if tag == "ap" else tag)
    for first in names:
        names[first] = sorted(set(names[first]), key=lambda x: (-len(x[0]), x))
    return names, words


_RES: Resources | None = None


def resources() -> Resources:
    global _RES
    if _RES is None:
        _RES = Resources()
    return _RES


def reset_resources() -> None:
    """Reload data files (after the training command rebuilt them)."""
    global _RES
    _RES = None
    _word.cache_clear()


# the neighbours a word gives attributes to, (offset, prefix): its "-1:w=..." goes to the next token
CONTEXT = ((2, "-2:"), (1, "-1:"), (-1, "+1:"), (-2, "+2:"))


class WordFeatures(NamedTuple):
    """The attributes one word contributes, wherever it stands (see the module docstring)."""

    own: tuple[str, ...]  # attributes of the token itself
    shared: tuple[str, ...]  # given to each neighbour of CONTEXT, under that neighbour's prefix
    key: tuple  # what `position_features` needs of this word: (normalized form, bare stem, form without ال)

    @property
    def context(self) -> tuple[tuple[int, tuple[str, ...]], ...]:
        """(d, attributes of the token d positions away), the prefixed `shared` attributes."""
        return tuple((d, tuple(p + x for x in self.shared)) for d, p in CONTEXT)


_LETTERS_ONLY = re.compile(r"[\u0621-\u064A]+\Z")  # the common case, decided in one match


def _shape(tok: str) -> str:
    if _LETTERS_ONLY.match(tok):
        return "ar"
    if _DIGIT.match(tok):
        return "num"
    if _PUNCT.match(tok):
        return "punct"
    lat = bool(_LATIN.search(tok))
    ar = bool(_ARABIC.search(tok))
    if lat and ar:
        return "mixed"
    if lat:
        return "latin" + ("C" if tok[:1].isupper() else "l")
    if any(c.isdigit() for c in tok):
        return "alnum"
    return "ar"


def _corpus_stats(r: Resources, n: str, stem: str, bare: str) -> list[str]:
    """Unlabelled-corpus evidence that generalizes to unseen names: the word's frequency band
    (common words are rarely names) and how its forms with and without the article compare:
    a person's name is almost never written with ال ("محمد", never "المحمد"), a common noun is
    both ("حزب" / "الحزب"). Bands of log2 frequency rank and of log2 rank ratio."""
    out = []
    rk = r.rank.get(n, r.rank.get(stem))
    if rk is not None:
        out.append("fr=" + str(min(int(math.log2(rk + 1)), 16)))
    base = _bare(n)  # the whole word when the corpus knows it ("واشنطن", not و+"اشنطن")
    if base in r.rank or "ال" + base in r.rank:
        bare = base
    if len(bare) >= 3 and _ARABIC.search(bare):
        plain, with_al = r.rank.get(bare), r.rank.get("ال" + bare)
        if plain is not None and with_al is None:
            out.append("alr=none")
        elif plain is None and with_al is not None:
            out.append("alr=only")
        elif plain is not None:
            out.append("alr=" + str(max(-4, min(4, round(math.log2((plain + 1) / (with_al + 1)))))))
    return out


def word_features(tok: str) -> WordFeatures:
    """Own attributes; context attributes given to the tokens 2 and 1 after (as "-2:", "-1:")
    and 1 and 2 before (as "+1:", "+2:"); key (normalized form, bare stem)."""
    r = resources()
    n = normalize(tok)
    if n == tok:
        n = tok  # one string object, not two equal ones, in the scorer's cache
    shape = _shape(n)
    readings = clitic_stems(n) if shape == "ar" and len(n) > 2 else [(0, n)]
    # the stem: first stripped reading that is a known word, else the longest strip
    stem, pre = n, ""
    known = None
    for plen, s in readings[1:]:
        if s in r.clusters or s in r.gaz1:
            known = (plen, s)
            break
    if known:
        stem, pre = known[1], n[: known[0]]
    elif len(readings) > 1 and n not in r.clusters:
        stem, pre = readings[1][1], n[: readings[1][0]]
    bare = stem[2:] if stem.startswith("ال") and len(stem) > 4 else stem
    encl = strip_enclitic(bare)
    f = ["bias", "w=" + n, "s=" + stem, "b=" + bare, "pre=" + pre, "sh=" + shape,
         "p2=" + n[:2], "p3=" + n[:3], "x1=" + n[-1:], "x2=" + n[-2:], "x3=" + n[-3:],
         "bx2=" + bare[-2:], "bp2=" + bare[:2], "len=" + str(min(len(n), 8))]
    if tok != n:
        f.append("raw=" + tok)
    if shape == "ar" and len(bare) > 3:
        f += ["g3=" + bare[i:i + 3] for i in range(1, len(bare) - 3)]
    if encl:
        f.append("enc=" + encl[-1])
    if n.startswith("ال") or stem.startswith("ال"):
        f.append("al")
    if bare.endswith(NATIONALITY_SUFFIX):
        f.append("natsuf")
    cl = r.clusters.get(n) or r.clusters.get(stem) or r.clusters.get(bare)
    ctx = ["w=" + n, "s=" + bare]
    if cl:
        f += ["c64=" + cl[0], "c256=" + cl[1], "c1k=" + cl[2]]
        ctx += ["c64=" + cl[0], "c256=" + cl[1], "c1k=" + cl[2]]
    else:
        f.append("oov")
        ctx.append("oov")
    f += _corpus_stats(r, n, stem, bare)
    g = r.gaz1.get(n) or r.gaz1.get(stem) or r.gaz1.get(bare)
    if g:
        f.append("gz" + g)
        ctx.append("gz" + g)
    # the whole word and its stripped forms: "فيصل" is also read as ف+"يصل"
    aw = set().union(*(r.actor_words.get(x, ()) for x in {n, _bare(n), bare}))
    if aw:
        aw_sorted = sorted(aw)
        f += aw_sorted
        ctx += aw_sorted
    if n in _FLAGGED or stem in _FLAGGED or bare in _FLAGGED:
        flags = sorted({flag for x in (n, stem, bare) for flag in _FLAGGED.get(x, ())})
        f += flags
        ctx += flags
    ctx.append("sh=" + shape)
    return WordFeatures(tuple(f), tuple(ctx), (n, bare, _bare(n)))


# training reads each word many times; ~3 KB of strings per word bounds this cache to about 60 MB
_word = lru_cache(maxsize=20_000)(word_features)


def _gaz_spans(norms: list[str], stems: list[str]) -> list[str | None]:
    """B/I tags of multi-word gazetteer matches (longest first, left to right)."""
    r = resources()
    out: list[str | None] = [None] * len(norms)
    first = r.gaz_first
    if first.isdisjoint(norms) and first.isdisjoint(stems):
        return out
    n = len(norms)
    nxt = 0  # first position not inside an earlier match
    for i in [i for i in range(n) if norms[i] in first or stems[i] in first]:
        if i < nxt:
            continue
        firsts = [x for x in (norms[i], stems[i]) if x in first]
        # only the lengths of names that start with this word, longest first
        for k in sorted({k for f in firsts for k in r.gaz_lengths[f] if k <= n - i}, reverse=True):
            rest = " ".join(norms[i + 1: i + k])
            tier = next((t for t in (r.gazm.get(f + " " + rest) for f in firsts) if t), None)
            if tier:
                out[i] = "gmB" + tier
                for j in range(i + 1, i + k):
                    out[j] = "gmI" + tier
                nxt = i + k
                break
    return out


def _actor_spans(keys: list[tuple]) -> list[str | None]:
    """B/I tags of actor-lexicon names over the bare forms ("apB" "apI" on "فيصل المقداد",
    "aoB" "aoI" "aoI" on "منظمة الصحة العالمية"), longest first, left to right. A word is read
    as its normalized form, that form without the article and its bare stem (key[0], key[2],
    key[1]): "فيصل" is also read as ف+"يصل"."""
    names = resources().actor_names
    n = len(keys)
    out: list[str | None] = [None] * n
    i = 0
    while i < n:
        norm, bare, norm_bare = keys[i]
        if norm not in names and bare not in names and norm_bare not in names:  # most words start no name
            i += 1
            continue
        hits = [names[x] for x in {norm, norm_bare, bare} if x in names]
        # each list is sorted already (longest first), so one list needs no merge
        cands = hits[0] if len(hits) == 1 else sorted((c for h in hits for c in h), key=lambda x: (-len(x[0]), x))
        for toks, tag in cands:
            k = len(toks)
            if i + k <= n and all(t in keys[i + j] for j, t in enumerate(toks)):
                out[i] = tag + "B"
                for j in range(i + 1, i + k):
                    out[j] = tag + "I"
                i += k
                break
        else:
            i += 1
    return out


# a bigram attribute is its prefix, the two words and "|" between them ("bg-=قال|الرئيس"), over the
# words' normalized forms (key[0]); (prefix, 0) goes to the first word of the pair, (prefix, 1) to the second
PAIRS = (("bg-=", 1), ("bg+=", 0))
PAIR_PREFIXES = tuple(p for p, _ in PAIRS)
# sentence-edge attributes by position: from the start (>= 0) or from the end (< 0), where it exists
EDGES = (("BOS", 0), ("BOS-1", 1), ("EOS+1", -2), ("EOS", -1))


def span_attributes(keys: list[tuple]) -> list[tuple[int, str]]:
    """(token, attribute) of the multi-word gazetteer and actor-name matches of a sentence, in the
    order `position_attributes` gives them."""
    gm = _gaz_spans([k[0] for k in keys], [k[1] for k in keys])
    am = _actor_spans(keys)
    return [(i, tag) for i, (g, a) in enumerate(zip(gm, am)) for tag in (g, a) if tag]


def position_attributes(keys: list[tuple]) -> list[list]:
    """`position_features` with each bigram left as a (prefix, word, word) tuple."""
    n = len(keys)
    norms = [k[0] for k in keys]
    gm = _gaz_spans(norms, [k[1] for k in keys])
    am = _actor_spans(keys)
    out = []
    prev = None
    for i, norm in enumerate(norms):
        if i >= 1:
            f = [("bg-=", prev, norm), "BOS-1"] if i < 2 else [("bg-=", prev, norm)]
        else:
            f = ["BOS"]
        if i + 1 < n:
            f.append(("bg+=", norm, norms[i + 1]))
            if i + 2 >= n:
                f.append("EOS+1")
        else:
            f.append("EOS")
        if gm[i]:
            f.append(gm[i])
        if am[i]:
            f.append(am[i])
        out.append(f)
        prev = norm
    return out


def position_features(keys: list[tuple]) -> list[list[str]]:
    """Attributes that depend on the sequence: bigrams with the neighbours, sentence edges
    ("BOS", "BOS-1" on the first two tokens, "EOS+1", "EOS" on the last two), multi-word
    gazetteer matches ("gmB1" "gmI1" on "جنوب لبنان"), actor-lexicon name matches ("apB" "apI")."""
    return [[x if isinstance(x, str) else x[0] + x[1] + "|" + x[2] for x in f] for f in position_attributes(keys)]


def sent_features(tokens: list[str]) -> list[list[str]]:
    """Feature lists (crfsuite attribute names) for one sentence of raw tokens: each token's
    own attributes, those its neighbours give it, then the position attributes."""
    words = [_word(t) for t in tokens]
    n = len(words)
    out = [list(w.own) for w in words]
    context = [w.context for w in words]
    for i in range(n):  # neighbours in text order: i-2, i-1, i+1, i+2
        for j in (i - 2, i - 1, i + 1, i + 2):
            if 0 <= j < n:
                for d, attrs in context[j]:
                    if j + d == i:
                        out[i] += attrs
    for f, extra in zip(out, position_features([w.key for w in words])):
        f += extra
    return out
