"""Schemathesis generates requests from the OpenAPI schema against every ticket endpoint;
none may answer with a server error (5xx)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from kefu.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI handler closes old connections when a request starts and finishes; inside a
    test that would close the connection holding the test's transaction (PostgreSQL).
    Django's test client disconnects the same signal handlers."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(role_users, api_client_for, create, customer):
    """A supervisor's token (sees every ticket) and a few tickets to find."""
    from kefu.core.services import api_token_create

    create(role_users["agent"])
    create(role_users["agent"], content="我要投诉年费")
    _token, raw = api_token_create(user=role_users["supervisor"], name="schemathesis")
    return {"Authorization": f"Bearer {raw}"}


@schema.include(path_regex="^/api/tickets").parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_ticket_endpoints_never_answer_5xx(case, bearer):
    case.call_and_validate(headers=bearer, checks=[not_a_server_error])
