"""Cross-cutting API checks: OpenAPI snapshot, problem+json, and that every endpoint refuses a
role without permissions (each app also tests its endpoints one by one)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from kefu.api import api
from kefu.core.models import AuditEvent

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi.json"
# Endpoints any signed-in user or service account may call.
OPEN_TO_ANY_AUTHENTICATED = {("GET", "/api/core/me")}


def current_schema() -> dict:
    return json.loads(
        json.dumps(api.get_openapi_schema(path_prefix="/api"), sort_keys=True, default=str)
    )


def test_openapi_schema_matches_the_snapshot():
    """Run `make openapi-snapshot` after an intended API change and review the diff."""
    schema = current_schema()
    if os.environ.get("KEFU_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(
            json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
    assert schema == json.loads(SNAPSHOT.read_text(encoding="utf-8")), (
        "The API changed: run `make openapi-snapshot` and commit tests/snapshots/openapi.json"
    )


def operations():
    schema = current_schema()
    for path, methods in schema["paths"].items():
        for method in methods:
            yield method.upper(), path


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


@pytest.mark.django_db
@pytest.mark.parametrize("method,path", sorted(operations()))
def test_every_endpoint_needs_authentication(method, path, client):
    response = client.generic(method, concrete(path), "{}", content_type="application/json")

    assert response.status_code == 401, (method, path, response.status_code)
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
@pytest.mark.parametrize("method,path", sorted(operations()))
def test_every_endpoint_refuses_a_role_without_permissions(method, path, make_user, api_client_for):
    if (method, path) in OPEN_TO_ANY_AUTHENTICATED:
        return  # open to every authenticated caller by design
    client = api_client_for(make_user("no-role"))  # signed in, in no role
    before = AuditEvent.objects.exclude(action__startswith="auth.").count()

    response = client.generic(method, concrete(path), "{}", content_type="application/json")

    # 403 normally; 404/422 when the request is refused before the permission check could run
    assert response.status_code in (403, 404, 422), (method, path, response.status_code)
    assert AuditEvent.objects.exclude(action__startswith="auth.").count() == before


def test_docs_page_is_served(client):
    assert client.get("/api/docs").status_code == 200
