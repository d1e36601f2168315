"""Reported speech and attribution chains, on sentences written for the test."""
from datetime import date

from marsad.doc import Doc
from marsad.extract.modality import modality_of
from marsad.extract.speech import SpeechExtractor, source_attributions
from marsad.records import TimeExpr
from marsad.text.segment import tokens
from marsad.text.segment_stage import Segmenter


def speech(text: str) -> Doc:
    return SpeechExtractor()(Segmenter()(Doc(text=text)))


def test_anonymous_source_via_an_outlet():
    doc = speech("وقال مصدر مطلع لصحيفة الشرق الأوسط إن الجيش انسحب من البلدة.")
    [st] = doc.statements
    assert st.anonymous and st.speaker == "مصدر مطلع"
    assert st.via == "صحيفة الشرق الأوسط"
    assert doc.text[st.quote_span[0]:st.quote_span[1]] == "الجيش انسحب من البلدة"


def test_relay_verb_names_outlet_then_source():
    doc = speech("ونقلت وكالة رويترز عن مسؤول أمني أن الهجوم أوقع قتلى.")
    [st] = doc.statements
    assert st.via == "وكالة رويترز" and st.anonymous
    assert st.quote == "الهجوم أوقع قتلى"


def test_colon_and_quotation_marks():
    doc = speech("وقال المتحدث باسم الحركة: “لن نتراجع عن مطالبنا”.")
    [st] = doc.statements
    assert st.quote == "لن نتراجع عن مطالبنا"


def test_continuation_keeps_the_speaker_and_outlet():
    doc = speech("وقال مصدر مطلع لقناة الجزيرة إن المفاوضات توقفت. وأضاف أن الوفد غادر القاهرة.")
    assert len(doc.statements) == 2
    assert doc.statements[1].speaker == "مصدر مطلع" and doc.statements[1].via == "قناة الجزيرة"


def test_according_to_the_newspaper_resolves_to_the_named_outlet():
    doc = speech("وقال مصدر لصحيفة الغد إن الاجتماع تأجل. وأكد مسؤولون، بحسب الصحيفة، أن الوزير سافر.")
    second = doc.statements[1]
    assert second.via == "صحيفة الغد"
    i = doc.text.index("الوزير سافر")
    assert any(a.via == "صحيفة الغد" for a in source_attributions(doc, i, i + 6))


def test_no_statement_without_content():
    assert speech("وقال الوزير.").statements == []


def test_modality_cues():
    toks = tokens("لم تسيطر الفصائل على المدينة")
    assert modality_of(toks, 1, None, None).negated
    toks = tokens("تعتزم الحكومة فرض عقوبات")
    assert modality_of(toks, 2, None, None).future
    toks = tokens("وستقصف الطائرات المواقع")
    assert modality_of(toks, 0, None, None).future
    old = TimeExpr(value="2024-01-02", time_precision=1)
    assert modality_of(tokens("قصفت الطائرات المدينة"), 0, old, date(2024, 6, 1)).historical
