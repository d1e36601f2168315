"""Text stages: normalization with offsets, segmentation, clitics, boilerplate removal."""
from marsad.doc import Doc
from marsad.text.clean import BoilerplateCleaner
from marsad.text.lexicon import FormLexicon
from marsad.text.normalize import NormText, normalize
from marsad.text.segment import clitic_stems, sentences, strip_enclitic, tokens
from marsad.text.segment_stage import Segmenter


def test_normalize_unifies_letters_digits_and_drops_marks():
    assert normalize("إدلب") == "ادلب"
    assert normalize("مستشفى") == "مستشفي"
    assert normalize("مدينة") == "مدينه"
    assert normalize("٢٠٢٤") == "2024"
    assert normalize("محمّـد") == "محمد"


def test_norm_offsets_map_back_to_the_original():
    text = "قصفت الطائـرات مدينةَ حلب"
    norm = NormText.of(text)
    i = norm.text.index("حلب")
    s, e = norm.orig_span(i, i + 3)
    assert text[s:e] == "حلب"
    j = norm.text.index("مدينه")
    s, e = norm.orig_span(j, j + 5)
    assert text[s:e] == "مدينةَ"[:5] or text[s:e].startswith("مدينة")
    assert norm.norm_index(s) == j


def test_sentences_split_and_skip_removed_spans():
    text = "قال الوزير إن الوضع صعب. وأضاف أن الحل قريب!\nعرض الأخبار ذات الصلة\nسطر أخير"
    spans = sentences(text)
    assert [text[s:e] for s, e in spans] == ["قال الوزير إن الوضع صعب.", "وأضاف أن الحل قريب!",
                                              "عرض الأخبار ذات الصلة", "سطر أخير"]
    w = text.index("عرض")
    assert len(sentences(text, skip=[(w, w + len("عرض الأخبار ذات الصلة"))])) == 3


def test_tokens_exclude_arabic_punctuation_and_keep_spans():
    text = "دمشق، حلب؛ حمص؟"
    toks = tokens(text)
    assert [t.text for t in toks] == ["دمشق", "حلب", "حمص"]
    assert all(text[t.start:t.end] == t.text for t in toks)


def test_clitic_readings():
    stems = [s for _, s in clitic_stems(normalize("وبالمدينة"))]
    assert "مدينه" in stems and "المدينه" in stems
    assert "سيطره" in strip_enclitic(normalize("سيطرتها"))


def test_form_lexicon_reads_through_clitics():
    lex = FormLexicon([("قصف", "q"), ("استهدفوا", "h")])
    assert lex.lookup("وقصف") == ["q"]
    assert lex.lookup(normalize("واستهدفوها")) == ["h"]
    assert lex.lookup("كتاب") == []


def test_boilerplate_is_recorded_not_deleted():
    text = "قصفت الطائرات البلدة.\nعرض الأخبار ذات الصلة\nوقال مسؤول إن القصف استمر."
    doc = Segmenter()(BoilerplateCleaner()(Doc(text=text)))
    assert doc.text == text
    assert len(doc.removed) == 1
    s, e = doc.removed[0].span
    assert text[s:e] == "عرض الأخبار ذات الصلة"
    assert all(not (s <= a < e) for a, _ in doc.sentences)


def test_glued_words_are_cut_where_a_space_was_lost():
    from marsad.text.segment import glued_split, tokens

    text = "قالت مصادرالميادين إن المقاومةفي الجنوب"
    toks = tokens(text)
    assert [t.text for t in toks] == ["قالت", "مصادر", "الميادين", "إن", "المقاومة", "في", "الجنوب"]
    assert all(text[t.start:t.end] == t.text for t in toks)  # offsets still index the original
    # words with their own clitics, and unknown names, stay whole
    for word in ("وبالمدينة", "والمستشفيات", "نختارهما", "وكفرعمة"):
        assert glued_split(word) is None
