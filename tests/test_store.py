"""The event store: content-hash identity, re-extraction, corrections, filters (SQLite and PostgreSQL)."""
from __future__ import annotations

import copy

import pytest

from fixtures.store_db import BACKENDS, cleanup, make_url, records

from marsad.store.store import EventFilters, NotFound, Store, StoreError, content_hash, machine_key


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    url = make_url(request.param, tmp_path)
    s = Store(url)
    yield s
    s.close()
    cleanup(request.param, url)


@pytest.fixture
def loaded(store):
    for r in records():
        store.ingest_record(r)
    return store


def ev_id(store, doc_id, i=0):
    return store.get_document(doc_id)["event_ids"][i]


def test_schema_is_at_head(store):
    from marsad.store.migrate import current

    assert current(store.engine) == "0002"
    assert store.counts() == {"documents": 0, "events": 0, "corrections": 0, "errors": 0}


def test_ingest_is_idempotent(store):
    recs = records()
    first = [store.ingest_record(r) for r in recs]
    assert all(r.added_doc for r in first)
    assert sum(r.added_events for r in first) == 6
    assert store.counts()["documents"] == 5 and store.counts()["events"] == 6
    again = [store.ingest_record(r) for r in recs]
    assert not any(r.added_doc or r.added_events or r.replaced for r in again)
    # the same text under another doc_id is the same document
    r = store.ingest_record(dict(recs[0], doc_id="other-id"))
    assert (r.added_doc, r.doc_id) == (False, "syn-001")
    assert store.counts()["documents"] == 5 and store.counts()["events"] == 6


def test_doc_id_clash_keeps_both(store):
    rec = records()[4]
    store.ingest_record(rec)
    other = dict(rec, text=rec["text"] + " وانتهى الاجتماع.")
    r = store.ingest_record(other)
    assert r.added_doc and r.doc_id == f"syn-005~{content_hash(other['text'])[:8]}"
    assert store.get_document(r.doc_id)["text"] == other["text"]
    assert store.counts()["documents"] == 2


def test_document_record_round_trips(loaded):
    rec = records()[1]
    doc = loaded.get_document("syn-002")
    assert doc["text"] == rec["text"] and doc["sentences"] == rec["sentences"]
    assert doc["events"] == rec["events"] and len(doc["event_ids"]) == 2
    with pytest.raises(NotFound):
        loaded.get_document("nope")


def test_error_records_are_kept_once(store):
    e = {"doc_id": "bad-1", "error": "not Arabic: fewer than 20 Arabic letters"}
    r = store.ingest_record(e)
    assert r.error and not r.added_doc
    store.ingest_record(e)
    assert store.counts()["errors"] == 1 and store.errors()[0]["doc_id"] == "bad-1"


def test_correction_keeps_history(loaded):
    i = ev_id(loaded, "syn-001")
    out = loaded.correct_event(i, {"plover_type": "COERCE", "date": "2024-12-04",
                                   "actor1": {"name": "Syrian Air Force", "country": "SYR", "sector": "MIL"}},
                               user="analyst1", note="wrong day")
    assert out["status"] == "corrected" and out["plover_type"] == "COERCE" and out["date"] == "2024-12-04"
    assert out["actor1"] == "Syrian Air Force" and out["record"]["actors"][0]["source"] == "human"
    out = loaded.correct_event(i, {"wrong": True}, user="analyst2")
    assert out["status"] == "wrong"
    ev = loaded.get_event(i)
    assert [c["user"] for c in ev["corrections"]] == ["analyst1", "analyst2"]
    c1 = ev["corrections"][0]
    assert c1["before"]["plover_type"] == "ASSAULT" and c1["before"]["date"] == "2024-12-05"
    assert c1["before"]["actor1"]["name"] == "Military Forces of Syria" and c1["note"] == "wrong day"
    assert c1["created_at"] and ev["corrections"][1]["before"] == {"wrong": False}
    assert loaded.correct_event(i, {"wrong": False}, user="a3")["status"] == "corrected"
    # the machine record is untouched
    assert loaded.query_events(EventFilters(status="corrected"))[0] == 1


def test_acled_correction(loaded):
    i = ev_id(loaded, "syn-001")
    out = loaded.correct_event(i, {"acled_sub_event_type": "Shelling/artillery/missile attack"}, user="a")
    assert out["acled_event_type"] == "Explosions/Remote violence"
    assert out["record"]["acled"]["disorder_type"] == "Political violence"
    out = loaded.correct_event(i, {"acled_event_type": "Battles"}, user="a")
    assert (out["acled_event_type"], out["acled_sub_event_type"]) == ("Battles", "Armed clash")
    assert loaded.correct_event(i, {"acled_event_type": ""}, user="a")["acled_event_type"] is None
    i4 = ev_id(loaded, "syn-004")  # an event without ACLED coding gains one
    out = loaded.correct_event(i4, {"acled_sub_event_type": "Agreement"}, user="a")
    assert out["acled_event_type"] == "Strategic developments"


@pytest.mark.parametrize("changes,msg", [
    ({}, "changes nothing"), ({"plover_type": "BOMB"}, "plover_type"),
    ({"acled_event_type": "Battles", "acled_sub_event_type": "Arrests"}, "belongs to"),
    ({"date": "2024-13-01"}, "date"), ({"location": {"lat": 1}}, "name"),
    ({"actor1": {}}, "actor1"), ({"colour": "red"}, "cannot correct"),
])
def test_bad_corrections(loaded, changes, msg):
    with pytest.raises(ValueError, match=msg):
        loaded.correct_event(ev_id(loaded, "syn-001"), changes, user="a")
    assert loaded.counts()["corrections"] == 0


def test_correct_missing_event(loaded):
    with pytest.raises(NotFound):
        loaded.correct_event(99999, {"wrong": True}, user="a")


def test_location_correction_moves_filters(loaded):
    i = ev_id(loaded, "syn-001")
    loaded.correct_event(i, {"location": {"name": "Homs", "geonameid": 169577, "lat": 34.72, "lon": 36.72,
                                          "admin1": "SY-HI", "country": "SY"}}, user="a")
    assert i in [e["id"] for e in loaded.query_events(EventFilters(admin1="SY-HI"))[1]]
    assert loaded.query_events(EventFilters(admin1="SY-HM"))[0] == 0


def _newer(rec, version="0.2.0"):
    rec = copy.deepcopy(rec)
    rec["pipeline_version"] = version
    return rec


def test_reextraction_replaces_machine_events_keeps_corrections(loaded):
    rec = records()[2]  # syn-003: Rastan and Talbiseh events on the same anchor
    rastan, talbiseh = loaded.get_document("syn-003")["event_ids"]
    loaded.correct_event(rastan, {"actor1": {"name": "Hayat Tahrir al-Sham", "country": "SYR", "sector": "REB"}},
                         user="a", note="named group")
    new = _newer(rec)
    new["events"] = [copy.deepcopy(rec["events"][0])]  # Talbiseh dropped
    new["events"][0]["confidence"] = 0.99
    extra = copy.deepcopy(rec["events"][0])
    extra["plover"]["type"] = "ASSAULT"
    extra["anchor"] = {"sentence": 0, "span": [37, 45], "quote": rec["text"][37:45]}
    new["events"].append(extra)
    r = loaded.ingest_record(new)
    assert r.replaced and not r.added_doc and r.added_events == 1
    doc = loaded.get_document("syn-003")
    assert rastan in doc["event_ids"] and talbiseh not in doc["event_ids"] and len(doc["event_ids"]) == 2
    ev = loaded.get_event(rastan)
    assert ev["confidence"] == 0.99  # the new machine record
    assert ev["actor1"] == "Hayat Tahrir al-Sham" and ev["status"] == "corrected"  # the human fix, re-applied
    assert len(ev["corrections"]) == 1
    # same version again, or an older one: nothing changes
    assert not loaded.ingest_record(new).replaced
    assert not loaded.ingest_record(_newer(rec, "0.0.9")).replaced
    assert loaded.get_document("syn-003")["event_ids"] == doc["event_ids"]


def test_reextraction_reattaches_by_anchor_and_keeps_orphans(loaded):
    rec = records()[0]
    i = ev_id(loaded, "syn-001")
    loaded.correct_event(i, {"wrong": True}, user="a")
    i2 = ev_id(loaded, "syn-002", 1)
    loaded.correct_event(i2, {"plover_type": "MOBILIZE"}, user="b")
    # new pipeline resolves syn-001's place differently: key changes, anchor span is the same
    new = _newer(rec)
    new["events"][0]["location"]["geonameid"] = 12345
    assert machine_key(new["events"][0]) != machine_key(rec["events"][0])
    loaded.ingest_record(new)
    ev = loaded.get_event(i)
    assert ev["status"] == "wrong" and ev["record"]["location"]["geonameid"] == 12345
    # syn-002 re-extracted with no events at all: the corrected one stays, the other goes
    new2 = _newer(records()[1])
    new2["events"] = []
    loaded.ingest_record(new2)
    doc = loaded.get_document("syn-002")
    assert doc["event_ids"] == [i2] and loaded.get_event(i2)["plover_type"] == "MOBILIZE"


def test_machine_keys_distinguish_locations():
    recs = records()[2]["events"]
    assert machine_key(recs[0]) != machine_key(recs[1])


@pytest.mark.parametrize("filters,expected", [
    (dict(), 6),
    (dict(start="2024-12-01"), 4),
    (dict(start="2024-12-01", end="2024-12-05"), 2),
    (dict(plover_type="COERCE"), 3),
    (dict(plover_type="coerce", start="2024-12-06"), 1),
    (dict(acled_type="Battles"), 2),
    (dict(acled_type="Arrests"), 1),
    (dict(country="SY"), 5),
    (dict(admin1="SY-HI"), 4),
    (dict(bbox="36.7,35.0,36.8,35.2"), 1),
    (dict(bbox=(36.0, 34.0, 37.0, 35.0)), 4),
    (dict(actor="Military Forces"), 1),
    (dict(actor="RUS"), 1),
    (dict(actor="syr"), 5),
    (dict(actor="فصائل المعارضه"), 2),  # ta marbuta / ha normalized
    (dict(q="حماه"), 1),  # matches حماة in the text
    (dict(q="الرستن"), 2),
    (dict(q="اعتقلت الشرطة"), 2),  # document text match: both syn-002 events
    (dict(q="تظاهر"), 2),
    (dict(q="100%_"), 0),
    (dict(status="machine"), 6),
    (dict(doc_id="syn-003"), 2),
])
def test_filters(loaded, filters, expected):
    total, items = loaded.query_events(EventFilters.parse(**filters))
    assert total == expected == len(items)


def test_search_ignores_diacritics_and_alef_forms(loaded):
    assert loaded.query_events(EventFilters(q="قُتِل"))[0] == 1
    assert loaded.query_events(EventFilters(q="اعتقلت"))[0] == 2
    assert loaded.query_events(EventFilters(q="أعتقلت"))[0] == 2  # hamza on alef normalized away


def test_paging_and_order(loaded):
    total, page1 = loaded.query_events(EventFilters(), limit=4)
    _, page2 = loaded.query_events(EventFilters(), limit=4, offset=4)
    assert total == 6 and len(page1) == 4 and len(page2) == 2
    dates = [e["date"] for e in page1 + page2]
    assert dates[0] == "2024-12-06" and dates[-1] == "2024-11-30"
    assert len({e["id"] for e in page1 + page2}) == 6


def test_event_out_shape(loaded):
    _, items = loaded.query_events(EventFilters(acled_type="Air/drone strike"))
    e = items[0]
    assert e["doc_id"] == "syn-001" and e["plover_mode"] == "aerial" and e["dead"] == 3
    assert e["admin1"] == "SY-HM" and e["country"] == "SY" and e["lat"] == pytest.approx(35.13179)
    assert e["actor1_country"] == "SYR" and e["actor2_sector"] == "CVL"
    text = records()[0]["text"]
    s, t = e["anchor_span"]
    assert text[s:t] == e["anchor_quote"] and e["sentence_index"] == 0 and e["status"] == "machine"
    full = loaded.get_event(e["id"])
    assert full["document"]["text"] == text and full["corrections"] == []


def test_bad_filters():
    with pytest.raises(ValueError, match="bbox"):
        EventFilters.parse(bbox="1,2,3")
    with pytest.raises(ValueError, match="bbox"):
        EventFilters.parse(bbox="40,0,30,10")
    with pytest.raises(ValueError, match="date"):
        EventFilters.parse(start="yesterday")
    with pytest.raises(ValueError, match="status"):
        EventFilters.parse(status="maybe")


def test_timeline_facets_documents(loaded):
    tl = loaded.timeline(EventFilters())
    assert {"date": "2024-11-30", "count": 2} in tl and sum(x["count"] for x in tl) == 6
    assert loaded.timeline(EventFilters(plover_type="PROTEST")) == [{"date": "2024-12-06", "count": 1}]
    f = loaded.facets()
    assert f["plover_types"] == ["ASSAULT", "COERCE", "PROTEST", "REQUEST"]
    assert "Arrests" in f["acled_types"] and "Battles" in f["acled_types"]
    assert f["countries"] == ["SY"] and f["admin1"] == ["SY-HI", "SY-HM"]
    total, docs = loaded.list_documents()
    assert total == 5 and {d["doc_id"]: d["n_events"] for d in docs}["syn-003"] == 2
    assert loaded.list_documents(q="الميزانيه")[0] == 1
    assert loaded.list_documents(q="غارات")[1][0]["doc_id"] == "syn-001"  # titles are searched too


def test_bad_urls(tmp_path):
    with pytest.raises(StoreError, match="bad database URL"):
        Store("nosuchdialect://x")
    with pytest.raises(StoreError, match="cannot open"):
        Store(f"sqlite:///{tmp_path}/missing/dir/x.db")
    with pytest.raises(StoreError, match="cannot open"):
        Store("postgresql://nobody:pw@127.0.0.1:1/none")


def test_plain_path_means_sqlite(tmp_path):
    s = Store(str(tmp_path / "plain.db"))
    assert s.engine.dialect.name == "sqlite" and (tmp_path / "plain.db").exists()


def test_ingest_runs_the_pipeline(store, tmp_path):
    (tmp_path / "a.txt").write_text("عقد المجلس البلدي اجتماعا في مدينة حمص يوم الأحد لمناقشة الخدمات العامة.",
                                    encoding="utf-8")
    (tmp_path / "b.txt").write_text("hello world, this is not Arabic", encoding="utf-8")
    s = store.ingest([tmp_path / "a.txt", tmp_path / "b.txt"], published="2024-12-08", progress=False)
    assert (s.seen, s.added_docs, len(s.errors)) == (2, 1, 1)
    assert s.errors[0][0] == "b" and "Arabic" in s.errors[0][1]
    doc = store.get_document("a")
    assert doc["published"] == "2024-12-08" and doc["pipeline_version"]
    s2 = store.ingest([tmp_path / "a.txt", tmp_path / "b.txt"], published="2024-12-08", progress=False)
    assert (s2.added_docs, s2.unchanged) == (0, 1)
    assert store.counts()["documents"] == 1 and store.counts()["errors"] == 1


def test_ingest_records_file(store, tmp_path):
    from fixtures.store_db import FIXTURES

    p = tmp_path / "recs.jsonl"
    p.write_text((FIXTURES / "store_docs.jsonl").read_text(encoding="utf-8") + "{broken\n[1]\n",
                 encoding="utf-8")
    s = store.ingest([p], records=True, progress=False)
    assert (s.added_docs, s.added_events, len(s.errors)) == (5, 6, 2)


# ---------------------------------------------------------------- CLI

def test_cli_ingest_and_export(tmp_path):
    from typer.testing import CliRunner

    from fixtures.store_db import FIXTURES
    from marsad.cli import app

    db = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    r = runner.invoke(app, ["ingest", "--records", "--no-progress", "--db", db, str(FIXTURES / "store_docs.jsonl")])
    assert r.exit_code == 0, r.output
    assert "5 added" in r.output and "6 events added" in r.output
    r = runner.invoke(app, ["ingest", "--records", str(FIXTURES / "store_docs.jsonl")], env={"MARSAD_DB": db})
    assert r.exit_code == 0 and "0 added" in r.output and "5 unchanged" in r.output
    out = tmp_path / "e.csv"
    r = runner.invoke(app, ["export", "--format", "acled-csv", "--db", db, "--admin1", "SY-HI", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8").count("\n") == 1 + 4


@pytest.mark.parametrize("args,msg", [
    (["ingest", "--db", "nosuch://x", "{fx}"], "bad database URL"),
    (["ingest", "--db", "sqlite:///{tmp}/no/such/dir.db", "{fx}"], "cannot open database"),
    (["ingest", "--db", "sqlite:///{tmp}/x.db", "{tmp}/missing.jsonl"], "no such file"),
    (["ingest", "--db", "sqlite:///{tmp}/x.db", "--published", "soon", "{fx}"], "not a date"),
    (["export", "--db", "sqlite:///{tmp}/x.db", "--format", "xls", "-o", "{tmp}/o"], "--format"),
    (["export", "--db", "sqlite:///{tmp}/x.db", "--bbox", "1,2", "-o", "{tmp}/o"], "bbox"),
    (["export", "--db", "sqlite:///{tmp}/x.db", "-o", "{tmp}/nodir/o.csv"], "no such directory"),
])
def test_cli_errors_are_clear(tmp_path, args, msg):
    from typer.testing import CliRunner

    from fixtures.store_db import FIXTURES
    from marsad.cli import app

    args = [a.format(tmp=tmp_path, fx=FIXTURES / "store_docs.jsonl") for a in args]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 2, r.output
    assert msg in " ".join(r.output.split()) and "Traceback" not in r.output
