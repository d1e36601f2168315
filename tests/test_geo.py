"""Place resolution on short invented sentences; the gazetteer ships in marsad/data/geo."""
from __future__ import annotations


import pytest

from marsad.doc import Doc
from marsad.records import Removed
from marsad.resolve.geo import Gazetteer, PlaceResolver, admin1_at, resolve_name
from marsad.text.segment_stage import Segmenter


def run(text: str, removed=None) -> Doc:
    doc = Doc(text=text)
    if removed:
        doc.removed = [Removed(span=list(s), reason="test") for s in removed]
    Segmenter()(doc)
    return PlaceResolver()(doc)


def by_id(doc: Doc) -> dict:
    return {p.geonameid: p for p in doc.places}


def test_spans_match_text():
    doc = run("زار الوفد دمشق ثم توجه إلى حلب وبيروت.")
    assert doc.places
    for p in doc.places:
        assert doc.text[p.span[0]:p.span[1]] == p.text


def test_clitics_damascus_aleppo_homs():
    doc = run("وصل الوفد بدمشق قادما من وحلب، ولحمص نصيب من الزيارة.")
    ids = by_id(doc)
    assert 170654 in ids and ids[170654].text == "دمشق"  # ب stripped
    assert 170063 in ids and ids[170063].text == "حلب"  # و stripped
    assert 169577 in ids  # Homs
    assert ids[170654].admin1 == "SY-DI" and ids[170654].country == "SY"
    assert all(p.geo_precision == 1 for p in doc.places)


def test_article_kept_in_span():
    doc = run("دخلت القوات والرستن صباحا.")
    (p,) = doc.places
    assert p.geonameid == 172946 and p.text == "الرستن"


def test_lebanon_not_l_plus_banan():
    doc = run("عاد الوزير إلى لبنان أمس، وزار ولبنان يستعد للانتخابات.")
    assert {p.geonameid for p in doc.places} == {272103}
    assert all(p.country == "LB" and p.admin1 is None for p in doc.places)


def test_syria_country_not_soria_and_adjective_skipped():
    doc = run("قال الرئيس السوري إن سوريا ترحب بالمبادرة.")
    assert [p.text for p in doc.places] == ["سوريا"]
    assert doc.places[0].country == "SY" and doc.places[0].feature_code == "PCLI"


def test_rif_homs_is_precision_2():
    doc = run("اندلعت اشتباكات في ريف حمص الشمالي.")
    (p,) = doc.places
    # CODEBOOK: "ريف حمص" resolves to Homs (the city) with precision 2
    assert p.text == "حمص" and p.geo_precision == 2 and p.geonameid == 169577


def test_rif_of_idlib_is_the_city_not_the_governorate():
    doc = run("قصفت الطائرات قرى في ريف إدلب الجنوبي.")
    (p,) = doc.places
    assert p.feature_code.startswith("PPL") and p.geo_precision == 2 and p.admin1 == "SY-ID"


def test_shipped_place_ranker_is_used_and_prefers_the_articles_country():
    from marsad.resolve.geo import Context, Entry
    from marsad.resolve.place_ranker import PlaceRanker, features

    gaz = Gazetteer.load()
    assert isinstance(gaz.ranker, PlaceRanker)
    here = Entry(1, "city", "here", 13.1, 45.4, "PPL", "YE", 20_000, "YE-AB")
    abroad = Entry(2, "city", "abroad", -6.2, 39.2, "PPLA", "TZ", 400_000, "TZ-15")
    near = Context(frozenset({"YE-AB"}), ((13.0, 45.3),))
    ctx = frozenset({"YE"})
    s_here = gaz.ranker.score(features(here, "زنجبار", ctx, 400_000, None, near))
    s_abroad = gaz.ranker.score(features(abroad, "زنجبار", ctx, 400_000, None, near))
    assert s_here > s_abroad


def test_place_ranker_json_round_trip():
    from marsad.resolve.place_ranker import FEATURES, PlaceRanker

    m = PlaceRanker(FEATURES, [0.5] * len(FEATURES), 0.25)
    assert PlaceRanker.from_json(m.to_json()).to_json() == m.to_json()
    with pytest.raises(ValueError):
        PlaceRanker(FEATURES[:-1], [0.0] * (len(FEATURES) - 1))


def test_outskirts_of_city_is_town_precision_2():
    doc = run("وصلت الفصائل إلى أطراف مدينة حمص مساء.")
    (p,) = doc.places
    assert p.geonameid == 169577 and p.geo_precision == 2


def test_governorate_precision_3():
    doc = run("سيطرت الفصائل على محافظة إدلب بالكامل.")
    (p,) = doc.places
    assert p.geo_precision == 3 and p.admin1 == "SY-ID" and p.feature_code == "ADM1"
    assert p.geonameid == 169387


def test_dual_trigger_carries_to_second_name():
    doc = run("قصف مدفعي على ريفي حماة وإدلب.")
    assert [(p.admin1, p.geo_precision) for p in doc.places] == [("SY-HM", 2), ("SY-ID", 2)]
    assert all(p.feature_code.startswith("PPL") for p in doc.places)  # the towns Hama and Idlib


def test_common_words_and_names_are_not_places():
    doc = run("أصدرت الحكومة بيانا يوم الجمعة عبر مصدر مطلع، وقال بشار إن التحالف سيرد.")
    assert doc.places == []


def test_removed_span_is_skipped():
    text = "قصف في حلب. اقرأ أيضا: دمشق تستضيف مؤتمرا"
    start = text.index("اقرأ")
    doc = run(text, removed=[(start, len(text))])
    assert [p.geonameid for p in doc.places] == [170063]


def test_admin1_point_in_polygon():
    assert admin1_at(35.13179, 36.75783) == "SY-HM"  # Hama
    assert admin1_at(34.72405, 36.72559) == "SY-HI"  # Homs
    assert admin1_at(33.8938, 35.5018) == "LB-BA"  # Beirut
    assert admin1_at(48.85, 2.35) is None  # outside the MENA polygons


def test_resolve_name_helper_uses_context():
    p = resolve_name("حمص")
    assert p.geonameid == 169577 and p.country == "SY"
    assert resolve_name("لبنان").country == "LB"
    assert resolve_name("بيان") is None  # stopword


@pytest.mark.parametrize("text", ["قصف على غزة", "اقتحام في الضفة الغربية"])
def test_palestine_units(text):
    doc = run(text)
    assert doc.places and doc.places[0].country == "PS"


def test_joined_village_names_and_south_lebanon():
    from marsad.pipeline import Pipeline

    rec = Pipeline(ner=False).extract("قصفت المدفعية خراج كفرشوبا في جنوب لبنان أمس.", published="2024-01-01")
    names = {p.text: p for p in rec.mentions.places}
    assert names["كفرشوبا"].country == "LB"
    assert names["جنوب لبنان"].admin1 == "LB-NA" and names["جنوب لبنان"].geo_precision == 3


# ---- Who's On First villages, hand-kept sites, disambiguation and guards (issue 8) -------------

def test_wof_village_with_outskirts_trigger():
    doc = run("قصفت المدفعية أطراف بلدة عيترون في جنوب لبنان.")
    p = next(p for p in doc.places if p.text.endswith("عيترون"))
    assert p.country == "LB" and p.geo_precision == 2 and abs(p.lat - 33.12) < 0.05


def test_name_sources_are_kept():
    g = Gazetteer.load()
    rows = g._query("SELECT n.sources FROM name n JOIN place p ON p.id = n.place WHERE n.name = ? AND p.country = 'LB'",
                    ("عيترون",))
    assert rows and "wof" in rows[0][0]


def test_hand_kept_site():
    doc = run("استهدفت المقاومة قاعدة عين الأسد غربي العراق بطائرة مسيرة.")
    p = next(p for p in doc.places if "عين الأسد" in p.text)
    assert p.geonameid is None and p.country == "IQ" and abs(p.lat - 33.785) < 0.01 and p.feature_code == "AIRB"


def test_sites_cite_their_coordinates():
    from marsad.resolve.geo import _data

    rows = [line.split("\t") for line in _data("sites.tsv").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    header, body = rows[0], rows[1:]
    assert len(body) >= 40
    for r in body:
        site = dict(zip(header, r))
        assert -90 <= float(site["lat"]) <= 90 and -180 <= float(site["lon"]) <= 180
        assert len(site["coord_source"]) > 10 and int(site["site_id"]) >= 9_000_000_000


def test_country_inside_an_armed_group_name_is_no_place():
    doc = run("قصفت قوات سوريا الديمقراطية قرية الصبحة.")
    assert all(p.country != "SY" or p.feature_code != "PCLI" for p in doc.places)


def test_river_bank_is_not_the_west_bank():
    doc = run("تسلل مسلحون إلى الضفة الشرقية لنهر الفرات قرب الميادين.")
    assert all(p.name != "West Bank" for p in doc.places)
    assert run("اقتحمت القوات جنين في الضفة الغربية من حاجز الجلمة.").places[1].name == "West Bank"


def test_common_words_need_place_evidence():
    # "خرج" (went out) and "كسب" (won) are villages in GeoNames; "وزارة" is not و + the village "زارة"
    doc = run("خرج المتظاهرون إلى الشوارع في دمشق وكسب الحزب المقاعد، وأعلنت وزارة الدفاع النتائج.")
    assert [p.text for p in doc.places] == ["دمشق"]


def test_namesake_read_from_the_article():
    # Zinjibar (Abyan, Yemen), not Zanzibar, when the article is about Yemen
    doc = run("استهدفت غارة في اليمن مدينة زنجبار في محافظة أبين، واشتباكات في عدن.")
    p = next(p for p in doc.places if p.text.endswith("زنجبار"))
    assert p.country == "YE"


def test_one_place_per_name_in_an_article():
    # the later sentences name no Yemeni place: "زنجبار" stays the Zinjibar of the first sentence, and
    # "مدينة زنجبار" (listed whole for Zanzibar) is not an anchor that draws the article to Tanzania
    doc = run("سيطرت القوات الحكومية اليمنية على زنجبار، عاصمة محافظة أبين في جنوب اليمن، وفق مصادر عسكرية.\n"
              "وقال قائد ميداني إن القوات انتشرت في مدينة زنجبار لتعزيز مواقعها.\n"
              "وأضاف أن مواجهات عنيفة دارت قبل دخول القوات إلى زنجبار، وأن عملية التحرير لزنجبار شاركت فيها ألوية.\n"
              "وتابع أن قصفا استهدف مواقع كانت تتمركز في زنجبار.")
    names = [p for p in doc.places if p.text.endswith("زنجبار")]
    assert len(names) >= 4 and {p.country for p in names} == {"YE"}


def test_namesake_between_the_towns_of_the_sentence():
    # four villages called Tall Sha'ir in Syria: the one on the Qamishli–Amuda road
    doc = run("استهدفت مسيرة سيارة في قرية تل شعير على طريق عام القامشلي - عامودا.")
    p = next(p for p in doc.places if p.text == "تل شعير")
    assert p.geonameid == 163461


def test_unit_word_before_an_unlisted_unit_gives_no_town():
    # "ولاية كارولينا" (a US state named in a speech) is not Carolina, Puerto Rico
    assert all(p.country != "PR" for p in run("قال المرشح في ولاية كارولينا إن الاقتصاد أولوية.").places)


def test_street_named_after_a_town():
    # "شارع نابلس" in Jenin is a street named after Nablus: no pin in Nablus (the corpus annotators gave the
    # street its own point, in Jenin; the hand guards drop it)
    doc = run("اندلعت اشتباكات في شارع نابلس في مدينة جنين.")
    assert "جنين" in [p.text for p in doc.places]
    assert all(abs(p.lat - 32.46) < 0.1 and abs(p.lon - 35.30) < 0.1 for p in doc.places)
    hand = PlaceResolver()
    hand.filter = None
    doc = Doc(text="اندلعت اشتباكات في شارع نابلس في مدينة جنين.")
    Segmenter()(doc)
    assert all(abs(p.lat - 32.46) < 0.1 for p in hand(doc).places)


def test_conjunction_before_a_two_word_name():
    doc = run("يتفقد البرهان الخرطوم وأم درمان.")
    assert {p.text for p in doc.places} == {"الخرطوم", "أم درمان"}


def test_sea_is_the_sea_and_the_state_needs_its_unit_word():
    assert run("استهدفت القوات سفينة في البحر الأحمر.").places[0].feature_code == "SEA"
    assert run("وصل الوفد إلى ولاية البحر الأحمر في السودان.").places[0].country == "SD"


def test_annotations_hold_no_article_text(shared_dir):
    import json

    from marsad.resolve.geo import _data

    gold = {json.loads(line)["doc_id"] for line in (shared_dir / "gold" / "dev.jsonl").open(encoding="utf-8")}
    rows = [json.loads(line) for line in _data("annotations/places.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 200
    assert all("text" not in r and r["doc_id"] not in gold and r["span"][0] < r["span"][1] for r in rows)


def test_place_ranker_fast_score_equals_the_feature_score():
    from marsad.resolve.geo import Context, Entry
    from marsad.resolve.place_ranker import FEATURES, PlaceRanker, features

    m = PlaceRanker(FEATURES, [0.1 * (k % 7) - 0.3 for k in range(len(FEATURES))], 0.0)
    e = Entry(1, "city", "x", 33.0, 36.0, "PPL", "SY", 5_000, "SY-DI")
    for ctx in (frozenset(), frozenset({"SY"}), frozenset({"LB"})):
        for near in (None, Context(frozenset({"SY-DI"}), ((33.1, 36.1), (34.0, 36.5))), Context()):
            for prefer in (None, "city", "admin1"):
                want = m.score(features(e, "قرية", ctx, 90_000, prefer, near, wof_only=True))
                got = m.score_entry(7, e, "قرية", ctx, 90_000, prefer, near, wof_only=True)
                assert abs(want - got) < 1e-9


def test_lam_plus_article_drops_the_alef():
    # ل + الصين is written "للصين"; ل + اللاذقية is "للاذقية"; "للاجئين" (for refugees) is no place
    # (the reading, so under the hand guards: the learned filter doubts a lone Latakia in a text about China)
    doc = Doc(text="وجه رسالة للصين ثم عاد للاذقية، وقدم مساعدات للاجئين.")
    Segmenter()(doc)
    hand = PlaceResolver()
    hand.filter = None
    assert [(p.text, p.country) for p in hand(doc).places] == [("للصين", "CN"), ("للاذقية", "SY")]
    # whether the learned filter then keeps a match is a model decision, measured by grouped CV
    # (scripts/train_place_filter.py --cv), not pinned here sentence by sentence


def test_corpus_sites_and_areas():
    doc = run("اقتحم مستوطنون المسجد الأقصى، وتوتر في ناغورنو كاراباخ، وسفن في البحر الأحمر.")
    assert [(p.name, p.geo_precision) for p in doc.places] == [
        ("Al-Aqsa Mosque", 1), ("Nagorno-Karabakh", 3), ("Red Sea", 3)]


def test_rif_of_a_named_governorate_is_the_governorate():
    doc = run("قصف مدفعي على ريف محافظة إدلب الجنوبي.")
    (p,) = doc.places
    assert p.feature_code == "ADM1" and p.admin1 == "SY-ID" and p.geo_precision == 2


def test_a_word_that_starts_names_is_not_split():
    # "وادي" (valley) starts many names: "بمنطقة وادي تياسير" is no و + "ادي" (Edd, Eritrea)
    doc = run("وقعت قوة إسرائيلية في كمين بمنطقة وادي تياسير قرب طوباس في الضفة الغربية.")
    assert not any(p.country == "ER" for p in doc.places)
    assert any(p.text == "الضفة الغربية" for p in doc.places)
    keys = [h.key for h in PlaceResolver()._match(doc, doc.tokens)]
    assert "ادي" not in keys and "الضفه الغربيه" in keys


def test_pinned_points_nearest_equals_a_scan_of_all():
    """PinnedPoints answers as the full scan it replaces: the nearest pinned point, the match's own point
    left out unless it was pinned twice, asked between additions."""
    import math
    import random

    from marsad.resolve.geo import PinnedPoints

    def scan(counts, lat, lon, own):
        c = math.cos(math.radians(lat))
        return min((111.2 * math.hypot(lat - la, (lon - lo) * c) for (la, lo), n in counts.items()
                    if n > 1 or (la, lo) != own), default=math.inf)

    rng = random.Random(7)
    grid = [(round(rng.uniform(29, 37), 2), round(rng.uniform(33, 44), 2)) for _ in range(25)]
    pp, counts = PinnedPoints(), {}
    assert pp.nearest_km(33.5, 36.3, None) == math.inf
    for _ in range(400):
        if rng.random() < 0.4:
            k = rng.choice(grid)
            pp.add(*k)
            counts[k] = counts.get(k, 0) + 1
        q = rng.choice(grid)
        own = rng.choice([None, q, rng.choice(grid)])
        assert pp.nearest_km(*q, own) == scan(counts, *q, own)


def test_a_plural_settlement_noun_makes_each_listed_name_a_place():
    # "بلدات X وY وZ": the plural names a list; "الخيام" (the tents) is a common word without it
    doc = run("قصفت المدفعية الإسرائيلية بلدات الخيام وكفركلا في جنوب لبنان.")
    assert {p.text for p in doc.places} >= {"الخيام", "كفركلا"}
    assert all(p.country == "LB" for p in doc.places if p.text in ("الخيام", "كفركلا"))
    # but not before a common noun: "أحياء المدينة" names no town called Medina
    doc = run("شن الطيران غارات على أحياء المدينة في سوريا.")
    assert "المدينة" not in {p.text for p in doc.places}
