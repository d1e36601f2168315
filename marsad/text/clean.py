"""Boilerplate removal: spans judged not to be article prose, recorded in `removed`.

The text itself is kept; later stages skip these spans. Patterns live in
`marsad/data/boilerplate.tsv` (regex on the normalized text, reason), e.g. the
widget line "عرض الأخبار ذات الصلة" ("show related news") that sits between
paragraphs of many Arabic news pages.
"""
from __future__ import annotations

import re
from functools import lru_cache

from marsad.data import data_path
from marsad.doc import Doc
from marsad.records import Removed


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern, str]]:
    out = []
    for line in data_path("boilerplate.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pattern, reason = line.split("\t")
        out.append((re.compile(pattern, re.MULTILINE), reason))
    return out


class BoilerplateCleaner:
    name = "clean"

    def __call__(self, doc: Doc) -> Doc:
        norm = doc.norm
        for pattern, reason in _patterns():
            for m in pattern.finditer(norm.text):
                s, e = norm.orig_span(m.start(), m.end())
                if e > s:
                    doc.removed.append(Removed(span=[s, e], reason=reason))
        doc.removed.sort(key=lambda r: r.span[0])
        return doc
