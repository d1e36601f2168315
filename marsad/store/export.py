"""Exports of stored events: ACLED CSV, PLOVER JSON Lines, GeoJSON, Parquet.

    marsad export --format acled-csv -o events.csv [--start 2024-12-01 --plover-type ASSAULT ...]

Filters are the API's (store.EventFilters). Events marked wrong by an analyst are
left out unless include_wrong=True; the ACLED CSV holds only events with an
ACLED coding; GeoJSON only events with coordinates.
"""
from __future__ import annotations

import csv
import json
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Optional

from marsad.store.vocab import ADMIN1_NAMES, ALPHA3_TO_NAME, COUNTRIES, SECTOR_NAMES

FORMATS = ("acled-csv", "plover-jsonl", "geojson", "parquet")

ACLED_COLUMNS = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
                 "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
                 "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
                 "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
                 "fatalities", "tags", "timestamp"]

STATE = {"GOV", "MIL", "COP", "SPY", "JUD", "LEG"}
REBEL = {"REB", "OPP", "INS"}
CIVIL = {"CVL", "REF", "JRN", "MED", "NGO", "HLH", "EDU", "BUS", "LAB", "REL"}

VERBS = {
    "AGREE": "agreed with", "CONSULT": "consulted", "SUPPORT": "expressed support for", "CONCEDE": "made a concession to",
    "COOPERATE": "cooperated with", "AID": "gave aid to", "RETREAT": "withdrew from", "REQUEST": "made a request to",
    "ACCUSE": "accused", "REJECT": "rejected", "THREATEN": "threatened", "PROTEST": "protested against",
    "SANCTION": "sanctioned", "MOBILIZE": "mobilized against", "COERCE": "coerced", "ASSAULT": "attacked",
}
INTRANSITIVE = {
    "arrest": "made arrests", "seize": "took control", "aerial": "carried out an air strike", "abduct": "abducted people",
    "ASSAULT": "carried out an attack", "PROTEST": "held a protest", "REQUEST": "made a request", "COERCE": "used force",
    "THREATEN": "issued a threat", "ACCUSE": "made an accusation", "REJECT": "rejected a proposal",
    "AGREE": "reached an agreement", "CONSULT": "held consultations", "SUPPORT": "expressed support",
    "AID": "provided aid", "RETREAT": "withdrew", "MOBILIZE": "mobilized", "SANCTION": "imposed sanctions",
    "COOPERATE": "cooperated", "CONCEDE": "made a concession",
}
MODE_VERBS = {"arrest": "arrested", "seize": "seized territory from", "aerial": "carried out an air strike on",
              "abduct": "abducted", "shelling": "shelled"}


def _country_name(a3: Optional[str]) -> Optional[str]:
    return ALPHA3_TO_NAME.get(a3 or "", a3)


def _is_latin(s: Optional[str]) -> bool:
    return bool(s) and not any("\u0600" <= ch <= "\u06ff" for ch in s)


def actor_label(name: Optional[str], country: Optional[str], sector: Optional[str]) -> str:
    """An English actor label: its name, else 'Military Forces of Syria'-style from sector and country."""
    if _is_latin(name):
        return name  # type: ignore[return-value]
    parts = SECTOR_NAMES.get(sector or "", sector)
    cname = _country_name(country)
    if parts and cname:
        return f"{parts} of {cname}"
    if parts or cname:
        return parts or cname  # type: ignore[return-value]
    return name or ""


def inter_code(sector: Optional[str], country: Optional[str], loc_country3: Optional[str], acled_type: Optional[str],
               first: bool) -> str:
    """ACLED's actor category (2024 wording)."""
    if first and acled_type == "Protests":
        return "Protesters"
    if first and acled_type == "Riots":
        return "Rioters"
    if sector in STATE or sector == "IGO":
        if sector != "IGO" and (not loc_country3 or not country or country == loc_country3):
            return "State forces"
        return "External/Other forces"
    if sector in REBEL:
        return "Rebel group"
    if sector == "UAF":
        return "Political militia"
    if sector == "PRO":
        return "Protesters"
    if sector in CIVIL:
        return "Civilians"
    return ""


def notes(ev: dict, outlet: Optional[str] = None) -> str:
    """One English sentence or three from the structured fields."""
    rec = ev.get("record") or {}
    a1 = actor_label(ev.get("actor1"), ev.get("actor1_country"), ev.get("actor1_sector")) or "An unidentified actor"
    a2 = actor_label(ev.get("actor2"), ev.get("actor2_country"), ev.get("actor2_sector"))
    verb = MODE_VERBS.get(ev.get("plover_mode") or "") or VERBS.get(ev.get("plover_type") or "", "acted on")
    s = ""
    d = _day(ev.get("date"))
    if d:
        s += f"On {d.day} {d.strftime('%B %Y')}, " if (ev.get("time_precision") or 1) == 1 else f"In {d.strftime('%B %Y')}, "
    if a2:
        s += f"{a1} {verb} {a2}"
    else:
        s += f"{a1} " + (INTRANSITIVE.get(ev.get("plover_mode") or "") or INTRANSITIVE.get(ev.get("plover_type") or "")
                         or "acted")
    where = _place_label(ev)
    if where:
        s += f" in {where}"
    s = s[0].upper() + s[1:] + "."
    counts = [f"{ev[k]} {w}" for k, w in (("dead", "killed"), ("injured", "injured"), ("arrested", "arrested"))
              if ev.get(k)]
    if counts:
        s += " " + ", ".join(counts).capitalize() + "."
    coded = f"PLOVER {ev.get('plover_type')}" + (f"/{ev['plover_mode']}" if ev.get("plover_mode") else "")
    if ev.get("acled_sub_event_type"):
        coded += f"; ACLED {ev.get('acled_event_type')}: {ev['acled_sub_event_type']}"
    s += f" [{coded}]"
    if (rec.get("modality") or {}).get("negated"):
        s += " (reported as not having happened)"
    if ev.get("status") == "corrected":
        s += " (coding reviewed by an analyst)"
    if outlet:
        s += f" Source: {outlet}."
    return s


def _place_label(ev: dict) -> str:
    name = ev.get("location_name")
    if not _is_latin(name):
        name = None
    country = COUNTRIES.get(ev.get("country") or "", (None, None, ev.get("country"), None))[2]
    admin = ADMIN1_NAMES.get(ev.get("admin1") or "", None)
    parts = [p for p in (name, admin if admin != name else None, country if country != name else None) if p]
    return ", ".join(parts)


def _day(value: Any) -> Optional[date]:
    from marsad.store.store import _parse_day

    return _parse_day(value)


def _timestamp(dt: Optional[datetime]) -> int:
    if dt is None:
        return int(datetime.now(timezone.utc).timestamp())
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp())


def acled_row(ev: dict, doc: dict) -> dict:
    rec = ev.get("record") or {}
    acled = rec.get("acled") or {}
    c2 = ev.get("country") or ""
    a3, num, cname, region = COUNTRIES.get(c2, (None, None, c2, None))
    et = ev.get("acled_event_type")
    inter1 = inter_code(ev.get("actor1_sector"), ev.get("actor1_country"), a3, et, True)
    inter2 = inter_code(ev.get("actor2_sector"), ev.get("actor2_country"), a3, et, False) if ev.get("actor2") or ev.get("actor2_sector") else ""
    interaction = f"{inter1}-{inter2}" if inter1 and inter2 else (f"{inter1} only" if inter1 else "")
    actors = rec.get("actors") or []
    recips = rec.get("recipients") or []

    def assoc(lst: list) -> str:
        return "; ".join(actor_label(a.get("name") or a.get("text"), a.get("country"), a.get("sector")) for a in lst[1:])

    d = _day(ev.get("date"))
    civ = "Civilian targeting" if inter2 == "Civilians" and et in (
        "Violence against civilians", "Explosions/Remote violence", "Battles") else ""
    return {
        "event_id_cnty": f"{a3 or 'XXX'}{ev['id']}", "event_date": d.isoformat() if d else "",
        "year": d.year if d else "", "time_precision": ev.get("time_precision") or "",
        "disorder_type": acled.get("disorder_type") or "", "event_type": et or "",
        "sub_event_type": ev.get("acled_sub_event_type") or "",
        "actor1": actor_label(ev.get("actor1"), ev.get("actor1_country"), ev.get("actor1_sector")),
        "assoc_actor_1": assoc(actors), "inter1": inter1,
        "actor2": actor_label(ev.get("actor2"), ev.get("actor2_country"), ev.get("actor2_sector")) if (ev.get("actor2") or ev.get("actor2_sector")) else "",
        "assoc_actor_2": assoc(recips), "inter2": inter2, "interaction": interaction, "civilian_targeting": civ,
        "iso": num or "", "region": region or "", "country": cname or "",
        "admin1": ADMIN1_NAMES.get(ev.get("admin1") or "", ev.get("admin1") or ""), "admin2": "", "admin3": "",
        "location": ev.get("location_name") or "", "latitude": ev.get("lat") if ev.get("lat") is not None else "",
        "longitude": ev.get("lon") if ev.get("lon") is not None else "",
        "geo_precision": ev.get("geo_precision") or "", "source": doc.get("outlet") or "", "source_scale": "",
        "notes": notes(ev, doc.get("outlet")), "fatalities": ev.get("dead") or 0,
        "tags": "reviewed" if ev.get("status") == "corrected" else "",
        "timestamp": _timestamp(doc.get("updated_at")),
    }


def _events(store, filters, include_wrong: bool) -> Iterator[tuple[dict, dict]]:
    for ev, doc in store.iter_events(filters):
        if ev["status"] == "wrong" and not include_wrong:
            continue
        yield ev, doc


def export(store, fmt: str, out: Path, filters=None, include_wrong: bool = False) -> int:
    """Write the events matching `filters` to `out` in format `fmt`; returns the number written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    out = Path(out)
    return {"acled-csv": _acled_csv, "plover-jsonl": _plover_jsonl, "geojson": _geojson,
            "parquet": _parquet}[fmt](store, out, filters, include_wrong)


def _acled_csv(store, out: Path, filters, include_wrong: bool) -> int:
    n = 0
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=ACLED_COLUMNS)
        w.writeheader()
        for ev, doc in _events(store, filters, include_wrong):
            if not ev.get("acled_event_type"):
                continue
            w.writerow(acled_row(ev, doc))
            n += 1
    return n


def _plover_jsonl(store, out: Path, filters, include_wrong: bool) -> int:
    """One line per event: the (corrected) event record with id, doc_id, status and source metadata."""
    n = 0
    with open(out, "w", encoding="utf-8") as f:
        for ev, doc in _events(store, filters, include_wrong):
            line = {"id": ev["id"], "doc_id": ev["doc_id"], "status": ev["status"],
                    "source": {k: doc.get(k) for k in ("outlet", "title", "url", "published")}}
            line.update(ev["record"])
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
            n += 1
    return n


PROPS = ["id", "doc_id", "status", "plover_type", "plover_mode", "acled_event_type", "acled_sub_event_type", "date",
         "time_precision", "location_name", "admin1", "country", "geo_precision", "actor1", "actor1_country",
         "actor1_sector", "actor2", "actor2_country", "actor2_sector", "dead", "injured", "arrested", "anchor_quote",
         "confidence"]


def _geojson(store, out: Path, filters, include_wrong: bool) -> int:
    n = 0
    with open(out, "w", encoding="utf-8") as f:
        f.write('{"type": "FeatureCollection", "features": [\n')
        for ev, doc in _events(store, filters, include_wrong):
            if ev.get("lat") is None or ev.get("lon") is None:
                continue
            props = {k: ev.get(k) for k in PROPS}
            props["outlet"] = doc.get("outlet")
            props["url"] = doc.get("url")
            feat = {"type": "Feature", "id": ev["id"],
                    "geometry": {"type": "Point", "coordinates": [ev["lon"], ev["lat"]]}, "properties": props}
            f.write(("" if n == 0 else ",\n") + json.dumps(feat, ensure_ascii=False))
            n += 1
        f.write("\n]}\n")
    return n


def _parquet(store, out: Path, filters, include_wrong: bool) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([
        ("id", pa.int64()), ("doc_id", pa.string()), ("status", pa.string()), ("plover_type", pa.string()),
        ("plover_mode", pa.string()), ("acled_event_type", pa.string()), ("acled_sub_event_type", pa.string()),
        ("date", pa.date32()), ("date_value", pa.string()), ("time_precision", pa.int32()),
        ("location_name", pa.string()), ("lat", pa.float64()), ("lon", pa.float64()), ("admin1", pa.string()),
        ("country", pa.string()), ("geo_precision", pa.int32()),
        ("actor1", pa.string()), ("actor1_country", pa.string()), ("actor1_sector", pa.string()),
        ("actor2", pa.string()), ("actor2_country", pa.string()), ("actor2_sector", pa.string()),
        ("dead", pa.int32()), ("injured", pa.int32()), ("arrested", pa.int32()), ("anchor_quote", pa.string()),
        ("anchor_start", pa.int32()), ("anchor_end", pa.int32()), ("sentence_index", pa.int32()),
        ("confidence", pa.float64()), ("outlet", pa.string()), ("title", pa.string()), ("url", pa.string()),
        ("published", pa.string()), ("record", pa.string()),
    ])
    cols: dict[str, list] = {name: [] for name in schema.names}
    writer = pq.ParquetWriter(str(out), schema)
    n = 0

    def flush():
        if cols["id"]:
            writer.write_table(pa.table(cols, schema=schema))
            for v in cols.values():
                v.clear()

    try:
        for ev, doc in _events(store, filters, include_wrong):
            span = ev.get("anchor_span") or [None, None]
            row = dict(ev, date=_day(ev.get("date")), date_value=ev.get("date"), anchor_start=span[0],
                       anchor_end=span[1], outlet=doc.get("outlet"), title=doc.get("title"), url=doc.get("url"),
                       published=doc.get("published"), record=json.dumps(ev["record"], ensure_ascii=False))
            for name in schema.names:
                cols[name].append(row.get(name))
            n += 1
            if len(cols["id"]) >= 5000:
                flush()
        flush()
    finally:
        writer.close()
    return n


def merged_notes(m: dict) -> str:
    """The notes of a merged event: the coded sentence, then every source with what it reported."""
    ev = {k: m.get(k) for k in ("plover_type", "acled_event_type", "acled_sub_event_type", "location_name", "country",
                                "admin1", "dead", "injured", "arrested", "actor1", "actor2")}
    ev.update(date=m.get("date"), time_precision=1)
    s = notes(ev)
    parts = []
    for src in m.get("sources") or []:
        bits = [src.get("outlet") or "unknown outlet", src.get("published", "")[:10] if src.get("published") else "",
                src.get("url") or src.get("doc_id")]
        rep = [f"{src[k]} {w}" for k, w in (("dead", "killed"), ("injured", "injured")) if src.get(k) is not None]
        if src.get("date") and src.get("date") != m.get("date"):
            rep.append(f"dated {src['date']}")
        parts.append(" ".join(b for b in bits if b) + (f" ({', '.join(rep)})" if rep else ""))
    s += f" Sources ({m.get('source_count') or len(parts)}): " + "; ".join(parts) + "."
    dis = m.get("disagreements") or {}
    if dis:
        s += " Sources disagree on " + ", ".join(sorted(dis)) + "; the lowest count is coded (ACLED)."
    return s


def merged_acled_row(m: dict) -> dict:
    """One ACLED row for a merged event: `source` lists every outlet, `notes` every source."""
    first = dict((m.get("sources") or [{}])[0])
    ev = {"id": f"M{m['id']}", "date": m.get("date"), "time_precision": 1, "status": "machine",
          "record": {}, "actor1_country": None, "actor1_sector": None, "actor2_country": None, "actor2_sector": None,
          "geo_precision": None}
    ev.update({k: m.get(k) for k in ("plover_type", "acled_event_type", "acled_sub_event_type", "location_name", "lat",
                                     "lon", "country", "admin1", "dead", "injured", "arrested", "actor1", "actor2")})
    row = acled_row(ev, {"outlet": None, "updated_at": None})
    outlets = m.get("outlets") or sorted({s.get("outlet") for s in m.get("sources") or [] if s.get("outlet")})
    row["source"] = "; ".join(outlets) or first.get("outlet") or ""
    row["notes"] = merged_notes(m)
    row["fatalities"] = m.get("dead") or 0
    return row


def export_merged_acled(store, out: Path) -> int:
    """ACLED CSV with one row per merged event (marsad/store/stories.py)."""
    from marsad.store.stories import iter_merged

    n = 0
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=ACLED_COLUMNS)
        w.writeheader()
        for m in iter_merged(store):
            if not m.get("acled_event_type"):
                continue
            w.writerow(merged_acled_row(m))
            n += 1
    return n
