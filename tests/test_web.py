"""End-to-end browser tests of the review web app (marsad.web) on the real API.

A uvicorn server runs ``marsad.api.app.create_app`` on a temporary SQLite
database, on 127.0.0.1 with a free port, in a background thread that the
fixture stops. The database is seeded with a handful of synthetic, made-up
wire-style documents (written for this test; no real news text), one of which
contains ``<script>``. Debian's headless Chromium (``/usr/bin/chromium``),
driven by Playwright, then opens the page, filters, opens an event, checks the
highlighted Arabic anchor sentence and mentions, submits a correction, reloads
and sees it persist, and checks that the ``<script>`` story renders as text.

Screenshots go to ``test-output/`` (``web-map.png``, ``web-article.png``, ...).
Skipped when Chromium or Playwright is missing.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = Path(os.environ.get("MARSAD_TEST_OUTPUT", ROOT / "test-output"))
CHROMIUM = os.environ.get("MARSAD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
TOKEN = "test-token-web"

# --------------------------------------------------------------------------------------
# Synthetic documents (made up for this test; the names of real cities are the only facts)
# --------------------------------------------------------------------------------------

DOCS = [
    {
        "doc_id": "syn-hama-clash",
        "published": "2024-12-06",
        "outlet": "وكالة الاختبار",
        "title": "اشتباكات في ريف حماة",
        "text": ("حماة (سوريا) - قالت مصادر محلية يوم الجمعة إن اشتباكات عنيفة اندلعت بين قوات الحكومة السورية "
                 "وفصائل المعارضة قرب مدينة حماة. وأضافت المصادر أن ثلاثة مقاتلين قتلوا في الاشتباكات. "
                 "ولم يصدر تعليق رسمي حتى الآن."),
        "mentions": [
            ("places", "حماة", {"name": "Hama", "geonameid": 170063, "lat": 35.13179, "lon": 36.75783,
                                "admin1": "SY-HM", "country": "SY", "geo_precision": 1, "feature_code": "PPLA"}),
            ("times", "يوم الجمعة", {"value": "2024-12-06", "time_precision": 1, "anchor": "published"}),
            ("organizations", "قوات الحكومة السورية", {"name": "Syrian government forces", "country": "SYR",
                                                      "sector": "MIL", "kind": "organization"}),
            ("organizations", "فصائل المعارضة", {"name": "Syrian opposition factions", "country": "SYR",
                                                "sector": "REB", "kind": "group"}),
        ],
        "events": [{
            "plover": ("ASSAULT", None), "acled": ("Battles", "Armed clash", "Political violence"),
            "anchor": "اشتباكات عنيفة اندلعت", "actor1": "قوات الحكومة السورية", "actor2": "فصائل المعارضة",
            "place": "حماة", "place_nth": 2, "time": "يوم الجمعة", "size": {"dead": 3}, "confidence": 0.8,
        }],
    },
    {
        "doc_id": "syn-amman-protest",
        "published": "2024-12-03",
        "outlet": "وكالة الاختبار",
        "title": "وقفة احتجاجية في عمّان",
        "text": ("عمّان - تظاهر مئات الأشخاص يوم الثلاثاء أمام مبنى البرلمان في العاصمة الأردنية عمّان للمطالبة "
                 "بخفض الأسعار. ورفع المحتجون لافتات تدعو الحكومة إلى التراجع عن القرار."),
        "mentions": [
            ("places", "عمّان", {"name": "Amman", "geonameid": 250441, "lat": 31.95522, "lon": 35.94503,
                                 "admin1": "JO-AM", "country": "JO", "geo_precision": 1, "feature_code": "PPLC"}),
            ("times", "يوم الثلاثاء", {"value": "2024-12-03", "time_precision": 1, "anchor": "published"}),
            ("organizations", "الحكومة", {"name": "Government of Jordan", "country": "JOR", "sector": "GOV",
                                         "kind": "organization"}),
        ],
        "events": [{
            "plover": ("PROTEST", "demonstrate"), "acled": ("Protests", "Peaceful protest", "Demonstrations"),
            "anchor": "تظاهر مئات الأشخاص", "actor1": None, "actor1_record": {"text": "مئات الأشخاص",
                                                                              "name": "Protesters", "country": "JOR",
                                                                              "sector": "CVL", "kind": "group"},
            "actor2": "الحكومة", "place": "عمّان", "place_nth": 1, "time": "يوم الثلاثاء", "size": {},
            "confidence": 0.7,
        }],
    },
    {
        "doc_id": "syn-cairo-arrests",
        "published": "2024-12-05",
        "outlet": "وكالة الاختبار",
        "title": "توقيف خمسة أشخاص في القاهرة",
        "text": ("القاهرة - أعلنت وزارة الداخلية المصرية يوم الخميس اعتقال خمسة أشخاص في حي شبرا بالقاهرة بتهمة "
                 "التخطيط لأعمال تخريب. وقال بيان الوزارة إن التحقيقات مستمرة."),
        "mentions": [
            ("places", "القاهرة", {"name": "Cairo", "geonameid": 360630, "lat": 30.06263, "lon": 31.24967,
                                   "admin1": "EG-C", "country": "EG", "geo_precision": 1, "feature_code": "PPLC"}),
            ("times", "يوم الخميس", {"value": "2024-12-05", "time_precision": 1, "anchor": "published"}),
            ("organizations", "وزارة الداخلية المصرية", {"name": "Egyptian Ministry of Interior", "country": "EGY",
                                                        "sector": "COP", "kind": "organization"}),
        ],
        "events": [{
            "plover": ("COERCE", "arrest"), "acled": ("Strategic developments", "Arrests", "Strategic developments"),
            "anchor": "اعتقال خمسة أشخاص", "actor1": "وزارة الداخلية المصرية", "actor2": None,
            "place": "القاهرة", "place_nth": 1, "time": "يوم الخميس", "size": {"arrested": 5}, "confidence": 0.75,
        }],
    },
    {
        # the hostile one: markup in the text and title must show as text
        "doc_id": "syn-beirut-script",
        "published": "2024-12-04",
        "outlet": "وكالة الاختبار",
        "title": "اختراق موقع <img src=x onerror=alert(2)> في بيروت",
        "text": ("بيروت - ذكر موقع إخباري أن رسالة غريبة نشرت على صفحته تضمنت النص <script>alert(1)</script> "
                 "قبل حذفها. وقالت الشرطة اللبنانية يوم الأربعاء إنها أوقفت شخصين يشتبه في اختراق الموقع."),
        "mentions": [
            ("places", "بيروت", {"name": "Beirut", "geonameid": 276781, "lat": 33.89332, "lon": 35.50157,
                                 "admin1": "LB-BA", "country": "LB", "geo_precision": 1, "feature_code": "PPLC"}),
            ("times", "يوم الأربعاء", {"value": "2024-12-04", "time_precision": 1, "anchor": "published"}),
            ("organizations", "الشرطة اللبنانية", {"name": "Lebanese police", "country": "LBN", "sector": "COP",
                                                  "kind": "organization"}),
        ],
        "events": [{
            "plover": ("COERCE", "arrest"), "acled": ("Strategic developments", "Arrests", "Strategic developments"),
            "anchor": "أوقفت شخصين", "actor1": "الشرطة اللبنانية", "actor2": None, "place": "بيروت",
            "place_nth": 1, "time": "يوم الأربعاء", "size": {"arrested": 2}, "confidence": 0.6,
        }],
    },
    {
        # starts with an astral character: code-point spans differ from UTF-16 indices after it
        "doc_id": "syn-idlib-strike",
        "published": "2024-12-08",
        "outlet": "وكالة الاختبار",
        "title": "غارة على أطراف إدلب",
        "text": ("📍 إدلب - قصفت طائرات حربية يوم الأحد أطراف مدينة إدلب، ما أدى إلى مقتل مدنيين اثنين وإصابة أربعة "
                 "آخرين بحسب الدفاع المدني. وتعرضت المنطقة لغارات مماثلة الأسبوع الماضي."),
        "mentions": [
            ("places", "إدلب", {"name": "Idlib", "geonameid": 169389, "lat": 35.93062, "lon": 36.63393,
                                "admin1": "SY-ID", "country": "SY", "geo_precision": 2, "feature_code": "PPLA"}),
            ("times", "يوم الأحد", {"value": "2024-12-08", "time_precision": 1, "anchor": "published"}),
            ("organizations", "الدفاع المدني", {"name": "Syria Civil Defence", "country": "SYR", "sector": "NGO",
                                               "kind": "organization"}),
        ],
        "events": [{
            "plover": ("ASSAULT", "aerial"),
            "acled": ("Explosions/Remote violence", "Air/drone strike", "Political violence"),
            "anchor": "قصفت طائرات حربية", "actor1": None,
            "actor1_record": {"text": "طائرات حربية", "name": "Unidentified military aircraft", "country": None,
                              "sector": "UAF", "kind": "group"},
            "actor2": None, "place": "إدلب", "place_nth": 2, "time": "يوم الأحد",
            "size": {"dead": 2, "injured": 4}, "confidence": 0.7,
        }],
    },
]


def _sentences(text: str) -> list[list[int]]:
    out = []
    for m in re.finditer(r"[^.؟!]+[.؟!]?", text):
        s, e = m.span()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append([s, e])
    return out


def _find(text: str, needle: str, nth: int = 1) -> list[int]:
    pos = -1
    for _ in range(nth):
        pos = text.index(needle, pos + 1)
    return [pos, pos + len(needle)]  # Python indices are code points, as the codebook says


def build_document(spec: dict) -> dict:
    """A codebook document record (marsad.records.Document) for one synthetic spec."""
    from marsad.records import Document

    text = spec["text"]
    sentences = _sentences(text)
    mentions = {"people": [], "organizations": [], "places": [], "times": []}
    by_text = {}
    for kind, surface, extra in spec["mentions"]:
        rec = dict(extra, text=surface, span=_find(text, surface))
        mentions[kind].append(rec)
        by_text[surface] = rec
    events = []
    for ev in spec["events"]:
        a_span = _find(text, ev["anchor"])
        sent_i = next(i for i, (s, e) in enumerate(sentences) if s <= a_span[0] < e)

        def actor(surface, record=None):
            if record is not None:
                r = dict(record)
                if r.get("text"):
                    r["span"] = _find(text, r["text"])
                return [r]
            if surface is None:
                return []
            m = by_text[surface]
            return [{k: m.get(k) for k in ("text", "name", "country", "sector", "kind", "span")}]

        place = dict(by_text[ev["place"]])
        place["span"] = _find(text, ev["place"], ev.get("place_nth", 1))
        plover_type, mode = ev["plover"]
        acled = ev.get("acled")
        events.append({
            "plover": {"type": plover_type, "mode": mode, "context": []},
            "acled": {"event_type": acled[0], "sub_event_type": acled[1], "disorder_type": acled[2]} if acled else None,
            "actors": actor(ev.get("actor1"), ev.get("actor1_record")),
            "recipients": actor(ev.get("actor2")),
            "location": place,
            "date": dict(by_text[ev["time"]]),
            "size": ev.get("size") or {},
            "anchor": {"sentence": sent_i, "span": a_span, "quote": ev["anchor"]},
            "confidence": ev.get("confidence", 0.5),
        })
    record = {
        "doc_id": spec["doc_id"], "published": spec.get("published"), "outlet": spec.get("outlet"),
        "title": spec.get("title"), "url": None, "text": text, "sentences": sentences,
        "mentions": mentions, "events": events, "pipeline_version": "test-synthetic",
    }
    return Document.model_validate(record).model_dump()


def synthetic_documents() -> list[dict]:
    return [build_document(s) for s in DOCS]


# --------------------------------------------------------------------------------------
# Server + browser fixtures
# --------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _make_app(db_url: str, **kw):
    from marsad.api.app import create_app

    return create_app(db_url, token=TOKEN, **kw)


def _seed(db_url: str) -> None:
    from marsad.store.store import Store

    store = Store(db_url)
    try:
        for record in synthetic_documents():
            store.ingest_record(record)
    finally:
        store.close()


def _get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as r:  # loopback only
        return json.loads(r.read().decode("utf-8"))


@contextlib.contextmanager
def _serve(app):
    """Run `app` with uvicorn on 127.0.0.1:<free port> in a thread; stop it on exit (bounded waits)."""
    uvicorn = pytest.importorskip("uvicorn")
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=srv.run, name="marsad-web-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            srv.should_exit = True
            pytest.fail("test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=15)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db_url = "sqlite:///" + str(tmp_path_factory.mktemp("webdb") / "marsad.db")
    _seed(db_url)
    with _serve(_make_app(db_url)) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser, server):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US", service_workers="block")
    pg = ctx.new_page()
    pg.set_default_timeout(15000)
    pg.dialogs, pg.requests, pg.errors = [], [], []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    try:
        yield pg
    finally:
        ctx.close()


def _shot(pg, name: str) -> Path:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / name
    pg.screenshot(path=str(path))
    assert path.stat().st_size > 5000
    return path


def _rows(pg):
    return pg.locator("#events tbody tr")


def _wait_rows(pg, n: int) -> None:
    pg.wait_for_function("n => document.querySelectorAll('#events tbody tr').length === n", arg=n)


def _open_app(pg, base: str, query: str = "") -> None:
    pg.goto(base + "/" + query)
    pg.wait_for_selector("#events tbody tr")
    pg.wait_for_function("() => document.querySelectorAll('.leaflet-overlay-pane path').length > 100")


def _sentence_of(doc_id: str) -> str:
    rec = next(d for d in synthetic_documents() if d["doc_id"] == doc_id)
    ev = rec["events"][0]
    s, e = rec["sentences"][ev["anchor"]["sentence"]]
    return rec["text"][s:e]


def _event_id(base: str, doc_id: str) -> int:
    items = _get_json(base + "/api/events?limit=100")["items"]
    return next(it["id"] for it in items if it["doc_id"] == doc_id)


# --------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------

def test_index_served_with_csp(server):
    with urllib.request.urlopen(server + "/", timeout=10) as r:
        html = r.read().decode("utf-8")
        csp = r.headers.get("Content-Security-Policy", "")
    assert "/static/app.js" in html and "/static/vendor/leaflet/leaflet.js" in html
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp
    for asset in ("app.js", "app.css", "basemap.geojson", "vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css"):
        with urllib.request.urlopen(f"{server}/static/{asset}", timeout=10) as r:
            assert r.status == 200
    assert "http" not in html.replace("http-equiv", "")  # no external URLs in the page


def test_map_filters_and_article(page, server):
    pg = page
    _open_app(pg, server)
    _wait_rows(pg, len(DOCS))
    assert pg.locator("path.event-marker").count() == len(DOCS)
    assert pg.locator("#timeline rect.bar").count() == len(DOCS)
    assert "5 events" in pg.locator("#health").inner_text()
    _shot(pg, "web-map.png")

    # sort by date: newest first by default, click for oldest first
    assert _rows(pg).first.locator("td.date").inner_text() == "2024-12-08"
    pg.click("#events th[data-sort=date]")
    assert _rows(pg).first.locator("td.date").inner_text() == "2024-12-03"

    # filters: PLOVER type, then country, then ACLED sub-event type
    pg.select_option("#f-plover", "ASSAULT")
    _wait_rows(pg, 2)
    assert pg.locator("path.event-marker").count() == 2
    pg.select_option("#f-country", "SY")
    _wait_rows(pg, 2)
    pg.select_option("#f-acled", "Armed clash")
    _wait_rows(pg, 1)
    assert "plover_type=ASSAULT" in pg.url
    # reset, then Arabic full-text search
    pg.click("#f-reset")
    _wait_rows(pg, len(DOCS))
    pg.fill("#f-q", "اشتباكات")
    _wait_rows(pg, 1)
    assert "Armed clash" in _rows(pg).first.inner_text()
    pg.click("#f-reset")
    _wait_rows(pg, len(DOCS))
    # clicking a timeline bar filters to that day
    pg.click("#timeline rect.bar[data-date='2024-12-05']")
    _wait_rows(pg, 1)
    assert "Arrests" in _rows(pg).first.inner_text()
    assert pg.input_value("#f-start") == "2024-12-05" == pg.input_value("#f-end")
    pg.click("#f-reset")
    _wait_rows(pg, len(DOCS))

    # open the Hama event from its map marker
    ev_id = _event_id(server, "syn-hama-clash")
    pg.click(f"path.event-marker[data-id='{ev_id}']", force=True)
    pg.wait_for_selector("#event-panel:not([hidden]) #article .anchor-sentence")
    article = pg.locator("#article")
    assert article.get_attribute("dir") == "rtl" and article.get_attribute("lang") == "ar"
    assert article.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert pg.locator("#article .anchor-sentence").inner_text().strip() == _sentence_of("syn-hama-clash")
    assert pg.locator("#article .anchor").inner_text() == "اشتباكات عنيفة اندلعت"
    assert pg.locator("#article .anchor-sentence .anchor").count() == 1
    assert pg.locator("#article .m-place").first.inner_text() == "حماة"
    assert "Hama" in pg.locator("#article .m-place").first.get_attribute("title")
    assert pg.locator("#article .m-time").inner_text() == "يوم الجمعة"
    orgs = pg.locator("#article .m-org").all_inner_texts()
    assert "قوات الحكومة السورية" in orgs and "فصائل المعارضة" in orgs
    assert article.inner_text().replace("\n", "") == synthetic_documents()[0]["text"].replace("\n", "")
    assert f"event={ev_id}" in pg.url
    _shot(pg, "web-article.png")
    assert not pg.errors, pg.errors


def test_correction_persists(page, server):
    pg = page
    ev_id = _event_id(server, "syn-hama-clash")
    _open_app(pg, server, f"?event={ev_id}")
    pg.wait_for_selector("#event-panel:not([hidden])")
    assert pg.locator("#ev-status").inner_text() == "machine"
    pg.select_option("#c-acled", "Shelling/artillery/missile attack")
    pg.fill("#c-loc", "طيبة الإمام")
    pg.fill("#c-lat", "35.2650")
    pg.fill("#c-lon", "36.7100")
    pg.fill("#c-note", "القصف مدفعي وليس اشتباكا")
    pg.fill("#c-user", "reviewer-1")
    # a wrong token is refused and changes nothing
    pg.fill("#c-token", "not-the-token")
    pg.click("#c-submit")
    pg.wait_for_function("() => /refused|401|403/.test(document.querySelector('#c-result').textContent)")
    assert _get_json(f"{server}/api/events/{ev_id}")["status"] == "machine"
    # the right one works
    pg.fill("#c-token", TOKEN)
    pg.click("#c-submit")
    pg.wait_for_function("() => document.querySelector('#ev-status').textContent === 'corrected'")
    assert pg.locator("#history li.correction").count() == 1
    assert "reviewer-1" in pg.locator("#history").inner_text()

    # reload: the correction is stored, shown in the panel, the table and the history
    pg.reload()
    pg.wait_for_function("() => document.querySelector('#ev-status').textContent === 'corrected'")
    assert "Shelling/artillery/missile attack" in pg.locator("#ev-meta").inner_text()
    assert "طيبة الإمام" in pg.locator("#ev-meta").inner_text()
    assert pg.locator("#history li.correction").count() == 1
    assert "القصف مدفعي وليس اشتباكا" in pg.locator("#history").inner_text()
    assert pg.input_value("#c-token") == TOKEN  # kept in localStorage
    assert pg.input_value("#c-user") == "reviewer-1"
    row = pg.locator(f"#events tbody tr[data-id='{ev_id}']")
    assert "corrected" in row.inner_text()
    api = _get_json(f"{server}/api/events/{ev_id}")
    assert api["status"] == "corrected"
    assert api["acled_sub_event_type"] == "Shelling/artillery/missile attack"
    assert api["acled_event_type"] == "Explosions/Remote violence"
    assert abs(api["lat"] - 35.265) < 1e-6 and api["location_name"] == "طيبة الإمام"
    assert len(api["corrections"]) == 1 and api["corrections"][0]["user"] == "reviewer-1"
    # status filter finds it
    pg.select_option("#f-status", "corrected")
    _wait_rows(pg, 1)
    _shot(pg, "web-corrected.png")

    # mark another event wrong
    other = _event_id(server, "syn-amman-protest")
    pg.select_option("#f-status", "")
    _wait_rows(pg, len(DOCS))
    pg.click(f"#events tbody tr[data-id='{other}']")
    pg.wait_for_function(f"() => document.querySelector('#ev-title').textContent.includes('#{other}')")
    pg.check("#c-wrong")
    pg.click("#c-submit")
    pg.wait_for_function("() => document.querySelector('#ev-status').textContent === 'wrong'")
    assert _get_json(f"{server}/api/events/{other}")["status"] == "wrong"
    assert not pg.errors, pg.errors


def test_script_story_renders_as_text(page, server):
    pg = page
    ev_id = _event_id(server, "syn-beirut-script")
    _open_app(pg, server, f"?event={ev_id}")
    pg.wait_for_selector("#event-panel:not([hidden]) #article .anchor")
    text = pg.locator("#article").inner_text()
    assert "<script>alert(1)</script>" in text
    assert pg.locator("#article script").count() == 0
    assert pg.locator("#doc-head").inner_text().count("<img src=x onerror=alert(2)>") == 1
    assert pg.locator("#doc-head img").count() == 0
    assert pg.evaluate("document.scripts.length") == 2  # leaflet.js and app.js only
    pg.wait_for_timeout(300)
    assert pg.dialogs == []
    assert pg.locator("#article .anchor").inner_text() == "أوقفت شخصين"
    _shot(pg, "web-script-as-text.png")
    assert not pg.errors, pg.errors


def test_astral_characters_keep_spans_aligned(page, server):
    pg = page
    ev_id = _event_id(server, "syn-idlib-strike")
    _open_app(pg, server, f"?event={ev_id}")
    pg.wait_for_selector("#event-panel:not([hidden]) #article .anchor")
    # the text starts with U+1F4CD (two UTF-16 units): code-point spans must still land on the words
    assert pg.locator("#article .anchor").inner_text() == "قصفت طائرات حربية"
    assert pg.locator("#article .m-place").first.inner_text() == "إدلب"
    assert pg.locator("#article .m-time").inner_text() == "يوم الأحد"
    assert pg.locator("#article .m-org").inner_text() == "الدفاع المدني"


def test_actor_admin1_and_map_view_filters(page, server):
    pg = page
    _open_app(pg, server)
    _wait_rows(pg, len(DOCS))
    pg.fill("#f-actor", "police")
    _wait_rows(pg, 1)
    assert "Beirut" in _rows(pg).first.inner_text() or "بيروت" in _rows(pg).first.inner_text()
    pg.click("#f-reset")
    _wait_rows(pg, len(DOCS))
    pg.select_option("#f-admin1", "EG-C")
    _wait_rows(pg, 1)
    pg.click("#f-reset")
    _wait_rows(pg, len(DOCS))
    # "map view only": zoom onto Cairo and only its event is listed
    pg.check("#f-bbox")
    pg.evaluate("window.marsad.state.map.setView([30.05, 31.25], 9, {animate: false})")
    _wait_rows(pg, 1)
    assert "Arrests" in _rows(pg).first.inner_text()
    assert not pg.errors, pg.errors


def test_page_makes_no_external_requests(page, server):
    pg = page
    _open_app(pg, server)
    pg.click("#events tbody tr >> nth=0")
    pg.wait_for_selector("#event-panel:not([hidden]) #article .anchor")
    pg.wait_for_load_state("networkidle")
    outside = [u for u in pg.requests if not (u.startswith(server + "/") or u.startswith("data:"))]
    assert outside == []


def test_private_server_asks_for_the_token(browser, tmp_path):
    db_url = "sqlite:///" + str(tmp_path / "private.db")
    _seed(db_url)
    with _serve(_make_app(db_url, private=True)) as base:
        ctx = browser.new_context(viewport={"width": 1200, "height": 900}, service_workers="block")
        try:
            pg = ctx.new_page()
            pg.set_default_timeout(15000)
            pg.goto(base + "/")
            pg.wait_for_selector("#token-prompt")
            assert pg.locator("#events tbody tr").count() == 0
            pg.fill("#token-prompt", TOKEN)
            pg.click("#message button")
            _wait_rows(pg, len(DOCS))
            pg.click("#events tbody tr >> nth=0")
            pg.wait_for_selector("#event-panel:not([hidden]) #article .anchor")
            assert pg.input_value("#c-token") == TOKEN
        finally:
            ctx.close()


# --------------------------------------------------------------------------------------
# Stories, the true time axis and paging (issue 12)
# --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def story_server(tmp_path_factory):
    """Two reports of one made-up strike (tests/test_stories.py), events dated 1982, 2016 and 2023,
    and 1,050 synthetic events, so that the table has a second page."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from test_stories import day_one, doc, event, HAMA

    from marsad.store.store import Store
    from marsad.store.synthetic import make_records

    db_url = "sqlite:///" + str(tmp_path_factory.mktemp("storydb") / "marsad.db")
    store = Store(db_url)
    try:
        for r in day_one():
            store.ingest_record(r)
        for year in ("1982", "2016"):
            store.ingest_record(doc(f"old-{year}", f"{year}-06-01", f"ذكرى {year}", f"نص مكتوب للاختبار عن غارة عام {year}. "
                                    "ولا علاقة له بأي حدث حقيقي.", [event(HAMA, f"{year}-06-01")], places=[HAMA]))
        for r in make_records(n_events=1050, per_doc=5, start=__import__("datetime").date(2023, 3, 1), days=30):
            store.ingest_record(r)
        store.update_stories()
    finally:
        store.close()
    with _serve(_make_app(db_url)) as base:
        yield base


@pytest.fixture
def story_page(browser, story_server):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US", service_workers="block")
    pg = ctx.new_page()
    pg.set_default_timeout(20000)
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    try:
        yield pg
    finally:
        ctx.close()


def test_story_articles_and_sources_side_by_side(story_page, story_server):
    pg = story_page
    pg.goto(story_server + "/")
    pg.wait_for_selector("#stories li")
    item = pg.locator("#stories li", has_text="سوق في حماة")
    item.first.click()
    pg.wait_for_selector("#story-panel:not([hidden]) .story-doc")
    assert pg.locator("#story-docs .story-doc").count() == 2
    assert {pg.locator("#story-docs .story-doc").nth(i).get_attribute("data-doc") for i in range(2)} == {
        "strike-a", "strike-b"}
    merged = pg.locator("#story-events .merged").first
    assert merged.locator(".source").count() == 2
    assert "sources disagree: dead" in merged.inner_text()
    assert "dead 3 (lowest reported)" in merged.inner_text()
    # the two docs sit side by side: same row, different columns
    boxes = [pg.locator("#story-docs .story-doc").nth(i).bounding_box() for i in range(2)]
    assert abs(boxes[0]["y"] - boxes[1]["y"]) < 2 and boxes[0]["x"] != boxes[1]["x"]
    pg.wait_for_selector(".leaflet-overlay-pane path.merged-marker", timeout=60_000)  # slow under load
    _shot(pg, "web-story.png")
    pg.click("#story-close")
    pg.wait_for_selector("#story-panel", state="hidden")
    assert not pg.errors


def test_timeline_is_a_true_time_axis(story_page, story_server):
    pg = story_page
    pg.goto(story_server + "/")
    pg.wait_for_selector("#timeline rect.bar")
    bars = pg.eval_on_selector_all("#timeline rect.bar", "rs => rs.map(r => [r.dataset.date, +r.getAttribute('x')])")
    bars.sort()
    from datetime import date as _date

    def start(b: str) -> float:
        parts = [int(p) for p in b.split("-")] + [1, 1]
        return _date(parts[0], parts[1], parts[2]).toordinal()

    (b0, x0), (bl, xl) = bars[0], bars[-1]
    assert b0.startswith("1982") and xl > x0
    for b, x in bars[1:-1]:
        expected = (start(b) - start(b0)) / (start(bl) - start(b0))
        assert abs((x - x0) / (xl - x0) - expected) < 0.03, (b, x)
    x2016 = next(x for b, x in bars if b.startswith("2016"))
    assert (x2016 - x0) / (xl - x0) > 0.75  # 34 of 42 years: far from 1982, not the next bar over
    _shot(pg, "web-timeline.png")


def test_event_table_pages_beyond_1000_rows(story_page, story_server):
    pg = story_page
    pg.goto(story_server + "/")
    pg.wait_for_function("() => document.querySelectorAll('#events tbody tr').length === 1000")
    total = _get_json(story_server + "/api/events?limit=1")["total"]
    assert total > 1000
    assert pg.inner_text("#page-info") == f"1–1000 of {total}"
    first_ids = set(pg.eval_on_selector_all("#events tbody tr", "rs => rs.map(r => r.dataset.id)"))
    pg.click("#page-next")
    pg.wait_for_function("n => document.querySelectorAll('#events tbody tr').length === n", arg=total - 1000)
    assert pg.inner_text("#page-info") == f"1001–{total} of {total}"
    second_ids = set(pg.eval_on_selector_all("#events tbody tr", "rs => rs.map(r => r.dataset.id)"))
    assert not first_ids & second_ids
    assert pg.is_disabled("#page-next") and not pg.is_disabled("#page-prev")
    pg.click("#page-prev")
    pg.wait_for_function("() => document.querySelectorAll('#events tbody tr').length === 1000")
    assert not pg.errors
