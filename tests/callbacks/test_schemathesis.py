"""Schemathesis generates requests from the OpenAPI schema against every callback endpoint;
none may answer with a server error (5xx)."""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from kefu.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection(settings):
    """See tests/tickets/test_schemathesis.py: the WSGI handler would close the connection
    holding the test's transaction. Uploaded lists go to a temporary folder."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(make_user, tmp_path, settings):
    """A user with every callback permission, a running project with a callback on their
    desk, and a customer to give to an agent."""
    from kefu.callbacks import services
    from kefu.callbacks.services.targets import Candidate
    from kefu.core.services import api_token_create
    from tests.factories import CustomerFactory, callback_project

    settings.DATA_DIR = tmp_path
    boss = make_user("cbboss", "supervisor", "callback")
    project = callback_project(by=boss)
    services.targets_add(
        project=project,
        candidates=[Candidate(customer_id=CustomerFactory().pk, due=dt.date(2026, 11, 30))],
    )
    services.target_reassign(target=project.targets.get(), agent=boss, by=boss)
    _token, raw = api_token_create(user=boss, name="schemathesis")
    return {"Authorization": f"Bearer {raw}"}


@schema.include(path_regex="^/api/callbacks").parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_callback_endpoints_never_answer_5xx(case, bearer):
    case.call_and_validate(headers=bearer, checks=[not_a_server_error])
