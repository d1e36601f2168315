"""Synthetic document records for benchmarks and tests (made-up sentences, no news text),
and a helper that empties a test database.

    from marsad.store.synthetic import make_records
    for rec in make_records(n_events=10_000): store.ingest_record(rec)
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Iterator

from marsad.store.vocab import ACLED_TYPES, PLOVER_TYPES

PLACES = [
    # name, geonameid, lat, lon, admin1, country, Arabic
    ("Homs", 169577, 34.72405, 36.72559, "SY-HI", "SY", "حمص"),
    ("Hama", 170017, 35.13179, 36.75783, "SY-HM", "SY", "حماة"),
    ("Aleppo", 170063, 36.20124, 37.16117, "SY-HL", "SY", "حلب"),
    ("Idlib", 169389, 35.93062, 36.63393, "SY-ID", "SY", "إدلب"),
    ("Damascus", 170654, 33.5102, 36.29128, "SY-DI", "SY", "دمشق"),
    ("Deir ez-Zor", 170794, 35.33588, 40.14084, "SY-DY", "SY", "دير الزور"),
    ("Daraa", 170592, 32.61889, 36.10213, "SY-DR", "SY", "درعا"),
    ("Latakia", 173579, 35.53168, 35.79011, "SY-LA", "SY", "اللاذقية"),
    ("Beirut", 276781, 33.89332, 35.50157, "LB-BA", "LB", "بيروت"),
    ("Baghdad", 98182, 33.34058, 44.40088, "IQ-BG", "IQ", "بغداد"),
    ("Amman", 250441, 31.95522, 35.94503, "JO-AM", "JO", "عمان"),
    ("Gaza", 281133, 31.50161, 34.46672, "PS-GZA", "PS", "غزة"),
]
ACTORS = [
    ("الجيش السوري", "Military Forces of Syria", "SYR", "MIL"),
    ("فصائل المعارضة", None, "SYR", "REB"),
    ("الشرطة", None, "SYR", "COP"),
    ("القوات الروسية", "Military Forces of Russia", "RUS", "MIL"),
    ("الحكومة التركية", "Government of Turkey", "TUR", "GOV"),
    ("مدنيين", None, "SYR", "CVL"),
    ("مسلحين مجهولين", None, None, "UAF"),
]
VERBS = ["هاجم", "قصف", "اعتقل", "طالب", "اتهم", "رفض", "دعم", "هدد", "تظاهر", "انسحب"]
ACLED_PAIRS = [(t, s) for t, subs in ACLED_TYPES.items() for s in subs]


def make_records(n_events: int = 10_000, per_doc: int = 5, seed: int = 7, start: date = date(2023, 1, 1),
                 days: int = 730, version: str = "0.1.0") -> Iterator[dict]:
    """Document records holding `n_events` events in all, `per_doc` a document, dates spread over `days`."""
    rng = random.Random(seed)
    made = 0
    d = 0
    while made < n_events:
        k = min(per_doc, n_events - made)
        pub = start + timedelta(days=rng.randrange(days))
        sentences, spans, events = [], [], []
        pos = 0
        for i in range(k):
            a1, a2 = rng.sample(ACTORS, 2)
            place = rng.choice(PLACES)
            verb = rng.choice(VERBS)
            s = f"{verb} {a1[0]} {a2[0]} في {place[6]} حسب المصدر رقم {d}-{i}."
            spans.append([pos, pos + len(s)])
            sentences.append(s)
            when = pub - timedelta(days=rng.randrange(3))
            ptype = rng.choice(PLOVER_TYPES)
            acled = None
            if rng.random() < 0.6:
                et, sub = rng.choice(ACLED_PAIRS)
                acled = {"event_type": et, "sub_event_type": sub, "disorder_type": None}
            vs = pos
            events.append({
                "plover": {"type": ptype, "mode": None, "context": []}, "acled": acled,
                "actors": [{"text": a1[0], "name": a1[1], "country": a1[2], "sector": a1[3], "kind": "group",
                            "span": [pos + len(verb) + 1, pos + len(verb) + 1 + len(a1[0])], "source": "lexicon"}],
                "recipients": [{"text": a2[0], "name": a2[1], "country": a2[2], "sector": a2[3], "kind": "group",
                                "span": None, "source": "lexicon"}],
                "location": {"text": place[6], "name": place[0], "geonameid": place[1], "lat": place[2],
                             "lon": place[3], "feature_code": "PPLA", "admin1": place[4], "country": place[5],
                             "geo_precision": rng.choice((1, 1, 2, 3)), "span": None},
                "date": {"text": None, "value": when.isoformat(), "end": None, "time_precision": 1,
                         "anchor": "published", "span": None},
                "size": {"dead": rng.choice((None, 0, 1, 3, 12)), "injured": None, "arrested": None},
                "attribution": [], "modality": {"negated": False, "future": False, "hypothetical": False,
                                                "historical": False},
                "anchor": {"sentence": i, "span": [vs, vs + len(verb)], "quote": verb},
                "confidence": round(rng.uniform(0.3, 0.95), 2), "trigger": None})
            pos += len(s) + 1
        text = " ".join(sentences)
        yield {"doc_id": f"synthetic-{d:06d}", "published": pub.isoformat(), "published_inferred": None,
               "outlet": "Synthetic Wire", "title": None, "url": None, "text": text, "removed": [],
               "sentences": spans, "mentions": {"people": [], "organizations": [], "places": [], "times": []},
               "statements": [], "events": events, "pipeline_version": version}
        made += k
        d += 1


def reset_database(url: str) -> None:
    """Drop every Marsad table (and Alembic's version table) in the database at `url`. For tests only."""
    from sqlalchemy import create_engine, text

    from marsad.store.models import Base
    from marsad.store.store import normalize_url

    engine = create_engine(normalize_url(url))
    try:
        Base.metadata.drop_all(engine)
        with engine.begin() as c:
            c.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        engine.dispose()
