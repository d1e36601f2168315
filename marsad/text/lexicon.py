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


class FormLexicon:
    def __init__(self, rows: list[tuple[str, object]]):
        self.index: dict[str, list] = {}
        for form, value in rows:
            self.index.setdefault(form, []).append(value)
        self.multi = {f for f in self.index if " " in f}

    def readings(self, norm_token: str) -> list[str]:
        out = []
        for _, stem in clitic_stems(norm_token):
            out.append(stem)
            for base in strip_enclitic(stem):
                out.append(base)
                if base.endswith("و"):  # "استهدفوها" → "استهدفو" → "استهدفوا"
                    out.append(base + "ا")
        return out

    def lookup(self, norm_token: str) -> list:
        for reading in self.readings(norm_token):
            hit = self.index.get(reading)
            if hit:
                return hit
        return []

    def has(self, norm_token: str) -> bool:
        return bool(self.lookup(norm_token))


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
