"""Stage 'actors': actor mentions, coded with ISO3 country + PLOVER sector (codebook section 3).

    >>> doc = ActorResolver()(doc)          # fills doc.people and doc.organizations
    >>> code_phrase(normalize("الجيش السوري"))   # Actor(country='SYR', sector='MIL', ...)

How it works
1. Lexicons (TSV under marsad/data/actors/, built or hand-written, see
   scripts/build_actor_lexicon.py) go into one word trie. Keys are normalized words with a
   leading ال dropped, so "وزير الخارجية" and "وزير خارجية" share a key.
2. `_atoms`: left to right over the normalized text, the longest lexicon match at each
   word, trying the clitic readings of its first word ("وللجيش" = و+ل+ال+جيش). An atom is
   a ROLE ("وزير الخارجية"), ORG ("حزب الله"), PERSON ("بشار الأسد"), COUNTRY ("تركيا"),
   NAT (nationality adjective "السوري") or MOD ("المسلحة").
3. `_compose`: adjacent atoms make phrases: ROLE + NAT ("الجيش السوري" → SYR MIL),
   ROLE + ORG/COUNTRY complement ("الناطق باسم الجيش الإسرائيلي" → ISR MIL person),
   ROLE [+ NAT] + PERSON ("الرئيس السوري بشار الأسد" → one person), PERSON/NER name +
   ROLE ("حسن عبد الغني الناطق باسم ..."), coordination ("مسؤولين مصريين وأردنيين").

Coding conventions (PLOVER): media are JRN and health bodies MED; the UN is country UNO,
sector IGO; transnational jihadist groups (Islamic State, al-Qaeda) are country IMG sector
REB; "الاحتلال" is ISR MIL (Levant news usage); "المقاومة" alone is PSE REB (Lebanese
when followed by "اللبنانية" / "الإسلامية"); a country name acting is a state, sector GOV.
Spans leave out conjunction/preposition proclitics but keep a written article:
"والجيش" → "الجيش"; "للجيش" (ل + fused ال) → "جيش".
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from marsad.data import data_path
from marsad.doc import Doc
from marsad.records import Actor
from marsad.text.cache import cached
from marsad.text.normalize import normalize
from marsad.text.spans import MentionIndex, SpanSet

ROLE, ORG, PERSON, COUNTRY, NAT, MOD, NAME = "ROLE", "ORG", "PERSON", "COUNTRY", "NAT", "MOD", "NAME"

_WORD = re.compile(r"[\u0621-\u064A\u0660-\u0669\w]+")
# proclitic readings of a match's first word, longest first; how many chars the span skips.
# "وبالمدينة": وبال → span keeps "المدينة" (skip 2 of 4); "للجيش": لل → "جيش" (ل + fused ال)
_PROCLITICS = [("وبال", 2), ("وكال", 2), ("فبال", 2), ("وال", 1), ("فال", 1), ("بال", 1), ("كال", 1),
               ("ولل", 3), ("فلل", 3), ("لل", 2), ("وب", 2), ("ول", 2), ("فب", 2), ("فل", 2), ("وك", 2),
               ("و", 1), ("ف", 1), ("ب", 1), ("ل", 1), ("ك", 1)]
_PROCLITICS_BY_FIRST = {c: [pk for pk in _PROCLITICS if pk[0][0] == c] for c in {p[0] for p, _ in _PROCLITICS}}
# quotation marks inside a phrase do not break it: قوات "جيش" الاحتلال
_GAP_PLAIN = re.compile(r"^[\s\"«»“”]*$")
_GAP_COMMA = re.compile(r"^[\s\"«»“”]*[،,]?[\s\"«»“”]*$")
_FI = "في"  # "مسؤول في حركة حماس": a role's complement after في
_WA = "و"  # coordination: "مسؤولين مصريين وأردنيين"


def _inner(word: str) -> str:
    """Word key: leading ال dropped ("الجيش" → "جيش"); short words kept ("اله")."""
    return word[2:] if word.startswith("ال") and len(word) > 3 else word


def _key(form: str) -> tuple[str, ...]:
    return tuple(_inner(w) for w in normalize(form).split())


@dataclass(slots=True)
class Entry:
    cat: str
    country: str = ""
    sector: str = ""
    kind: str = ""
    name: str = ""
    flags: frozenset = frozenset()
    plural: bool = False  # NAT: a people noun usable alone ("الأتراك", "السوريين")


@dataclass(slots=True)
class Atom:
    start: int  # normalized offsets
    end: int
    entries: dict  # cat → Entry
    w0: int = 0  # word indexes [w0, w1)
    w1: int = 0


def _rows(fn: str):
    path = data_path("actors", fn)
    if not path.exists():
        return
    with path.open(encoding="utf-8") as f:
        lines = [ln for ln in f if ln.strip() and not ln.startswith("#")]
    for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        yield {k: (v or "").strip() for k, v in row.items() if k}


class Lexicon:
    """Word trie over all actor tables; later tables override earlier ones per category."""

    def __init__(self) -> None:
        self.root: dict = {}
        self.max_words = 1
        # generated first, hand-written last (hand wins)
        for r in _rows("countries.tsv"):
            # a name written with the article ("السعودية") stays the country where the adjective looks the same
            flags = frozenset({"article"}) if r["form"].startswith("ال") else frozenset()
            self._add(r["form"], Entry(COUNTRY, r["country"], "GOV", "state", r["name"], flags))
        for r in _rows("nationalities.tsv"):
            f = normalize(r["form"])
            plural = f.endswith(("يون", "يين")) or (r.get("source") == "override" and not f.endswith(("ي", "يه", "يان", "يتين", "يتان", "يات")))
            self._add(r["form"], Entry(NAT, r["country"], "", "group", r["demonym"], plural=plural))
        for fn in ("agents_petrarch.tsv", "roles.tsv"):
            for r in _rows(fn):
                self._add(r["form"], Entry(ROLE, r["country"], r["sector"], r["kind"], r["name"],
                                           frozenset(x for x in r.get("flags", "").split(",") if x)))
        for fn in ("organizations_petrarch.tsv", "organizations.tsv"):
            for r in _rows(fn):
                self._add(r["form"], Entry(ORG, r["country"], r["sector"], r["kind"] or "organization", r["name"]))
        for fn in ("people_petrarch.tsv", "people.tsv"):
            for r in _rows(fn):
                self._add(r["form"], Entry(PERSON, r["country"], r["sector"], "person", r["name"]))
        for r in _rows("modifiers.tsv"):
            self._add(r["form"], Entry(MOD))

    def _add(self, form: str, e: Entry) -> None:
        key = _key(form)
        if not key:
            return
        # a word that starts with the letters of the article without being one ("ألمانية" normalizes to
        # "المانيه") is looked up article-stripped when written bare, and whole after a real article
        # ("الألمانية" → "المانيه"): both keys lead to the entry
        whole = tuple(normalize(w) if w.startswith(("أل", "إل", "آل")) else k for w, k in zip(form.split(), key))
        for k in dict.fromkeys((key, whole)):
            node = self.root
            for w in k:
                node = node.setdefault(w, {})
            node.setdefault("$", {})[e.cat] = e
        self.max_words = max(self.max_words, len(key))


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon()


def _first_readings(word: str) -> tuple:
    """(chars the span skips, key) readings of a match's first word, the word itself first."""
    out = [(0, _inner(word))]
    for p, skip in _PROCLITICS_BY_FIRST.get(word[:1], ()):
        if word.startswith(p) and len(word) - len(p) >= 2:
            out.append((skip, _inner(word[len(p):]) if not p.endswith("ال") and not p.endswith("لل") else word[len(p):]))
    return tuple(out)


@cached(8 * 2**20, size=lambda k, v: 150 + 2 * len(k) + 72 * len(v))
def _starts(word: str) -> tuple:
    """(skip, trie node) of the first-word readings that start a lexicon entry; () for most words."""
    root = lexicon().root
    return tuple((skip, root[k0]) for skip, k0 in _first_readings(word) if k0 in root)


def _atoms(text: str, words: list[re.Match]) -> list[Atom]:
    """Longest lexicon matches, left to right, non-overlapping."""
    out: list[Atom] = []
    i, n = 0, len(words)
    while i < n:
        starts = _starts(words[i].group())
        if not starts:
            i += 1
            continue
        best = None  # (n words, -skip, end index, entries, skip)
        for skip, node in starts:
            j = i + 1
            if "$" in node:
                cand = (j - i, -skip, j, node["$"], skip)
                if best is None or cand[:2] > best[:2]:
                    best = cand
            while j < n and _GAP_PLAIN.match(text[words[j - 1].end():words[j].start()]):
                node = node.get(_inner(words[j].group()))
                if node is None:
                    break
                j += 1
                if "$" in node:
                    cand = (j - i, -skip, j, node["$"], skip)
                    if best is None or cand[:2] > best[:2]:
                        best = cand
        if best is None:
            i += 1
            continue
        _, _, j, entries, skip = best
        out.append(Atom(words[i].start() + skip, words[j - 1].end(), entries, i, j))
        i = j
    return out


@dataclass
class _Phrase:
    start: int
    end: int
    country: str = ""
    sector: str = ""
    kind: str = ""
    name: str = ""
    source: str = "lexicon"
    role: Optional[Entry] = None
    person: Optional[Entry] = None
    extra: list = field(default_factory=list)  # coordinated phrases


def _gap(text: str, a: Atom | _Phrase, b: Atom, comma: bool = False) -> bool:
    pat = _GAP_COMMA if comma else _GAP_PLAIN
    return bool(pat.match(text[a.end:b.start]))


def _head(atom: Atom, text: str = "") -> Optional[_Phrase]:
    e = atom.entries
    if COUNTRY in e and NAT in e and text[atom.start:atom.start + 2] == "ال" and "article" not in e[COUNTRY].flags:
        # "السورية" is the adjective; "سورية" alone may be the country; "أعلنت السعودية" is Saudi Arabia
        e = {k: v for k, v in e.items() if k != COUNTRY}
    if PERSON in e:
        p = e[PERSON]
        return _Phrase(atom.start, atom.end, p.country, p.sector, "person", p.name, person=p)
    if ORG in e:
        o = e[ORG]
        return _Phrase(atom.start, atom.end, o.country, o.sector, o.kind, o.name)
    if ROLE in e:
        r = e[ROLE]
        return _Phrase(atom.start, atom.end, r.country, r.sector, r.kind, r.name, source="role", role=r)
    if COUNTRY in e:
        c = e[COUNTRY]
        return _Phrase(atom.start, atom.end, c.country, "GOV", "state", c.name)
    if NAT in e and e[NAT].plural:  # "الأتراك", "السوريين" alone: the people of a country
        n = e[NAT]
        return _Phrase(atom.start, atom.end, n.country, "", "group", f"{n.name} people", source="nationality")
    if NAME in e:
        return _Phrase(atom.start, atom.end, "", "", "person", "", source="ner")
    return None


def _compose(text: str, atoms: list[Atom]) -> list[_Phrase]:
    out: list[_Phrase] = []
    i, n = 0, len(atoms)
    while i < n:
        ph = _head(atoms[i], text)
        if ph is None:
            i += 1
            continue
        i, ph = _extend(text, atoms, i + 1, ph)
        out.append(ph)
    return out


def _extend(text: str, atoms: list[Atom], i: int, ph: _Phrase, depth: int = 0) -> tuple[int, _Phrase]:
    """Grow a phrase over the atoms that follow it; returns the next atom index."""
    n = len(atoms)
    have_nat = False
    while i < n:
        a = atoms[i]
        e = a.entries
        adjacent = _gap(text, ph, a)
        if adjacent and NAT in e and not ph.person and ph.kind != "state":
            nat = e[NAT]
            if ph.country and ph.country != nat.country and ph.role is None:
                break  # "حزب الله" + "العراقي" would recode a fixed organization: stop
            if have_nat and ph.country != nat.country:
                break
            # "الجيش السوري" → SYR MIL; "فصائل المعارضة السورية" → SYR REB
            ph.country, ph.end, have_nat = nat.country, a.end, True
            if ph.source != "ner":
                ph.name = f"{nat.name} {ph.name}".strip()
            i += 1
            continue
        if adjacent and MOD in e and len(e) == 1:  # "قوات المعارضة السورية المسلحة"
            ph.end = a.end
            i += 1
            continue
        # coordination "مسؤولين مصريين وأردنيين": و + NAT repeats the role for another country
        if _WA_NAT(text, ph, a) and have_nat and ph.role is not None:
            nat = e[NAT]
            ph.extra.append(_Phrase(a.start, a.end, nat.country, ph.sector, ph.kind,
                                    f"{nat.name} {ph.role.name}", source="role", role=ph.role))
            i += 1
            continue
        # a role before a person's name: "الرئيس السوري بشار الأسد", "وزير الخارجية هاكان فيدان"
        if adjacent and ph.role is not None and "pers" in ph.role.flags and (PERSON in e or NAME in e):
            p = e.get(PERSON)
            ph.end, ph.kind = a.end, "person"
            if p is not None:
                ph.person, ph.name, ph.source = p, p.name, "lexicon"
                ph.country, ph.sector = p.country or ph.country, p.sector or ph.sector
            else:
                ph.name, ph.source = text[a.start:a.end], "role"
            i += 1
            break
        # a role's complement: "الناطق باسم الجيش الإسرائيلي", "وزير خارجية تركيا",
        # "قائد هيئة تحرير الشام", "مسؤول في حركة حماس"
        if ph.role is not None and not have_nat and depth < 2 and (ORG in e or COUNTRY in e or ROLE in e):
            # a sound plural with its nun ("مقاومون", "مسلحين") is not in construct state: what follows
            # is another phrase ("استهدف مقاومون قوات الاحتلال"), not its complement ("مقاومو الحركة")
            if adjacent and _norm_word(text[ph.start:ph.end]).endswith(("ون", "ين")) \
                    and " " not in text[ph.start:ph.end].strip():
                break
            via_fi = False
            if not adjacent:
                between = text[ph.end:a.start].split()
                via_fi = between == [_FI] and "inherit" in ph.role.flags and COUNTRY not in e
                if not via_fi:
                    break
            if ROLE in e and ORG not in e and COUNTRY not in e and not e[ROLE].country \
                    and not (i + 1 < n and _gap(text, a, atoms[i + 1]) and (NAT in atoms[i + 1].entries or COUNTRY in atoms[i + 1].entries or ORG in atoms[i + 1].entries)):
                break  # "وزير ... الجيش" with no country anywhere: nothing to inherit
            comp = _head(a, text)
            if comp is None:
                break
            j, comp = _extend(text, atoms, i + 1, comp, depth + 1)
            if not comp.country and not comp.sector:
                break
            ph.country = comp.country or ph.country
            if ("inherit" in ph.role.flags and comp.sector and comp.kind != "state") or not ph.sector:
                ph.sector = comp.sector
            ph.end = comp.end
            ph.name = f"{ph.name} of {comp.name}" if ph.source != "ner" else ph.name
            i = j
            continue
        break
    # a name before a role: "حسن عبد الغني الناطق باسم إدارة العمليات العسكرية" is handled
    # by the caller (_prefix_names), which sees the atom before the phrase
    return i, ph


def _norm_word(w: str) -> str:
    return normalize(w.strip())


def _WA_NAT(text: str, ph: _Phrase, a: Atom) -> bool:
    """"مصريين وأردنيين": the atom is a NAT written with a و proclitic right after the phrase."""
    return NAT in a.entries and text[a.start - 1:a.start] == _WA and not text[ph.end:a.start - 1].strip()


def _prefix_names(text: str, phrases: list[_Phrase]) -> list[_Phrase]:
    """Merge "NAME [،] ROLE-phrase" into one person: "حسن عبد الغني الناطق باسم ..." ."""
    out: list[_Phrase] = []
    for ph in phrases:
        prev = out[-1] if out else None
        if prev is not None and prev.kind == "person" and prev.role is None and ph.role is not None \
                and "pers" in ph.role.flags and ph.kind == "person" and ph.person is None \
                and _GAP_COMMA.match(text[prev.end:ph.start]):
            merged = _Phrase(prev.start, ph.end, prev.country or ph.country, prev.sector or ph.sector,
                             "person", prev.name or text[prev.start:prev.end], prev.source if prev.person else "role",
                             role=ph.role, person=prev.person)
            out[-1] = merged
            continue
        out.append(ph)
    return [p for p in out if p.source != "ner" or p.role is not None]


def _phrases(text: str, ner_spans: list[tuple[int, int]] | None = None) -> list[_Phrase]:
    words = list(_WORD.finditer(text))
    atoms = _atoms(text, words)
    if ner_spans:
        atoms = _with_names(atoms, ner_spans)
    phrases = _prefix_names(text, _compose(text, atoms))
    flat: list[_Phrase] = []
    for p in phrases:
        flat.append(p)
        flat.extend(p.extra)
    return flat


def _with_names(atoms: list[Atom], names: list[tuple[int, int]]) -> list[Atom]:
    """Add NER person names (normalized offsets) as NAME atoms where no lexicon atom overlaps."""
    extra = []
    lexicon_atoms = SpanSet((a.start, a.end) for a in atoms)
    for s, e in names:
        if not lexicon_atoms.overlaps(s, e):
            extra.append(Atom(s, e, {NAME: Entry(NAME)}))
    return sorted(atoms + extra, key=lambda a: a.start) if extra else atoms


def _to_actor(p: _Phrase, text: str, span: tuple[int, int] | None = None) -> Actor:
    return Actor(text=text, name=p.name or text, country=p.country or None, sector=p.sector or None,
                 kind=p.kind or None, span=list(span) if span else None, source=p.source)


def code_phrase(norm_text: str) -> Optional[Actor]:
    """Code a short normalized phrase ("الجيش السوري" → SYR MIL); the widest mention wins."""
    best = None
    for p in _phrases(norm_text):
        if best is None or (p.end - p.start) > (best.end - best.start):
            best = p
    if best is None:
        return None
    return _to_actor(best, norm_text[best.start:best.end], (best.start, best.end))


def actors_in(doc: Doc, start: int, end: int) -> list[Actor]:
    """Actor mentions of `doc` inside the original span [start, end), in text order."""
    return [a for a in MentionIndex.of(doc).actors.starting_in(start, end) if a.span[1] <= end]


class ActorResolver:
    """Pipeline stage: fills doc.people (kind person) and doc.organizations (the rest)."""

    name = "actors"

    def __init__(self) -> None:
        lexicon()  # load now, not on the first document

    def __call__(self, doc: Doc) -> Doc:
        norm = doc.norm
        ner = [(norm.norm_index(s), norm.norm_index(e)) for s, e, lab in doc.ner if lab.startswith("PER")]
        removed = SpanSet(tuple(r.span) for r in doc.removed)
        people, orgs = [], []
        for p in _phrases(norm.text, ner):
            s, e = norm.orig_span(p.start, p.end)
            if e <= s or removed.overlaps(s, e):
                continue
            actor = _to_actor(p, doc.text[s:e], (s, e))
            (people if actor.kind == "person" else orgs).append(actor)
        if people or orgs:
            spans = [a.span for a in people + orgs]
            # NER-only names that our (wider) mentions now cover are dropped, not duplicated
            keep = lambda a: not (a.source == "ner" and any(s <= a.span[0] and a.span[1] <= e for s, e in spans))
            doc.people = [a for a in doc.people if keep(a)] + people
            doc.organizations = [a for a in doc.organizations if keep(a)] + orgs
            doc.people.sort(key=lambda a: a.span[0] if a.span else 0)
            doc.organizations.sort(key=lambda a: a.span[0] if a.span else 0)
        return doc


@lru_cache(maxsize=1)
def _nationality_table() -> dict[str, tuple[str, str]]:
    """Normalized adjective (without ال) → (ISO3, demonym), from data/actors/nationalities.tsv."""
    from marsad.data import data_path
    from marsad.text.lexicon import read_tsv

    table: dict[str, tuple[str, str]] = {}
    for row in read_tsv(data_path("actors", "nationalities.tsv"))[1:]:
        form = normalize(row[0])
        # only a written article is dropped: "ألماني" normalizes to "الماني" but has none (German)
        table.setdefault(form[2:] if row[0].startswith("ال") else form, (row[1], row[2] if len(row) > 2 else row[1]))
    return table


@cached(2 * 2**20)
def nationality_of(word: str) -> Optional[tuple[str, str]]:
    """(ISO3, demonym) of a nationality adjective in any of its forms, or None:
    "الإيرانية" → IRN, "والسوريين" → SYR, "إسرائيلياً" (tanween) → ISR."""
    n = normalize(word)
    table = _nationality_table()
    for pre in ("", "و", "ف", "ب", "ل"):
        if pre and not n.startswith(pre):
            continue
        w = n[len(pre):]
        # "الألمانية" is ال + "ألمانية"; "ألمانية" itself starts with the letters of the article
        for w in ((w[2:], w) if w.startswith("ال") else (w,)):
            w = w[:-1] if w.endswith("يا") and len(w) > 4 else w  # accusative tanween: "إسرائيلياً"
            for suf, rep in (("", ""), ("ه", ""), ("يون", "ي"), ("يين", "ي"), ("ين", "ي")):
                if suf and not w.endswith(suf):
                    continue
                base = (w[: -len(suf)] if suf else w) + rep
                if base in table:
                    return table[base]
    return None
