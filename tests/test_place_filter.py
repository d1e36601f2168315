"""The learned place-mention filter and the gazetteer names taken from the corpus annotations."""
from __future__ import annotations

import math
import random
import sqlite3
import sys
from pathlib import Path

from marsad.doc import Doc
from marsad.resolve.geo import Gazetteer, PlaceResolver
from marsad.resolve.place_filter import FEATURES, PlaceFilter
from marsad.text.segment_stage import Segmenter

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))


def run(text: str, resolver: PlaceResolver | None = None) -> Doc:
    doc = Doc(text=text)
    Segmenter()(doc)
    return (resolver or PlaceResolver())(doc)


def walk(tree: dict, x) -> float:
    """Reference reading of one tree, node by node (the shipped model compiles trees to code)."""
    n = 0
    while tree["left"][n] >= 0:
        n = tree["left"][n] if x[tree["feature"][n]] <= tree["threshold"][n] else tree["right"][n]
    return tree["value"][n]


def test_shipped_filter_is_used_and_compiled_code_equals_the_trees():
    flt = PlaceFilter.load()
    assert flt is not None and PlaceResolver().filter is flt
    assert len(flt.trees) > 10 and 0 < flt.threshold < 1
    rng = random.Random(7)
    for _ in range(300):
        x = [rng.choice([0.0, 1.0, rng.uniform(-1, 7)]) for _ in FEATURES]
        ref = flt.init + sum(walk(t, x) for t in flt.trees)
        assert math.isclose(flt.margin(x), ref, abs_tol=1e-9)


def test_filter_json_round_trip():
    flt = PlaceFilter.load()
    again = PlaceFilter.from_json(flt.to_json())
    assert again.to_json() == flt.to_json()
    x = [1.0] * len(FEATURES)
    assert again.prob(x) == flt.prob(x)


def test_common_word_needs_place_evidence_with_the_filter():
    # "الخيام" (the tents) is a word; "بلدة الخيام" is the Lebanese village
    assert not run("نصب النازحون الخيام في الساحة.").places
    doc = run("قصفت المدفعية الإسرائيلية بلدة الخيام في جنوب لبنان.")
    assert any(p.text == "الخيام" and p.country == "LB" for p in doc.places)


def test_hand_guards_still_work_without_the_model():
    r = PlaceResolver()
    r.filter = None
    assert not run("نصب النازحون الخيام في الساحة.", r).places
    assert {p.geonameid for p in run("وصل الوفد إلى دمشق.", r).places} == {170654}


def test_corpus_names_are_their_own_match_keys():
    db = sqlite3.connect(Gazetteer.load().path)
    rows = db.execute("SELECT m.key, n.sources FROM match_key m JOIN name n ON n.name = m.key AND n.place = m.place "
                      "WHERE m.how = 'corpus'").fetchall()
    assert rows and all(src == "corpus annotation" for _, src in rows)
    corpus_keys = {k for k, _ in rows}
    other = {k for (k,) in db.execute("SELECT DISTINCT key FROM match_key WHERE how != 'corpus'")}
    assert not corpus_keys & other  # only names no source has
    # training reads the gazetteer without them
    g = Gazetteer(corpus_names=False)
    g.keys = frozenset(k for (k,) in g._query("SELECT DISTINCT key FROM match_key WHERE 1" + g._how_filter))
    assert not corpus_keys & g.keys
    assert all(not g.candidates(k) for k in list(corpus_keys)[:50])


def test_corpus_names_strip_clitics_and_group_places():
    from corpus_places import corpus_names

    places = [
        {"text": "والحارة الغربية", "name": "West Quarter", "lat": 31.5, "lon": 34.45, "country": "PS",
         "geo_precision": 1},
        {"text": "الحارة الغربية", "name": "West quarter", "lat": 31.52, "lon": 34.47, "country": "PS",
         "geo_precision": 1},
        {"text": "\"وادي السلوقي\"", "name": "Wadi Saluki", "lat": 33.2, "lon": 35.5, "country": "LB",
         "geo_precision": 1},
        {"text": "وميتوهيا", "geonameid": 123, "geo_precision": 1},
        {"text": "حي", "name": "x", "lat": 1, "lon": 1, "geo_precision": 1},
        {"text": "عين", "geonameid": 5, "geo_precision": 1, "partial": True},
    ]
    # each annotated in two documents ("d1", "d2"); a name annotated in one only is left out
    assert corpus_names([("d1", p) for p in places]) == []
    rows = corpus_names([(d, p) for d in ("d1", "d2") for p in places])
    by_name = {r["name"]: r for r in rows}
    assert by_name["West Quarter"]["names"] == ["الحاره الغربيه"]  # و off, the two spellings one place
    assert by_name["West Quarter"]["lat"] == 31.51
    assert by_name["Wadi Saluki"]["names"] == ["وادي السلوقي"] and by_name["Wadi Saluki"]["kind"] == "site"
    assert next(r for r in rows if r["gid"] == 123)["names"] == ["وميتوهيا"]  # no bare form annotated: kept
    assert "x" not in by_name and not any(r["gid"] == 5 for r in rows)


def test_feature_vector_follows_the_feature_names():
    from marsad.resolve.geo import Entry
    from marsad.resolve.place_filter import INDEX, features

    e = Entry(170654, "city", "Damascus", 33.5, 36.3, "PPLC", "SY", 1_569_394, "SY-DI")
    x = features(zipf=3.1, key="دمشق", role="rif", ner_loc=True, ner_veto=False, prep=True, clitic=False,
                 quoted=True, after_building=False, heh=False, e=e, context=frozenset({"SY"}),
                 admin1s=frozenset({"SY-DI"}), sent_km=math.inf, doc_km=9.0, n_cands=4, override=False,
                 repeats=2, sent_start=False, hand=True)
    assert len(x) == len(FEATURES)
    on = {f for f in FEATURES if x[INDEX[f]] == 1.0}
    assert on >= {"role=rif", "ner_loc", "prep", "quoted", "kind=city", "cc_in_article", "mena", "admin1_pinned",
                  "words", "repeats", "hand"}
    assert not on & {"role=town", "kind=country", "ner_veto", "override", "heh"}
    assert x[INDEX["zipf"]] == 3.1 and x[INDEX["key_len"]] == 4.0 and x[INDEX["log_cands"]] == 2.0
    assert x[INDEX["sent_log_km"]] == -1.0 and x[INDEX["doc_log_km"]] == 1.0
