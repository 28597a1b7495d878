import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from kefu.core import periodic
from kefu.core.models import PeriodicRun

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@task()
def _noop() -> int:
    return 1


@pytest.fixture
def registry(monkeypatch):
    jobs: dict = {}
    monkeypatch.setattr(periodic, "REGISTRY", jobs)
    return jobs


def test_a_minute_job_is_enqueued_once_per_minute_however_many_workers_tick(registry):
    periodic.periodic("minute", name="noop")(_noop)
    now = dt.datetime(2026, 11, 25, 10, 0, 5, tzinfo=SHANGHAI)

    first = periodic.tick(now=now)
    second = periodic.tick(now=now + dt.timedelta(seconds=30))  # another worker, same minute
    third = periodic.tick(now=now + dt.timedelta(minutes=1))

    assert first == ["noop@2026-11-25T10:00"]
    assert second == []
    assert third == ["noop@2026-11-25T10:01"]
    assert PeriodicRun.objects.count() == 2
    assert DBTaskResult.objects.count() == 2


def test_a_daily_job_waits_for_its_time_and_catches_up_later_that_day(registry):
    periodic.periodic("daily@03:10", name="nightly")(_noop)

    before = periodic.tick(now=dt.datetime(2026, 11, 25, 3, 9, tzinfo=SHANGHAI))
    late = periodic.tick(now=dt.datetime(2026, 11, 25, 7, 45, tzinfo=SHANGHAI))
    again = periodic.tick(now=dt.datetime(2026, 11, 25, 23, 59, tzinfo=SHANGHAI))
    next_day = periodic.tick(now=dt.datetime(2026, 11, 26, 3, 10, tzinfo=SHANGHAI))

    assert before == []
    assert late == ["nightly@2026-11-25"]
    assert again == []
    assert next_day == ["nightly@2026-11-26"]


def test_an_unknown_schedule_is_refused_when_registered(registry):
    with pytest.raises(ValueError, match="Unknown schedule"):
        periodic.periodic("weekly", name="bad")(_noop)


def test_the_core_jobs_are_registered():
    jobs = periodic.discover()

    assert {
        "kefu.core.tasks.purge_expired_sessions",
        "kefu.core.tasks.prune_job_history",
        "kefu.core.tasks.check_next_year_calendar",
    } <= set(jobs)


def test_purge_expired_sessions_deletes_only_expired_ones(settings):
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from kefu.core.tasks import purge_expired_sessions

    live = SessionStore()
    live["x"] = 1
    live.create()
    Session.objects.create(
        session_key="old" * 10,
        session_data="",
        expire_date=timezone.now() - dt.timedelta(minutes=1),
    )

    deleted = purge_expired_sessions.call()

    assert deleted == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
