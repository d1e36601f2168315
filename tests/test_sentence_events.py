"""The GSR sentence detector's voting (marsad/extract/sentence_events.py), on sentences written for the test."""
import numpy as np

from marsad.extract.sentence_events import USE_DIM, analyze, fit_predict

POS = ["تظاهر آلاف المواطنين في ساحة المدينة", "خرجت مسيرة احتجاجية في العاصمة", "اعتصم العمال أمام الوزارة",
       "نظم الطلاب وقفة احتجاجية أمام الجامعة", "تظاهر المئات احتجاجاً على الغلاء", "مسيرة حاشدة في وسط البلدة"]
NEG = ["التقى وزير الخارجية نظيره في القاهرة", "ارتفعت أسعار النفط اليوم", "افتتح الرئيس مستشفى جديداً",
       "أعلنت الحكومة خطة اقتصادية", "وصل الوفد إلى المطار مساء اليوم", "ناقش البرلمان مشروع القانون"]


def vectors(n_sent, dim, y, seed):
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(n_sent, dim))
    v[:, 0] += 3 * np.asarray(y)  # one direction carries the label, as a sentence encoder's would
    return v


def test_analyze_reads_words_stems_and_lexicon():
    terms = analyze("وتظاهر المحتجون")
    assert "w:وتظاهر" in terms and any(t.startswith("s:") for t in terms)


def test_voters_rank_protest_sentences_first_with_and_without_e5():
    X = POS + NEG
    y = np.array([True] * len(POS) + [False] * len(NEG))
    test_x = ["تظاهر المواطنون في الساحة", "التقى الوزير نظيره"]
    for dim in (USE_DIM, USE_DIM + 384):
        E = vectors(len(X), dim, y, 1)
        E_te = vectors(2, dim, [True, False], 2)
        p = fit_predict(X, y, E, test_x, E_te)
        assert p.shape == (2,) and p[0] > p[1]
