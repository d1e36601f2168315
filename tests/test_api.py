"""The REST API (TestClient) against SQLite, and PostgreSQL when MARSAD_TEST_PG_URL is set."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from fixtures.store_db import BACKENDS, cleanup, make_url, records

from marsad.api.app import create_app

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path, monkeypatch):
    monkeypatch.delenv("MARSAD_TOKEN", raising=False)
    monkeypatch.delenv("MARSAD_PRIVATE", raising=False)
    url = make_url(request.param, tmp_path)
    yield url
    cleanup(request.param, url)


@pytest.fixture
def client(db_url):
    app = create_app(db_url, token=TOKEN)
    for r in records():
        app.state.store.ingest_record(r)
    with TestClient(app) as c:
        yield c
    app.state.store.close()


def ids(client, doc_id):
    return client.get(f"/api/documents/{doc_id}").json()["event_ids"]


def test_health(client):
    assert client.get("/api/health").json() == {"status": "ok", "documents": 5, "events": 6}


def test_openapi(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/events", "/api/events/{event_id}", "/api/events/{event_id}/corrections", "/api/documents",
                 "/api/documents/{doc_id}", "/api/timeline", "/api/facets", "/api/health"):
        assert path in spec["paths"], path
    assert "EventOut" in spec["components"]["schemas"] and "CorrectionIn" in spec["components"]["schemas"]
    assert "HTTPBearer" in spec["components"]["securitySchemes"]


def test_list_events(client):
    r = client.get("/api/events").json()
    assert r["total"] == 6 and len(r["items"]) == 6
    keys = {"id", "doc_id", "plover_type", "plover_mode", "acled_event_type", "acled_sub_event_type", "date",
            "time_precision", "location_name", "lat", "lon", "admin1", "country", "geo_precision", "actor1",
            "actor1_country", "actor1_sector", "actor2", "actor2_country", "actor2_sector", "dead", "injured",
            "arrested", "anchor_quote", "anchor_span", "sentence_index", "status", "confidence", "record"}
    assert set(r["items"][0]) == keys


@pytest.mark.parametrize("params,expected", [
    ({"start": "2024-12-01", "end": "2024-12-06", "plover_type": "COERCE"}, 1),
    ({"acled_type": "Battles"}, 2),
    ({"acled_type": "Peaceful protest"}, 1),
    ({"country": "SY", "admin1": "SY-HM"}, 1),
    ({"bbox": "36.0,34.0,37.0,35.0"}, 4),
    ({"actor": "Russian"}, 1),
    ({"actor": "TUR"}, 0),
    ({"q": "حماه"}, 1),
    ({"q": "قُتِلَ"}, 1),
    ({"status": "machine"}, 6),
    ({"status": "wrong"}, 0),
    ({"limit": 2}, 6),
])
def test_event_filters(client, params, expected):
    r = client.get("/api/events", params=params)
    assert r.status_code == 200, r.text
    assert r.json()["total"] == expected
    assert len(r.json()["items"]) == min(expected, params.get("limit", 100))


@pytest.mark.parametrize("params,msg", [
    ({"start": "not-a-date"}, None), ({"bbox": "1,2,3"}, "bbox"), ({"bbox": "a,b,c,d"}, "bbox"),
    ({"status": "maybe"}, None), ({"limit": 0}, None), ({"limit": 5000}, None), ({"offset": -1}, None),
])
def test_bad_event_filters(client, params, msg):
    r = client.get("/api/events", params=params)
    assert r.status_code == 422
    if msg:
        assert msg in r.json()["detail"]


def test_get_event(client):
    i = ids(client, "syn-001")[0]
    e = client.get(f"/api/events/{i}").json()
    assert e["id"] == i and e["plover_type"] == "ASSAULT" and e["document"]["doc_id"] == "syn-001"
    doc = e["document"]
    assert set(doc) == {"doc_id", "title", "outlet", "published", "url", "text", "sentences", "mentions"}
    s, t = e["anchor_span"]
    assert doc["text"][s:t] == e["anchor_quote"] and e["corrections"] == []
    assert client.get("/api/events/999999").status_code == 404
    assert client.get("/api/events/0").status_code == 422


def test_documents(client):
    r = client.get("/api/documents", params={"limit": 2}).json()
    assert r["total"] == 5 and len(r["items"]) == 2
    assert set(r["items"][0]) == {"doc_id", "title", "outlet", "published", "n_events"}
    r = client.get("/api/documents", params={"q": "الرستن"}).json()
    assert [d["doc_id"] for d in r["items"]] == ["syn-003"] and r["items"][0]["n_events"] == 2
    d = client.get("/api/documents/syn-003").json()
    assert d["doc_id"] == "syn-003" and len(d["event_ids"]) == 2 == len(d["events"]) and d["sentences"]
    assert client.get("/api/documents/nope").status_code == 404


def test_timeline_and_facets(client):
    tl = client.get("/api/timeline", params={"admin1": "SY-HI"}).json()["items"]
    assert tl == [{"date": "2024-11-30", "count": 2}, {"date": "2024-12-06", "count": 2}]
    f = client.get("/api/facets").json()
    assert set(f) == {"plover_types", "acled_types", "countries", "admin1"} and "SY-HM" in f["admin1"]


# ---------------------------------------------------------------- writes

ARTICLE = "أعلنت وزارة الصحة في مدينة حمص يوم الأحد عن افتتاح مستشفى جديد لخدمة سكان المنطقة الوسطى."


def test_writes_need_the_token(client):
    i = ids(client, "syn-001")[0]
    body = {"user": "a", "wrong": True}
    assert client.post(f"/api/events/{i}/corrections", json=body).status_code == 401
    r = client.post(f"/api/events/{i}/corrections", json=body, headers={"Authorization": "Bearer nope"})
    assert r.status_code == 403
    assert client.post("/api/documents", json={"text": ARTICLE}).status_code == 401
    assert client.get(f"/api/events/{i}").json()["status"] == "machine"


def test_writes_refused_without_configured_token(db_url):
    app = create_app(db_url)  # MARSAD_TOKEN unset (fixture removes it)
    with TestClient(app) as c:
        r = c.post("/api/documents", json={"text": ARTICLE}, headers=AUTH)
        assert r.status_code == 403 and "MARSAD_TOKEN" in r.json()["detail"]
        assert c.get("/api/events").status_code == 200
    app.state.store.close()


def test_token_from_environment(db_url, monkeypatch):
    monkeypatch.setenv("MARSAD_TOKEN", "from-env")
    app = create_app(db_url)
    with TestClient(app) as c:
        r = c.post("/api/documents", json={"text": ARTICLE}, headers={"Authorization": "Bearer from-env"})
        assert r.status_code == 201
    app.state.store.close()


@pytest.mark.parametrize("how", ["argument", "env"])
def test_private_reads(db_url, monkeypatch, how):
    if how == "env":
        monkeypatch.setenv("MARSAD_PRIVATE", "1")
    app = create_app(db_url, token=TOKEN, private=how == "argument")
    with TestClient(app) as c:
        assert c.get("/api/events").status_code == 401
        assert c.get("/api/documents", headers={"Authorization": "Bearer x"}).status_code == 403
        assert c.get("/api/events", headers=AUTH).status_code == 200
        assert c.get("/api/facets", headers=AUTH).status_code == 200
    app.state.store.close()


def test_post_document(client):
    r = client.post("/api/documents", headers=AUTH,
                    json={"text": ARTICLE, "doc_id": "posted-1", "published": "2024-12-08", "outlet": "Test"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["doc_id"] == "posted-1" and body["added"] is True and isinstance(body["event_ids"], list)
    r = client.post("/api/documents", headers=AUTH, json={"text": ARTICLE})
    assert r.status_code == 201 and r.json() == dict(body, added=False)
    assert client.get("/api/health").json()["documents"] == 6
    d = client.get("/api/documents/posted-1").json()
    assert d["published"] == "2024-12-08" and d["outlet"] == "Test" and d["text"] == ARTICLE


@pytest.mark.parametrize("body,msg", [
    ({"text": "this is English, not Arabic at all"}, "Arabic"),
    ({"text": "   "}, "empty"),
    ({"text": ARTICLE, "published": "yesterday"}, "published"),
    ({"text": ARTICLE, "colour": "red"}, None),
    ({}, None),
])
def test_post_bad_document(client, body, msg):
    r = client.post("/api/documents", headers=AUTH, json=body)
    assert r.status_code == 422, r.text
    if msg:
        assert msg in r.json()["detail"]
    assert client.get("/api/health").json()["documents"] == 5


def test_correct_event(client):
    i = ids(client, "syn-001")[0]
    body = {"user": "analyst1", "note": "not an air strike", "plover_type": "ASSAULT", "plover_mode": "shelling",
            "acled_sub_event_type": "Shelling/artillery/missile attack",
            "actor1": {"name": "Syrian Arab Army", "country": "SYR", "sector": "MIL"},
            "location": {"name": "Homs", "geonameid": 169577, "lat": 34.72405, "lon": 36.72559, "admin1": "SY-HI",
                         "country": "SY"},
            "date": "2024-12-04"}
    r = client.post(f"/api/events/{i}/corrections", json=body, headers=AUTH)
    assert r.status_code == 200, r.text
    e = r.json()
    assert e["status"] == "corrected" and e["plover_mode"] == "shelling" and e["admin1"] == "SY-HI"
    assert e["acled_event_type"] == "Explosions/Remote violence" and e["date"] == "2024-12-04"
    assert e["actor1"] == "Syrian Arab Army" and e["location_name"] == "Homs"
    assert e["record"]["location"]["geonameid"] == 169577
    full = client.get(f"/api/events/{i}").json()
    [c] = full["corrections"]
    assert c["user"] == "analyst1" and c["note"] == "not an air strike" and c["created_at"]
    assert c["before"]["location"]["admin1"] == "SY-HM" and c["before"]["plover_mode"] == "aerial"
    assert c["changes"]["date"] == "2024-12-04"
    # filters see the corrected values
    assert client.get("/api/events", params={"status": "corrected", "admin1": "SY-HI"}).json()["total"] == 1
    r = client.post(f"/api/events/{i}/corrections", json={"user": "analyst2", "wrong": True}, headers=AUTH)
    assert r.json()["status"] == "wrong"
    assert client.get("/api/events", params={"status": "wrong"}).json()["total"] == 1
    assert len(client.get(f"/api/events/{i}").json()["corrections"]) == 2


@pytest.mark.parametrize("body", [
    {"user": "a"},  # changes nothing
    {"wrong": True},  # no user
    {"user": "", "wrong": True},
    {"user": "a", "plover_type": "BOMBING"},
    {"user": "a", "acled_event_type": "Battles", "acled_sub_event_type": "Arrests"},
    {"user": "a", "date": "2024-02-30"},
    {"user": "a", "location": {"name": "X", "lat": 100, "lon": 0}},
    {"user": "a", "actor1": {}},
    {"user": "a", "status": "wrong"},
    {"user": "a\x00b", "wrong": True},
])
def test_bad_corrections(client, body):
    i = ids(client, "syn-002")[0]
    r = client.post(f"/api/events/{i}/corrections", json=body, headers=AUTH)
    assert r.status_code == 422, r.text
    assert client.get(f"/api/events/{i}").json()["corrections"] == []


def test_correct_missing_event(client):
    r = client.post("/api/events/99999/corrections", json={"user": "a", "wrong": True}, headers=AUTH)
    assert r.status_code == 404
