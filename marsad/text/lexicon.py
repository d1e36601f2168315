"""Word lexicons looked up through Arabic clitics.

A `FormLexicon` maps normalized word forms to table rows. `lookup` tries the
token as written, then with proclitics removed ("وقصفت" → "قصفت", "بالغارات" →
"غارات"/"الغارات"), then with a pronoun suffix removed ("استهدفوها" →
"استهدفوا", "سيطرتها" → "سيطره"). Tables are TSV files under marsad/data/.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from marsad.data import data_path
from marsad.text.cache import cached
from marsad.text.normalize import normalize
from marsad.text.segment import clitic_stems, strip_enclitic


def read_tsv(path: Path) -> list[list[str]]:
    """Rows of a TSV data file, skipping blank lines and # comments."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.rstrip("\n").split("\t"))
    return rows


def forms(cell: str) -> list[str]:
    """'قصف|قصفت' → normalized forms."""
    return [normalize(f.strip()) for f in cell.split("|") if f.strip()]


READINGS_BYTES = 12 * 2**20


@cached(READINGS_BYTES, size=lambda k, v: 150 + 2 * len(k) + sum(60 + 2 * len(r) for r in v))
def readings(norm_token: str) -> tuple[str, ...]:
    """The token, its proclitic-stripped stems (the shortest proclitic first: "وبحث" is و + "بحث"
    (discussed) before و + ب + "حث" (urged)), and those stems without a pronoun suffix."""
    out = []
    for prefix, stem in sorted(clitic_stems(norm_token), key=lambda r: r[0]):
        out.append(stem)
        # plural subject endings: "يسيطروا"/"يسيطرون" → "يسيطر" (the listed form)
        if len(stem) >= 5 and stem.endswith(("وا", "ون")):
            out.append(stem[:-2])
        # stripping both ends leaves at least 4 letters: "وزاره" (ministry) is not و+زار+ه (visited him),
        # "فايده" (benefit) not ف+ايد+ه (supported him)
        for base in strip_enclitic(stem, min_stem=4 if prefix else 3):
            out.append(base)
            if base.endswith("و"):  # "استهدفوها" → "استهدفو" → "استهدفوا"
                out.append(base + "ا")
    return tuple(out)


_NONE: list = []  # the shared "no hit" (never mutated)


class FormLexicon:
    """Rows by normalized form; a token is looked up through its `readings` (cached for all lexicons).

    Most tokens are in no lexicon: one set test of the token's readings against the forms (run in C)
    answers those, so no per-lexicon memo is needed."""

    def __init__(self, rows: list[tuple[str, object]]):
        self.index: dict[str, list] = {}
        for form, value in rows:
            self.index.setdefault(form, []).append(value)
        self._forms = self.index.keys()

    def lookup(self, norm_token: str) -> list:
        """The rows of the first reading of the token that is a form of this lexicon, else []."""
        rds = readings(norm_token)
        if self._forms.isdisjoint(rds):
            return _NONE
        index = self.index
        return next(index[r] for r in rds if r in index)

    def has(self, norm_token: str) -> bool:
        return not self._forms.isdisjoint(readings(norm_token))


@lru_cache(maxsize=None)
def table_lexicon(*parts: str, role_col: int | None = None, role: str | None = None) -> FormLexicon:
    """A FormLexicon over the first column of a data table; values are the rows."""
    rows = []
    for row in read_tsv(data_path(*parts)):
        if role_col is not None and (len(row) <= role_col or row[role_col] != role):
            continue
        for f in forms(row[0]):
            rows.append((f, row))
    return FormLexicon(rows)
