"""Build marsad/data/stories/idf.tsv.gz: document frequencies of title + text stems over the news corpus.

    python scripts/build_story_idf.py [../shared/data/corpus/almayadeen-2023-2024.jsonl.gz]

The same-story pair features (marsad/stories/pairs.py: lead_tfidf, body_tfidf,
lead_rare_shared) weight a stem by log(N / df): a word in a third of the
articles ("غزة", "الاحتلال") says little about which happening two reports
share, a word in a handful ("زيكيم", "المنقوش") says much. Stems are those of
marsad.stories.profile.term_bag (normalized, one clitic stripped, function
words dropped). Stems found in a single document are left out (they count as
1). The output is byte for byte the same for the same corpus (sorted rows,
gzip without a timestamp).
"""
from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.stories.profile import term_bag  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "data" / "corpus" / "almayadeen-2023-2024.jsonl.gz"
OUT = ROOT / "marsad" / "data" / "stories" / "idf.tsv.gz"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", type=Path, nargs="?", default=DEFAULT)
    ap.add_argument("-o", "--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    df: Counter = Counter()
    n = 0
    opener = gzip.open if args.corpus.suffix == ".gz" else open
    with opener(args.corpus, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            n += 1
            df.update(set(term_bag((r.get("title") or "") + " " + (r.get("text") or ""))))
    buf = io.StringIO()
    buf.write(f"# stem document frequencies of {args.corpus.name} (scripts/build_story_idf.py); "
              "stems in one document only are left out\n")
    buf.write(f"# documents\t{n}\n")
    for w, c in sorted(df.items(), key=lambda kv: (-kv[1], kv[0])):
        if c >= 2:
            buf.write(f"{w}\t{c}\n")
    with open(args.out, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                                    compresslevel=9) as gz:
        gz.write(buf.getvalue().encode("utf-8"))
    print(f"{n} documents, {sum(1 for c in df.values() if c >= 2)} stems kept -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
