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
