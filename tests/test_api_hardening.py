"""API hardening (marsad/api/hardening.py): limits and auth before the body, no echo, headers, docs offline."""
from __future__ import annotations

import asyncio
import json

import pytest
from fastapi.testclient import TestClient

from marsad.api.app import create_app

TOKEN = "hardening-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ARTICLE = "أعلنت وزارة الصحة في مدينة حمص يوم الأحد عن افتتاح مستشفى جديد لخدمة سكان المنطقة الوسطى."


@pytest.fixture
def app(tmp_path, monkeypatch):
    for var in ("MARSAD_TOKEN", "MARSAD_PRIVATE", "MARSAD_MAX_BODY_BYTES", "MARSAD_WRITES_PER_MINUTE"):
        monkeypatch.delenv(var, raising=False)
    app = create_app(f"sqlite:///{tmp_path / 'h.db'}", token=TOKEN, max_body_bytes=4000, writes_per_minute=1000)
    yield app
    app.state.store.close()


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


def raw_request(app, method, path, headers, chunks, read_ok=True):
    """Call the ASGI app directly; returns (status, headers, body, how many body chunks it read)."""
    read = 0
    pending = list(chunks)

    async def receive():
        nonlocal read
        if not read_ok:
            raise AssertionError("the body was read")
        read += 1
        body = pending.pop(0) if pending else b""
        return {"type": "http.request", "body": body, "more_body": bool(pending)}

    out = {}

    async def send(message):
        if message["type"] == "http.response.start":
            out["status"], out["headers"] = message["status"], dict(message["headers"])
        elif message["type"] == "http.response.body":
            out["body"] = out.get("body", b"") + message.get("body", b"")

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
             "client": ("10.0.0.1", 5000), "server": ("testserver", 80)}
    asyncio.run(app(scope, receive, send))
    return out["status"], out["headers"], out.get("body", b""), read


def test_body_over_the_limit_is_refused_before_reading(app):
    status, _, body, _ = raw_request(app, "POST", "/api/documents",
                                     {**AUTH, "content-type": "application/json", "content-length": "10000000"},
                                     [b"x"], read_ok=False)
    assert status == 413 and b"4000" in body


def test_body_without_length_is_cut_off_at_the_limit(app):
    chunks = [b'{"text": "' + b"a" * 1000] * 10 + [b'"}']
    status, _, _, read = raw_request(app, "POST", "/api/documents", {**AUTH, "content-type": "application/json"},
                                     chunks)
    assert status == 413 and read <= 5  # stopped at the limit, not after the whole body


def test_auth_is_checked_before_the_body_is_read(app):
    headers = {"content-type": "application/json", "content-length": "20"}
    status, hdrs, _, _ = raw_request(app, "POST", "/api/documents", headers, [b"{}"], read_ok=False)
    assert status == 401 and hdrs[b"www-authenticate"] == b"Bearer"
    status, _, _, _ = raw_request(app, "POST", "/api/documents", {**headers, "authorization": "Bearer nope"},
                                  [b"{}"], read_ok=False)
    assert status == 403


def test_error_bodies_never_echo_the_input(client):
    secret = "ECHO-" + "x" * 1000
    r = client.post("/api/documents", headers=AUTH, json={"text": 5, "doc_id": secret, "colour": secret})
    assert r.status_code == 422 and "ECHO" not in r.text and len(r.text) < 600
    r = client.get("/api/documents/" + secret)
    assert r.status_code == 404 and "ECHO" not in r.text
    r = client.post("/api/events/1/corrections", headers=AUTH, json={"user": secret[:200], "plover_type": secret})
    assert r.status_code == 422 and "ECHO" not in r.text


@pytest.mark.parametrize("body", [
    b'{"text": "\\ud800 ' + ARTICLE.encode() + b'"}',  # a lone surrogate: valid JSON, not text
    b'{"text": "\xff\xfe ' + ARTICLE.encode() + b'"}',  # not UTF-8
    b'{"text": ',  # not JSON
])
def test_undecodable_bodies_are_400_not_500(client, body):
    r = client.post("/api/documents", headers={**AUTH, "content-type": "application/json"}, content=body)
    assert r.status_code == 400, r.text
    assert "ud800" not in r.text and ARTICLE not in r.text


def test_security_headers_on_every_response(client):
    for r in (client.get("/api/health"), client.post("/api/documents", json={}),
              client.get("/api/documents/nope"), client.get("/docs"), client.get("/redoc")):
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "default-src" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
    page = client.get("/")
    if page.status_code == 200:  # the web app keeps its own policy
        assert "script-src 'self'" in page.headers["content-security-policy"]


def test_docs_are_served_from_the_package(client):
    for path in ("/docs", "/redoc"):
        page = client.get(path)
        assert page.status_code == 200
        assert "http://" not in page.text and "https://" not in page.text and "<script>" not in page.text
        scripts = [s.split('"')[0] for s in page.text.split('src="')[1:]]
        assert scripts
        for src in scripts:
            asset = client.get(src)
            assert asset.status_code == 200 and len(asset.content) > 100, src
    assert "SwaggerUIBundle" in client.get("/docs-static/vendor/swagger-ui/swagger-ui-bundle.js").text
    assert client.get("/docs-static/vendor/swagger-ui/swagger-ui.css").status_code == 200
    assert client.get("/openapi.json").json()["paths"]["/api/documents"]["post"]["responses"].keys() >= {
        "400", "413", "429"}


def test_writes_are_rate_limited_per_client(tmp_path, monkeypatch):
    monkeypatch.delenv("MARSAD_TOKEN", raising=False)
    app = create_app(f"sqlite:///{tmp_path / 'r.db'}", token=TOKEN, writes_per_minute=3)
    with TestClient(app) as c:
        codes = [c.post("/api/documents", headers=AUTH, json={"text": "   "}).status_code for _ in range(5)]
        assert codes[:3] == [422] * 3 and codes[3:] == [429, 429]
        r = c.post("/api/documents", headers=AUTH, json={"text": "   "})
        assert int(r.headers["retry-after"]) >= 1
        assert c.get("/api/health").status_code == 200  # reads are not limited
    status, _, _, _ = raw_request(app, "POST", "/api/documents", {**AUTH, "content-type": "application/json"},
                                  [json.dumps({"text": "  "}).encode()])
    assert status == 422  # another client has its own bucket
    app.state.store.close()


def test_limits_are_configurable_on_the_api(tmp_path):
    from marsad.pipeline import Limits

    app = create_app(f"sqlite:///{tmp_path / 'l.db'}", token=TOKEN, limits=Limits(max_chars=50))
    with TestClient(app) as c:
        r = c.post("/api/documents", headers=AUTH, json={"text": ARTICLE})
        assert r.status_code == 422 and f"too long: {len(ARTICLE)} characters, limit 50" in r.text
    app.state.store.close()


# ---------------------------------------------------------------- the docs pages in a browser, under the CSP

CHROMIUM = "/usr/bin/chromium"


@pytest.mark.browser
@pytest.mark.parametrize("path,ready", [("/docs", ".swagger-ui .opblock"), ("/redoc", "h1")])
def test_docs_render_offline_under_the_csp(tmp_path, path, ready):
    import os
    import socket
    import threading
    import time
    from pathlib import Path

    if not Path(os.environ.get("MARSAD_CHROMIUM", CHROMIUM)).exists():
        pytest.skip("Chromium not found (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    uvicorn = pytest.importorskip("uvicorn")
    app = create_app(f"sqlite:///{tmp_path / 'd.db'}", token=TOKEN)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=os.environ.get("MARSAD_CHROMIUM", CHROMIUM), headless=True,
                                        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page()
            console, outside = [], []
            page.on("console", lambda m: console.append(m.text))
            page.on("request", lambda r: None if r.url.startswith(f"http://127.0.0.1:{port}/")
                    or r.url.startswith(("blob:", "data:")) else outside.append(r.url))
            page.goto(f"http://127.0.0.1:{port}{path}")
            page.wait_for_selector(ready, timeout=30000)
            browser.close()
        assert not outside, outside
        assert not [m for m in console if "Content Security Policy" in m], console
    finally:
        srv.should_exit = True
        thread.join(timeout=15)
        app.state.store.close()


def test_limits_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MARSAD_MAX_CHARS", "40")
    monkeypatch.setenv("MARSAD_MAX_BODY_BYTES", "300")
    app = create_app(f"sqlite:///{tmp_path / 'e.db'}", token=TOKEN)
    with TestClient(app) as c:
        assert "limit 40" in c.post("/api/documents", headers=AUTH, json={"text": ARTICLE}).text
        assert c.post("/api/documents", headers=AUTH, json={"text": ARTICLE * 3}).status_code == 413
    app.state.store.close()
