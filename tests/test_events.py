"""Event coding on hand-built documents: mentions are placed by the test, so only
the event stage (and reported speech) is exercised."""
from datetime import date

from marsad.doc import Doc
from marsad.extract.counts import count_in
from marsad.extract.events import EventExtractor
from marsad.extract.speech import SpeechExtractor
from marsad.records import Actor, Place
from marsad.text.segment import tokens
from marsad.text.segment_stage import Segmenter

PLACES = {
    "حلب": dict(name="Aleppo", geonameid=170063, lat=36.2, lon=37.16, admin1="SY-HL", country="SY", feature_code="PPLA"),
    "الرستن": dict(name="Ar Rastan", geonameid=172059, lat=34.92, lon=36.73, admin1="SY-HI", country="SY", feature_code="PPL"),
    "تلبيسة": dict(name="Talbiseh", geonameid=163490, lat=34.84, lon=36.73, admin1="SY-HI", country="SY", feature_code="PPL"),
    "حمص": dict(name="Homs", geonameid=169577, lat=34.73, lon=36.72, admin1="SY-HI", country="SY", feature_code="PPLA"),
    "أوروبا": dict(name="Europe", geonameid=6255148, lat=48.69, lon=9.14, admin1=None, country=None, feature_code="CONT"),
    "الشرق الأوسط": dict(name="Middle East", geonameid=6269133, lat=33.14, lon=35.86, admin1=None, country=None,
                         feature_code="RGN"),
    "البحر الأحمر": dict(name="Red Sea", geonameid=350155, lat=20.3, lon=38.5, admin1=None, country=None,
                         feature_code="RGN"),
    "واشنطن": dict(name="Washington, D.C.", geonameid=4140963, lat=38.9, lon=-77.04, admin1="US-DC", country="US",
                   feature_code="PPLC"),
    # a seat of government: the rule reads the seat list, not the gazetteer's feature code
    "موسكو": dict(name="Moscow", geonameid=524901, lat=55.75, lon=37.62, admin1=None, country="RU",
                  feature_code="PPLA"),
}
ACTORS = {
    "فصائل المعارضة": dict(name="Syrian opposition factions", country="SYR", sector="REB", kind="group"),
    "الجيش السوري": dict(name="Syrian army", country="SYR", sector="MIL", kind="organization"),
    "قوات الأمن": dict(name="security forces", country="SYR", sector="COP", kind="organization"),
    "الطائرات الروسية": dict(name="Russian air force", country="RUS", sector="MIL", kind="organization"),
}


def make_doc(text: str, published=date(2024, 12, 6)) -> Doc:
    """A segmented Doc whose place and actor mentions are found by plain string search."""
    doc = Segmenter()(Doc(text=text, published=published))
    for word, rec in PLACES.items():
        i = text.find(word)
        while i >= 0:
            doc.places.append(Place(text=word, span=[i, i + len(word)], geo_precision=1, **rec))
            i = text.find(word, i + 1)
    for phrase, rec in ACTORS.items():
        i = text.find(phrase)
        if i >= 0:
            doc.organizations.append(Actor(text=phrase, span=[i, i + len(phrase)], **rec))
    doc.places.sort(key=lambda p: p.span[0])
    return SpeechExtractor()(doc)


def run(text: str):
    return EventExtractor()(make_doc(text)).events


def test_seizure_of_listed_places_is_one_event_per_place():
    events = run("سيطرت فصائل المعارضة على مدينة الرستن وبلدة تلبيسة شمال حمص.")
    places = [e.location.name for e in events]
    assert places == ["Ar Rastan", "Talbiseh"]
    for e in events:
        assert e.plover.type == "COERCE" and e.plover.mode == "seize"
        assert e.acled.sub_event_type == "Non-state actor overtakes territory"
        assert e.acled.event_type == "Battles"
        assert (e.actors[0].country, e.actors[0].sector) == ("SYR", "REB")
        assert e.date.value == "2024-12-06"


def test_a_foreign_capital_after_an_attack_word_is_not_where_it_fell():
    events = run("قصف الجيش السوري مواقع في حلب وحمص. وفي حمص، قصفت الطائرات الروسية مواقع في رسالة إلى واشنطن.")
    assert [e.location.name for e in events if e.trigger == "قصفت"] == ["Homs"]
    # but a capital an attack falls on is its place, even in a report on another country
    events = run("قصف الجيش السوري مواقع في حلب وحمص. وقصفت الطائرات الروسية مواقع على موسكو.")
    assert [e.location.name for e in events if e.trigger == "وقصفت"] == ["Moscow"]


def test_a_capital_named_as_a_government_is_not_a_location():
    events = run("اتهمت موسكو فصائل المعارضة بالتصعيد.")
    assert events and all(e.location is None for e in events if e.plover.type == "ACCUSE")
    # the government borrowed from the sentence before is no place either
    events = run("حذرت موسكو من التصعيد. وقصفت الطائرات الروسية مواقع للمعارضة.")
    assert not [e for e in events if e.location and e.location.name == "Moscow"]
    # with a word of place before it, it is where the event happened
    for text in ("تظاهر المئات في موسكو.", "تظاهر المئات في العاصمة الروسية موسكو."):
        assert [e.location.name for e in run(text)] == ["Moscow"]
    events = run("اعتقلت قوات الأمن ناشطين في حمص وموسكو.")  # a list takes the word before its first name
    assert [e.location.name for e in events] == ["Homs", "Moscow"]


def test_where_a_correspondent_reports_from_is_no_location():
    # "مراسل الميادين في واشنطن" is where the reporter is, in this sentence or the one before
    for text in ("أفاد مراسل الميادين في حمص بأن الطائرات قصفت مواقع للمعارضة.",
                 "مراسلالميادينفي حمص يؤكد التصعيد. وقصفت الطائرات مواقع للمعارضة."):
        assert not [e for e in run(text) if e.location and e.location.name == "Homs"], text
    # nor is where an envoy accredited to someone sits; a place after "في" with no such words before is one
    from marsad.extract.events import _posted_at

    doc = make_doc("اقترح الوزراء التواصل مع السفير السوري لدى روسيا في موسكو.")
    assert doc.places and all(_posted_at(doc, p) for p in doc.places)
    doc = make_doc("قال السفير السوري إن غارة وقعت في حمص.")
    assert doc.places and not any(_posted_at(doc, p) for p in doc.places)
    # the place of the strike itself stays
    events = [e for e in run("أفاد مراسل الميادين في حمص بأن الطائرات قصفت بلدة تلبيسة.") if e.plover.type == "ASSAULT"]
    assert [e.location.name for e in events] == ["Talbiseh"]


def test_a_common_noun_and_its_adjective_is_no_unlisted_village():
    # "منطقة الحدود الأردنية" is the Jordanian border area, "بلدة ميفدون الجنوبية" a village
    events = run("قصف الجيش السوري منطقة الحدود الأردنية قرب حمص.")
    assert [e.location.name for e in events] == ["Homs"]
    events = run("قصف الجيش السوري بلدة ميفدون الجنوبية قرب حمص.")
    assert [e.location.name for e in events] == ["ميفدون (near Homs)"]


def test_a_continent_is_no_event_location():
    events = run("اعتقلت قوات الأمن عشرات الناشطين في حمص، كما اعتقلت قوات الأمن ناشطين في أوروبا.")
    assert events and all(e.location is None or e.location.name != "Europe" for e in events)


def test_a_region_of_several_countries_is_no_event_location_but_a_sea_is():
    events = run("قصف الجيش السوري مواقع في حلب. وقال مصدر لـ«الشرق الأوسط» إن الطائرات الروسية قصفت مواقع في الشرق الأوسط.")
    assert all(e.location is None or e.location.name != "Middle East" for e in events)
    events = run("قصفت الطائرات الروسية سفينة في البحر الأحمر.")
    assert [e.location.name for e in events] == ["Red Sea"]


def test_government_capture_is_government_regains_territory():
    [e] = run("استعاد الجيش السوري السيطرة على مدينة حلب.")
    assert e.acled.sub_event_type == "Government regains territory"


def test_arrests_with_vague_count():
    [e] = run("اعتقلت قوات الأمن المئات من الشبان في حمص.")
    assert e.acled.sub_event_type == "Arrests"
    assert e.size.arrested == 100
    assert e.location.name == "Homs"


def test_who_detains_decides_arrest_or_abduction():
    # codebook: detention by state forces is Arrests, by non-state groups Abduction/forced disappearance
    [e] = run("اعتقلت فصائل المعارضة عشرة من عناصر الجيش في حمص.")
    assert e.acled.sub_event_type == "Abduction/forced disappearance"
    # an actor of no known sector (here a person the actor finder may take) leaves it an arrest
    text = "اعتقل ماهر الأخرس في حمص."
    doc = make_doc(text)
    i = text.index("ماهر")
    doc.people.append(Actor(text="ماهر الأخرس", span=[i, i + 11], name="Maher al-Akhras", kind="person"))
    [e] = EventExtractor()(doc).events
    assert e.actors and e.actors[0].sector is None
    assert e.acled.sub_event_type == "Arrests"


def test_weapon_words_decide_the_strike_type():
    [e] = run("قصفت الطائرات الروسية أطراف مدينة حلب.")
    assert e.acled.sub_event_type == "Air/drone strike"
    [e] = run("قصف الجيش السوري بالمدفعية بلدة تلبيسة.")
    assert e.acled.sub_event_type == "Shelling/artillery/missile attack"


def test_targeting_without_a_weapon_is_not_an_attack():
    assert run("استهدفت الحملة الشبان في حلب.") == []


def test_negated_event_is_not_emitted():
    assert run("لم تسيطر فصائل المعارضة على حلب.") == []


def test_same_event_told_twice_is_kept_once():
    events = run("سيطرت فصائل المعارضة على حلب. وبعد ذلك سيطرت فصائل المعارضة على حلب بالكامل.")
    assert len(events) == 1


def test_attribution_from_reported_speech():
    [e] = run("وقال مصدر مطلع لصحيفة الشرق إن الطائرات الروسية قصفت حلب.")
    assert e.attribution and e.attribution[0].anonymous
    assert e.attribution[0].via == "صحيفة الشرق"


def test_anchor_quotes_the_original_text():
    text = "سيطرت فصائل المعارضة على مدينة حلب."
    [e] = EventExtractor()(make_doc(text)).events
    s, t = e.anchor.span
    assert text[s:t] == e.anchor.quote and e.anchor.quote.startswith("سيطرت")


def test_counts():
    size = count_in(tokens("ما أسفر عن مقتل 7 مدنيين وإصابة العشرات"))
    assert (size.dead, size.injured) == (7, 12)
    assert count_in(tokens("سقط ٣ شهداء")).dead == 3


def test_purpose_and_class_nouns_report_no_event():
    # "لاعتقال" = in order to arrest; "الاعتقالات" = arrests in general
    assert run("دخلت قوات الأمن حي الرستن لاعتقال المطلوبين.") == [] or all(
        e.plover.mode != "arrest" for e in run("دخلت قوات الأمن حي الرستن لاعتقال المطلوبين."))
    assert run("وتستمر الاعتقالات في حمص.") == []


def test_ceasefire_is_not_firing():
    assert [e for e in run("دعا الجيش السوري إلى وقف إطلاق النار في حلب.") if e.plover.type == "ASSAULT"] == []


def test_plural_verb_takes_the_subject_before_it():
    [e] = run("وقالت الفصائل إن فصائل المعارضة استهدفوا الجيش السوري في حلب بالصواريخ.")
    assert e.actors[0].sector == "REB" and e.recipients[0].sector == "MIL"
    assert e.acled.sub_event_type == "Shelling/artillery/missile attack"


def test_unlisted_village_is_placed_near_its_context():
    # "قرية الزعفرانة" is in no gazetteer: the event is placed at Homs (named in the sentence), precision 2
    events = run("سيطرت فصائل المعارضة على قرية الزعفرانة شمال حمص.")
    [e] = [e for e in events if e.location and e.location.geonameid is None]
    assert e.location.text == "الزعفرانة" and e.location.geo_precision == 2
    assert (e.location.lat, e.location.lon) == (34.73, 36.72)


def test_nationality_adjective_names_the_attacker():
    [e] = run("أصيب شاب في قصف مدفعي إسرائيلي على أطراف مدينة حلب.")
    assert (e.actors[0].country, e.actors[0].sector) == ("ISR", "MIL")


def test_demanded_or_feared_acts_are_not_events():
    assert [e for e in run("طالب الجيش السوري بقصف حلب.") if e.plover.type == "ASSAULT"] == []
    assert [e for e in run("نزح السكان من حلب خشية هجوم صاروخي.") if e.plover.type == "ASSAULT"] == []
    assert [e for e in run("دعت الأمم المتحدة إلى استعادة الهدوء في حلب.") if e.plover.type == "COERCE"] == []


def test_civilians_after_an_arrest_are_its_target():
    doc = make_doc("اعتقلت قوات الأمن الشبان في حمص.")
    doc.organizations.append(Actor(text="الشبان", span=[doc.text.index("الشبان"), doc.text.index("الشبان") + 6],
                                   sector="CVL", kind="group"))
    [e] = EventExtractor()(doc).events
    assert e.actors[0].sector == "COP" and e.recipients[0].sector == "CVL"


def test_a_present_tense_verb_in_a_relative_clause_is_a_state_not_an_act():
    # held, not taken: "المناطق التي تسيطر عليها" describes the map
    assert [e for e in run("قصف الجيش السوري المناطق التي تسيطر عليها فصائل المعارضة في حلب.")
            if e.plover.mode == "seize"] == []
    # a past tense after the pronoun still reports the act
    events = run("أفرجت السلطات عن الشبان الذين اعتقلتهم قوات الأمن في حمص.")
    assert [e.acled.sub_event_type for e in events if e.acled] == ["Arrests"]


def test_a_trigger_word_read_as_a_place_is_no_act():
    doc = make_doc("بقيت منطقة الجرف في حمص خالية.")
    i = doc.text.index("الجرف")
    doc.places.append(Place(text="الجرف", span=[i, i + 5], geo_precision=1, name="Al Jurf", geonameid=1,
                            lat=34.7, lon=36.7, country="SY", feature_code="PPL"))
    doc.places.sort(key=lambda p: p.span[0])
    assert EventExtractor()(doc).events == []
    # the same word as a verb is the act
    assert [e.acled.sub_event_type for e in run("جرفت قوات الأمن أراضي في حمص.")] == ["Looting/property destruction"]


def test_a_verb_that_starts_with_alif_lam_is_no_definite_noun():
    # "التقى" (met) is a verb; "اللقاء" (the meeting) is a definite noun that refers back
    doc = make_doc("التقى قائد الجيش السوري قائد قوات الأمن في حمص.")
    for phrase, rec in {"قائد الجيش السوري": dict(country="SYR", sector="MIL", kind="person"),
                        "قائد قوات الأمن": dict(country="SYR", sector="COP", kind="person")}.items():
        i = doc.text.index(phrase)
        doc.people.append(Actor(text=phrase, span=[i, i + len(phrase)], name=phrase, **rec))
    doc.organizations = []
    assert [e.plover.type for e in EventExtractor()(doc).events] == ["CONSULT"]
    doc = make_doc("وصل الجيش السوري إلى حمص. وجرى اللقاء مع قوات الأمن في حمص.")
    assert [e for e in EventExtractor()(doc).events if e.plover.type == "CONSULT"] == []


def test_a_noun_of_area_before_a_verbal_noun_names_where_not_what():
    # "مناطق سيطرة": areas held; "خط المواجهة": the front line; neither reports an act
    assert [e for e in run("قصف الجيش السوري مناطق سيطرة فصائل المعارضة في حلب.") if e.plover.mode == "seize"] == []
    assert [e for e in run("سيطرت فصائل المعارضة على حلب.") if e.plover.mode == "seize"] != []


def test_an_accusative_verbal_noun_is_read_as_its_word():
    # "إضراباً": the tanween alif is no letter of the word
    doc = make_doc("نفذ عمال النفط إضراباً عن العمل في حلب.")
    i = doc.text.index("عمال")
    doc.organizations.append(Actor(text="عمال", span=[i, i + 4], sector="LAB", kind="group"))
    assert [e.plover.type for e in EventExtractor()(doc).events] == ["PROTEST"]


def test_a_trigger_word_inside_an_actors_name_is_no_act():
    # "قوات الدعم السريع" gives no support, and the clash is placed past the name
    doc = make_doc("اندلعت اشتباكات بين الجيش السوري وقوات الدعم السريع في حلب.")
    i = doc.text.index("قوات الدعم السريع")
    doc.organizations.append(Actor(text="قوات الدعم السريع", span=[i, i + 17], country="SDN", sector="REB",
                                   kind="organization"))
    doc.organizations.sort(key=lambda a: a.span[0])
    events = EventExtractor()(doc).events
    assert [(e.plover.type, e.location.name) for e in events] == [("ASSAULT", "Aleppo")]


def test_seats_after_each_of_are_governments():
    from marsad.extract.events import _names_a_government

    # "لكل من واشنطن وموسكو": each of them, the governments a message is sent to; "من موسكو": from there
    doc = make_doc("وصلت رسالة لكل من واشنطن وموسكو.")
    assert all(_names_a_government(doc, p) for p in doc.places)
    doc = make_doc("عاد الوفد من موسكو.")
    assert not any(_names_a_government(doc, p) for p in doc.places)
    # "يتطلب من واشنطن": what is asked of the government
    for text in ("وهذا يتطلب من واشنطن نشر السفن.", "طلبت من موسكو التدخل."):
        doc = make_doc(text)
        assert doc.places and all(_names_a_government(doc, p) for p in doc.places), text


def test_a_demand_is_not_located_where_something_is_to_go():
    # "بإرسال الأسلحة إلى كييف أو لفيف": the destination of what is demanded, not where it was said
    events = [e for e in run("طالب الجيش السوري فصائل المعارضة بإرسال الأسلحة إلى حمص أو حلب.")
              if e.plover.type == "REQUEST"]
    assert events and all(e.location is None for e in events)
    # an attack's place after "على" stays
    assert [e.location.name for e in run("قصف الجيش السوري مواقع على حمص.")] == ["Homs"]


def test_the_lam_after_a_verb_of_undergoing_is_no_purpose():
    # "تعرضت حمص لقصف": Homs was shelled; "لقصف حمص" alone is "in order to shell Homs"
    assert [e.location.name for e in run("تعرضت حمص لقصف نفذه الجيش السوري.")] == ["Homs"]
    assert run("تحرك الجيش السوري لقصف حمص.") == []


def test_in_the_face_of_is_a_preposition_not_a_clash():
    # "في مواجهة الاحتلال" = against the occupation; "في مواجهات مخيم شعفاط" = in the clashes of
    from marsad.extract.triggers import find_triggers

    assert find_triggers(tokens("ندعم المقاومة في مواجهة العدو")) == []
    assert [t.token.text for t in find_triggers(tokens("أصيب شاب في مواجهات مخيم شعفاط"))] == ["مواجهات"]


def test_dual_verbs_and_the_shortest_proclitic_are_read():
    # "وبحثا" (and the two discussed) is و + "بحث" + the dual ending, not و + ب + "حث" (urged)
    from marsad.extract.triggers import find_triggers

    [t] = find_triggers(tokens("وبحثا التطورات"))
    assert t.row.type == "CONSULT"
    assert [t.row.type for t in find_triggers(tokens("التقيا في الدوحة"))] == ["CONSULT"]
