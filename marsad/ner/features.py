"""Token features for the Arabic NER CRF.

Fast by design: everything that depends on one word only (normalized form,
clitic-stripped stem, prefixes/suffixes, shape, cluster ids, gazetteer and
trigger-word membership) is computed once per distinct word and cached; a
sentence then only concatenates cached tuples for the word and its neighbours
(-2..+2) and adds two bigrams and the multi-word gazetteer matches.

Resources (all external or unlabelled, so cross-validation does not leak):
``marsad/data/ner/gaz_loc.tsv`` (GeoNames / Natural Earth / CLDR place names),
``marsad/data/ner/clusters.tsv`` (word clusters from the unlabelled Al Mayadeen
corpus), and the small hand-written trigger and first-name lists below.
The same function computes the features at training and at tagging time.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from marsad.text.normalize import normalize
from marsad.text.segment import clitic_stems, strip_enclitic

DATA = Path(__file__).resolve().parent.parent / "data" / "ner"
FEATURE_VERSION = 1

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
        gaz = _load_tsv("gaz_loc.tsv")
        self.gaz1: dict[str, str] = {}  # single-word names → tier
        self.gazm: dict[str, str] = {}  # multi-word names (space-joined) → tier
        self.gaz_first: set[str] = set()
        self.gaz_maxlen = 1
        for name, rest in gaz.items():
            tier = rest[0] if rest else "1"
            toks = name.split(" ")
            if len(toks) == 1:
                self.gaz1[name] = tier
            else:
                self.gazm[name] = tier
                self.gaz_first.add(toks[0])
                self.gaz_maxlen = max(self.gaz_maxlen, len(toks))


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


def _shape(tok: str) -> str:
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


@lru_cache(maxsize=60_000)  # ~3 KB of feature strings per word: bounds the cache to about 200 MB
def _word(tok: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...], str, str]:
    """(own features, context features for offsets -2,-1,+1,+2, normalized form, stem)."""
    r = resources()
    n = normalize(tok)
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
    g = r.gaz1.get(n) or r.gaz1.get(stem) or r.gaz1.get(bare)
    if g:
        f.append("gz" + g)
        ctx.append("gz" + g)
    flags = []
    for s in (n, stem, bare):
        if s in PERS_TITLES:
            flags.append("ttl")
        if s in ORG_HEADS:
            flags.append("orgh")
        if s in LOC_TRIGGERS:
            flags.append("loct")
        if s in FIRST_NAMES:
            flags.append("fn")
    flags = sorted(set(flags))
    f += flags
    ctx += flags
    ctx.append("sh=" + shape)
    ctx_t = tuple(ctx)
    offs = tuple(tuple(p + x for x in ctx_t) for p in ("-2:", "-1:", "+1:", "+2:"))
    return tuple(f), offs, n, bare


def _gaz_spans(norms: list[str], stems: list[str]) -> list[str | None]:
    """B/I tags of multi-word gazetteer matches (longest first, left to right)."""
    r = resources()
    out: list[str | None] = [None] * len(norms)
    i, n = 0, len(norms)
    while i < n:
        matched = 0
        firsts = [x for x in (norms[i], stems[i]) if x in r.gaz_first]
        if firsts:
            for k in range(min(r.gaz_maxlen, n - i), 1, -1):
                rest = " ".join(norms[i + 1: i + k])
                for first in firsts:
                    tier = r.gazm.get(first + " " + rest)
                    if tier:
                        matched = k
                        out[i] = "gmB" + tier
                        for j in range(i + 1, i + k):
                            out[j] = "gmI" + tier
                        break
                if matched:
                    break
        i += matched or 1
    return out


def sent_features(tokens: list[str]) -> list[list[str]]:
    """Feature lists (crfsuite attribute names) for one sentence of raw tokens."""
    words = [_word(t) for t in tokens]
    n = len(words)
    gm = _gaz_spans([w[2] for w in words], [w[3] for w in words])
    out = []
    for i, (own, _, norm, _) in enumerate(words):
        f = list(own)
        if i >= 1:
            f += words[i - 1][1][1]
            f.append("bg-=" + words[i - 1][2] + "|" + norm)
            if i >= 2:
                f += words[i - 2][1][0]
            else:
                f.append("BOS-1")
        else:
            f.append("BOS")
        if i + 1 < n:
            f += words[i + 1][1][2]
            f.append("bg+=" + norm + "|" + words[i + 1][2])
            if i + 2 < n:
                f += words[i + 2][1][3]
            else:
                f.append("EOS+1")
        else:
            f.append("EOS")
        if gm[i]:
            f.append(gm[i])
        out.append(f)
    return out
