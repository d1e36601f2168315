"""Pipeline stage 'places': place names → GeoNames-resolved `Place` records.

The gazetteer (marsad/data/geo/, built by scripts/build_gazetteer.py) maps
normalized Arabic names to GeoNames places. Matching runs over the Doc's word
tokens, longest name first (up to 5 words: "دير الزور", "الولايات المتحدة
الأمريكية"), trying each token as written before stripping attached
proclitics, so "لبنان" is Lebanon, not ل + "بنان", while "وحلب" is و + حلب.

Precision (ACLED geo_precision) comes from the trigger word in front of the
name (data file triggers.tsv): "محافظة إدلب" → Idlib Governorate, 3;
"ريف حماة" → Hama Governorate, 2; "أطراف مدينة حمص" → Homs, 2; a bare town → 1.

Ambiguous names are ranked by: explicit override (overrides.tsv), a country
the article names elsewhere, kind (a country before a town of the same name),
the Arab world, then population. Words that are also common words or person
names (stopwords.txt) and nationality adjectives (demonyms.txt: "السوري") are
never places.

Span rule: a place's span starts after the stripped conjunction/preposition
("والرستن" → "الرستن", "بدمشق" → "دمشق") and keeps the article when the
gazetteer name has it.
"""
from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable, Optional

from marsad.doc import Doc
from marsad.records import Place
from marsad.text.normalize import normalize
from marsad.text.segment import tokens as _tokenize

# Arab League + Israel/Palestine: preferred when a name is ambiguous
MENA = frozenset("SY IQ LB JO PS IL YE EG LY SD SA AE QA KW BH OM DZ MA TN MR SO DJ KM TR IR".split())

# conjunction/preposition chains that attach to a name, longest first. "بال"/"وال"/"لل" keep their
# article: "وبالرستن" → "الرستن"; "للاذقية" = ل + اللاذقية.
# ك ("like") is left out: it almost never precedes a place and "كبيراً" is not ك + بيرا (Beira).
_PROCLITICS = (("وبال", "ال"), ("فبال", "ال"), ("ولل", "ال"), ("فلل", "ال"), ("وال", "ال"),
               ("فال", "ال"), ("بال", "ال"), ("لل", "ال"),
               ("وب", ""), ("ول", ""), ("و", ""), ("ب", ""), ("ل", ""))
# ف alone is left out too: "فصيله" (his faction) is not ف + صيله (Asilah); "فالرقة" still reads.
MAX_WORDS = 5
MIN_LEN = 3  # a name shorter than 3 letters is never matched ("صور" is the shortest we accept)
# a bare name that is both a town and its governorate is the town ("حلب" → Aleppo city)
_KIND_BONUS = {"country": 6.0, "continent": 5.0, "city": 2.0, "admin1": 0.5, "region": 0.5, "admin2": 0.0}
# a small place (a village of a few thousand, a district) is accepted only with a trigger word in front
# ("بلدة طمون") or when the article names its country: GeoNames lists villages called "بيان", "مصدر"...
MINOR_POP = 20_000


@dataclass(frozen=True, slots=True)
class Entry:
    gid: int
    kind: str  # country | admin1 | admin2 | region | continent | city
    name: str
    lat: float
    lon: float
    fcode: str
    cc: Optional[str]
    pop: int
    admin1: Optional[str]


def _data(name: str):
    return resources.files("marsad.data").joinpath("geo", name)


def _lines(name: str) -> Iterable[list[str]]:
    for line in _data(name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].rstrip() if not line.lstrip().startswith("#") else ""
        if line.strip():
            yield [c.strip() for c in line.split("\t")]


NER_VETO = 0.6  # as sure as merge_ner needs to add an actor (ADD_MIN): then it is not read as a place


class Gazetteer:
    """Normalized Arabic name → GeoNames entries; load once with `Gazetteer.load()`."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.by_gid: dict[int, int] = {}
        self.index: dict[str, tuple[int, ...]] = {}  # normalized name → entry indices
        self.bare: dict[str, tuple[int, ...]] = {}  # name without its article ("رستن" for "الرستن")
        self.art: dict[str, tuple[int, ...]] = {}  # town name given without article, written with it ("الخرطوم")
        self.first_words: set[str] = set()  # first word of every multi-word name (quick reject)
        self.override: dict[str, int] = {}
        self.preferred: set[tuple[str, int]] = set()  # (name, entry) where name is its UBports preferred name
        self.blocked: set[str] = set()
        self.triggers: dict[str, tuple[str, bool]] = {}
        self.admin1_by_iso: dict[str, int] = {}
        self._polys = None

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> "Gazetteer":
        g = cls()
        idx: dict[str, list[int]] = {}
        bare: dict[str, list[int]] = {}
        art: dict[str, list[int]] = {}
        joined_heads = {normalize(r[0]) for r in _lines("joined_heads.txt")}
        with gzip.open(_data("places.tsv.gz").open("rb"), "rt", encoding="utf-8") as f:
            next(f)
            for line in f:
                gid, kind, name, lat, lon, fc, cc, pop, a1, pref, names = line.rstrip("\n").split("\t")
                i = len(g.entries)
                e = Entry(int(gid), kind, name, float(lat), float(lon), fc, cc or None, int(pop), a1 or None)
                g.entries.append(e)
                g.by_gid[e.gid] = i
                if pref:
                    g.preferred.add((pref, i))
                for n in names.split("|"):
                    idx.setdefault(n, []).append(i)
                    head = n.split(" ", 1)[0]
                    if head in joined_heads and n.count(" ") == 1:  # "كفر شوبا" is also written "كفرشوبا"
                        idx.setdefault(n.replace(" ", ""), []).append(i)
                    if n.startswith("ال") and len(n) > 4 and kind == "city":
                        bare.setdefault(n[2:], []).append(i)
                    # only big towns: "الخرطوم" for "خرطوم", but not "السيول" (floods) for Seoul
                    elif kind == "city" and " " not in n and len(n) >= 5 and e.pop >= 1_000_000:
                        art.setdefault("ال" + n, []).append(i)
                if kind == "admin1" and e.admin1 and (e.admin1 not in g.admin1_by_iso
                                                      or g.entries[g.admin1_by_iso[e.admin1]].pop < e.pop):
                    g.admin1_by_iso[e.admin1] = i
        for row in _lines("overrides.tsv"):
            n, gid = normalize(row[0]), int(row[1])
            if gid not in g.by_gid and len(row) >= 9:
                e = Entry(gid, row[8], row[3], float(row[4]), float(row[5]), row[6], row[7], 0, None)
                g.by_gid[gid] = len(g.entries)
                g.entries.append(e)
            if gid in g.by_gid:
                g.override[n] = g.by_gid[gid]
                idx.setdefault(n, []).append(g.by_gid[gid])
        g.index = {k: tuple(dict.fromkeys(v)) for k, v in idx.items()}
        g.bare = {k: tuple(v) for k, v in bare.items() if k not in g.index}
        g.art = {k: tuple(v) for k, v in art.items()}
        g.first_words = {k.split(" ", 1)[0] for k in g.index if " " in k}
        g.blocked = {normalize(r[0]) for r in _lines("stopwords.txt")}
        g.blocked |= {normalize(r[0]) for r in _lines("demonyms.txt")}
        for r in _lines("triggers.tsv"):
            w, role = r[0], r[1]
            g.triggers[normalize(w.rstrip("*"))] = (role, w.endswith("*"))
        return g

    # ---- lookups -------------------------------------------------------------------------
    def candidates(self, key: str, allow_blocked: bool = False) -> tuple[int, ...]:
        if (key in self.blocked and not allow_blocked) or len(key.replace(" ", "")) < MIN_LEN:
            return ()
        c = self.index.get(key) or self.bare.get(key, ())
        if key in self.art and key[2:] not in self.blocked:
            c = tuple(dict.fromkeys(c + self.art[key]))
        return c

    def rank(self, cands: Iterable[int], context: frozenset = frozenset(), key: str = "",
             prefer: Optional[str] = None) -> Optional[Entry]:
        """Best entry: override, article's countries, kind, Arab world, population."""
        if key in self.override and prefer is None:
            return self.entries[self.override[key]]
        best, best_s = None, -1e9
        cands = tuple(cands)
        maxpop = max((self.entries[i].pop for i in cands), default=0)
        for i in cands:
            e = self.entries[i]
            s = _KIND_BONUS.get(e.kind, 0.0) + min(math.log10(e.pop + 10), 7.0) / 3
            # the article's countries help, but not a town 10x smaller than a namesake
            # ("موسكو" in an article naming the US is still Moscow, not Mesquite TX)
            if e.cc in context and (e.kind != "city" or e.pop * 10 >= maxpop):
                s += 3
            if (key, i) in self.preferred:
                s += 3
            if e.cc in MENA:
                s += 2
            if prefer == "admin1":
                s += 20 if e.kind == "admin1" else -5
            elif prefer == "city":
                s += 20 if e.kind == "city" else 0
            if s > best_s:
                best, best_s = e, s
        return best

    def resolve_name(self, normalized_name: str, context_countries: Iterable[str] = ()) -> Optional[Place]:
        """A place for a normalized Arabic name ("حمص", "محافظه ادلب"), or None."""
        key = normalize(normalized_name).strip()
        e = self.rank(self.candidates(key), frozenset(context_countries), key)
        return self.place(e, 3 if e and e.kind != "city" else 1) if e else None

    def place(self, e: Entry, precision: int, text: Optional[str] = None,
              span: Optional[list[int]] = None) -> Place:
        return Place(text=text, name=e.name, geonameid=e.gid, lat=e.lat, lon=e.lon, feature_code=e.fcode,
                     admin1=None if e.kind in ("country", "continent") else (e.admin1 or self.admin1_at(e.lat, e.lon)),
                     country=e.cc, geo_precision=precision, span=span)

    # ---- admin-1 polygons ------------------------------------------------------------------
    def _load_polys(self):
        if self._polys is None:
            from shapely import STRtree
            from shapely.geometry import shape
            with gzip.open(_data("admin1.geojson.gz").open("rb"), "rt", encoding="utf-8") as f:
                gj = json.load(f)
            geoms = [shape(ft["geometry"]) for ft in gj["features"]]
            self._polys = (STRtree(geoms), geoms, [ft["properties"]["iso"] for ft in gj["features"]])
        return self._polys

    def admin1_at(self, lat: float, lon: float) -> Optional[str]:
        """ISO 3166-2 code of the MENA admin-1 unit containing the point ("SY-HM"), or None."""
        from shapely.geometry import Point
        tree, geoms, isos = self._load_polys()
        pt = Point(lon, lat)
        hits = tree.query(pt, predicate="intersects")
        if len(hits):
            return isos[int(hits[0])]
        near = tree.query_nearest(pt, max_distance=0.05)  # coastline simplification: within ~5 km
        return isos[int(near[0])] if len(near) else None


def resolve_name(normalized_name: str, context_countries: Iterable[str] = ()) -> Optional[Place]:
    return Gazetteer.load().resolve_name(normalized_name, context_countries)


def admin1_at(lat: float, lon: float) -> Optional[str]:
    return Gazetteer.load().admin1_at(lat, lon)


@dataclass
class _Hit:
    start: int  # original span
    end: int
    key: str
    cands: tuple[int, ...]
    tok_i: int  # first token index
    tok_j: int  # one past last token
    role: Optional[str] = None  # trigger role in front of it
    conj: bool = False  # first token carried و
    blocked: bool = False  # a stopword name: kept only after "مدينة"/"بلدة"/"محافظة" ("مدينة الميادين")


class PlaceResolver:
    name = "places"

    def __init__(self, gazetteer: Optional[Gazetteer] = None):
        self.gaz = gazetteer or Gazetteer.load()

    # readings of a first token: (normalized prefix length stripped, stem); the token itself first
    @staticmethod
    @lru_cache(maxsize=200_000)
    def _readings(norm: str) -> list[tuple[int, str]]:
        out = [(0, norm)]
        for p, keep in _PROCLITICS:
            if norm.startswith(p) and len(norm) - len(p) >= MIN_LEN:
                out.append((len(p) - len(keep), norm[len(p) - len(keep):]))
        # shortest prefix first: "ولبنان" is و + لبنان, not و + ل + بنان
        return sorted(dict.fromkeys(out), key=lambda r: r[0])

    def _match(self, doc: Doc, toks) -> list[_Hit]:
        gaz, text = self.gaz, doc.text
        hits: list[_Hit] = []
        n = len(toks)
        i = 0
        while i < n:
            t = toks[i]
            if t.text.endswith(("اً", "ًا")):  # accusative adverb/adjective: "سورياً", "دوراً" (a role)
                i += 1
                continue
            # words joined only across plain spaces, inside one sentence
            j = i + 1
            while j < n and j - i < MAX_WORDS and text[toks[j - 1].end:toks[j].start] in (" ", "-"):
                j += 1
            found = None
            prev = toks[i - 1].norm if i else ""
            named = any(gaz.triggers.get(w, ("",))[0] in ("town", "admin") for _, w in self._readings(prev))
            for pre, stem in self._readings(t.norm):
                if pre and stem in gaz.blocked and not named:
                    continue
                key = stem
                best = None
                if gaz.candidates(key, allow_blocked=named):
                    best = (i + 1, key)
                if stem in gaz.first_words:
                    for k in range(i + 1, j):
                        key = key + " " + toks[k].norm
                        if key in gaz.index and gaz.candidates(key):
                            best = (k + 1, key)
                if best:
                    found = (pre, best)
                    break
                if t.norm in gaz.blocked and not named:  # "السوري" is an adjective: no clitic reading either
                    break
            if not found:
                i += 1
                continue
            pre, (end_tok, key) = found
            ns = doc.norm.norm_index(t.start) + pre
            s = doc.norm.offsets[ns] if ns < len(doc.norm.offsets) else t.start
            hits.append(_Hit(s, toks[end_tok - 1].end, key, gaz.candidates(key, allow_blocked=named), i, end_tok,
                             conj=t.norm.startswith("و") and pre > 0, blocked=key in gaz.blocked))
            i = end_tok
        return hits

    def _roles(self, hits: list[_Hit], toks) -> None:
        """Trigger word(s) in front of each hit: "ريف", "أطراف مدينة", "محافظتي X وY"."""
        trig = self.gaz.triggers
        carry: Optional[tuple[str, int]] = None  # (role, token index where a carried "وX" must start)
        for h in hits:
            roles = []
            for k in (h.tok_i - 1, h.tok_i - 2):
                if k < 0:
                    break
                r = None
                for _, w in self._readings(toks[k].norm):  # "بمحافظة", "وريف", "لمدينة"
                    r = trig.get(w)
                    if r:
                        break
                if not r:
                    break
                roles.append(r)
            if roles:
                # the outer word decides: "أطراف مدينة حمص" is near (2); "ريف محافظة حماة" is rif
                kinds = [r[0] for r in roles]
                h.role = kinds[-1] if kinds[-1] in ("near", "rif") else kinds[0]
                if h.role == "rif" and "town" in kinds:  # "ريف مدينة حلب": around the city itself
                    h.role = "near"
                carry = (h.role, h.tok_j) if any(r[1] for r in roles) else None
            elif carry and h.conj and h.tok_i == carry[1]:
                h.role = carry[0]
                carry = (h.role, h.tok_j)
            else:
                carry = None

    def _minor(self, e: Entry, key: str) -> bool:
        if key in self.gaz.override:
            return False
        return e.kind in ("admin2", "region") or (e.kind == "city" and e.pop < MINOR_POP)

    def __call__(self, doc: Doc) -> Doc:
        gaz = self.gaz
        toks = doc.tokens or _tokenize(doc.text)
        if doc.removed:
            rm = [(r.span[0], r.span[1]) for r in doc.removed]
            toks = [t for t in toks if not any(a <= t.start < b for a, b in rm)]
        hits = self._match(doc, toks)
        self._roles(hits, toks)
        # context: countries named outright, and countries of unambiguous names
        ctx = set()
        hits = [h for h in hits if not h.blocked or h.role in ("town", "admin")]
        for h in hits:
            top = gaz.rank(h.cands, frozenset(), h.key)
            if top is None or not top.cc or self._minor(top, h.key):
                continue
            ccs = {gaz.entries[i].cc for i in h.cands}
            if len(ccs) == 1 or top.kind == "country" or h.key in gaz.override:
                ctx.add(top.cc)
        ctx = frozenset(ctx)
        places = []
        for h in hits:
            prec = 1
            if h.role == "admin":
                e = gaz.rank(h.cands, ctx, h.key, prefer="admin1")
                if e and e.kind == "city" and e.admin1 in gaz.admin1_by_iso:
                    e = gaz.entries[gaz.admin1_by_iso[e.admin1]]
                prec = 3
            elif h.role == "rif":
                e = gaz.rank(h.cands, ctx, h.key, prefer="admin1")
                if e and e.kind != "admin1":
                    e = gaz.rank(h.cands, ctx, h.key, prefer="city")
                prec = 2
            elif h.role in ("near", "town"):
                e = gaz.rank(h.cands, ctx, h.key, prefer="city")
                prec = 2 if h.role == "near" else 1
            else:
                e = gaz.rank(h.cands, ctx, h.key)
            if e is None:
                continue
            if self._minor(e, h.key) and not h.role and e.cc not in ctx:
                continue
            # "حديثه" (his talk) is not "حديثة" (Haditha): normalization merges ة and ه, the original does not
            if (not h.role and e.kind == "city" and e.pop < 100_000 and doc.text[h.end - 1] == "ه"
                    and " " not in h.key):
                continue
            conf = getattr(doc, "ner_confidence", {})
            if any(s < h.end and h.start < e_ and lab in ("PERS", "ORG") and conf.get((s, e_, lab), 1.0) >= NER_VETO
                   for s, e_, lab in doc.ner):
                continue  # "جمال حدايدة" tagged as a person by the NER stage
            if e.kind in ("country", "continent", "region", "admin1", "admin2") and h.role != "rif":
                prec = 3
            places.append(gaz.place(e, prec, text=doc.text[h.start:h.end], span=[h.start, h.end]))
        doc.places = places
        return doc
