"""Property-based run of the API against its own OpenAPI spec (schemathesis), bounded to finish in seconds.

Reads and writes (with the token): no 5xx, status codes and response bodies/content types as documented.
"""
from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis import checks  # noqa: E402

from fixtures.store_db import records  # noqa: E402

TOKEN = "schemathesis-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance, checks.response_headers_conformance]


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory):
    from marsad.api.app import create_app

    db = tmp_path_factory.mktemp("schemathesis") / "st.db"
    app = create_app(f"sqlite:///{db}", token=TOKEN)
    for r in records():
        app.state.store.ingest_record(r)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_spec(case):
    case.call_and_validate(headers=AUTH, checks=CHECKS)
