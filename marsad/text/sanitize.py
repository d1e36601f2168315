"""Sanitizing at the door: characters the stages should not see, replaced one for one.

Two views of an input text, both exactly as long as what the caller gave:

* `scrub_surrogates(s)`: the text a record carries. A lone surrogate ("\\ud800" is
  valid JSON but not a character) cannot be written as UTF-8, so it becomes U+FFFD;
  everything else is kept as given.
* `for_processing(s)`: what the stages read. NULs, C0/C1 controls (except tab and
  line breaks), bidi controls (LRM, RLM, embeddings, isolates, the Arabic letter
  mark) and U+FFFD become spaces; zero-width joiners and non-joiners, the word
  joiner, BOM and soft hyphen become tatweel (ـ) between two letters, so
  "سي\\u200cطرت" still reads as one word "سيـطرت" (tatweel is dropped by
  normalization), and a space elsewhere; a zero-width space is a word break, so a
  space.

Because every replacement is one character for one character, an offset into the
processing text is the same offset into the record's text: spans stay exact.
"""
from __future__ import annotations

import re

TATWEEL = "\u0640"

# surrogate code points (only lone ones survive into a Python str)
_SURROGATE = re.compile("[\ud800-\udfff]")
# NUL and C0 controls except \t \n \r; DEL and C1 controls; bidi marks, embeddings, overrides, isolates;
# the Arabic letter mark; line/paragraph separators kept as breaks below; U+FFFD (a replaced byte)
_TO_SPACE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e"
                       "\u2066-\u2069\u061c\ufffd\ufff9-\ufffb]")
# invisible joiners inside a word: ZWNJ, ZWJ, word joiner, BOM (ZWNBSP), soft hyphen
_JOINERS = "\u200c\u200d\u2060\ufeff\u00ad"
_JOINER_IN_WORD = re.compile(rf"(?<=\w)[{_JOINERS}]+(?=\w)")
_JOINER = re.compile(f"[{_JOINERS}]")
# U+2028/U+2029 are line breaks to a reader: make them \n so sentences end there
_LINE_SEP = re.compile("[\u2028\u2029]")
_ANY = re.compile("|".join((_SURROGATE.pattern, _TO_SPACE.pattern, f"[{_JOINERS}]", _LINE_SEP.pattern)))


def scrub_surrogates(s: str) -> str:
    """`s` with lone surrogates replaced by U+FFFD (same length); `s` itself when it has none."""
    if not _SURROGATE.search(s):
        return s
    return _SURROGATE.sub("\ufffd", s)


def needs_sanitizing(s: str) -> bool:
    return _ANY.search(s) is not None


def for_processing(s: str) -> str:
    """The text the stages read: same length as `s`, unprocessable characters replaced (see above)."""
    if not needs_sanitizing(s):
        return s
    s = _SURROGATE.sub(" ", s)
    s = _TO_SPACE.sub(" ", s)
    s = _JOINER_IN_WORD.sub(lambda m: TATWEEL * len(m.group()), s)
    s = _JOINER.sub(" ", s)
    return _LINE_SEP.sub("\n", s)
