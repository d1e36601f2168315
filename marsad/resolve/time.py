"""Stage 'times': find time expressions and resolve them to ISO dates (codebook section 5).

Method
------
1. **Find.** One precompiled regex runs over the normalized text (`doc.norm.text`:
   alef/ya/ta-marbuta unified, diacritics and tanween dropped, Eastern digits made
   ASCII). Its alternatives are built from the word tables in `marsad/data/time/*.tsv`
   (month names of the Levantine, Egyptian/Gulf and Maghrebi families, Hijri months,
   weekdays, relative words, modifiers such as الماضي/المقبل/الجاري, part-of-day
   words, ordinals, units). A match may follow a one- or two-letter clitic (و ف ب ل),
   which stays outside the span ("وفي [اليوم التالي]", "ب[الأمس]"). Spans map back to
   the original text with `NormText.orig_span`, so `text == doc.text[s:e]`.
2. **Resolve.** Each match resolves against a reference date (the publication date,
   else the inferred one, see 3) and against the previous resolved expression
   ("في 29 من الشهر نفسه", "في اليوم التالي"). `anchor` says which: `published`,
   `previous`, or `absolute` (the text alone fixes it, e.g. "5 كانون الأول 2024").
   Precision follows ACLED: 1 day, 2 week, 3 month or coarser.
3. **Infer the publication date** when `doc.published` is None. Candidate days run
   from the latest explicitly dated mention (one with a year) up to a year after it;
   a candidate survives when, resolving everything against it, no past-tense mention
   lands after it, "<month> الماضي" is not its own month, "<month> الجاري" is, and
   "اليوم الخميس"/"أمس الخميس" fit its weekday. When the text also uses
   day-relative words (أمس, اليوم, a weekday) the article is taken to report recent
   events: the candidate may lie at most 7 days after the latest day-dated mention.
   The surviving range is `published_inferred` (earliest, latest, evidence) and
   relative expressions then resolve against `latest` (`Doc.reference_date`).

Not dates: ages, counts and durations ("بين 17 و45 عاماً", "لمدة 3 أيام", "عمره 25
عاماً") never match, because units only count as a date after منذ/قبل and years
only with a month name, عام/سنة or a preposition; "الآن"/"حالياً" are not listed.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Optional, Union

from marsad.doc import Doc
from marsad.records import PublishedInferred, TimeExpr
from marsad.text.normalize import NormText, normalize

_DATA = Path(__file__).resolve().parent.parent / "data" / "time"


# ---------------------------------------------------------------- tables ---

def _rows(name: str) -> list[list[str]]:
    out = []
    with open(_DATA / name, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            out.append([c.strip() for c in line.split("\t")])
    return out


def _key(s: str) -> str:
    return " ".join(normalize(s).split())


def _alt(keys) -> str:
    """Regex alternation of normalized phrases, longest first, any whitespace between words."""
    ks = sorted({_key(k) for k in keys}, key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(w) for w in k.split()) for k in ks)


@dataclass
class _Tables:
    months: dict[str, int]
    ambiguous: frozenset
    hijri: dict[str, int]
    weekdays: dict[str, int]
    relative: dict[str, tuple[str, str, int]]
    mods: dict[str, str]
    dayparts: list[str]
    periods: dict[str, str]
    ordinals: dict[str, int]
    units: dict[str, tuple[str, int]]
    numbers: dict[str, int]
    not_today: frozenset
    not_today_before: frozenset


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    return _Tables(
        months={_key(r[0]): int(r[1]) for r in _rows("months.tsv")},
        ambiguous=frozenset(_key(r[0]) for r in _rows("months.tsv") if len(r) > 3 and r[3] == "1"),
        hijri={_key(r[0]): int(r[1]) for r in _rows("hijri_months.tsv")},
        weekdays={_key(r[0]): int(r[1]) for r in _rows("weekdays.tsv")},
        relative={_key(r[0]): (r[1], r[2], int(r[3])) for r in _rows("relative.tsv")},
        mods={_key(r[0]): r[1] for r in _rows("modifiers.tsv")},
        dayparts=[_key(r[0]) for r in _rows("dayparts.tsv")],
        periods={_key(r[0]): r[1] for r in _rows("periods.tsv")},
        ordinals={_key(r[0]): int(r[1]) for r in _rows("ordinals.tsv")},
        units={_key(r[0]): (r[1], int(r[2])) for r in _rows("units.tsv")},
        numbers={_key(r[0]): int(r[1]) for r in _rows("numbers.tsv")},
        not_today=frozenset(_key(r[0]) for r in _rows("not_today.tsv")),
        not_today_before=frozenset(_key(r[0]) for r in _rows("not_today_before.tsv")),
    )


# --------------------------------------------------------------- pattern ---

@lru_cache(maxsize=1)
def _pattern() -> re.Pattern:
    t = _tables()
    MON = _alt(t.months)
    MON_SAFE = _alt(k for k in t.months if k not in t.ambiguous)
    HMON = _alt(t.hijri)
    WD = _alt(t.weekdays)
    REL = _alt(t.relative)
    MODS = _alt(t.mods)
    DP = _alt(t.dayparts)
    PER = _alt(t.periods)
    ORD = _alt(t.ordinals)
    UNITS = _alt(t.units)
    NUMW = _alt(t.numbers)
    YCTX = r"(?:عام|العام|لعام|للعام|سنه|السنه)\s*"
    SEP = r"\s*[,،]?\s*"

    def mon(tag):  # "تشرين الثاني/نوفمبر", "نوفمبر (تشرين الثاني)", "آذار"
        return (rf"(?P<{tag}_m>{MON})(?:\s*[/\\|\-]\s*(?:{MON})|\s*\(\s*(?:{MON})\s*\))?")

    def year(tag):  # "2024", "2024م", "2024 ميلادي"
        return rf"(?P<{tag}_y>(?:19|20)\d\d)(?!\d)(?:\s*م(?![^\W\d_])|\s+ميلادي(?:ه)?)?"

    def day(tag):  # "5", "05", "الـ7", "السابع"
        return rf"(?P<{tag}_d>(?:ال)?(?:3[01]|[12]\d|0?[1-9])(?!\d)|{ORD})"

    def mod(tag):
        return rf"(?P<{tag}_mod>{MODS})"

    alts = [
        # Hijri with a day: "15 رمضان 1445 هـ", "15 رمضان"
        rf"(?P<H>{day('h')}\s+(?:من\s+)?(?:شهر\s+)?(?P<h_m>{HMON})"
        rf"(?:\s+(?:(?:عام|سنه)\s+)?(?P<h_y>1[345]\d\d)(?:\s*(?:ه|هجري|هجريه|للهجره)(?![^\W\d_]))?)?)",
        # Hijri month and year: "رمضان 1445 هـ"
        rf"(?P<HM>(?:شهر\s+)?(?P<hm_m>{HMON})\s+(?P<hm_y>1[345]\d\d)(?:\s*(?:ه|هجري|هجريه|للهجره)(?![^\W\d_]))?)",
        # numeric: "06/12/2024", "6-12-2024"
        r"(?P<N>(?P<n_d>[0-3]?\d)(?P<n_sep>[/.\-])(?P<n_m>[01]?\d)(?P=n_sep)(?P<n_y>(?:19|20)\d\d))",
        # day range: "بين 17 و26 تشرين الأول/أكتوبر الجاري" (span starts at the first day)
        rf"(?P<R>{day('r')}\s*(?:و|-|–|الي|حتي)\s*(?P<r_d2>3[01]|[12]\d|0?[1-9])(?!\d)\s+(?:من\s+)?(?:شهر\s+)?{mon('r')}"
        rf"(?:{SEP}(?:من\s+)?(?:{YCTX})?{year('r')})?(?:\s+{mod('r')})?)",
        # full date: "5 كانون الأول/ديسمبر 2024", "27 نوفمبر الماضي", "السابع من أكتوبر", "الخميس 5 ديسمبر"
        rf"(?P<F>(?:(?P<f_w>{WD}){SEP})?{day('f')}\s+(?:من\s+)?(?:شهر\s+)?{mon('f')}"
        rf"(?:{SEP}(?:من\s+)?(?:{YCTX})?{year('f')})?(?:\s+{mod('f')})?)",
        # day of a relative month: "29 من الشهر نفسه", "5 من الشهر الجاري", "10 من هذا الشهر"
        rf"(?P<D>{day('d')}\s+من\s+(?:(?P<d_this>هذا)\s+الشهر|الشهر\s+{mod('d')}))",
        # month and year: "سبتمبر 2024", "منتصف آذار/مارس 2011", "شهر أيار من عام 2023"
        rf"(?P<MY>(?:(?P<my_p>{PER})\s+)?(?:شهر\s+)?{mon('my')}{SEP}(?:من\s+)?(?:{YCTX})?{year('my')})",
        # month with modifier: "شباط/فبراير الماضي", "منتصف آذار الماضي"
        rf"(?P<MM>(?:(?P<mm_p>{PER})\s+)?(?:شهر\s+)?{mon('mm')}\s+{mod('mm')})",
        # month with "من العام الماضي": "في أيار/مايو، من العام الماضي"
        rf"(?P<MR>(?:(?P<mr_p>{PER})\s+)?(?:شهر\s+)?{mon('mr')}{SEP}من\s+(?P<mr_rel>{REL}))",
        # bare month only after شهر or a period word: "شهر يوليو", "مطلع أيلول" (not "مارس" the verb)
        rf"(?P<MO>(?:(?P<mo_p>{PER})\s+(?:شهر\s+)?|شهر\s+){mon('mo')})",
        # a paired name is a month anywhere: "إلى آب/أغسطس"; an unambiguous one after في/منذ/حتى: "في يناير"
        rf"(?P<MB>(?P<mb_m>{MON})\s*[/\\]\s*(?:{MON})"
        rf"|(?:(?<=في\s)|(?<=منذ\s)|(?<=حتي\s)|(?<=خلال\s))(?P<mb2_m>{MON_SAFE}))",
        # year: "عام 2023", "العام 2023", "نهاية 2022", "منذ 2011"
        rf"(?P<Y>(?:(?P<y_p>{PER})\s+)?(?:{YCTX}|عامي\s*|اعوام\s*){year('y')}"
        rf"|(?P<y_p2>{PER})\s+{year('y2')}"
        rf"|(?:(?<=منذ\s)|(?<=حتي\s)|(?<=بعد\s)|(?<=قبل\s)|(?<=في\s)){year('y3')})",
        # period of a relative month/year: "مطلع العام الحالي", "نهاية الشهر الماضي"
        rf"(?P<PR>(?P<pr_p>{PER})\s+(?P<pr_rel>{REL}))",
        # "منذ 3 أيام", "قبل يومين", "قبل نحو أسبوعين", "قبل 3 أشهر"
        rf"(?P<A>(?:منذ|قبل)\s+(?:(?:نحو|حوالي|قرابه|زهاء|ما\s+يقارب|ما\s+يزيد\s+عن|اكثر\s+من|اقل\s+من)\s+)?"
        rf"(?:(?P<a_n>\d{{1,3}}|{NUMW})\s+(?P<a_u>{UNITS})|(?P<a_u1>{UNITS})(?!\s+(?:{WD}|ال)))(?!\s*\d))",
        # relative words, optionally with a part of day and a weekday: "فجر اليوم الأربعاء", "أمس السبت"
        rf"(?P<REL>(?:(?P<rel_dp>{DP})\s+)?(?P<rel_r>{REL})(?:\s+(?P<rel_w>{WD}))?)",
        # weekday: "الخميس", "مساء الإثنين", "الخميس الماضي"
        rf"(?P<W>(?:(?P<w_dp>{DP})\s+)?(?:يوم\s+)?(?P<w_w>{WD})(?:\s+{mod('w')})?)",
    ]
    return re.compile("(?:" + "|".join(alts) + r")(?![^\W_])")


_KINDS = ("H", "HM", "N", "R", "F", "D", "MY", "MM", "MR", "MO", "MB", "Y", "PR", "A", "REL", "W")
_LETTER = re.compile(r"[^\W\d_]")
_CLITIC = "وفبل"


def _left_ok(text: str, s: int, orig: Optional[str], norm: Optional[NormText]) -> bool:
    """A match must start a word, possibly after clitics و ف ب ل ("وفي", "بالأمس").

    Scraped text sometimes glues words ("أعلنالإثنين", "اقترفأمس"): a weekday with ال,
    "الأمس", or "أمس" written with hamza may follow a letter directly.
    """
    if s == 0 or not _LETTER.match(text[s - 1]):
        return True
    i = s - 1
    k = 0
    while i >= 0 and k < 2 and text[i] in _CLITIC:
        i -= 1
        k += 1
        if i < 0 or not _LETTER.match(text[i]):
            # "لامس" (touched) must not read as ل + أمس: after a clitic, أمس needs its hamza
            if text[s - 1] == "ل" and text.startswith("امس", s) and orig is not None and norm is not None:
                return orig[norm.offsets[s]] == "أ"
            return True
    t = _tables()
    for w in t.weekdays:
        if text.startswith(w, s):
            return True
    if text.startswith("الامس", s):
        return True
    if text.startswith("امس", s) and orig is not None and norm is not None:
        return orig[norm.offsets[s]] == "أ"
    return False


@dataclass
class _Hit:
    kind: str
    ns: int  # normalized span
    ne: int
    g: dict
    text: str = ""
    span: tuple[int, int] = (0, 0)


@lru_cache(maxsize=1)
def _triggers() -> tuple[frozenset, re.Pattern]:
    """First words any expression can start with, and a finder for glued weekdays/أمس.

    Matching is tried only at word starts (after up to two clitics) whose word is one of
    these, so the big pattern runs a few dozen times per article instead of at every
    character.
    """
    t = _tables()
    first = set()
    for table in (t.months, t.hijri, t.weekdays, t.relative, t.periods, t.ordinals, t.units, t.numbers):
        first.update(k.split()[0] for k in table)
    first.update(k.split()[0] for k in t.dayparts)
    first.update(["شهر", "يوم", "منذ", "قبل", "عام", "العام", "لعام", "للعام", "سنه", "السنه", "عامي", "اعوام"])
    glued = re.compile(_alt(list(t.weekdays) + ["الامس", "امس"]))
    return frozenset(first), glued


_WORD = re.compile(r"[^\W_]+")


def _candidates(text: str) -> list[int]:
    first, glued = _triggers()
    out = []
    for m in _WORD.finditer(text):
        w = m.group()
        s = m.start()
        for j in range(3):
            if j and w[j - 1] not in _CLITIC:
                break
            rest = w[j:]
            if not rest:
                break
            if rest in first or rest[0].isdigit() or (rest.startswith("ال") and rest[2:3].isdigit()):
                out.append(s + j)
                break
    for m in glued.finditer(text):  # "أعلنالإثنين", "اقترفأمس": _left_ok decides
        s = m.start()
        if s and _LETTER.match(text[s - 1]):
            out.append(s)
    return sorted(set(out))


def _find(norm: NormText, orig: Optional[str]) -> list[_Hit]:
    text = norm.text
    pat = _pattern()
    t = _tables()
    hits: list[_Hit] = []
    last = 0
    for s in _candidates(text):
        if s < last:
            continue
        m = pat.match(text, s)
        if not m:
            continue
        e = m.end()
        if not _left_ok(text, s, orig, norm):
            continue
        kind = next(k for k in _KINDS if m.group(k) is not None)
        g = {k: v for k, v in m.groupdict().items() if v is not None}
        ok = True
        if kind == "REL":
            r = _key(g["rel_r"])
            if r == "اليوم" and "rel_w" not in g:
                # "اليوم العالمي", "اليوم الأول", "اليوم الذي": a day of something, not today
                nxt = text[e:e + 24].split()
                w = nxt[0] if nxt else ""
                if w in t.not_today or any(o.split()[0] == w for o in t.ordinals):
                    ok = False
                before = text[max(0, s - 24):s].split()
                if before and before[-1] in t.not_today_before:
                    ok = False
        if kind == "W" and _key(g["w_w"]) == "الاثنين":
            # "الاثنين" is also "both": "البلدين الاثنين", "كلا الاثنين"
            prev = text[max(0, s - 12):s].split()
            if prev and (prev[-1].endswith("ين") or prev[-1].endswith("ان") or prev[-1] in ("كلا", "كلتا", "بين")):
                ok = False
        if kind == "A" and "a_u1" in g and t.units[_key(g["a_u1"])][1] == 0:
            ok = False  # "قبل أيام" (a few days ago): too vague to date
        if ok:
            hits.append(_Hit(kind, s, e, g))
            last = e
    return hits


# ------------------------------------------------------------- resolving ---

def _shift_month(y: int, m: int, k: int) -> tuple[int, int]:
    i = y * 12 + (m - 1) + k
    return i // 12, i % 12 + 1


def _safe_date(y: int, m: int, d: int) -> Optional[date]:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _month_year(m: int, direction: Optional[str], ref: date, day: Optional[int] = None) -> int:
    """Year of month `m` (and day) as seen from `ref` given الماضي/المقبل/الجاري or nothing."""
    if direction == "past":
        # "27 نوفمبر الماضي": the last November before this month; same month only if the day is past
        if m < ref.month or (day is not None and m == ref.month and day <= ref.day):
            return ref.year
        return ref.year - 1
    if direction == "next":
        if m > ref.month or (day is not None and m == ref.month and day > ref.day):
            return ref.year
        return ref.year + 1
    if direction in ("current", "same"):
        return ref.year
    # no modifier: this year, unless that lies more than two months ahead ("في 5 ديسمبر" read in January)
    d = _safe_date(ref.year, m, min(day or 1, 28))
    if d and (d - ref).days > 62:
        return ref.year - 1
    return ref.year


def _day_num(s: str) -> Optional[int]:
    s = _key(s)
    t = _tables()
    if s in t.ordinals:
        return t.ordinals[s]
    s = s[2:] if s.startswith("ال") else s
    return int(s) if s.isdigit() else None


def _period_month(part: Optional[str], y: int) -> tuple[str, int]:
    """'مطلع 2024' → ('2024-01', 3); 'نهاية 2022' → ('2022-12', 3); 'خلال 2023' → ('2023', 3)."""
    if part == "start":
        return f"{y:04d}-01", 3
    if part == "mid":
        return f"{y:04d}-06", 3
    if part == "end":
        return f"{y:04d}-12", 3
    return f"{y:04d}", 3


def _hijri_to_greg(y: int, m: int, d: int) -> Optional[date]:
    try:
        from hijridate import Hijri
    except ImportError:  # optional dependency
        return None
    try:
        return Hijri(y, m, d).to_gregorian()
    except (ValueError, OverflowError):
        return None


def _hijri_month_len(y: int, m: int) -> int:
    try:
        from hijridate import Hijri
        return Hijri(y, m, 1).month_length()
    except Exception:
        return 29


def _hijri_year_of(ref: date) -> Optional[int]:
    try:
        from hijridate import Gregorian
        return Gregorian(ref.year, ref.month, ref.day).to_hijri().year
    except Exception:
        return None


@dataclass
class _Ctx:
    """What "previous" refers to: the last resolved day, month and year."""

    day: Optional[date] = None
    month: Optional[tuple[int, int]] = None
    year: Optional[int] = None

    def note(self, value: str) -> None:
        parts = value.split("-")
        y = int(parts[0])
        self.year = y
        if len(parts) >= 2:
            self.month = (y, int(parts[1]))
        if len(parts) == 3:
            self.day = date.fromisoformat(value)


def _iso(d: date) -> str:
    return d.isoformat()


def _resolve(h: _Hit, ref: Optional[date], ctx: _Ctx):
    """(value, end, precision, anchor) for one hit, or None when it cannot be resolved."""
    t = _tables()
    g = h.g
    k = h.kind
    mod = lambda tag: t.mods.get(_key(g[f"{tag}_mod"])) if f"{tag}_mod" in g else None  # noqa: E731
    if k == "H":
        d, m = _day_num(g["h_d"]), t.hijri[_key(g["h_m"])]
        if "h_y" in g:
            gd = _hijri_to_greg(int(g["h_y"]), m, d or 1)
            return (_iso(gd), None, 1, "absolute") if gd else None
        if ref is None:
            return None
        hy = _hijri_year_of(ref)
        if hy is None:
            return None
        for y in (hy, hy - 1):  # the most recent such Hijri day on or before ref (+2 months slack)
            gd = _hijri_to_greg(y, m, d or 1)
            if gd and (gd - ref).days <= 62:
                return _iso(gd), None, 1, "published"
        return None
    if k == "HM":
        y, m = int(g["hm_y"]), t.hijri[_key(g["hm_m"])]
        gd = _hijri_to_greg(y, m, 1)
        if not gd:
            return None
        end = gd + timedelta(days=_hijri_month_len(y, m) - 1)
        return gd.strftime("%Y-%m"), _iso(end), 3, "absolute"
    if k == "N":
        gd = _safe_date(int(g["n_y"]), int(g["n_m"]), int(g["n_d"]))
        return (_iso(gd), None, 1, "absolute") if gd else None
    if k in ("F", "R"):
        tag = "f" if k == "F" else "r"
        d, m = _day_num(g[f"{tag}_d"]), t.months[_key(g[f"{tag}_m"])]
        if d is None:
            return None
        direction = mod(tag)
        if f"{tag}_y" in g:
            y, anchor = int(g[f"{tag}_y"]), "absolute"
        elif direction == "same" and ctx.month:
            y, anchor = ctx.month[0], "previous"
        elif ref is None:
            return None
        else:
            y, anchor = _month_year(m, direction, ref, d), "published"
        gd = _safe_date(y, m, d)
        if not gd:
            return None
        if k == "R":
            d2 = _safe_date(y, m, int(g["r_d2"]))
            if not d2 or d2 < gd:
                return _iso(gd), None, 1, anchor
            return _iso(gd), _iso(d2), (2 if (d2 - gd).days <= 14 else 3), anchor
        return _iso(gd), None, 1, anchor
    if k == "D":
        d = _day_num(g["d_d"])
        direction = "current" if "d_this" in g else mod("d")
        if direction == "same":
            if ctx.month:
                y, m = ctx.month
                anchor = "previous"
            elif ref:
                y, m, anchor = ref.year, ref.month, "published"
            else:
                return None
        else:
            if ref is None:
                return None
            off = {"past": -1, "next": 1}.get(direction, 0)
            y, m = _shift_month(ref.year, ref.month, off)
            anchor = "published"
        gd = _safe_date(y, m, d or 0)
        return (_iso(gd), None, 1, anchor) if gd else None
    if k == "MR":
        m = t.months[_key(g["mr_m"])]
        anchor_kind, unit, off = t.relative[_key(g["mr_rel"])]
        if unit != "year":
            return None
        if anchor_kind == "previous" and ctx.year:
            y = ctx.year + off
        elif ref is None:
            return None
        else:
            y = ref.year + off
        return f"{y:04d}-{m:02d}", None, 3, anchor_kind
    if k == "MB":
        k, g = "MO", {"mo_m": g.get("mb_m") or g.get("mb2_m")}
    if k in ("MY", "MM", "MO"):
        tag = k.lower()
        m = t.months[_key(g[f"{tag}_m"])]
        part = t.periods.get(_key(g[f"{tag}_p"])) if f"{tag}_p" in g else None
        if k == "MY":
            y, anchor = int(g["my_y"]), "absolute"
        else:
            direction = mod(tag) if k == "MM" else None
            if direction == "same" and ctx.month:
                y, anchor = ctx.month[0], "previous"
            elif ref is None:
                return None
            else:
                y, anchor = _month_year(m, direction, ref), "published"
        return f"{y:04d}-{m:02d}", None, 3, anchor
    if k == "Y":
        y = int(g.get("y_y") or g.get("y2_y") or g.get("y3_y"))
        part = None
        if "y_p" in g:
            part = t.periods.get(_key(g["y_p"]))
        elif "y_p2" in g:
            part = t.periods.get(_key(g["y_p2"]))
        v, p = _period_month(part, y)
        return v, None, p, "absolute"
    if k == "PR":
        anchor_kind, unit, off = t.relative[_key(g["pr_rel"])]
        part = t.periods.get(_key(g["pr_p"]))
        base = _rel_base(anchor_kind, ref, ctx)
        if base is None:
            return None
        if unit == "year":
            y = (ctx.year if anchor_kind == "previous" and ctx.year else base.year) + off
            v, p = _period_month(part, y)
            return v, None, p, anchor_kind
        if unit == "month":
            if anchor_kind == "previous" and ctx.month:
                y, m = _shift_month(*ctx.month, off)
            else:
                y, m = _shift_month(base.year, base.month, off)
            dd = {"start": 1, "mid": 15, "end": calendar.monthrange(y, m)[1]}.get(part)
            if dd:
                return f"{y:04d}-{m:02d}-{dd:02d}", None, 2, anchor_kind
            return f"{y:04d}-{m:02d}", None, 3, anchor_kind
        return _rel_value(anchor_kind, unit, off, ref, ctx)
    if k == "A":
        if "a_u1" in g:
            unit, n = t.units[_key(g["a_u1"])]
        else:
            unit = t.units[_key(g["a_u"])][0]
            a = _key(g["a_n"])
            n = int(a) if a.isdigit() else t.numbers.get(a, 0)
        if ref is None or n <= 0:
            return None
        if unit == "day":
            return _iso(ref - timedelta(days=n)), None, 1, "published"
        if unit == "week":
            return _iso(ref - timedelta(days=7 * n)), None, 2, "published"
        if unit == "month":
            y, m = _shift_month(ref.year, ref.month, -n)
            return f"{y:04d}-{m:02d}", None, 3, "published"
        return f"{ref.year - n:04d}", None, 3, "published"
    if k == "REL":
        anchor_kind, unit, off = t.relative[_key(g["rel_r"])]
        r = _rel_value(anchor_kind, unit, off, ref, ctx)
        if r and "rel_w" in g and unit == "day" and anchor_kind == "published":
            wd = t.weekdays[_key(g["rel_w"])]
            d = date.fromisoformat(r[0])
            if d.weekday() != wd:
                # "أمس الاثنين" in a Thursday article: the named weekday wins (the latest one before then)
                d = d - timedelta(days=(d.weekday() - wd) % 7)
                return _iso(d), None, 1, anchor_kind
        return r
    if k == "W":
        if ref is None:
            return None
        wd = t.weekdays[_key(g["w_w"])]
        direction = mod("w")
        back = (ref.weekday() - wd) % 7
        if direction == "past" and back == 0:
            back = 7  # "الجمعة الماضية" said on a Friday: a week ago
        if direction == "next":
            fwd = (wd - ref.weekday()) % 7 or 7
            return _iso(ref + timedelta(days=fwd)), None, 1, "published"
        return _iso(ref - timedelta(days=back)), None, 1, "published"
    return None


def _rel_base(anchor_kind: str, ref: Optional[date], ctx: _Ctx) -> Optional[date]:
    if anchor_kind == "previous":
        return ctx.day or ref
    return ref


def _rel_value(anchor_kind: str, unit: str, off: int, ref: Optional[date], ctx: _Ctx):
    if anchor_kind == "previous":
        if unit == "day":
            if ctx.day is None:
                return None  # "اليوم التالي" with nothing before it
            return _iso(ctx.day + timedelta(days=off)), None, 1, "previous"
        if unit == "month" and ctx.month:
            y, m = _shift_month(*ctx.month, off)
            return f"{y:04d}-{m:02d}", None, 3, "previous"
        if unit == "year" and ctx.year:
            return f"{ctx.year + off:04d}", None, 3, "previous"
        if ref is None:
            return None
        anchor_kind = "published"
    if ref is None:
        return None
    if unit == "day":
        return _iso(ref + timedelta(days=off)), None, 1, anchor_kind
    if unit == "week":
        return _iso(ref + timedelta(days=7 * off)), None, 2, anchor_kind
    if unit == "month":
        y, m = _shift_month(ref.year, ref.month, off)
        return f"{y:04d}-{m:02d}", None, 3, anchor_kind
    return f"{ref.year + off:04d}", None, 3, anchor_kind


_CALENDAR_VALUE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def _in_calendar(value: Optional[str]) -> bool:
    """"2024-12-05" yes; "10000-01", "-001" or "0000" (off the ends of Python's calendar, years 1-9999) no."""
    return bool(value) and _CALENDAR_VALUE.fullmatch(value) is not None and value[:4] != "0000"


def _resolve_all(hits: list[_Hit], ref: Optional[date]) -> list[tuple[_Hit, tuple]]:
    ctx = _Ctx()
    out = []
    for h in hits:
        try:
            r = _resolve(h, ref, ctx)
        except (OverflowError, ValueError):  # "أمس" published on 0001-01-01: no such day, left unresolved
            r = None
        if r is None or not _in_calendar(r[0]) or (r[1] is not None and not _in_calendar(r[1])):
            continue
        out.append((h, r))
        ctx.note(r[0])
    return out


# ----------------------------------------------------- published inference ---

def _first_day(value: str) -> date:
    p = value.split("-")
    return date(int(p[0]), int(p[1]) if len(p) > 1 else 1, int(p[2]) if len(p) > 2 else 1)


_NEAR_KINDS = ("REL", "W")


def _checks(check, c: date) -> bool:
    try:
        return check(c)
    except (OverflowError, ValueError):  # a mention that falls off the calendar from this candidate
        return False


def _infer_published(hits: list[_Hit]) -> Optional[PublishedInferred]:
    """The window the publication date must lie in (module docstring, step 3)."""
    t = _tables()
    absolute = [(h, r) for h, r in _resolve_all(hits, None) if r[3] == "absolute"]
    if not absolute:
        return None
    h0, r0 = max(absolute, key=lambda hr: _first_day(hr[1][0]))
    lo = _first_day(r0[0])
    evidence = [f"'{h0.text}' is dated {r0[0]}: published on or after {lo.isoformat()}"]
    near = [h for h in hits if h.kind in _NEAR_KINDS and not (
        h.kind == "REL" and t.relative[_key(h.g["rel_r"])][0] == "previous")]
    day_dated = [h for h in hits if h.kind in ("F", "R", "D", "N", "H") or (
        h.kind == "REL" and t.relative[_key(h.g["rel_r"])][0] == "previous")]

    def check(c: date) -> bool:
        res = _resolve_all(hits, c)
        latest_day = None
        for h, (v, _e, p, _a) in res:
            direction = None
            for key in ("f_mod", "r_mod", "mm_mod", "d_mod", "w_mod"):
                if key in h.g:
                    direction = t.mods.get(_key(h.g[key]))
            if h.kind == "REL" and t.relative[_key(h.g["rel_r"])][2] > 0 and t.relative[_key(h.g["rel_r"])][0] == "published":
                direction = "next"
            if direction == "next":
                continue
            if _first_day(v) > c:
                return False  # a past mention after the publication date
            if direction == "past" and h.kind in ("MM", "F", "R") and int(v.split("-")[1]) == c.month:
                return False  # "نوفمبر الماضي" is not written in November
            if direction == "current" and h.kind in ("MM", "F", "R") and int(v.split("-")[1]) != c.month:
                return False
            if h.kind == "REL" and "rel_w" in h.g:
                _, unit, off = t.relative[_key(h.g["rel_r"])]
                if unit == "day" and (c + timedelta(days=off)).weekday() != t.weekdays[_key(h.g["rel_w"])]:
                    return False
            if h in day_dated and p == 1:
                dd = date.fromisoformat(v)
                latest_day = dd if latest_day is None or dd > latest_day else latest_day
        if near and latest_day is not None and (c - latest_day).days > 7:
            return False
        return True

    last = min(400, (date.max - lo).days + 1)  # the candidates stop at 9999-12-31
    ok = [c for c in (lo + timedelta(days=i) for i in range(0, last)) if _checks(check, c)]
    if not ok:
        return None
    earliest, latest = ok[0], ok[-1]
    modded = [h for h in hits if h.kind in ("MM", "F", "R") and any(f"{x}_mod" in h.g for x in ("mm", "f", "r"))]
    if modded:
        evidence.append("month names with الماضي/الجاري/المقبل (" + ", ".join(f"'{h.text}'" for h in modded[:3])
                        + ") fix which months it can fall in")
    if any(h.kind == "REL" and "rel_w" in h.g for h in hits):
        evidence.append("'اليوم/أمس + weekday' fixes the weekday")
    if near and day_dated:
        evidence.append("day-relative words (" + ", ".join(f"'{h.text}'" for h in near[:3])
                        + ") place it within 7 days after the latest day-dated mention")
    return PublishedInferred(earliest=earliest.isoformat(), latest=latest.isoformat(), evidence=evidence)


# ------------------------------------------------------------------- API ---

def _hits_for(norm: NormText, orig: Optional[str]) -> list[_Hit]:
    hits = _find(norm, orig)
    for h in hits:
        s, e = norm.orig_span(h.ns, h.ne)
        if orig is not None:  # keep trailing tatweel/diacritics ("هـ", "غداً") inside the span
            while e < len(orig) and norm.norm_index(e) == norm.norm_index(e + 1) and not orig[e].isspace():
                e += 1
        h.span = (s, e)
        h.text = orig[s:e] if orig is not None else norm.text[h.ns:h.ne]
    return hits


def _exprs(hits: list[_Hit], ref: Optional[date]) -> list[TimeExpr]:
    return [TimeExpr(text=h.text, value=v, end=e, time_precision=p, anchor=a, span=[h.span[0], h.span[1]])
            for h, (v, e, p, a) in _resolve_all(hits, ref)]


def resolve_times(norm_text_or_doc: Union[Doc, NormText, str], published: Optional[date] = None) -> list[TimeExpr]:
    """Time expressions of a text resolved against `published` (pure: changes nothing).

    Accepts a `Doc` (spans into doc.text; `published` defaults to doc.reference_date), an
    original string (spans into it) or a `NormText` (spans into the original it came from,
    `text` then taken from the normalized copy).
    """
    if isinstance(norm_text_or_doc, Doc):
        doc = norm_text_or_doc
        return _exprs(_hits_for(doc.norm, doc.text), published or doc.reference_date)
    if isinstance(norm_text_or_doc, NormText):
        return _exprs(_hits_for(norm_text_or_doc, None), published)
    text = str(norm_text_or_doc)
    return _exprs(_hits_for(NormText.of(text), text), published)


class TimeResolver:
    """Pipeline stage: fills doc.times (and doc.published_inferred when published is missing)."""

    name = "times"

    def __init__(self) -> None:
        _pattern()  # compile once, up front

    def __call__(self, doc: Doc) -> Doc:
        hits = _hits_for(doc.norm, doc.text)
        if doc.published is None and doc.published_inferred is None:
            doc.published_inferred = _infer_published(hits)
        doc.times = _exprs(hits, doc.reference_date)
        return doc
