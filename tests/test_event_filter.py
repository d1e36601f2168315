"""The learned event filter (event_filter.py) and place ranker (place_ranker.py) on hand-built documents."""
from pathlib import Path

from marsad.extract.event_filter import EventFilter, candidate_features
from marsad.extract.events import EventExtractor
from marsad.extract.place_ranker import PlaceRanker, option_features, place_options
from test_events import make_doc


def test_candidates_carry_the_rule_verdicts():
    doc = make_doc("لم تسيطر فصائل المعارضة على حلب.")
    [c] = EventExtractor(trigger_model=False, event_filter=False).candidates(doc)
    assert c.verdicts["negated"] and not c.rule_keep and not c.keep
    assert c.event.location.name == "Aleppo" and c.place_source == "clause"
    feats = candidate_features(doc, [c])[0]
    assert "v=negated" in feats and "t=COERCE&v=negated" in feats and "ruledrop" in feats


def test_the_filter_decides_instead_of_the_rules():
    text = "لم تسيطر فصائل المعارضة على حلب."
    assert EventExtractor(trigger_model=False, event_filter=False)(make_doc(text)).events == []
    keep_all = EventFilter(bias=3.0, weights={}, threshold=0.5)
    [e] = EventExtractor(trigger_model=False, event_filter=keep_all)(make_doc(text)).events
    assert e.modality.negated
    drop_negated = EventFilter(bias=3.0, weights={"v=negated": -6.0}, threshold=0.5)
    assert EventExtractor(trigger_model=False, event_filter=drop_negated)(make_doc(text)).events == []


def test_a_retelling_is_marked_as_a_repeat():
    doc = make_doc("سيطرت فصائل المعارضة على حلب. وبعد ذلك سيطرت فصائل المعارضة على حلب بالكامل.")
    cands = EventExtractor(trigger_model=False, event_filter=False).candidates(doc)
    feats = candidate_features(doc, cands)
    assert len(cands) == 2 and "samekey=2" in feats[0]
    assert "first_of_key" in feats[0] and "repeat_of_key" in feats[1] and "key_rulekept_before" in feats[1]


def test_filter_file_round_trips_byte_for_byte(tmp_path: Path):
    f = EventFilter(-0.75, {"v=negated": -2.5, "t=ASSAULT&src=clause": 0.4}, 0.35)
    f.write(tmp_path / "a.tsv")
    g = EventFilter.read(tmp_path / "a.tsv")
    assert (g.bias, g.weights, g.threshold) == (f.bias, f.weights, f.threshold)
    g.write(tmp_path / "b.tsv")
    assert (tmp_path / "a.tsv").read_bytes() == (tmp_path / "b.tsv").read_bytes()


def _strike_doc():
    return make_doc("قصفت الطائرات الروسية مدينة حلب. وقصفت الطائرات الروسية بلدة تلبيسة قرب الرستن.")


def test_place_options_and_features():
    doc = _strike_doc()
    stage = EventExtractor(trigger_model=False, event_filter=False)
    sites = list(stage.trigger_sites(doc))
    sent, trig, clause_end, _ = sites[1]
    opts = place_options(doc, sent, trig, [])
    names = {o.place.name: o.where for o in opts}
    assert names["Talbiseh"] == "sentence" and names["Aleppo"] == "previous"
    feats = dict(zip([o.place.name for o in opts], option_features(doc, sent, trig, clause_end, opts)))
    assert "after" in feats["Talbiseh"] and "rank_after=0" in feats["Talbiseh"] and "rank_after=1" in feats["Ar Rastan"]
    assert "where=previous" in feats["Aleppo"] and "t=ASSAULT&where=previous" in feats["Aleppo"]


def test_the_ranker_chooses_the_location():
    text = "قصفت الطائرات الروسية مدينة حلب. وقصفت الطائرات الروسية بلدة تلبيسة قرب الرستن."
    rules = [e.location.name for e in EventExtractor(trigger_model=False, event_filter=False)(make_doc(text)).events]
    assert rules == ["Aleppo", "Talbiseh"]
    # a ranker that prefers the second place after the trigger moves the second event to Rastan
    second = PlaceRanker(0.0, {"rank_after=1": 2.0})
    moved = [e.location.name for e in EventExtractor(trigger_model=False, event_filter=False, place_ranker=second)(make_doc(text)).events]
    assert moved == ["Aleppo", "Ar Rastan"]
    # one that prefers the rule's choice keeps the rule's list of places
    keep = PlaceRanker(0.0, {"rule_first": 2.0})
    listed = "سيطرت فصائل المعارضة على مدينة الرستن وبلدة تلبيسة شمال حمص."
    assert [e.location.name for e in EventExtractor(trigger_model=False, event_filter=False, place_ranker=keep)(make_doc(listed)).events] \
        == ["Ar Rastan", "Talbiseh"]


def test_ranker_file_round_trips_byte_for_byte(tmp_path: Path):
    r = PlaceRanker(0.125, {"rank_after=0": 0.9, "t=PROTEST&prep=في": 0.3})
    r.write(tmp_path / "a.tsv")
    again = PlaceRanker.read(tmp_path / "a.tsv")
    assert (again.bias, again.weights) == (r.bias, r.weights)
    again.write(tmp_path / "b.tsv")
    assert (tmp_path / "a.tsv").read_bytes() == (tmp_path / "b.tsv").read_bytes()


def test_the_rescue_filter_brings_back_only_what_the_rules_drop_for_want_of_evidence():
    from marsad.extract.event_filter import RescueFilter

    unplaced = "قصفت الطائرات الحربية مواقع المسلحين بعد ظهر اليوم."  # a strike with no place named
    [c] = EventExtractor(trigger_model=False, event_filter=False, rescue_filter=False).candidates(make_doc(unplaced))
    assert c.verdicts["unplaced"] and not c.keep
    sure = RescueFilter(bias=3.0, weights={}, ruled_out_threshold=0.5)
    unsure = RescueFilter(bias=-3.0, weights={}, ruled_out_threshold=0.5)
    assert [e.trigger for e in EventExtractor(trigger_model=False, rescue_filter=sure)(make_doc(unplaced)).events] == ["قصفت"]
    assert EventExtractor(trigger_model=False, rescue_filter=unsure)(make_doc(unplaced)).events == []
    # what the rules keep stays, however low the model scores it
    kept = "سيطرت فصائل المعارضة على حلب."
    assert len(EventExtractor(trigger_model=False, rescue_filter=unsure)(make_doc(kept)).events) == 1
    # negated, hypothetical and aimed-at acts are not brought back, however sure the model is
    for text in ("لم تسيطر فصائل المعارضة على حلب.", "تحرك الجيش السوري لقصف حلب.",
                 "قالت الحكومة إنها ستواصل عملياتها من أجل اعتقال المطلوبين في حلب."):
        assert not [e for e in EventExtractor(trigger_model=False, rescue_filter=sure)(make_doc(text)).events
                    if e.plover.type in ("COERCE", "ASSAULT")], text


def test_the_rescue_filter_is_shipped_for_the_rule_path_only(tmp_path: Path):
    from marsad.extract.event_filter import RescueFilter

    shipped = RescueFilter.shipped()
    assert shipped is not None and shipped.threshold == 0.0 and 0.3 <= shipped.ruled_out_threshold <= 1.0
    assert isinstance(EventExtractor(trigger_model=False).rescue_filter, RescueFilter)
    assert EventExtractor(trigger_model=False, event_filter=EventFilter(0.0, {}, 0.5)).rescue_filter is None
    shipped.write(tmp_path / "r.tsv")
    again = RescueFilter.read(tmp_path / "r.tsv")
    assert again == shipped
    assert (tmp_path / "r.tsv").read_text(encoding="utf-8") == \
        (Path(__file__).parent.parent / "marsad" / "data" / "events" / "rescue_filter.tsv").read_text(encoding="utf-8")
