"""The four exports, re-read with pandas / pyarrow / json (and geopandas / duckdb when installed)."""
from __future__ import annotations

import csv
import json

import pytest

from fixtures.store_db import BACKENDS, cleanup, make_url, records

from marsad.store.export import ACLED_COLUMNS, export
from marsad.store.store import EventFilters, Store

ACLED_HEADER = ("event_id_cnty, event_date, year, time_precision, disorder_type, event_type, sub_event_type, actor1, "
                "assoc_actor_1, inter1, actor2, assoc_actor_2, inter2, interaction, civilian_targeting, iso, region, "
                "country, admin1, admin2, admin3, location, latitude, longitude, geo_precision, source, source_scale, "
                "notes, fatalities, tags, timestamp").split(", ")


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    url = make_url(request.param, tmp_path)
    s = Store(url)
    for r in records():
        s.ingest_record(r)
    yield s
    s.close()
    cleanup(request.param, url)


def test_acled_csv(store, tmp_path):
    import pandas as pd

    out = tmp_path / "acled.csv"
    assert export(store, "acled-csv", out) == 5  # the REQUEST event has no ACLED coding
    with open(out, encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert header == ACLED_HEADER == ACLED_COLUMNS
    df = pd.read_csv(out)
    assert list(df.columns) == ACLED_HEADER and len(df) == 5
    strike = df[df.sub_event_type == "Air/drone strike"].iloc[0]
    assert strike.event_date == "2024-12-05" and strike.year == 2024 and strike.fatalities == 3
    assert strike.event_id_cnty.startswith("SYR") and strike.iso == 760 and strike.country == "Syria"
    assert strike.region == "Middle East" and strike.admin1 == "Hama" and strike.latitude == pytest.approx(35.13179)
    assert strike.actor1 == "Military Forces of Syria" and strike.inter1 == "State forces"
    assert strike.inter2 == "Civilians" and strike.civilian_targeting == "Civilian targeting"
    assert strike.disorder_type == "Political violence" and strike.source == "Synthetic Daily"
    assert strike.notes.startswith("On 5 December 2024, Military Forces of Syria carried out an air strike on")
    assert not any("\u0600" <= ch <= "\u06ff" for n in df.notes for ch in n), "notes are written in English"
    protest = df[df.event_type == "Protests"].iloc[0]
    assert protest.inter1 == "Protesters"
    rebels = df[df.sub_event_type == "Non-state actor overtakes territory"]
    assert set(rebels.location) == {"Ar Rastan", "Tallbīsah"} and set(rebels.inter1) == {"Rebel group"}
    assert df.timestamp.dtype.kind == "i"


def test_wrong_events_left_out(store, tmp_path):
    import pandas as pd

    i = store.get_document("syn-001")["event_ids"][0]
    store.correct_event(i, {"wrong": True}, user="a")
    out = tmp_path / "a.csv"
    assert export(store, "acled-csv", out) == 4
    assert export(store, "acled-csv", out, include_wrong=True) == 5
    assert len(pd.read_csv(out)) == 5


def test_plover_jsonl(store, tmp_path):
    out = tmp_path / "events.jsonl"
    assert export(store, "plover-jsonl", out) == 6
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 6
    for ln in lines:
        assert {"id", "doc_id", "status", "source", "plover", "anchor", "actors", "location", "date"} <= set(ln)
    from marsad.records import Event

    for ln in lines:  # the event part validates against the codebook's Event model
        Event.model_validate({k: v for k, v in ln.items() if k not in ("id", "doc_id", "status", "source")})
    req = [x for x in lines if x["plover"]["type"] == "REQUEST"][0]
    assert req["acled"] is None and req["source"]["outlet"] == "Synthetic Daily"


def test_geojson(store, tmp_path):
    out = tmp_path / "events.geojson"
    assert export(store, "geojson", out) == 5  # the REQUEST event has no place
    fc = json.loads(out.read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 5
    f = [x for x in fc["features"] if x["properties"]["plover_mode"] == "aerial"][0]
    assert f["geometry"] == {"type": "Point", "coordinates": [36.75783, 35.13179]}
    assert f["properties"]["admin1"] == "SY-HM" and f["properties"]["dead"] == 3


def test_geojson_opens_in_geopandas(store, tmp_path):
    gpd = pytest.importorskip("geopandas")
    out = tmp_path / "events.geojson"
    export(store, "geojson", out)
    gdf = gpd.read_file(out)
    assert len(gdf) == 5 and gdf.geometry.geom_type.unique().tolist() == ["Point"]
    assert "plover_type" in gdf.columns


def test_empty_geojson_is_valid(store, tmp_path):
    out = tmp_path / "none.geojson"
    assert export(store, "geojson", out, EventFilters(country="FR")) == 0
    assert json.loads(out.read_text()) == {"type": "FeatureCollection", "features": []}


def test_parquet(store, tmp_path):
    import pandas as pd
    import pyarrow.parquet as pq

    out = tmp_path / "events.parquet"
    assert export(store, "parquet", out) == 6
    t = pq.read_table(out)
    assert t.num_rows == 6 and "record" in t.column_names
    df = pd.read_parquet(out)
    strike = df[df.plover_mode == "aerial"].iloc[0]
    assert str(strike.date) == "2024-12-05" and strike.dead == 3 and strike.outlet == "Synthetic Daily"
    assert json.loads(strike.record)["plover"]["type"] == "ASSAULT"
    req = df[df.plover_type == "REQUEST"].iloc[0]
    assert str(req.date) == "2024-12-01" and req.date_value == "2024-12"


def test_parquet_reads_in_duckdb(store, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    out = tmp_path / "events.parquet"
    export(store, "parquet", out)
    (n,), = duckdb.sql(f"select count(*) from read_parquet('{out}') where admin1 = 'SY-HI'").fetchall()
    assert n == 4


def test_empty_parquet(store, tmp_path):
    import pandas as pd

    out = tmp_path / "none.parquet"
    assert export(store, "parquet", out, EventFilters(plover_type="AID")) == 0
    assert len(pd.read_parquet(out)) == 0


def test_filters_apply(store, tmp_path):
    out = tmp_path / "f.jsonl"
    assert export(store, "plover-jsonl", out, EventFilters.parse(start="2024-12-01", admin1="SY-HI")) == 2
    assert export(store, "plover-jsonl", out, EventFilters.parse(q="الرستن")) == 2


def test_unknown_format(store, tmp_path):
    with pytest.raises(ValueError, match="unknown format"):
        export(store, "xlsx", tmp_path / "x")
