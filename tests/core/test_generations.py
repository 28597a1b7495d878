"""Configuration kept in memory per process, stamped with the configuration generation."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from kefu.core import generations
from kefu.core.calendars import Calendar
from kefu.core.models import CalendarYear, ConfigGeneration

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def forget():
    generations.forget()
    yield
    generations.forget()


def counter():
    calls = []

    def load():
        calls.append(1)
        return len(calls)

    return load, calls


def test_values_are_kept_while_the_generation_stays_the_same():
    load, calls = counter()

    first = generations.snapshot().get("k", load)
    again = generations.snapshot().get("k", load)

    assert (first, again, len(calls)) == (1, 1, 1)


def test_a_snapshot_is_one_statement():
    with CaptureQueriesContext(connection) as queries:
        generations.snapshot()

    assert len(queries) == 1
    assert "configgeneration" in queries[0]["sql"].lower()


def test_bump_replaces_the_token_and_the_next_snapshot_loads_again():
    load, calls = counter()
    before = generations.snapshot()
    before.get("k", load)

    generations.bump()
    after = generations.snapshot()

    assert after.token != before.token
    assert after.get("k", load) == 2


def test_a_change_committed_by_another_process_is_seen_at_once():
    """Another process's change reaches this one only through the token row: this process
    did not run the bump, yet the next snapshot does not use what it kept."""
    load, calls = counter()
    generations.snapshot().get("k", load)

    # what another process's bump leaves in the database
    ConfigGeneration.objects.filter(pk=1).update(token="another-process")

    assert generations.snapshot().get("k", load) == 2
    assert generations.snapshot().get("k", load) == 2


def test_a_rolled_back_change_leaves_nothing_behind():
    """Values loaded inside a rolled-back change are never taken for a later generation."""
    before = generations.snapshot()
    with pytest.raises(RuntimeError), transaction.atomic():
        CalendarYear.objects.create(year=2031, source="撤销的录入")
        inside = generations.snapshot()
        assert 2031 in Calendar(snapshot=inside)._entered()
        raise RuntimeError("rolled back")

    after = generations.snapshot()
    assert after.token == before.token
    assert 2031 not in Calendar(snapshot=after)._entered()
    # and a later real change gets a token of its own
    CalendarYear.objects.create(year=2032, source="国务院办公厅通知")
    later = generations.snapshot()
    assert later.token not in (before.token, inside.token)
    assert Calendar(snapshot=later)._entered() >= {2032}


def test_watched_models_bump_on_save_and_delete():
    tokens = [generations.snapshot().token]
    year = CalendarYear.objects.create(year=2030, source="通知")
    tokens.append(generations.snapshot().token)
    year.delete()
    tokens.append(generations.snapshot().token)

    assert len(set(tokens)) == 3


def test_the_calendar_reads_the_entered_years_once_per_generation():
    snap = generations.snapshot()
    Calendar(snapshot=snap)._entered()

    with CaptureQueriesContext(connection) as queries:
        assert Calendar(snapshot=snap)._entered() == Calendar()._entered()

    # only the calendar without a snapshot asked the database
    assert len(queries) == 1


def test_without_the_row_the_generation_is_empty_until_the_first_change():
    ConfigGeneration.objects.all().delete()
    assert generations.snapshot().token == ""

    generations.bump()

    assert len(generations.snapshot().token) == 32


def test_reload_config_replaces_the_generation_and_is_audited():
    from io import StringIO

    from django.core.management import call_command

    from kefu.core.models import AuditEvent

    before = generations.snapshot().token
    out = StringIO()
    call_command("reload_config", stdout=out)

    assert generations.snapshot().token != before
    assert "every process reloads" in out.getvalue()
    assert AuditEvent.objects.filter(action="config.reloaded").count() == 1


# --- one generation per request, and the permissions kept by it ----------------------------


def test_inside_a_pin_the_token_is_read_once_and_a_change_ends_the_pin():
    with generations.pinned():
        with CaptureQueriesContext(connection) as queries:
            first = generations.snapshot()
            assert generations.snapshot() is first
        assert len(queries) == 1
        CalendarYear.objects.create(year=2033, source="通知")  # replaces the generation
        after = generations.snapshot()
        assert after.token != first.token
        assert 2033 in Calendar(snapshot=after)._entered()
    # outside, every snapshot reads the token again
    with CaptureQueriesContext(connection) as queries:
        generations.snapshot()
        generations.snapshot()
    assert len(queries) == 2


def test_a_role_granted_or_taken_applies_to_the_next_request(make_user, roles, client_for):
    """Permissions are kept per generation; group membership and a group's permissions
    replace it, so the very next request is checked against the change."""
    from django.contrib.auth.models import Permission

    user = make_user("perm-change")
    client = client_for(user)
    assert client.get("/audit/").status_code == 403

    user.groups.add(roles["supervisor"])
    assert client.get("/audit/").status_code == 200

    roles["supervisor"].permissions.remove(Permission.objects.get(codename="view_auditevent"))
    assert client.get("/audit/").status_code == 403

    roles["supervisor"].permissions.add(Permission.objects.get(codename="view_auditevent"))
    assert client.get("/audit/").status_code == 200
    user.groups.remove(roles["supervisor"])
    assert client.get("/audit/").status_code == 403


def test_a_deactivated_user_is_refused_though_their_permissions_are_kept(
    make_user, roles, client_for
):
    user = make_user("perm-leaver", "supervisor")
    client = client_for(user)
    assert client.get("/audit/").status_code == 200

    type(user).objects.filter(pk=user.pk).update(is_active=False)  # no signal, no new token

    assert client.get("/audit/").status_code in (302, 403)


def test_the_api_reads_the_token_once_for_the_permissions_and_the_ticket(
    role_users, api_client_for
):
    import json

    from tests.factories import CustomerFactory

    client = api_client_for(role_users["agent"])
    body = json.dumps(
        {"customer_id": CustomerFactory().pk, "channel": "hotline", "content": "账单什么时候出"}
    )
    assert client.post("/api/tickets", body, content_type="application/json").status_code == 201

    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/tickets", body, content_type="application/json")

    assert response.status_code == 201
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum("configgeneration" in q for q in sql) == 1
    assert not any("auth_permission" in q for q in sql)
