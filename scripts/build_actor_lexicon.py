#!/usr/bin/env python3
"""Build the generated actor lexicons under marsad/data/actors/ from ../shared.

    python scripts/build_actor_lexicon.py [--shared ../shared]

Writes (all TSV, one entry a line, reviewable in a diff):

* countries.tsv      Natural Earth NAME_AR country names (+ hand country_aliases.tsv)
* nationalities.tsv  adjectives generated from those names ("سوريا" → سوري سورية سوريون
                     سوريين سوريان ...) merged with the hand nationality_overrides.tsv
* people_petrarch.tsv, organizations_petrarch.tsv, agents_petrarch.tsv
                     cleaned UniversalPetrarch Arabic actor / agent dictionaries
                     (MIT, Copyright (c) 2016 Open Event Data Alliance)

Hand-written tables (roles.tsv, organizations.tsv, people.tsv, modifiers.tsv,
nationality_overrides.tsv, country_aliases.tsv) are inputs, never overwritten; at
load time the resolver lets them win over the generated files.

UniversalPetrarch cleaning: entries are lemmatized (no ال, masculine singular) and
dated CAMEO codes. We keep the most recent code of each entry, map CAMEO codes to
ISO3 country + PLOVER sector (CAMEO MED "media" → JRN, HLH "health" → MED, INS/SEP
→ REB), and drop: bare places (code is a country only), single-word entries (too
ambiguous: "مبارك", "بوش"), entries with lemma artefacts (one-letter tokens such as
"ل_" or "أ_", Latin letters, digits), entries containing a role or nationality word
(the resolver composes those: "وزارة_دفاع_أميركي_"), uncertain codes ("[MIL?]") and
anything the hand tables already cover.
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "marsad" / "data" / "actors"
sys.path.insert(0, str(REPO))

from marsad.text.normalize import normalize  # noqa: E402

ARABIC_WORD = re.compile(r"^[\u0621-\u064A\u0670\u0671]+$")

# CAMEO agent code → PLOVER sector (None: dropped)
CAMEO_SECTOR = {
    "GOV": "GOV", "MIL": "MIL", "REB": "REB", "OPP": "OPP", "COP": "COP", "SPY": "SPY",
    "CVL": "CVL", "NGO": "NGO", "REF": "REF", "JUD": "JUD", "LEG": "LEG", "PTY": "PTY",
    "BUS": "BUS", "EDU": "EDU", "LAB": "LAB", "REL": "REL", "CRM": "CRM", "UAF": "UAF",
    "AGR": "AGR", "ELI": "ELI", "IGO": "IGO", "DEV": "GOV", "ENV": "NGO",
    "MED": "JRN",  # CAMEO media → PLOVER journalists/media
    "HLH": "MED",  # CAMEO health → PLOVER MED (health)
    "INS": "REB", "SEP": "REB", "IMG": "REB", "PRM": "PRM",
    "MUS": None, "JEW": None, "CHR": None, "BUD": None, "HIN": None, "RAD": None, "MOD": None,
}
NONSTATE = {"IGO", "IMG", "NGO", "UNO", "EUR"}

# first words that make an entry an organization rather than a person
ORG_HEADS = set(normalize(w) for w in (
    "حركة حزب منظمة جبهة مجلس وكالة جامعة اتحاد هيئة شركة بنك جريدة صحيفة قناة كتائب "
    "كتيبة جيش قوة قوات لواء تنظيم جماعة مؤسسة لجنة وزارة مكتب إدارة دائرة محكمة جمعية "
    "ائتلاف تحالف مركز معهد سلطة حكومة برلمان ديوان شبكة مرصد فيلق سرايا ألوية مجموعة "
    "رابطة نقابة صندوق برنامج مفوضية بعثة قيادة مصرف تلفزيون إذاعة راديو موقع مجلة وكالة "
    "محطة شرطة مديرية أكاديمية جهاز مخابرات دار").split())

# words that mark an entry as a role/description the resolver composes itself
ROLE_WORDS = set(normalize(w) for w in (
    "رئيس وزير وزارة وزراء نائب أمين عام ناطق متحدث مسؤول سفير قائد زعيم عضو ملك أمير "
    "عاهل ولي مستشار مدير سكرتير مبعوث مندوب جنرال لواء عقيد عميد شيخ رئاسة ديوان "
    "حكومة قوة قوات جيش شرطة أمن قاضي مدعي مجلس سابق أسبق دولة ولاية مدينة").split())

STOP_AGENTS = set(normalize(w) for w in (
    "عمل رئيس هوائي معلن ولاية ممثل مربع حصاد زراعة مزرعة صيد طيران شركة دولة مدينة "
    "مجلس بيت حكومة نظام سلطة إدارة قيادة زعيم قائد عضو نائب مسؤول مدير وزير وزارة "
    "دائرة مكتب هيئة لجنة جمعية مؤسسة عام أعلى مركز قسم فرع قوة قوات جيش أمن شرطة "
    "خبير معلق مراقب حارس بيان ضحية إرهاب حرب سلام مقدم مقيم دير مدني قرية موقع عسكري وكالة سيدة حملة قضاء خدمة مستوطنة إرهابي "
    "مكتب منطقة جهة مصدر بلد شعب أمة جماعة مجموعة فريق طرف").split())


# entries whose form is a common word or a region name in news text
BLOCK = {"شرق اوسط"}  # "الشرق الأوسط": the Middle East far more often than the newspaper


def read_tsv(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as f:
        lines = [ln for ln in f if ln.strip() and not ln.startswith("#")]
    for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        rows.append({k: (v or "").strip() for k, v in row.items()})
    return rows


def write_tsv(path: Path, header: list[str], rows: list[list[str]], comment: str) -> None:
    with path.open("w", encoding="utf-8") as f:
        for line in comment.strip().splitlines():
            f.write(f"# {line}\n")
        f.write("\t".join(header) + "\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    print(f"wrote {path.relative_to(REPO)}: {len(rows)} rows")


def key(form: str) -> str:
    """Match key of a form: normalized, leading ال dropped from each word (as the resolver does)."""
    out = []
    for w in normalize(form).split():
        if w.startswith("ال") and len(w) > 3:
            w = w[2:]
        out.append(w)
    return " ".join(out)


# --- countries and nationalities ------------------------------------------------------

NE_FIX = {"France": "FRA", "Norway": "NOR", "Kosovo": "KOS", "Somaliland": "SOM", "N. Cyprus": "CYP"}


def countries(shared: Path) -> tuple[list[list[str]], dict[str, str]]:
    rows, iso = [], {}
    with (shared / "data/geo/ne_10m_admin_0_names_v5.1.1.tsv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            code = r["ISO_A3"] if r["ISO_A3"] != "-99" else NE_FIX.get(r["NAME"], "")
            if not code or not r["NAME_AR"].strip():
                continue
            rows.append([r["NAME_AR"].strip(), code, r["NAME_EN"].strip()])
            iso[code] = r["NAME_EN"].strip()
    for r in read_tsv(OUT / "country_aliases.tsv"):
        rows.append([r["form"], r["country"], r["name"]])
    seen, out = set(), []
    for r in rows:
        k = key(r[0])
        if k not in seen:
            seen.add(k)
            out.append(r)
    return out, iso


def adjective_forms(name_ar: str) -> list[str]:
    """Regular nationality adjectives of a one-word country name.

    "سوريا" → سوري, سورية, سوريون, سوريين, سوريان, سوريتين ...: strip ال ("السودان" →
    سودان), drop a final يا/ا/ة ("ليبيا" → ليب, "سورية" → سور), then add the suffixes.
    """
    w = name_ar.strip()
    if " " in w:
        return []  # multi-word names ("كوريا الجنوبية") are irregular: override table
    if w.startswith("ال"):
        w = w[2:]
    for end in ("يا", "ا", "ة"):
        if w.endswith(end) and len(w) - len(end) >= 2:
            w = w[: -len(end)]
            break
    if len(w) < 2:
        return []
    return [w + s for s in ("ي", "ية", "يون", "يين", "يان", "يتان", "يتين", "يات")]


def nationalities(country_rows: list[list[str]]) -> list[list[str]]:
    overrides = read_tsv(OUT / "nationality_overrides.tsv")
    fixed = {o["country"] for o in overrides}
    rows: dict[str, list[str]] = {}
    for form, code, name in country_rows:
        if code in fixed:
            continue  # the override table spells this country's adjectives out
        for adj in adjective_forms(form):
            rows.setdefault(key(adj), [adj, code, name, "generated"])
    for o in overrides:
        rows[key(o["form"])] = [o["form"], o["country"], o["demonym"], "override"]
    return sorted(rows.values(), key=lambda r: (r[1], r[0]))


# --- UniversalPetrarch ------------------------------------------------------------------

CODE_RE = re.compile(r"\[\s*~?([A-Z]+)(\??)\s*(>?\s*\d{8})?")


def parse_code(code: str, iso: set[str]) -> tuple[str, str] | None:
    """CAMEO code → (country, PLOVER sector); "SYRGOV" → ("SYR", "GOV"), "IGOUNO" → ("UNO", "IGO")."""
    chunks = [code[i:i + 3] for i in range(0, len(code) - len(code) % 3, 3)]
    if not chunks:
        return None
    country = ""
    if chunks[0] in iso or chunks[0] in NONSTATE:
        country, chunks = chunks[0], chunks[1:]
    if country == "IGO" and chunks and chunks[0] == "UNO":
        return "UNO", "IGO"
    if country in ("IGO", "UNO") and not chunks:
        return country, "IGO"
    for c in chunks:
        if c in CAMEO_SECTOR:
            s = CAMEO_SECTOR[c]
            if s:
                return country, s
    return (country, "") if country else None


def petrarch_actor_entries(path: Path) -> list[tuple[str, str]]:
    """(form, best code) pairs from actor_dict_ar_v4.txt; the most recent dated code wins."""
    entries: list[tuple[str, list[tuple[str, str, str]]]] = []
    for raw in path.open(encoding="utf-8"):
        line = raw.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("\t") or line.startswith("  ") and line.strip().startswith("["):
            if entries:
                for m in CODE_RE.finditer(line):
                    entries[-1][1].append((m.group(1), m.group(2), (m.group(3) or "").strip("> ")))
            continue
        form = line.split("[")[0].strip()
        codes = [(m.group(1), m.group(2), (m.group(3) or "").strip("> ")) for m in CODE_RE.finditer(line)]
        entries.append((form, codes))
    out = []
    for form, codes in entries:
        if not codes:
            continue
        best = max(enumerate(codes), key=lambda ic: (ic[1][2] or "0", ic[0]))[1]
        if best[1]:  # "[MIL?]": the dictionary's authors were unsure
            continue
        out.append((form, best[0]))
    return out


def clean_form(form: str) -> str | None:
    words = [w for w in form.replace("_", " ").split() if w]
    if not words or any(len(w) < 2 or not ARABIC_WORD.match(w) for w in words):
        return None
    return " ".join(words)


def petrarch(shared: Path, iso: set[str], hand_keys: set[str], nat_keys: set[str]):
    base = shared / "data/lexicons/universalpetrarch_arabic"
    role_keys = ROLE_WORDS | nat_keys
    people, orgs, seen = [], [], set(hand_keys)
    dropped = {"place/bare": 0, "single word": 0, "artefact": 0, "role/nationality word": 0,
               "no sector": 0, "no country": 0, "duplicate": 0}
    for form, code in petrarch_actor_entries(base / "actor_dict_ar_v4.txt"):
        f = clean_form(form)
        if f is None:
            dropped["artefact"] += 1
            continue
        parsed = parse_code(code, iso)
        if not parsed or not parsed[1]:
            dropped["place/bare" if parsed else "no sector"] += 1
            continue
        country, sector = parsed
        if not country:
            dropped["no country"] += 1  # generic descriptions ("دبلوماسي غربي"): agents cover those
            continue
        k = key(f)
        words = k.split()
        if len(words) < 2:
            dropped["single word"] += 1
            continue
        if any(w in role_keys for w in words):
            dropped["role/nationality word"] += 1
            continue
        if k in BLOCK:
            continue
        if k in seen:
            dropped["duplicate"] += 1
            continue
        seen.add(k)
        if words[0] in ORG_HEADS:
            orgs.append([f, country, sector, "organization", f])
        else:
            people.append([f, country, sector, f])
    print("petrarch actors kept:", len(people), "people,", len(orgs), "organizations; dropped:", dropped)

    agents, aseen = [], set(hand_keys)
    for raw in (base / "agents.all.ar_v3.txt").open(encoding="utf-8"):
        if raw.startswith("#") or "[" not in raw:
            continue
        m = CODE_RE.search(raw)
        f = clean_form(raw.split("[")[0])
        if not m or m.group(2) or f is None:
            continue
        parsed = parse_code(m.group(1), iso)
        if not parsed or not parsed[1] or parsed[0]:
            continue
        sector = parsed[1]
        if sector in ("BUS", "AGR", "EDU", "LAB", "ELI", "IGO", "REL"):
            continue  # generic economic/social nouns: too noisy as actors ("عمل", "حصاد")
        words = key(f).split()
        if len(words) > 3 or (len(words) == 1 and (words[0] in STOP_AGENTS or len(words[0]) < 4)):
            continue
        forms = [f]
        if len(words) == 1 and not f.endswith(("ة", "ين", "ون", "ات")):
            forms += [f + "ين", f + "ون"]  # "متمرد" → "متمردين", "متمردون"
        for g in forms:
            k = key(g)
            if k in aseen:
                continue
            aseen.add(k)
            kind = "organization" if words[0] in ORG_HEADS else ("group" if g != f else "person")
            agents.append([g, "", sector, kind, f, ""])
    print("petrarch agents kept:", len(agents))
    return people, orgs, agents


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = ap.parse_args()
    shared = args.shared

    crows, iso_names = countries(shared)
    write_tsv(OUT / "countries.tsv", ["form", "country", "name"], crows,
              "GENERATED by scripts/build_actor_lexicon.py: Natural Earth 5.1.1 NAME_AR (public domain)\n"
              "plus country_aliases.tsv. A country name acting is a state actor (sector GOV).")
    nrows = nationalities(crows)
    write_tsv(OUT / "nationalities.tsv", ["form", "country", "demonym", "source"], nrows,
              "GENERATED by scripts/build_actor_lexicon.py: nationality adjectives from Natural Earth\n"
              "Arabic country names (strip ال, drop final يا/ا/ة, add ي/ية/يون/يين/يان...) and the\n"
              "hand-written nationality_overrides.tsv (source=override wins).")

    hand = set()
    for fn in ("people.tsv", "organizations.tsv", "roles.tsv"):
        hand |= {key(r["form"]) for r in read_tsv(OUT / fn)}
    nat_keys = {key(r[0]) for r in nrows} | {key(r[0]) for r in crows}
    iso = set(iso_names) | {"KOS"}
    people, orgs, agents = petrarch(shared, iso, hand, nat_keys)
    src = ("GENERATED by scripts/build_actor_lexicon.py from UniversalPetrarch Arabic dictionaries\n"
           "(MIT License, Copyright (c) 2016 Open Event Data Alliance), cleaned and recoded to\n"
           "ISO3 country + PLOVER sector. Forms are the dictionary's lemmas (ال dropped).")
    write_tsv(OUT / "people_petrarch.tsv", ["form", "country", "sector", "name"], sorted(people), src)
    write_tsv(OUT / "organizations_petrarch.tsv", ["form", "country", "sector", "kind", "name"], sorted(orgs), src)
    write_tsv(OUT / "agents_petrarch.tsv", ["form", "country", "sector", "kind", "name", "flags"], sorted(agents), src)


if __name__ == "__main__":
    main()
