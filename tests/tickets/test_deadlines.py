"""Deadline arithmetic across the 2025 and 2026 holidays (CAL-1), business hours with two
windows a day, REG-1 limits that end on a holiday, and years the calendar does not know."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.core.calendars import Calendar, CalendarUnknownYear
from kefu.tickets import deadlines
from kefu.tickets.deadlines import OFFICE_HOURS, Hours, add_business_seconds, day_limit
from tests.tickets.conftest import at

pytestmark = pytest.mark.django_db
HOUR = 3600


@pytest.mark.parametrize(
    "start,hours,due",
    [
        # inside one window, and across the lunch break
        ("2026-11-24 09:30", 2, "2026-11-24 11:30"),
        ("2026-11-24 11:00", 2, "2026-11-24 14:30"),
        # before opening and after closing
        ("2026-11-24 07:00", 1, "2026-11-24 10:00"),
        ("2026-11-24 19:00", 1, "2026-11-25 10:00"),
        # Friday evening → Monday
        ("2026-11-27 17:00", 2, "2026-11-30 10:00"),
        # 2026 Spring Festival: Saturday 14 Feb is a make-up working day …
        ("2026-02-13 17:00", 2, "2026-02-14 10:00"),
        # … and 15-23 Feb are holidays
        ("2026-02-14 17:30", 2, "2026-02-24 10:30"),
        # 2025 National Day: 1-8 Oct off, Saturday 11 Oct worked
        ("2025-09-30 16:00", 8, "2025-10-09 16:30"),
        ("2025-10-10 17:00", 2, "2025-10-11 10:00"),
        # Sunday 28 Sep 2025 is a make-up working day
        ("2025-09-27 17:00", 1, "2025-09-28 10:00"),
        # New Year 2026 (1-3 Jan off, Sunday 4 Jan worked), crossing the year end
        ("2025-12-31 17:00", 2, "2026-01-04 10:00"),
    ],
)
def test_business_hours_skip_nights_weekends_and_holidays(start, hours, due):
    assert add_business_seconds(at(start), hours * HOUR, OFFICE_HOURS, Calendar()) == at(due)


def test_business_time_between_is_the_inverse_of_adding_it():
    cal = Calendar()
    start = at("2026-02-13 10:15")
    due = add_business_seconds(start, 20 * HOUR, OFFICE_HOURS, cal)

    assert deadlines.business_seconds_between(start, due, OFFICE_HOURS, cal) == 20 * HOUR


def test_hours_on_every_day_ignore_the_holidays():
    every_day = Hours(windows=((8 * 60, 20 * 60),), working_days_only=False)

    due = add_business_seconds(at("2026-02-16 19:00"), 2 * HOUR, every_day, Calendar())

    assert due == at("2026-02-17 09:00")


@pytest.mark.parametrize(
    "received,last_day",
    [
        ("2026-11-02 10:00", "2026-11-17"),  # plain 15 days
        ("2025-09-20 10:00", "2025-10-09"),  # 5 Oct falls in the National Day holiday
        ("2026-02-01 10:00", "2026-02-24"),  # 16 Feb is Spring Festival
        ("2025-12-20 10:00", "2026-01-04"),  # a make-up working Sunday is a working day
        ("2026-05-09 10:00", "2026-05-25"),  # 24 May is a Sunday → Monday
    ],
)
def test_the_regulatory_limit_ending_on_a_holiday_ends_on_the_next_working_day(received, last_day):
    day = day_limit(at(received), 15, working=False, roll_past_holiday=True, cal=Calendar())

    assert day == dt.date.fromisoformat(last_day)


def test_working_days_count_make_up_days_and_skip_holidays():
    # Fri 24 Jan 2025: Sun 26 (make-up), Mon 27, then 28 Jan - 4 Feb off, Wed 5 Feb
    day = day_limit(
        at("2025-01-24 10:00"), 3, working=True, roll_past_holiday=False, cal=Calendar()
    )

    assert day == dt.date(2025, 2, 5)


def test_a_limit_reaching_an_unknown_year_is_an_error_not_a_guess():
    with pytest.raises(CalendarUnknownYear) as exc:
        day_limit(at("2026-12-25 10:00"), 15, working=False, roll_past_holiday=True, cal=Calendar())

    assert exc.value.year == 2027


def test_business_hours_reaching_an_unknown_year_are_an_error():
    with pytest.raises(CalendarUnknownYear):
        add_business_seconds(at("2026-12-31 17:00"), 2 * HOUR, OFFICE_HOURS, Calendar())


def test_an_entered_schedule_makes_the_next_year_countable(role_users):
    from kefu.core.services import calendar_year_save
    from tests.factories import SCHEDULE_2027, schedule_days

    calendar_year_save(year=2027, days=schedule_days(**SCHEDULE_2027), by=role_users["admin"])

    day = day_limit(
        at("2027-01-25 10:00"), 15, working=False, roll_past_holiday=True, cal=Calendar()
    )

    # 9 Feb 2027 is inside the entered Spring Festival (6-13 Feb) → Sunday 14 → Monday 15
    assert day == dt.date(2027, 2, 15)


@pytest.mark.parametrize(
    "windows,message",
    [
        ([], "at least one window"),
        ([["09:00"]], "pair of times"),
        ([["9:00", "12:00"]], "not a time"),
        ([["12:00", "09:00"]], "ends before it starts"),
        ([["09:00", "12:00"], ["11:00", "13:00"]], "overlaps"),
        ([["09:00", "24:30"]], "not a time"),
    ],
)
def test_bad_windows_are_refused_with_a_reason(windows, message):
    from django.utils import translation

    # the reasons are translated; read them in the language of their message ids
    with translation.override("en"), pytest.raises(ValueError, match=message):
        deadlines.parse_windows(windows)


def test_a_configured_policy_overrides_the_default():
    from kefu.tickets.models import BusinessHours, SlaPolicy

    hours = BusinessHours.objects.create(
        code="hotline", name="热线", windows=[["08:00", "22:00"]], working_days_only=False
    )
    SlaPolicy.objects.create(
        clock="first_response", kind="", amount=30, unit="minutes", business_hours=hours
    )

    policy = deadlines.policy_for("first_response", "complaint")

    assert (policy.amount, policy.unit) == (30, "minutes")
    assert policy.hours == Hours(windows=((480, 1320),), working_days_only=False)


def test_a_new_ticket_reads_no_configuration_the_process_keeps(role_users, floor, create):
    """The owner's team, the SLA policies and the entered calendar years are kept per
    configuration generation: a second ticket reads only the generation's token."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    create(role_users["agent"])
    with CaptureQueriesContext(connection) as queries:
        create(role_users["agent"])

    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "configgeneration" in tables
    for kept in ("tickets_slapolicy", "core_calendaryear", "tickets_teammember"):
        assert kept not in tables


def test_a_policy_entered_after_tickets_were_made_applies_to_the_next_one(role_users, create):
    from kefu.tickets.models import Clock, SlaPolicy

    def resolution_due(ticket):
        return ticket.clocks.get(name=Clock.Name.RESOLUTION).due_day

    before = create(role_users["agent"])
    SlaPolicy.objects.create(clock="resolution", kind="inquiry", amount=10, unit="days")
    after = create(role_users["agent"])
    SlaPolicy.objects.filter(kind="inquiry").delete()
    again = create(role_users["agent"])

    # Tuesday 24 Nov: 3 working days by default, 10 calendar days as configured
    assert resolution_due(before) == dt.date(2026, 11, 27)
    assert resolution_due(after) == dt.date(2026, 12, 4)
    assert resolution_due(again) == dt.date(2026, 11, 27)


def test_a_team_change_gives_the_next_ticket_the_new_owner_team(role_users, floor, create):
    from kefu.tickets.models import TeamMember

    agent = role_users["agent"]
    first = create(agent)
    TeamMember.objects.filter(user=agent).get().delete()
    TeamMember.objects.create(team=floor["desk"], user=agent)
    second = create(agent)

    assert (first.owner_team, second.owner_team) == (floor["frontline"], floor["desk"])


def test_configured_regulatory_limits_override_the_defaults():
    from kefu.tickets.models import RegulatoryLimit

    assert deadlines.regulatory_limits("bank").decide_days == 15
    RegulatoryLimit.objects.create(
        institution_type="securities",
        decide_days=10,
        extended_days=20,
        further_extension_days=10,
        review_days=30,
        day_kind="working",
    )

    limits = deadlines.regulatory_limits("securities")

    assert (limits.decide_days, limits.working_days, limits.days_for(2)) == (10, True, 30)


def test_the_institution_type_chooses_the_regulatory_limits(settings, role_users, create):
    from kefu.tickets.models import RegulatoryLimit

    RegulatoryLimit.objects.create(
        institution_type="insurer",
        decide_days=10,
        extended_days=20,
        further_extension_days=30,
        review_days=30,
    )
    bank = create(role_users["agent"], content="我要投诉", kind="complaint")
    settings.KEFU_INSTITUTION_TYPE = "insurer"

    insurer = create(role_users["agent"], content="我要投诉理赔太慢", kind="complaint")

    assert (bank.institution_type, insurer.institution_type) == ("bank", "insurer")
    assert bank.clocks.get(name="resolution").due_day == dt.date(2026, 12, 9)
    assert insurer.clocks.get(name="resolution").due_day == dt.date(2026, 12, 4)


def test_the_institution_type_is_a_setting_read_from_the_environment(monkeypatch):
    import importlib

    import kefu.settings

    monkeypatch.setenv("KEFU_INSTITUTION_TYPE", "insurer")
    try:
        assert importlib.reload(kefu.settings).KEFU_INSTITUTION_TYPE == "insurer"
    finally:
        monkeypatch.delenv("KEFU_INSTITUTION_TYPE")
        importlib.reload(kefu.settings)
    assert kefu.settings.KEFU_INSTITUTION_TYPE == "bank"


def test_a_misspelt_institution_type_fails_the_system_check(settings):
    from kefu.tickets.checks import check_institution_type

    settings.KEFU_INSTITUTION_TYPE = "insurance"

    assert [e.id for e in check_institution_type(None)] == ["tickets.E001"]
    settings.KEFU_INSTITUTION_TYPE = "securities"
    assert check_institution_type(None) == []
