"""What stands between the network and the API routes (added by `harden(app, ...)` in create_app).

In the order a request meets them:

1. security headers on every response: a Content-Security-Policy (frame-ancestors 'none'),
   X-Content-Type-Options, Referrer-Policy; pages that set their own CSP (the web app) keep it;
2. a per-client rate limit on writes (token bucket by client address; 429 with Retry-After);
3. the bearer token of a write checked from the headers, before any of the body is read (401/403);
4. the body size limit: a Content-Length over the limit is refused unread, and a body sent
   without one is counted as it arrives and cut off at the limit (413);
5. error bodies that never echo the input: validation errors keep where and what, never the
   value sent; a body that is not JSON, not UTF-8 or holds a lone surrogate is a 400.

`/docs` (Swagger UI) and `/redoc` (ReDoc) are served from files in the package
(marsad/api/static/vendor/, rebuilt by scripts/vendor_api_docs.sh): nothing is fetched from a CDN.
"""
from __future__ import annotations

import json
import math
import secrets
import threading
import time
from pathlib import Path
from typing import Optional

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from pydantic_core import PydanticCustomError
from starlette.exceptions import HTTPException

STATIC_DIR = Path(__file__).resolve().parent / "static"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DEFAULT_MAX_BODY_BYTES = 10_000_000
DEFAULT_WRITES_PER_MINUTE = 120

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DOCS_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


# ------------------------------------------------------------------ auth

def auth_problem(token: Optional[str], authorization: Optional[str]) -> Optional[tuple[int, str]]:
    """(status, detail) when a write with this Authorization header must be refused, else None."""
    if not token:
        return 403, "writes are disabled: start the server with MARSAD_TOKEN set"
    scheme, _, credentials = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return 401, "missing bearer token (Authorization: Bearer <MARSAD_TOKEN>)"
    if not secrets.compare_digest(credentials.strip().encode("utf-8", "surrogatepass"), token.encode()):
        return 403, "wrong token"
    return None


# ------------------------------------------------------------------ text checks for the input models

def valid_text(v):
    """Field validator for the request models: no NUL, and no lone surrogate ("\\ud800" is valid JSON
    but not text: a 400 through the handler below)."""
    if isinstance(v, str):
        if "\x00" in v:
            raise ValueError("NUL characters are not allowed")
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            raise PydanticCustomError("undecodable_text", "text with a lone surrogate is not valid Unicode")
    return v


# ------------------------------------------------------------------ rate limit

class WriteRateLimit:
    """Token bucket per client: `per_minute` writes a minute, bursts up to the same number."""

    MAX_CLIENTS = 10_000

    def __init__(self, per_minute: int):
        self.capacity = float(max(1, per_minute))
        self.rate = self.capacity / 60.0
        self.buckets: dict[str, tuple[float, float]] = {}  # client → (tokens, last time)
        self.lock = threading.Lock()

    def take(self, client: str) -> float:
        """0 when the write may go ahead, else the seconds until it may."""
        now = time.monotonic()
        with self.lock:
            tokens, last = self.buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self.buckets[client] = (tokens - 1, now)
                wait = 0.0
            else:
                self.buckets[client] = (tokens, now)
                wait = (1 - tokens) / self.rate
            if len(self.buckets) > self.MAX_CLIENTS:  # forget clients whose bucket has refilled
                full = [c for c, (t, at) in self.buckets.items() if t + (now - at) * self.rate >= self.capacity]
                for c in full:
                    del self.buckets[c]
        return wait


# ------------------------------------------------------------------ ASGI middleware

class _BodyTooLarge(HTTPException):
    """Raised from receive() when a body without Content-Length passes the limit (an HTTPException,
    so the framework's body reader passes it on as a 413 instead of wrapping it in a 400)."""

    def __init__(self, limit: int):
        super().__init__(413, f"request body over {limit} bytes")


async def _send_problem(send, status: int, detail: str, headers: Optional[dict] = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """Rate limit, auth and body size for requests, before the app reads a byte of the body."""

    def __init__(self, app, token: Optional[str], max_body_bytes: int, limiter: WriteRateLimit,
                 write_prefix: str = "/api/"):
        self.app, self.token, self.max_body = app, token, max_body_bytes
        self.limiter, self.write_prefix = limiter, write_prefix

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if scope["method"] in WRITE_METHODS and scope["path"].startswith(self.write_prefix):
            client = (scope.get("client") or ("unknown", 0))[0]
            wait = self.limiter.take(client)
            if wait > 0:
                return await _send_problem(send, 429, "too many writes from this client; try again later",
                                           {"Retry-After": str(math.ceil(wait))})
            problem = auth_problem(self.token, headers.get("authorization"))
            if problem:
                extra = {"WWW-Authenticate": "Bearer"} if problem[0] == 401 else None
                return await _send_problem(send, problem[0], problem[1], extra)
        length = headers.get("content-length")
        if length is not None:
            if not length.strip().isdigit():
                return await _send_problem(send, 400, "bad Content-Length header")
            if int(length) > self.max_body:
                return await _send_problem(send, 413, f"request body over {self.max_body} bytes")
        received = 0
        started = False

        async def counted_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise _BodyTooLarge(self.max_body)
            return message

        async def watched_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except _BodyTooLarge:
            if not started:
                await _send_problem(send, 413, f"request body over {self.max_body} bytes")


class SecurityHeaders:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        docs = scope["path"] in ("/docs", "/redoc")

        async def with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = dict(BASE_HEADERS, **{"Content-Security-Policy": DOCS_CSP if docs else API_CSP})
                message = dict(message, headers=list(message.get("headers", [])) + [
                    (k.lower().encode(), v.encode()) for k, v in extra.items() if k.lower().encode() not in present])
            await send(message)

        await self.app(scope, receive, with_headers)


# ------------------------------------------------------------------ error bodies

def _clean_errors(errors) -> list[dict]:
    """Validation errors without the values sent ("input", "ctx", "url" dropped)."""
    return [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in errors]


async def _validation_error(_request: Request, exc: RequestValidationError):
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return JSONResponse({"detail": "the body is not valid JSON"}, status_code=400)
    if any(e.get("type") in ("undecodable_text", "string_unicode") for e in errors):
        return JSONResponse({"detail": "the body holds text that is not valid Unicode (a lone surrogate)",
                             "errors": _clean_errors(errors)}, status_code=400)
    return JSONResponse({"detail": _clean_errors(errors)}, status_code=422)


# ------------------------------------------------------------------ docs pages

_SWAGGER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} - Swagger UI</title>
<link rel="stylesheet" href="/docs-static/vendor/swagger-ui/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs-static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/docs-static/swagger-init.js"></script></body></html>
"""
_REDOC_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} - ReDoc</title></head>
<body><redoc spec-url="/openapi.json"></redoc>
<script src="/docs-static/vendor/redoc/redoc.standalone.js"></script></body></html>
"""


def _add_docs(app: FastAPI) -> None:
    from fastapi.staticfiles import StaticFiles

    app.mount("/docs-static", StaticFiles(directory=str(STATIC_DIR)), name="docs-static")
    title = app.title.replace("<", "").replace("&", "")

    async def swagger():
        return HTMLResponse(_SWAGGER_PAGE.format(title=title))

    async def redoc():
        return HTMLResponse(_REDOC_PAGE.format(title=title))

    app.add_api_route("/docs", swagger, methods=["GET"], include_in_schema=False)
    app.add_api_route("/redoc", redoc, methods=["GET"], include_in_schema=False)


# ------------------------------------------------------------------ all together

WRITE_RESPONSES = {
    400: {"description": "the body is not JSON, not UTF-8, or holds a lone surrogate"},
    413: {"description": "the body is over the size limit"},
    429: {"description": "too many writes from this client"},
}


def harden(app: FastAPI, token: Optional[str], max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
           writes_per_minute: int = DEFAULT_WRITES_PER_MINUTE) -> FastAPI:
    """Add the guards, error handler, docs pages and documented statuses above to `app` (after its routes)."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    for route in app.routes:  # the statuses the guards add, in the OpenAPI spec of every write
        if isinstance(route, APIRoute) and route.methods & WRITE_METHODS:
            for status, spec in WRITE_RESPONSES.items():
                route.responses.setdefault(status, spec)
    _add_docs(app)
    app.state.write_limit = WriteRateLimit(writes_per_minute)
    app.add_middleware(Guard, token=token, max_body_bytes=max_body_bytes, limiter=app.state.write_limit)
    app.add_middleware(SecurityHeaders)  # added last: outermost, so refusals carry the headers too
    return app
