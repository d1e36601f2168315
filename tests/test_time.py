"""Time expressions (marsad.resolve.time): finding, spans, resolution, published inference.

All sentences are made up for the tests. The reference date is Friday 2024-12-06 unless said.
"""
from __future__ import annotations

import re
from datetime import date

import pytest

from marsad.doc import Doc
from marsad.resolve.time import TimeResolver, resolve_times
from marsad.text.normalize import NormText

FRI = date(2024, 12, 6)


def times(text, published=FRI):
    out = resolve_times(text, published)
    for t in out:  # spans are exact everywhere
        assert text[t.span[0]:t.span[1]] == t.text
    return out


def one(text, published=FRI):
    out = times(text, published)
    assert len(out) == 1, [(t.text, t.value) for t in out]
    return out[0]


def pairs(text, published=FRI):
    return [(t.text, t.value) for t in times(text, published)]


# ---- codebook section 5 examples ----

def test_codebook_chain():
    text = ("تقدمت الفصائل منذ 27 تشرين الثاني/نوفمبر الماضي نحو المدينة. "
            "وفي 29 من الشهر نفسه، دخلت أحياءها، وفي اليوم التالي سيطرت على المطار.")
    got = times(text)
    assert [(t.text, t.value, t.anchor) for t in got] == [
        ("27 تشرين الثاني/نوفمبر الماضي", "2024-11-27", "published"),
        ("29 من الشهر نفسه", "2024-11-29", "previous"),
        ("اليوم التالي", "2024-11-30", "previous"),
    ]
    assert all(t.time_precision == 1 for t in got)


def test_weekdays_on_friday():
    assert one("أعلنت الحكومة، الجمعة، خطة جديدة.").value == "2024-12-06"
    assert one("سيطرت القوات على البلدة الخميس.").value == "2024-12-05"
    assert one("وصل الوفد السبت إلى العاصمة.").value == "2024-11-30"
    assert one("عقد اجتماع يوم الأحد في المدينة.").value == "2024-12-01"


def test_weekday_with_modifiers():
    assert one("الجمعة الماضية شهدت المدينة احتجاجات.").value == "2024-11-29"
    assert one("وقعت الاشتباكات الخميس الماضي.").value == "2024-12-05"
    assert one("سيعقد الاجتماع الإثنين المقبل.").value == "2024-12-09"


def test_weekday_not_inside_words():
    assert times("الجمعيات الخيرية والسبتية والأحدث") == []
    assert times("اتفق البلدان الاثنين على الهدنة.") == []


def test_month_year_and_year():
    t = one("وصل اللاجئون في سبتمبر 2024 إلى المخيم.")
    assert (t.text, t.value, t.time_precision, t.anchor) == ("سبتمبر 2024", "2024-09", 3, "absolute")
    t = one("وقعت الاتفاقية في عام 2023 بين الطرفين.")
    assert (t.text, t.value, t.time_precision) == ("عام 2023", "2023", 3)
    assert pairs("من عام 2016 إلى عام 2019") == [("عام 2016", "2016"), ("عام 2019", "2019")]
    assert one("خلال العام 2023 عبر آلاف.").value == "2023"
    assert one("انتهت المحادثات نهاية 2022 دون اتفاق.").value == "2022-12"


def test_full_dates_all_families():
    assert one("في 5 كانون الأول/ديسمبر 2024 أعلن الجيش.").value == "2024-12-05"
    assert one("في 3 جانفي 2023 بدأت المفاوضات.").value == "2023-01-03"
    assert one("في 14 جويلية 2022 تظاهر الآلاف.").value == "2022-07-14"
    assert one("في 9 أوت 2021 أغلقت الحدود.").value == "2021-08-09"
    assert one("في 2 ماي 2020 عقد اللقاء.").value == "2020-05-02"
    assert one("في 4 مايّو 2019 عقد اللقاء.").value == "2019-05-04"
    assert one("في 4 يوليوز 2019 عقد اللقاء.").value == "2019-07-04"
    assert one("في 11 أفريل 2018 عقد اللقاء.").value == "2018-04-11"
    assert one("في 12 فيفري 2018 عقد اللقاء.").value == "2018-02-12"
    assert one("في 1 جوان 2018 عقد اللقاء.").value == "2018-06-01"


@pytest.mark.parametrize("name,month", [
    ("كانون الثاني", 1), ("شباط", 2), ("آذار", 3), ("نيسان", 4), ("أيار", 5), ("حزيران", 6),
    ("تموز", 7), ("آب", 8), ("أيلول", 9), ("تشرين الأول", 10), ("تشرين الثاني", 11), ("كانون الأول", 12),
    ("يناير", 1), ("فبراير", 2), ("مارس", 3), ("أبريل", 4), ("مايو", 5), ("يونيو", 6),
    ("يوليو", 7), ("أغسطس", 8), ("سبتمبر", 9), ("أكتوبر", 10), ("نوفمبر", 11), ("ديسمبر", 12),
    ("جانفي", 1), ("فيفري", 2), ("أفريل", 4), ("ماي", 5), ("جوان", 6), ("جويلية", 7), ("أوت", 8),
])
def test_every_month_name(name, month):
    t = one(f"جرى ذلك في 10 {name} 2022 حسب البيان.")
    assert t.value == f"2022-{month:02d}-10"
    assert t.text == f"10 {name} 2022"


def test_relative_months():
    assert one("قتل العشرات في شباط/فبراير الماضي.").value == "2024-02"
    assert one("يعقد المؤتمر في آذار/مارس المقبل.").value == "2025-03"
    assert one("في 17 ديسمبر الجاري اجتمع المجلس.").value == "2024-12-17"
    assert one("قتل 30 شخصا خلال شهر يوليو الماضي.").value == "2024-07"
    t = one("منذ مطلع العام الحالي نفذ الجيش عمليات.")
    assert (t.value, t.time_precision) == ("2024-01", 3)
    assert one("في منتصف آذار/مارس الماضي قالت الوزارة.").value == "2024-03"
    assert one("منذ السابع من تشرين الأول/أكتوبر الماضي تتواصل الحرب.").value == "2024-10-07"
    assert one("قتل 5 أشخاص بين 17 و26 تشرين الأول/أكتوبر الماضي.").value == "2024-10-17"


def test_year_less_date_takes_recent_year():
    assert one("أعلن الوزير في 1 حزيران/يونيو أن بلاده ستنسحب.", date(2024, 6, 27)).value == "2024-06-01"
    assert one("في 20 ديسمبر وقع الانفجار.", date(2025, 1, 10)).value == "2024-12-20"


def test_relative_days():
    assert pairs("وقعت الغارة أمس.") == [("أمس", "2024-12-05")]
    assert pairs("أعلن الجيش بالأمس.") == [("الأمس", "2024-12-05")]
    assert pairs("وقعت البارحة اشتباكات.") == [("البارحة", "2024-12-05")]
    assert pairs("وصل اليوم الوفد.") == [("اليوم", "2024-12-06")]
    assert pairs("يصل الوفد غداً.") == [("غداً", "2024-12-07")]
    assert pairs("قتل طفل أول أمس.") == [("أول أمس", "2024-12-04")]
    assert pairs("وقعت الغارة الأول من أمس.") == [("الأول من أمس", "2024-12-04")]
    assert pairs("وقال أمس الخميس إن") == [("أمس الخميس", "2024-12-05")]
    assert pairs("شنت الطائرات فجر اليوم الجمعة غارات") == [("فجر اليوم الجمعة", "2024-12-06")]
    assert pairs("مساء الإثنين وحتى صباح الثلاثاء") == [("مساء الإثنين", "2024-12-02"),
                                                      ("صباح الثلاثاء", "2024-12-03")]
    assert pairs("سمعنا الانفجارات الليلة الماضية.") == [("الليلة الماضية", "2024-12-05")]


def test_relative_weeks_months_years():
    t = one("وفي الأسبوع الماضي، أعلنت الحكومة.")
    assert (t.value, t.time_precision) == ("2024-11-29", 2)
    t = one("ارتفعت الأسعار الشهر الماضي.")
    assert (t.value, t.time_precision) == ("2024-11", 3)
    assert one("ارتفعت الأسعار الشهر الجاري.").value == "2024-12"
    assert one("ارتفعت الأسعار العام الماضي.").value == "2023"
    assert one("ارتفعت الأسعار السنة الماضية.").value == "2023"
    assert one("ويسجل هذا العام ارتفاعا.").value == "2024"


def test_ago():
    assert pairs("وصلت القوات منذ 3 أيام.") == [("منذ 3 أيام", "2024-12-03")]
    assert pairs("أصدر أوامر، قبل يومين، بضرورة") == [("قبل يومين", "2024-12-04")]
    t = one("عاد من إدلب قبل 13 يوماً.")
    assert t.value == "2024-11-23"
    t = one("هاجم التنظيم القاعدة قبل نحو أسبوعين.")
    assert (t.value, t.time_precision) == ("2024-11-22", 2)
    assert one("أغلق المعبر قبل 3 أشهر.").value == "2024-09"
    assert times("زار المدينة قبل أيام.") == []  # too vague


def test_eastern_digits():
    t = one("في ٥ كانون الأول ٢٠٢٤ بدأ الهجوم.")
    assert (t.text, t.value) == ("٥ كانون الأول ٢٠٢٤", "2024-12-05")
    assert one("منذ ٣ أيام").value == "2024-12-03"


def test_hijri():
    t = one("في 15 رمضان 1445 هـ وقع الحادث.")
    assert t.value == "2024-03-25"
    assert t.text == "15 رمضان 1445 هـ"
    assert t.anchor == "absolute"


def test_not_dates():
    for s in ["تراوحت أعمارهم بين 17 و45 عاماً.", "استمر الحصار لمدة 3 أيام.",
              "الشاب عمره 25 عاماً.", "قضى في السجن 3 سنوات.", "اعتقل 2000 شخص.",
              "لا يزال الوضع متوترا حتى الآن.", "المعبر مغلق حالياً.", "احتفل العالم باليوم العالمي للاجئين.",
              "في اليوم الأول من المعركة.", "نقلت قناة روسيا اليوم الخبر.", "مارس الضغط على الحكومة.",
              "لامس السقف.", "الخامس عشر من المتسابقين", "وصلوا إلى محافظة إب اليمنية.", "فتح باب التطوع."]:
        assert times(s) == [], s


def test_today_inside_next_day_is_one_expression():
    got = times("وصلوا في 3 آذار 2023، وفي اليوم التالي غادروا.")
    assert [t.text for t in got] == ["3 آذار 2023", "اليوم التالي"]
    assert got[1].value == "2023-03-04"


def test_clitic_outside_span_and_glued_text():
    text = "وبالأمس أعلن الجيش. وأعلنالإثنين وزير الخارجية."
    got = times(text, date(2024, 12, 4))
    assert [t.text for t in got] == ["الأمس", "الإثنين"]
    assert got[1].value == "2024-12-02"


def test_spans_with_diacritics():
    text = "أعلنَ الجيشُ يومَ الخَمِيس أنّه"
    t = one(text)
    assert t.text == "يومَ الخَمِيس"
    assert t.value == "2024-12-05"


def test_inputs_doc_and_normtext():
    text = "وقعت الغارة أمس."
    d = Doc(text=text, published=FRI)
    assert resolve_times(d)[0].value == "2024-12-05"
    nt = NormText.of(text)
    assert resolve_times(nt, FRI)[0].span == [12, 15]


def test_stage_fills_doc():
    d = TimeResolver()(Doc(text="أعلنت الوزارة، الخميس، عن خطة.", published=FRI))
    assert [(t.text, t.value) for t in d.times] == [("الخميس", "2024-12-05")]
    assert d.published_inferred is None


def test_published_inferred_window():
    text = ("أعلنت الفصائل، الجمعة، أنها ستتقدم. وكانت قد وصلت في سبتمبر 2024 إلى المنطقة. "
            "وبدأت المعارك منذ 27 تشرين الثاني/نوفمبر الماضي، وفي 29 من الشهر نفسه دخلت المدينة، "
            "وفي اليوم التالي سيطرت على المطار. ثم سيطرت على البلدة الخميس.")
    d = TimeResolver()(Doc(text=text))
    pi = d.published_inferred
    assert pi is not None and pi.evidence
    assert pi.earliest == "2024-12-01"
    assert pi.latest == "2024-12-07"
    got = {t.text: t.value for t in d.times}
    assert got["الجمعة"] == "2024-12-06"
    assert got["الخميس"] == "2024-12-05"
    assert got["27 تشرين الثاني/نوفمبر الماضي"] == "2024-11-27"


def test_published_inferred_weekday_pins_day():
    text = "وقع الاتفاق في 2 كانون الأول/ديسمبر 2024. وقال الوزير اليوم الأربعاء إن التنفيذ بدأ."
    d = TimeResolver()(Doc(text=text))
    assert d.published_inferred.earliest == d.published_inferred.latest == "2024-12-04"
    assert {t.text: t.value for t in d.times}["اليوم الأربعاء"] == "2024-12-04"


def test_no_published_no_evidence():
    d = TimeResolver()(Doc(text="قال المسؤول أمس إن الوضع هادئ في المدينة والمناطق المحيطة بها."))
    assert d.published_inferred is None
    assert d.times == []


@pytest.mark.parametrize("published", [date(1, 1, 1), date(1, 1, 5), date(9999, 12, 31), date(9999, 1, 1)])
def test_published_at_the_ends_of_the_calendar_does_not_raise(published):
    text = ("قصفت الطائرات حلب أمس، واستمرت الغارات حتى الجمعة الماضية وبعد ثلاثة أيام وقبل أسبوعين "
            "والشهر المقبل والعام المقبل وقبل 5 سنوات وفي 3 كانون الأول الجاري.")
    times = resolve_times(text, published)
    assert times
    for t in times:
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", t.value) and t.value[:4] != "0000", t
    doc = TimeResolver()(Doc(text=text, published=published))
    assert doc.times


def test_inferring_published_near_year_9999_does_not_raise():
    doc = TimeResolver()(Doc(text="قصفت الطائرات حلب في 30 كانون الأول/ديسمبر 9999 ثم أمس."))
    assert doc.published_inferred is None or doc.published_inferred.latest <= "9999-12-31"
