"""Stories: near-duplicates, same-story clustering, cross-article event merging, archived input.

Every document here is made up for the test (Arabic sentences written for it; the only facts are
the names and coordinates of real towns). Store tests run on SQLite, and on PostgreSQL when
MARSAD_TEST_PG_URL is set.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest
from fixtures.store_db import BACKENDS, cleanup, make_url

from marsad.stories.dedup import DuplicateIndex
from marsad.stories.labels import Anchor, find_event, read_article_pairs, read_event_pairs
from marsad.stories.merge import EVENT_FEATURES, EventMerger, Mention, candidate, event_features, same_event
from marsad.stories.model import load_event_model, load_model
from marsad.stories.pairs import ALL_FEATURES, FEATURES, feature_table, features
from marsad.stories.profile import is_bulletin, minhash_signature, numbers, profile

HAMA = {"name": "Hama", "geonameid": 170017, "lat": 35.13179, "lon": 36.75783, "admin1": "SY-HM", "country": "SY",
        "feature_code": "PPLA", "geo_precision": 1}
HOMS = {"name": "Homs", "geonameid": 169577, "lat": 34.72405, "lon": 36.72559, "admin1": "SY-HI", "country": "SY",
        "feature_code": "PPLA", "geo_precision": 1}
KAFR = {"name": "Kafr Buhum", "geonameid": 169999, "lat": 35.0667, "lon": 36.6833, "admin1": "SY-HM", "country": "SY",
        "feature_code": "PPL", "geo_precision": 1}  # a village ~9 km from Hama


def event(place: dict, day: str, dead=None, actor=("Syrian government forces", "SYR", "MIL"), ptype="ASSAULT",
          sub="Air/drone strike", quote="قصفت الطائرات"):
    return {"plover": {"type": ptype, "mode": None, "context": []},
            "acled": {"event_type": "Explosions/Remote violence", "sub_event_type": sub,
                      "disorder_type": "Political violence"},
            "actors": [{"text": None, "name": actor[0], "country": actor[1], "sector": actor[2], "kind": "organization",
                        "span": None, "source": "lexicon"}],
            "recipients": [], "location": dict(place, text=None, span=None),
            "date": {"text": None, "value": day, "end": None, "time_precision": 1, "anchor": "published", "span": None},
            "size": {"dead": dead, "injured": None, "arrested": None}, "attribution": [],
            "modality": {"negated": False, "future": False, "hypothetical": False, "historical": False},
            "anchor": {"sentence": 0, "span": [0, len(quote)], "quote": quote}, "confidence": 0.8, "trigger": "قصف"}


def doc(doc_id: str, day: str, title: str, text: str, events=(), places=(), people=(), outlet="وكالة الاختبار",
        url=None) -> dict:
    first = text.find(".") + 1 or len(text)
    return {"doc_id": doc_id, "published": day, "published_inferred": None, "outlet": outlet, "title": title,
            "url": url or f"https://example.test/{doc_id}", "text": text, "removed": [], "sentences": [[0, first]],
            "mentions": {"people": [{"text": p, "name": p, "country": None, "sector": None, "kind": "person",
                                     "span": None, "source": "lexicon"} for p in people],
                         "organizations": [], "places": [dict(p, text=p["name"], span=None) for p in places],
                         "times": []},
            "statements": [], "events": list(events), "pipeline_version": "0.1.0"}


STRIKE = ("قصفت طائرات حربية سورية فجر الجمعة أحياء في مدينة حماة وسط البلاد ما أدى إلى مقتل ثلاثة مدنيين. "
          "وقال الدفاع المدني إن فرقه انتشلت الضحايا من تحت الأنقاض. وأفاد شهود بأن الغارات استهدفت سوقاً شعبية.")
STRIKE_2 = ("أفاد مصدر طبي في حماة بأن خمسة مدنيين قتلوا في غارات جوية نفذتها طائرات حربية سورية على سوق شعبية "
            "في المدينة صباح الجمعة. وأضاف المصدر أن عدد الجرحى مرشح للارتفاع.")
STRIKE_LATER = ("عادت الطائرات الحربية السورية يوم الأحد لقصف أطراف مدينة حماة من جديد. ولم ترد أنباء عن "
                "إصابات في الغارة الجديدة التي جاءت بعد يومين من غارات السوق.")
MEETING = ("التقى وزير الخارجية العماني في مسقط نظيره الإيراني وبحث معه العلاقات الثنائية وسبل تعزيز التعاون "
           "الاقتصادي بين البلدين. وأكد الوزيران أهمية الحوار في حل الخلافات الإقليمية.")
BULLETIN = ("غارات جوية على حماة ومقتل ثلاثة مدنيين. وزير الخارجية العماني يلتقي نظيره الإيراني في مسقط. "
            "ارتفاع أسعار النفط في الأسواق العالمية.")


def day_one() -> list[dict]:
    return [
        doc("strike-a", "2024-12-06", "مقتل ثلاثة مدنيين بغارات جوية على سوق في حماة", STRIKE,
            [event(HAMA, "2024-12-06", dead=3, quote="قصفت طائرات حربية سورية فجر الجمعة أحياء في مدينة حماة")],
            places=[HAMA]),
        doc("strike-b", "2024-12-06", "خمسة قتلى بغارات على سوق شعبية في حماة", STRIKE_2,
            [event(KAFR, "2024-12-06", dead=5, quote="غارات جوية نفذتها طائرات حربية سورية على سوق شعبية في المدينة")],
            places=[HAMA], outlet="صحيفة الاختبار"),
        doc("meeting", "2024-12-06", "وزير الخارجية العماني يلتقي نظيره الإيراني في مسقط", MEETING,
            people=["بدر البوسعيدي"]),
        doc("bulletin", "2024-12-06", "نشرة الثامنة", BULLETIN, places=[HAMA]),
    ]


def day_three() -> list[dict]:
    return [doc("strike-later", "2024-12-08", "غارة جديدة على أطراف حماة", STRIKE_LATER,
                [event(HAMA, "2024-12-08", quote="لقصف")], places=[HAMA])]


# ------------------------------------------------------------------ pure functions

def test_minhash_finds_an_updated_republication_only():
    idx = DuplicateIndex()
    assert idx.add("a", minhash_signature(STRIKE)) is None
    updated = STRIKE + " وفي وقت لاحق ارتفع عدد القتلى."
    assert idx.add("a-updated", minhash_signature(updated)) == "a"
    assert idx.add("other", minhash_signature(MEETING)) is None
    # a stored answer is kept as is
    assert idx.add("a-updated", minhash_signature(updated)) == "a"


def test_bulletins_and_programmes_are_their_own_genre():
    assert is_bulletin("نشرة الثامنة صباحاً")
    assert is_bulletin("المسائية | قمة بريكس وتحدي الدولار؟")
    assert not is_bulletin("مقتل ثلاثة مدنيين بغارات جوية على سوق في حماة")


def test_shipped_pair_model_prefers_same_story_pairs():
    model = load_model()
    assert model.features == FEATURES
    a, b, c = (profile(r) for r in day_one()[:3])
    for p in (a, b, c):
        p.vector = p.title_vector = np.ones(4) / 2  # the encoder is exercised in the store tests; here: equal
    same, other = model.probability(features(a, b)), model.probability(features(a, c))
    assert same > other


def test_pair_features_cover_every_named_feature():
    a, b = (profile(r) for r in day_one()[:2])
    table = feature_table(a, b)
    assert tuple(table) == ALL_FEATURES
    assert table["same_day"] == 1.0 and table["place_near"] == 1.0
    assert table["event_days_jaccard"] == 1.0  # both report an event of 6 December
    assert 0.0 <= table["minhash_jaccard"] < 0.5  # two different write-ups, not a re-publication


def test_numbers_leave_out_years_and_single_digits():
    assert numbers("مقتل 130 عسكرياً في عام 2023 وتدمير ٣١ دبابة و5 مدرعات") == {"130", "31"}
    assert numbers("بلا أرقام") == frozenset()


def mention(d: dict, ref: int, story=None) -> Mention:
    return Mention(ref=ref, doc_id=d["doc_id"], record=d["events"][0], outlet=d["outlet"], story_id=story)


def test_merger_releases_what_no_later_mention_can_join():
    from datetime import date

    a, _, _, _ = day_one()
    later = day_three()[0]
    merger = EventMerger(rule=True)
    first, _ = merger.add(mention(a, 1))  # 2024-12-06
    second, _ = merger.add(mention(later, 2))  # 2024-12-08
    # a mention of the 8th or later (less the window) cannot reach the 6th: that event is final
    assert merger.forget_before(date(2024, 12, 7)) == [first]
    assert merger.groups == [second] and 1 not in merger.group_of and merger.group_of[2] is second
    assert merger.forget_before(date(2024, 12, 7)) == []


def test_merge_rule_place_day_type_actor():
    a, b, _, _ = day_one()
    later = day_three()[0]
    assert same_event(mention(a, 1), mention(b, 2))  # Hama and a village 9 km away, same day
    assert not same_event(mention(a, 1), mention(later, 3))  # same town, another day: another event
    far = doc("homs", "2024-12-06", "t", STRIKE, [event(HOMS, "2024-12-06")])
    assert not same_event(mention(a, 1), mention(far, 4))  # Homs is 45 km away
    rebels = doc("rebels", "2024-12-06", "t", STRIKE, [event(HAMA, "2024-12-06", actor=("Rebels", "SYR", "REB"))])
    assert not same_event(mention(a, 1), mention(rebels, 5))  # the actors contradict
    assert not same_event(mention(a, 1), mention(a, 6))  # one article does not confirm itself


def test_candidate_gates_and_event_features():
    a, b, _, _ = day_one()
    later = day_three()[0]
    assert candidate(mention(a, 1), mention(b, 2))
    assert not candidate(mention(a, 1), mention(later, 3))  # two days apart
    assert not candidate(mention(a, 1), mention(a, 6))  # one article
    far = doc("far", "2024-12-06", "t", STRIKE, [event(dict(HOMS, lat=33.5, lon=36.3), "2024-12-06")])
    assert not candidate(mention(a, 1), mention(far, 4))  # > 50 km
    syria = {"name": "Syria", "geonameid": 163843, "lat": 35.0, "lon": 38.0, "country": "SY", "feature_code": "PCLI",
             "geo_precision": 3}
    region = doc("region", "2024-12-06", "t", STRIKE, [event(syria, "2024-12-06")])
    assert not candidate(mention(a, 1), mention(region, 7))  # a country is not Hama
    f = event_features(mention(a, 1), mention(b, 2))
    assert tuple(f) == EVENT_FEATURES
    assert f["day_gap"] == 0 and f["same_place"] == 0 and 0 < f["distance"] < 1
    assert f["subtype_same"] == 1 and f["counts_differ"] == 1 and f["counts_same"] == 0


def test_shipped_event_model_merges_one_strike_and_not_another():
    a, b, _, _ = day_one()
    model = load_event_model()
    assert model.features == EVENT_FEATURES
    same = model.probability_of(event_features(mention(a, 1), mention(b, 2)))
    rebels = doc("rebels", "2024-12-06", "t", STRIKE,
                 [event(HOMS, "2024-12-06", actor=("Rebels", "SYR", "REB"), sub="Armed clash", quote="اشتباكات")])
    other = model.probability_of(event_features(mention(a, 1), mention(rebels, 5)))
    assert same >= model.threshold > other


def test_merged_event_keeps_every_source_and_the_lowest_count():
    a, b, _, _ = day_one()
    m = EventMerger()
    g1, new1 = m.add(mention(a, 1))
    g2, new2 = m.add(mention(b, 2))
    assert new1 and not new2 and g1 is g2
    summ = g1.summary()
    assert summ["source_count"] == 2 and summ["dead"] == 3
    assert summ["disagreements"]["dead"] == {"strike-a": 3, "strike-b": 5}
    assert sorted(summ["outlets"]) == ["صحيفة الاختبار", "وكالة الاختبار"]
    # a more reliable source's count wins over the lowest
    rel = {"strike-b": 1.0}
    assert g1.summary(reliability=lambda mm: rel.get(mm.doc_id, 0.0))["dead"] == 5


def test_hand_rule_merger_still_available():
    a, b, _, _ = day_one()
    m = EventMerger(rule=True)
    assert m.add(mention(a, 1))[0] is m.add(mention(b, 2))[0]
    assert m.add(mention(day_three()[0], 3))[1]  # two days later: a new event


def test_tfidf_weights_specific_words_over_common_ones():
    from marsad.stories.profile import cosine, idf, term_bag, tfidf

    gaza, hama, zikim = (next(iter(term_bag(w))) for w in ("غزة", "حماة", "زيكيم"))  # normalized stems
    assert idf(gaza) < 2.0 < idf(hama) < idf(zikim)  # in a third of the corpus / rare / a name
    a, b, c = (tfidf(term_bag(t)) for t in (STRIKE, STRIKE_2, MEETING))
    assert 0.99 < cosine(a, a) < 1.01
    assert cosine(a, b) > 0.1 > cosine(a, c)  # two reports of the Hama strike share specific words
    assert len(tfidf(term_bag(STRIKE + " " + STRIKE_2), keep=5)) == 5


def test_tfidf_pair_features_and_people_named_by_name():
    strike_a, strike_b, meeting = day_one()[:3]
    strike_b = dict(strike_b, mentions=dict(strike_b["mentions"], people=[
        {"text": "مسؤول طبي", "name": "مسؤول طبي", "kind": "person", "span": None, "source": "role"}]))
    strike_a = dict(strike_a, mentions=dict(strike_a["mentions"], people=[
        {"text": "مسؤول طبي", "name": "مسؤول طبي", "kind": "person", "span": None, "source": "role"}]))
    a, b, c = (profile(r) for r in (strike_a, strike_b, meeting))
    assert a.people == b.people and not a.named_people  # a role names no one
    ab, ac = feature_table(a, b), feature_table(a, c)
    assert ab["named_shared"] == 0.0 and ab["people_shared"] > 0.0
    assert ab["lead_tfidf"] > ac["lead_tfidf"] and ab["body_tfidf"] > ac["body_tfidf"]
    assert ab["lead_rare_shared"] >= ac["lead_rare_shared"]
    m = profile(meeting)
    assert m.named_people == {"بدر البوسعيدي"}
    assert feature_table(m, m)["named_shared"] > 0.0


def test_features_are_computed_one_by_one_and_the_encoder_only_when_needed():
    from marsad.stories.pairs import needs_vectors

    a, b = (profile(r) for r in day_one()[:2])
    table = feature_table(a, b)
    assert features(a, b, ("lead_tfidf", "day_gap")) == [table["lead_tfidf"], table["day_gap"]]
    assert needs_vectors(("day_gap", "lead_cosine")) and not needs_vectors(("day_gap", "lead_tfidf"))


def test_idf_table_rebuilds_byte_for_byte(tmp_path):
    import subprocess
    import sys as _sys

    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": str(i), "title": t, "text": x}, ensure_ascii=False) + "\n"
                              for i, (t, x) in enumerate([("غارات على حماة", STRIKE), ("حماة", STRIKE_2),
                                                          ("لقاء", MEETING)])), encoding="utf-8")
    script = Path(__file__).resolve().parents[1] / "scripts" / "build_story_idf.py"
    outs = []
    for name in ("a.tsv.gz", "b.tsv.gz"):
        subprocess.run([_sys.executable, str(script), str(corpus), "-o", str(tmp_path / name)], check=True,
                       capture_output=True)
        outs.append((tmp_path / name).read_bytes())
    assert outs[0] == outs[1]
    rows = gzip.decompress(outs[0]).decode("utf-8").splitlines()
    assert "# documents\t3" in rows
    df = dict(r.split("\t") for r in rows if not r.startswith("#"))
    assert df["حماه"] == "2" and "بحث" not in df  # in two documents; a stem of one document is left out


# ------------------------------------------------------------------ labelled pairs

def test_labelled_pairs_are_well_formed():
    arts = read_article_pairs()
    assert len(arts) >= 150 and {y for *_, y in arts} == {0, 1}
    keys = [tuple(sorted((a, b))) for a, b, _ in arts]
    assert len(keys) == len(set(keys)) and all(a != b for a, b in keys)
    evs = read_event_pairs()
    assert len(evs) >= 80 and {p.same for p in evs} == {0, 1}
    assert all(p.anchor_a.start < p.anchor_a.end and p.anchor_b.start < p.anchor_b.end for p in evs)


def test_find_event_by_anchor_overlap_and_type():
    evs = [event(HAMA, "2024-12-06", quote="قصفت الطائرات"), event(HAMA, "2024-12-06", ptype="PROTEST", quote="تظاهرة")]
    evs[0]["anchor"]["span"] = [10, 24]
    evs[1]["anchor"]["span"] = [12, 20]
    assert find_event(evs, Anchor.parse("8:20:ASSAULT")) == 0  # an anchor cut a little differently
    assert find_event(evs, Anchor.parse("8:20:PROTEST")) == 1  # the type picks among overlapping events
    assert find_event(evs, Anchor.parse("30:40:ASSAULT")) is None  # no overlap: the extractor lost it
    assert str(Anchor.parse("8:20:ASSAULT")) == "8:20:ASSAULT"


# ------------------------------------------------------------------ store

@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    from marsad.store.store import Store

    url = make_url(request.param, tmp_path)
    st = Store(url)
    yield st
    st.close()
    cleanup(request.param, url)


def ingest(store, records: list[dict]) -> None:
    for r in records:
        store.ingest_record(r)
    store.update_stories()


def snapshot(store) -> dict:
    from sqlalchemy import select

    from marsad.store.models import DocumentRow, EventRow, MergedEventRow, StoryRow

    with store.Session() as s:
        return {
            "docs": sorted(s.execute(select(DocumentRow.doc_id, DocumentRow.story_id, DocumentRow.duplicate_of)).all()),
            "events": sorted(s.execute(select(EventRow.id, EventRow.merged_event_id)).all()),
            "stories": sorted((r.story_id, r.kind, r.n_docs, r.first_day, r.last_day, r.updated_at)
                              for r in s.scalars(select(StoryRow))),
            "merged": sorted((r.id, r.source_count, r.dead, r.updated_at) for r in s.scalars(select(MergedEventRow))),
        }


def test_store_clusters_merges_and_is_idempotent(store):
    from marsad.store.stories import get_merged, get_story, list_merged, list_stories

    ingest(store, day_one())
    snap = snapshot(store)
    story = {d: s for d, s, _ in snap["docs"]}
    assert story["strike-a"] == story["strike-b"]  # one happening, two reports
    assert story["meeting"] != story["strike-a"]
    assert story["bulletin"] not in (story["strike-a"], story["meeting"])
    total, items = list_stories(store, kind="bulletin")
    assert total == 1 and items[0]["documents"][0]["doc_id"] == "bulletin"
    total, multi = list_merged(store, min_sources=2, with_sources=True)
    assert total == 1
    m = multi[0]
    assert m["source_count"] == 2 and m["dead"] == 3 and set(m["disagreements"]) == {"dead"}
    assert {s["doc_id"] for s in m["sources"]} == {"strike-a", "strike-b"}
    assert get_merged(store, m["id"])["sources"][0]["anchor_quote"]
    full = get_story(store, story["strike-a"])
    assert [d["doc_id"] for d in full["documents"]] == ["strike-a", "strike-b"]
    assert [e["id"] for e in full["merged_events"]] == [m["id"]]

    # the same corpus again: nothing changes, not even a timestamp
    ingest(store, day_one())
    assert snapshot(store) == snap


def test_adding_a_day_changes_only_that_days_stories(store):
    ingest(store, day_one())
    before = snapshot(store)
    ingest(store, day_three())
    after = snapshot(store)
    old = {d for d, _, _ in before["docs"]}
    assert [r for r in after["docs"] if r[0] in old] == before["docs"]
    # every story and merged event of day one is untouched (same row, same updated_at) ...
    assert set(before["stories"]) <= set(after["stories"])
    assert set(before["merged"]) <= set(after["merged"])
    # ... and the new day's strike on the same town is a new event
    assert len(after["merged"]) == len(before["merged"]) + 1


def test_merged_acled_export_lists_every_source(store, tmp_path):
    from marsad.store.export import export_merged_acled

    ingest(store, day_one())
    out = tmp_path / "merged.csv"
    n = export_merged_acled(store, out)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert n == len(rows) == 1  # the two reports of the Hama strike are one row
    row = rows[0]
    assert row["source"] == "صحيفة الاختبار; وكالة الاختبار"
    assert "https://example.test/strike-a" in row["notes"] and "https://example.test/strike-b" in row["notes"]
    assert "Sources (2)" in row["notes"] and "disagree on dead" in row["notes"]
    assert row["fatalities"] == "3"


def test_api_stories_and_merged_events(store):
    from fastapi.testclient import TestClient

    from marsad.api.app import create_app

    ingest(store, day_one())
    client = TestClient(create_app(store.url))
    r = client.get("/api/stories", params={"min_docs": 2})
    assert r.status_code == 200 and r.json()["total"] == 1
    sid = r.json()["items"][0]["story_id"]
    s = client.get(f"/api/stories/{sid}").json()
    assert len(s["documents"]) == 2 and s["merged_events"][0]["source_count"] == 2
    r = client.get("/api/merged-events", params={"min_sources": 2, "sources": True}).json()
    assert r["total"] == 1 and len(r["items"][0]["sources"]) == 2
    mid = r["items"][0]["id"]
    assert client.get(f"/api/merged-events/{mid}").json()["dead"] == 3
    assert client.get("/api/merged-events/999999").status_code == 404
    assert client.get("/api/stories/no-such-story").status_code == 404


def test_stories_command(store):
    from typer.testing import CliRunner

    from marsad.cli import app

    ingest(store, day_one())
    r = CliRunner().invoke(app, ["stories", "--db", store.url, "--json", "--min-docs", "2"])
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in r.stdout.splitlines() if x.startswith("{")]
    assert [d["doc_id"] for d in lines[0]["documents"]] == ["strike-a", "strike-b"]


# ------------------------------------------------------------------ archived input

PAGE = """<!doctype html><html lang="ar"><head><meta charset="utf-8"><title>غارات على حماة</title>
<link rel="canonical" href="https://example.test/news/hama-strike"></head><body><article><h1>غارات على حماة</h1>
<p>{}</p><p>وقال الدفاع المدني إن فرقه تواصل البحث عن مفقودين تحت الأنقاض في الأحياء التي استهدفتها الغارات.</p>
</article></body></html>"""


def write_warc(path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as f:
        w = WARCWriter(f, gzip=True)
        body = PAGE.format(STRIKE).encode("utf-8")
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record("https://example.test/news/hama-strike", "response",
                                            payload=io.BytesIO(body), http_headers=http,
                                            warc_headers_dict={"WARC-Date": "2024-12-06T08:30:00Z"}))
        # an image and a redirect in the same crawl are not articles
        img = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record("https://example.test/logo.png", "response",
                                            payload=io.BytesIO(b"\x89PNG...."), http_headers=img))
        moved = StatusAndHeaders("301 Moved", [("Content-Type", "text/html"), ("Location", "/x")],
                                 protocol="HTTP/1.1")
        w.write_record(w.create_warc_record("https://example.test/old", "response",
                                            payload=io.BytesIO(b"<html>moved</html>"), http_headers=moved))


def test_warc_file_read_end_to_end(tmp_path):
    from typer.testing import CliRunner

    from marsad.cli import app

    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc)
    out = tmp_path / "out.jsonl"
    r = CliRunner().invoke(app, ["extract", str(warc), "-o", str(out), "--no-ner", "--no-progress",
                                 "--published", "2024-12-06"])
    assert r.exit_code == 0, r.output
    recs = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(recs) == 1
    rec = recs[0]
    assert rec["url"] == "https://example.test/news/hama-strike"
    assert rec["fetched"] == "2024-12-06T08:30:00Z"
    assert "حماة" in rec["text"] and rec["doc_id"].startswith("warc-")
    assert any(e["plover"]["type"] == "ASSAULT" for e in rec["events"])


def test_broken_warc_is_an_error_record(tmp_path):
    from marsad.io import read_inputs
    from marsad.records import ErrorRecord

    bad = tmp_path / "broken.warc.gz"
    bad.write_bytes(gzip.compress(b"this is not a WARC file\r\n\r\n"))
    items = list(read_inputs([bad]))
    assert len(items) == 1 and isinstance(items[0], ErrorRecord)


def test_saved_pages_folder_keeps_url_and_fetch_time(tmp_path):
    import os

    from marsad.io import read_inputs
    from marsad.pipeline import InputDoc

    folder = tmp_path / "saved"
    folder.mkdir()
    page = folder / "hama.html"
    page.write_text(PAGE.format(STRIKE), encoding="utf-8")
    when = datetime(2024, 12, 6, 9, 0, tzinfo=timezone.utc).timestamp()
    os.utime(page, (when, when))
    items = list(read_inputs([folder]))
    assert len(items) == 1 and isinstance(items[0], InputDoc)
    assert items[0].url == "https://example.test/news/hama-strike"
    assert items[0].fetched == "2024-12-06T09:00:00+00:00"


def test_jsonl_from_stdin(tmp_path):
    from typer.testing import CliRunner

    from marsad.cli import app

    lines = "\n".join(json.dumps({"id": i, "text": t, "published": "2024-12-06"}, ensure_ascii=False)
                      for i, t in (("s1", STRIKE), ("s2", MEETING))) + "\nnot json\n"
    out = tmp_path / "out.jsonl"
    r = CliRunner().invoke(app, ["extract", "-", "-o", str(out), "--no-ner", "--no-progress"], input=lines)
    assert r.exit_code == 1  # the broken line is an error record, the others are extracted
    recs = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["doc_id"] for x in recs] == ["s1", "s2", "stdin:3"]
    assert "error" in recs[2]


def test_migration_0002_up_down_up(store):
    """The stories migration applies to a store at 0001 and reverts cleanly (SQLite batch mode, PostgreSQL)."""
    from alembic import command
    from sqlalchemy import inspect

    from marsad.store.migrate import alembic_config, current, upgrade

    ingest(store, day_one())
    with store.engine.begin() as connection:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0001")
    assert current(store.engine) == "0001"
    insp = inspect(store.engine)
    assert "stories" not in insp.get_table_names() and "merged_events" not in insp.get_table_names()
    assert "story_id" not in {c["name"] for c in insp.get_columns("documents")}
    upgrade(store.engine)
    assert current(store.engine) == "0002"
    assert store.counts()["documents"] == 4  # the documents survived the round trip
    store.update_stories()  # and are clustered again
    assert snapshot(store)["docs"][0][1] is not None
