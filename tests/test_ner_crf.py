"""The numeric CRF scorer (marsad.ner.crf) against crfsuite itself, and the byte-bounded cache.

Sentences are written for the tests (no ANERcorp or news text)."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from marsad.ner import features as F
from marsad.ner.model import MODEL, NerTagger
from marsad.text.cache import ByteCache, cached

needs_model = pytest.mark.skipif(not MODEL.exists(), reason="NER model not trained")

SENTENCES = [
    "وقال الرئيس الأمريكي جو بايدن في واشنطن إن الولايات المتحدة ستواصل دعمها .",
    "أعلن الرئيس الفرنسي إيمانويل ماكرون من باريس ، اليوم ، أن فرنسا ستدعم الاتفاق .",
    "وأعلنت وزارة الصحة اللبنانية عن افتتاح مستشفى جديد في جنوب لبنان .",
    "قصفت طائرات الاحتلال مواقع في مدينة غزة وخان يونس صباح الثلاثاء 12 / 3 / 2024",
    "التقى وزير الخارجية الإيراني حسين أمير عبد اللهيان بنظيره السوري فيصل المقداد في دمشق",
    "ذكرت وكالة Reuters أن شركة أرامكو السعودية رفعت إنتاجها",
    "حزب الله",
    "؟",
    "وبالمدينة",
    "محمد محمد محمد محمد",
]


@needs_model
def test_labels_and_marginals_are_crfsuite_s():
    import pycrfsuite

    reference = pycrfsuite.Tagger()
    reference.open(str(MODEL))
    scorer = NerTagger(MODEL).scorer
    sents = [s.split() for s in SENTENCES]
    got = scorer.tag(sents)  # all sentences in one call, as the pipeline does
    for toks, (labels, marg) in zip(sents, got):
        want = reference.tag(F.sent_features(toks))
        assert labels == want, toks
        want_marg = [reference.marginal(y, i) for i, y in enumerate(want)]
        np.testing.assert_allclose(marg, want_marg, rtol=0, atol=1e-12)
    again = scorer.tag(sents[::-1])  # the word cache warm, another order: same results
    assert [a[0] for a in again] == [g[0] for g in got][::-1]


@needs_model
def test_entities_many_equals_one_by_one_and_empty_sentences():
    tagger = NerTagger.default()
    sents = [s.split() for s in SENTENCES]
    assert tagger.entities_many(sents + [[]]) == [tagger.entities(s) for s in sents] + [[]]
    assert tagger.entities([]) == []


def test_sent_features_is_the_sum_of_word_and_position_features():
    """The scorer reads the two parts; training reads sent_features: they must agree."""
    for sent in SENTENCES:
        toks = sent.split()
        words = [F.word_features(t) for t in toks]
        want = [Counter(w.own) for w in words]
        for j, w in enumerate(words):
            for d, attrs in w.context:
                if 0 <= j + d < len(toks):
                    want[j + d].update(attrs)
        for c, extra in zip(want, F.position_features([w.key for w in words])):
            c.update(extra)
        assert [Counter(f) for f in F.sent_features(toks)] == want


def test_byte_cache_bounds_bytes_and_keeps_what_is_used():
    cache = ByteCache(10_000, size=lambda k, v: len(v))
    for i in range(1000):
        cache.put(i, "x" * 100)
        if i % 10 == 0:
            assert cache.get(0) == "x" * 100  # used all along: never ages out
        assert cache.nbytes <= 10_000
    assert cache.get(1) is None and cache.get(999) == "x" * 100
    assert 0 < len(cache) < 1000

    calls = []

    @cached(2_000, size=lambda k, v: 50)
    def double(s):
        calls.append(s)
        return s * 2

    assert double("ab") == "abab" and double("ab") == "abab" and calls == ["ab"]
    for i in range(200):
        double(str(i))
    assert double.cache.nbytes <= 2_000
    double("ab")
    assert calls.count("ab") == 2  # aged out, computed again


@needs_model
def test_numpy_decoder_matches_the_compiled_one():
    """Without numba the scorer decodes in numpy: the same labels, the same marginals."""
    from marsad.ner import crf

    scorer = NerTagger.default().scorer
    sents = [s.split() for s in SENTENCES] * 3
    E, starts = scorer.emissions(sents)
    out = {}
    for name in ("_decode", "_decode_numpy"):
        labels, marg = np.zeros(len(E), dtype=np.int64), np.zeros(len(E))
        getattr(crf, name)(E, scorer.w.trans, scorer.exp_trans, starts, labels, marg)
        out[name] = labels, marg
    assert (out["_decode"][0] == out["_decode_numpy"][0]).all()
    np.testing.assert_allclose(out["_decode"][1], out["_decode_numpy"][1], rtol=0, atol=1e-12)


def test_numpy_accumulate_matches_the_compiled_one():
    """Without numba the word scores are summed by np.add.at: the same sums, bit for bit."""
    from marsad.ner import crf

    rng = np.random.default_rng(0)
    table = rng.normal(size=(50, 4, 9))
    rows = rng.integers(-1, 50, size=400)
    dest = np.sort(rng.integers(0, 30, size=400))
    got = {}
    for name in ("_accumulate", "_accumulate_numpy"):
        out = np.zeros((30, 4, 9))
        getattr(crf, name)(out, dest, rows, table)
        got[name] = out
    assert (got["_accumulate"] == got["_accumulate_numpy"]).all()
