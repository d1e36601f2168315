"""The review web app: a static single-page app served by the API process.

``mount(app)`` adds two things to a FastAPI/Starlette app:

* ``GET /`` (and ``/index.html``): the page, ``static/index.html``;
* ``/static/...``: ``app.js``, ``app.css``, the Natural Earth basemap
  (``basemap.geojson``, built by ``scripts/build_basemap.py``) and the vendored
  Leaflet files (``vendor/leaflet/``, from ``scripts/vendor_web.sh``).

Nothing on the page is fetched from outside the process: no tile server, no
CDN, no web fonts. A Content-Security-Policy on the page enforces that and
forbids inline scripts; the page builds all DOM from text with
``textContent``/``createElement`` so article text is always shown as text.
"""
from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def index_html() -> str:
    return (STATIC_DIR / "index.html").read_text(encoding="utf-8")


def mount(app) -> None:
    """Serve the web app at ``/`` and its assets under ``/static`` on ``app``."""
    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles

    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    async def page():
        return HTMLResponse(index_html(), headers=PAGE_HEADERS)

    app.add_api_route("/", page, methods=["GET", "HEAD"], include_in_schema=False, name="web_index")
    app.add_api_route("/index.html", page, methods=["GET", "HEAD"], include_in_schema=False, name="web_index_html")


__all__ = ["mount", "STATIC_DIR", "index_html"]
