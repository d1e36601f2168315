#!/usr/bin/env python3
"""Build the Arabic word lists that the tokenizer's glued-word cut reads (marsad/text/segment.py).

    python scripts/build_word_lists.py

Writes, from wordfreq's Arabic list (wordfreq 3.x, data CC BY-SA 4.0, see NOTICE):
* marsad/data/text/common_words.tsv.gz: every Arabic word with Zipf frequency ≥ 3.0 and its Zipf value
  (the parts a cut may give);
* marsad/data/text/joined_words.txt: the known words (Zipf > 0) that read as two common words joined
  before "ال" or a free preposition ("عبدالله", "خلالها", "الشمالية"), which are never cut.
Loading these two files costs a few MB; loading wordfreq's own list at run time cost ~96 MB of memory.
Deterministic (sorted output, gzip without a timestamp): rerunning rebuilds the files byte for byte.
"""
from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.text.segment import GLUED_PART_ZIPF, glued_cuts  # noqa: E402

OUT = ROOT / "marsad" / "data" / "text"
ARABIC = re.compile("^[\u0621-\u064a\u064b-\u0652]+$")


def main() -> None:
    from wordfreq import iter_wordlist, zipf_frequency

    words = sorted(w for w in iter_wordlist("ar", "best") if ARABIC.match(w))
    zipf = {w: zipf_frequency(w, "ar") for w in words}
    common = {w: z for w, z in zipf.items() if z >= GLUED_PART_ZIPF}
    joined = sorted(w for w in words if zipf[w] > 0 and any(
        min(common.get(w[:i], 0.0), common.get(w[i:], 0.0)) >= GLUED_PART_ZIPF for i in glued_cuts(w)))
    OUT.mkdir(parents=True, exist_ok=True)
    lines = "".join(f"{w}\t{z:.2f}\n" for w, z in sorted(common.items()))
    with open(OUT / "common_words.tsv.gz", "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(("# Arabic words with wordfreq Zipf >= %.1f (scripts/build_word_lists.py)\n" % GLUED_PART_ZIPF + lines)
                 .encode("utf-8"))
    (OUT / "joined_words.txt").write_text(
        "# known Arabic words that read as two joined words; never cut (scripts/build_word_lists.py)\n"
        + "".join(w + "\n" for w in joined), encoding="utf-8")
    print(f"{len(common)} common words, {len(joined)} joined-looking known words → {OUT}")


if __name__ == "__main__":
    main()
