"""CAL-1: the calendar pages for administrators and the December warning."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kefu.core import services
from kefu.core.calendars import Calendar
from kefu.core.models import AuditEvent, CalendarDay, CalendarYear
from tests.factories import SCHEDULE_2027, schedule_days

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
LATE_NOVEMBER = dt.datetime.fromisoformat("2026-11-25 10:00+08:00")
CSV_2027 = (
    "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,holiday,春节\n2027-02-20,workday,春节\n"
)


@pytest.fixture(autouse=True)
def _english(settings):
    # Messages are asserted in English, the msgid language, whatever the default UI language.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def admin(make_user):
    return make_user("admin1", "admin")


@pytest.fixture
def admin_client(admin, client_for):
    return client_for(admin)


@pytest.fixture
def agent_client(make_user, client_for):
    return client_for(make_user("agent1", "agent"))


def enter_2027(by=None):
    return services.calendar_year_save(year=2027, days=schedule_days(**SCHEDULE_2027), by=by)


# -- the list of years -----------------------------------------------------------------------------


@time_machine.travel(LATE_NOVEMBER, tick=False)
def test_the_list_shows_package_years_and_the_missing_next_year(admin_client):
    response = admin_client.get(reverse("core:calendar"))

    assert response.status_code == 200
    years = [(i.year, i.source, i.holidays, i.workdays) for i in response.context["years"]]
    assert years[:3] == [
        (2027, "missing", 0, 0),
        (2026, "package", 33, 6),
        (2025, "package", 28, 5),
    ]
    assert years[-1][:2] == (2004, "package")
    assert 'href="/calendar/enter/?year=2027"' in response.content.decode()


@time_machine.travel(LATE_NOVEMBER, tick=False)
def test_the_list_shows_which_source_applies_to_an_entered_year(admin, admin_client):
    enter_2027(by=admin)
    services.calendar_year_save(
        year=2026, days=schedule_days(holidays=[("元旦", "2026-01-01", "2026-01-01")]), by=admin
    )

    response = admin_client.get(reverse("core:calendar"))

    years = {i.year: i for i in response.context["years"]}
    assert (years[2027].source, years[2027].holidays, years[2027].workdays) == ("entered", 11, 1)
    assert (years[2026].source, years[2026].holidays, years[2026].workdays) == ("entered", 1, 0)
    assert years[2026].entered.entered_by == admin
    assert years[2025].source == "package"


def test_the_list_query_count_does_not_grow_with_entered_years(admin, admin_client):
    admin_client.get(reverse("core:calendar"))  # warm the session
    enter_2027(by=admin)
    with CaptureQueriesContext(connection) as one_year:
        admin_client.get(reverse("core:calendar"))
    services.calendar_year_save(
        year=2026, days=schedule_days(holidays=[("元旦", "2026-01-01", "2026-01-01")]), by=admin
    )
    with CaptureQueriesContext(connection) as two_years:
        admin_client.get(reverse("core:calendar"))

    assert len(one_year) == len(two_years)
    # session, user, the configuration token and permissions (2: the save before replaced the
    # generation), the years, groups for the header, session save (3)
    assert len(two_years) == 9


# -- one year --------------------------------------------------------------------------------------


def test_a_year_page_shows_holidays_and_make_up_days(admin_client):
    response = admin_client.get(reverse("core:calendar_year", args=[2026]))

    assert response.status_code == 200
    periods = [(p.start, p.end, p.days) for p in response.context["periods"]]
    assert periods[1] == (D("2026-02-15"), D("2026-02-23"), 9)
    assert len(periods) == 7
    assert [d for d, _name in response.context["workdays"]] == [
        D("2026-01-04"),
        D("2026-02-14"),
        D("2026-02-28"),
        D("2026-05-09"),
        D("2026-09-20"),
        D("2026-10-10"),
    ]
    assert response.context["entered"] is None
    assert "2026-02-14" in response.content.decode()


def test_a_year_page_shows_who_entered_the_year(admin, admin_client):
    services.calendar_year_save(
        year=2027, days=schedule_days(**SCHEDULE_2027), source="国办发明电〔2026〕9号", by=admin
    )

    response = admin_client.get(reverse("core:calendar_year", args=[2027]))

    assert response.status_code == 200
    assert response.context["entered"].source == "国办发明电〔2026〕9号"
    body = response.content.decode()
    assert "国办发明电〔2026〕9号" in body
    assert "admin1" in body
    assert reverse("core:calendar_year_delete", args=[2027]) in body


def test_an_unknown_year_page_says_so(admin_client):
    response = admin_client.get(reverse("core:calendar_year", args=[2027]))

    assert response.status_code == 404
    assert response.context["unknown"].startswith("The holiday schedule of 2027 is not known.")
    assert 'href="/calendar/enter/?year=2027"' in response.content.decode()


# -- entering a year -------------------------------------------------------------------------------


def test_the_form_for_a_known_year_starts_from_its_schedule(admin_client):
    response = admin_client.get(reverse("core:calendar_enter"), {"year": "2026"})

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["year"] == 2026
    lines = form.initial["schedule"].splitlines()
    assert lines[:2] == ["date,kind,name", "2026-01-01,holiday,元旦"]
    assert len(lines) == 40


def test_an_admin_pastes_a_schedule(admin, admin_client):
    response = admin_client.post(
        reverse("core:calendar_enter"),
        {"year": "2027", "source": "国办发明电〔2026〕9号", "schedule": CSV_2027},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("core:calendar_year", args=[2027])
    entered = CalendarYear.objects.get(year=2027)
    assert (entered.source, entered.entered_by) == ("国办发明电〔2026〕9号", admin)
    assert list(entered.days.values_list("date", "kind")) == [
        (D("2027-01-01"), "holiday"),
        (D("2027-02-06"), "holiday"),
        (D("2027-02-20"), "workday"),
    ]
    event = AuditEvent.objects.get(action="calendar.year.saved")
    assert event.actor == admin
    assert len(event.changes["days"]["new"]) == 3


def test_an_admin_uploads_a_file_saved_by_excel(admin_client):
    upload = SimpleUploadedFile("2027.csv", CSV_2027.encode("gb18030"), "text/csv")

    response = admin_client.post(
        reverse("core:calendar_enter"), {"year": "2027", "schedule": "", "file": upload}
    )

    assert response.status_code == 302
    assert list(CalendarDay.objects.values_list("name", flat=True)) == ["元旦", "春节", "春节"]


def test_a_json_upload_takes_its_source_from_the_file(admin_client):
    upload = SimpleUploadedFile(
        "2027.json",
        b'{"year": 2027, "source": "notice", "days": '
        b'[{"date": "2027-01-01", "kind": "holiday", "name": "NY"}]}',
        "application/json",
    )

    response = admin_client.post(reverse("core:calendar_enter"), {"year": "2027", "file": upload})

    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2027).source == "notice"


@pytest.mark.parametrize(
    ("data", "field", "errors"),
    [
        (
            {"year": "2027", "schedule": CSV_2027 + "2027-02-31,holiday,春节\n2027-02-07,x,春节\n"},
            "schedule",
            [
                'Row 5: "2027-02-31" is not a date; write it as YYYY-MM-DD, e.g. 2027-02-06.',
                'Row 6: the kind "x" is neither holiday nor workday (a make-up working day).',
            ],
        ),
        (
            {"year": "2027", "schedule": CSV_2027 + "2027-02-22,workday,春节\n"},
            "schedule",
            [
                "Row 5: 2027-02-22 is a weekday; a make-up working day is a Saturday or Sunday "
                "that becomes a working day."
            ],
        ),
        (
            {"year": "2028", "schedule": CSV_2027},
            "schedule",
            [
                "Row 2: 2027-01-01 is not in 2028; list only dates of that year.",
                "Row 3: 2027-02-06 is not in 2028; list only dates of that year.",
                "Row 4: 2027-02-20 is not in 2028; list only dates of that year.",
            ],
        ),
        (
            {"year": "2027", "schedule": "  "},
            "schedule",
            ["Paste the year's schedule or upload a file."],
        ),
        (
            {"year": "1999", "schedule": CSV_2027},
            "year",
            ["Ensure this value is greater than or equal to 2000."],
        ),
        (
            {
                "year": "2027",
                "file": SimpleUploadedFile(
                    "2028.json",
                    b'{"year": 2028, "days": '
                    b'[{"date": "2028-01-01", "kind": "holiday", "name": "NY"}]}',
                ),
            },
            "file",
            ["The file is for 2028 but the year entered is 2027."],
        ),
    ],
)
def test_a_wrong_schedule_shows_field_errors_and_saves_nothing(admin_client, data, field, errors):
    response = admin_client.post(reverse("core:calendar_enter"), data)

    assert response.status_code == 422
    assert response.context["form"].errors[field] == errors
    assert CalendarYear.objects.count() == 0
    assert AuditEvent.objects.filter(action__startswith="calendar.").count() == 0


def test_the_field_errors_are_shown_on_the_page(admin_client):
    response = admin_client.post(
        reverse("core:calendar_enter"), {"year": "2027", "schedule": "2027-02-22,workday,春节\n"}
    )

    body = response.content.decode()
    assert 'class="errorlist"' in body
    assert "Row 1: 2027-02-22 is a weekday" in body


# -- deleting an entered year ------------------------------------------------------------------


def test_an_admin_deletes_an_entered_year(admin, admin_client):
    services.calendar_year_save(
        year=2026, days=schedule_days(holidays=[("元旦", "2026-01-01", "2026-01-01")]), by=admin
    )

    response = admin_client.post(reverse("core:calendar_year_delete", args=[2026]))

    assert response.status_code == 302
    assert response["Location"] == reverse("core:calendar")
    assert CalendarYear.objects.count() == 0
    assert Calendar().is_working_day(D("2026-02-14")) is True
    assert AuditEvent.objects.get(action="calendar.year.deleted").actor == admin


def test_deleting_a_year_nobody_entered_is_not_found(admin_client):
    response = admin_client.post(reverse("core:calendar_year_delete", args=[2026]))

    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="calendar.year.deleted").count() == 0


def test_delete_needs_a_post(admin, admin_client):
    enter_2027(by=admin)

    response = admin_client.get(reverse("core:calendar_year_delete", args=[2027]))

    assert response.status_code == 405
    assert CalendarYear.objects.count() == 1


# -- permissions -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "name", "args", "data"),
    [
        ("get", "core:calendar", [], {}),
        ("get", "core:calendar_year", [2026], {}),
        ("get", "core:calendar_enter", [], {}),
        ("post", "core:calendar_enter", [], {"year": "2027", "schedule": CSV_2027}),
        ("post", "core:calendar_year_delete", [2027], {}),
    ],
)
def test_an_agent_is_refused_and_nothing_changes(agent_client, method, name, args, data):
    enter_2027()
    before = list(CalendarDay.objects.values_list("date", "kind", "name"))
    events = AuditEvent.objects.count()

    response = getattr(agent_client, method)(reverse(name, args=args), data)

    assert response.status_code == 403
    assert list(CalendarDay.objects.values_list("date", "kind", "name")) == before
    assert CalendarYear.objects.get().source == ""
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("role", ["supervisor", "manager"])
def test_other_roles_cannot_open_the_calendar(role, make_user, client_for):
    client = client_for(make_user("someone", role))

    assert client.get(reverse("core:calendar")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("core:calendar"))

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/calendar/")


def test_the_nav_links_the_calendar_for_admins_only(admin_client, agent_client):
    link = f'href="{reverse("core:calendar")}"'

    assert link in admin_client.get(reverse("core:home")).content.decode()
    assert link not in agent_client.get(reverse("core:home")).content.decode()


# -- the December warning ------------------------------------------------------------------------
# Sessions expire after idle minutes, so each client signs in inside the travelled time.

WARNING = "The 2027 holiday schedule has not been entered"


@pytest.mark.parametrize(
    ("now", "shown"),
    [
        ("2026-11-30 23:00+08:00", False),
        ("2026-12-01 08:00+08:00", True),
        ("2026-12-31 20:00+08:00", True),
    ],
)
def test_admins_are_warned_from_1_december_while_next_year_is_missing(
    admin, client_for, now, shown
):
    with time_machine.travel(dt.datetime.fromisoformat(now), tick=False):
        response = client_for(admin).get(reverse("core:home"))

    assert (response.context["calendar_warning"] is not None) == shown
    assert (WARNING in response.content.decode()) == shown


def test_agents_are_not_warned(make_user, client_for):
    agent = make_user("agent1", "agent")

    with time_machine.travel(dt.datetime.fromisoformat("2026-12-01 08:00+08:00"), tick=False):
        response = client_for(agent).get(reverse("core:home"))

    assert response.context["calendar_warning"] is None
    assert WARNING not in response.content.decode()


def test_the_warning_is_gone_once_next_year_is_entered(admin, client_for):
    with time_machine.travel(dt.datetime.fromisoformat("2026-12-01 08:00+08:00"), tick=False):
        client = client_for(admin)
        before = client.get(reverse("core:calendar"))
        client.post(reverse("core:calendar_enter"), {"year": "2027", "schedule": CSV_2027})
        after = client.get(reverse("core:calendar"))

    assert WARNING in before.content.decode()
    assert after.context["calendar_warning"] is None
    assert WARNING not in after.content.decode()
