"""CAL-1: working and trading days, entering a year's schedule, reading schedule files."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from kefu.core import calendars, services
from kefu.core.calendars import (
    HOLIDAY,
    WORKDAY,
    Calendar,
    CalendarUnknownYear,
    ScheduleDay,
    missing_next_year_warning,
)
from kefu.core.errors import NotFound, ValidationFailed
from kefu.core.models import AuditEvent, CalendarDay, CalendarYear
from tests.factories import SCHEDULE_2027, schedule_days

D = dt.date.fromisoformat

# The State Council notices (国办发明电), as published.
NOTICE_2025 = {
    "holidays": [
        ("元旦", "2025-01-01", "2025-01-01"),
        ("春节", "2025-01-28", "2025-02-04"),
        ("清明节", "2025-04-04", "2025-04-06"),
        ("劳动节", "2025-05-01", "2025-05-05"),
        ("端午节", "2025-05-31", "2025-06-02"),
        ("国庆节、中秋节", "2025-10-01", "2025-10-08"),
    ],
    "workdays": [
        ("春节", "2025-01-26"),
        ("春节", "2025-02-08"),
        ("劳动节", "2025-04-27"),
        ("国庆节、中秋节", "2025-09-28"),
        ("国庆节、中秋节", "2025-10-11"),
    ],
}
NOTICE_2026 = {
    "holidays": [
        ("元旦", "2026-01-01", "2026-01-03"),
        ("春节", "2026-02-15", "2026-02-23"),
        ("清明节", "2026-04-04", "2026-04-06"),
        ("劳动节", "2026-05-01", "2026-05-05"),
        ("端午节", "2026-06-19", "2026-06-21"),
        ("中秋节", "2026-09-25", "2026-09-27"),
        ("国庆节", "2026-10-01", "2026-10-07"),
    ],
    "workdays": [
        ("元旦", "2026-01-04"),
        ("春节", "2026-02-14"),
        ("春节", "2026-02-28"),
        ("劳动节", "2026-05-09"),
        ("国庆节", "2026-09-20"),
        ("国庆节", "2026-10-10"),
    ],
}


@pytest.fixture(autouse=True)
def _english(settings):
    # Messages are asserted in English, the msgid language, whatever the default UI language.
    settings.LANGUAGE_CODE = "en"


def dates(days, kind):
    return sorted(d.date for d in days if d.kind == kind)


# -- the packaged calendar against the notices ---------------------------------------------------


@pytest.mark.parametrize(("year", "notice"), [(2025, NOTICE_2025), (2026, NOTICE_2026)])
def test_the_package_matches_the_state_council_notice(db, year, notice):
    official = schedule_days(**notice)

    schedule = Calendar().schedule(year)

    assert schedule.source == "package"
    assert sorted(schedule.holidays) == dates(official, HOLIDAY)
    assert sorted(schedule.workdays) == dates(official, WORKDAY)


def test_package_holidays_carry_the_chinese_names_of_the_notices(db):
    schedule = Calendar().schedule(2026)

    assert sorted(set(schedule.holidays.values())) == sorted(
        ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]
    )
    assert schedule.workdays[D("2026-02-14")] == "春节"


@pytest.mark.parametrize("day", ["2026-02-14", "2026-02-28", "2025-02-08", "2025-10-11"])
def test_a_make_up_saturday_is_a_working_day_but_not_a_trading_day(db, day):
    cal = Calendar()

    assert cal.is_working_day(D(day)) is True
    assert cal.is_trading_day(D(day)) is False


@pytest.mark.parametrize("day", ["2026-01-04", "2026-09-20", "2025-01-26", "2025-09-28"])
def test_a_make_up_sunday_is_a_working_day_but_not_a_trading_day(db, day):
    cal = Calendar()

    assert cal.is_working_day(D(day)) is True
    assert cal.is_trading_day(D(day)) is False


@pytest.mark.parametrize("day", ["2026-02-16", "2026-10-06", "2025-01-01", "2025-10-08"])
def test_a_holiday_on_a_weekday_is_neither_working_nor_trading(db, day):
    cal = Calendar()

    assert cal.is_holiday(D(day)) is True
    assert cal.is_working_day(D(day)) is False
    assert cal.is_trading_day(D(day)) is False


def test_an_ordinary_weekday_and_weekend(db):
    cal = Calendar()

    assert (cal.is_working_day(D("2026-03-02")), cal.is_trading_day(D("2026-03-02"))) == (
        True,
        True,
    )
    assert (cal.is_working_day(D("2026-03-07")), cal.is_trading_day(D("2026-03-07"))) == (
        False,
        False,
    )


def test_it_names_holidays_and_make_up_days(db):
    cal = Calendar()

    assert cal.holiday_name(D("2026-02-17")) == "春节"
    assert cal.holiday_name(D("2026-02-14")) == "春节"
    assert cal.holiday_name(D("2026-03-02")) == ""


# -- arithmetic ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2026-02-13", 1, "2026-02-14"),  # Friday → the make-up Saturday
        ("2026-02-13", 2, "2026-02-24"),  # then over the nine days of Spring Festival
        ("2026-02-14", 1, "2026-02-24"),
        ("2026-02-24", -1, "2026-02-14"),
        ("2026-02-15", 5, "2026-02-28"),  # the second make-up Saturday is the fifth
        ("2025-01-27", 1, "2025-02-05"),
        ("2025-01-24", 1, "2025-01-26"),  # the make-up Sunday before Spring Festival 2025
        ("2025-09-30", 1, "2025-10-09"),
        ("2026-02-16", 0, "2026-02-16"),  # zero days: the start, whatever it is
    ],
)
def test_it_adds_working_days_across_the_spring_festival(db, start, n, expected):
    assert Calendar().add_working_days(D(start), n) == D(expected)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2026-02-13", 1, "2026-02-24"),  # the make-up Saturday does not trade
        ("2026-02-24", -1, "2026-02-13"),
        ("2026-02-13", 5, "2026-03-02"),
        ("2025-09-30", 1, "2025-10-09"),
    ],
)
def test_it_adds_trading_days(db, start, n, expected):
    assert Calendar().add_trading_days(D(start), n) == D(expected)


def test_the_next_trading_day_after_a_holiday_eve(db):
    cal = Calendar()

    assert cal.next_trading_day(D("2026-02-13")) == D("2026-02-24")
    assert cal.next_trading_day(D("2026-09-30")) == D("2026-10-08")
    assert cal.previous_trading_day(D("2026-10-08")) == D("2026-09-30")


@pytest.mark.parametrize(
    ("year", "month", "n", "expected"),
    [
        (2026, 2, 1, "2026-02-02"),
        (2026, 2, 10, "2026-02-13"),
        (2026, 2, 11, "2026-02-14"),  # the make-up Saturday counts
        (2026, 2, 12, "2026-02-24"),
        (2026, 2, 16, "2026-02-28"),
        (2026, 1, 1, "2026-01-04"),  # New Year holiday, then the make-up Sunday
        (2025, 10, 1, "2025-10-09"),
        (2026, 10, 1, "2026-10-08"),
    ],
)
def test_it_finds_the_nth_working_day_of_a_month(db, year, month, n, expected):
    assert Calendar().nth_working_day(year, month, n) == D(expected)


@pytest.mark.parametrize(
    ("year", "month", "n", "message"),
    [
        (2026, 2, 17, "2026-02 has only 16 working days."),
        (2026, 2, 0, "n must be 1 or more."),
        (2026, 13, 1, "The month must be between 1 and 12."),
    ],
)
def test_it_refuses_an_nth_working_day_that_does_not_exist(db, year, month, n, message):
    with pytest.raises(ValueError) as excinfo:
        Calendar().nth_working_day(year, month, n)

    assert str(excinfo.value) == message


def test_it_counts_working_days_between_two_dates(db):
    assert Calendar().working_days_between(D("2026-02-13"), D("2026-02-24")) == 2


# -- unknown years ---------------------------------------------------------------------------


def test_crossing_new_year_into_an_unknown_year_raises(db):
    with pytest.raises(CalendarUnknownYear) as excinfo:
        Calendar().add_working_days(D("2026-12-30"), 3)

    assert excinfo.value.year == 2027
    assert excinfo.value.status == 422
    assert excinfo.value.code == "calendar_unknown_year"
    assert excinfo.value.message == (
        "The holiday schedule of 2027 is not known. An administrator must enter the State "
        "Council's official schedule for 2027 (holidays and make-up working days) before dates "
        "in that year can be counted."
    )


@pytest.mark.parametrize("day", ["2027-01-04", "2027-01-02", "2003-06-02"])
def test_every_question_about_an_unknown_year_raises(db, day):
    cal = Calendar()

    with pytest.raises(CalendarUnknownYear):
        cal.is_working_day(D(day))
    with pytest.raises(CalendarUnknownYear):
        cal.is_trading_day(D(day))


def test_counting_back_before_the_package_raises(db):
    with pytest.raises(CalendarUnknownYear) as excinfo:
        Calendar().add_trading_days(D("2004-01-05"), -3)

    assert excinfo.value.year == 2003


def test_an_entered_2027_lets_deadlines_cross_new_year(db):
    services.calendar_year_save(year=2027, days=schedule_days(**SCHEDULE_2027), by=None)
    cal = Calendar()

    assert cal.knows_year(2027) is True
    assert cal.add_working_days(D("2026-12-30"), 3) == D("2027-01-05")
    assert cal.next_trading_day(D("2026-12-31")) == D("2027-01-04")
    assert cal.add_working_days(D("2027-02-05"), 1) == D("2027-02-15")
    assert cal.is_working_day(D("2027-02-20")) is True
    assert cal.is_trading_day(D("2027-02-20")) is False


# -- entering a year ---------------------------------------------------------------------------


def test_entered_days_override_the_package_for_the_whole_year(db):
    # given an entered 2026 that lists only New Year's Day
    services.calendar_year_save(
        year=2026, days=schedule_days(holidays=[("元旦", "2026-01-01", "2026-01-01")]), by=None
    )
    cal = Calendar()

    # then the package's other 2026 days no longer apply
    assert cal.schedule(2026).source == "entered"
    assert cal.is_working_day(D("2026-01-01")) is False
    assert cal.is_working_day(D("2026-01-02")) is True
    assert cal.is_working_day(D("2026-02-14")) is False
    assert cal.is_trading_day(D("2026-02-16")) is True
    # and other years still come from the package
    assert cal.schedule(2025).source == "package"


def test_saving_a_year_records_it_and_audits_old_and_new_days(db, make_user):
    admin = make_user("admin1", "admin")
    days = schedule_days(**SCHEDULE_2027)

    entered = services.calendar_year_save(
        year=2027, days=days, source="国办发明电〔2026〕9号", by=admin
    )

    assert entered.year == 2027
    assert entered.source == "国办发明电〔2026〕9号"
    assert entered.entered_by == admin
    assert CalendarDay.objects.filter(calendar_year=entered).count() == 12
    event = AuditEvent.objects.get(action="calendar.year.saved")
    assert event.actor == admin
    assert (event.object_type, event.object_id) == ("core.calendaryear", str(entered.pk))
    assert event.changes["source"] == {"old": "", "new": "国办发明电〔2026〕9号"}
    assert event.changes["days"]["old"] == []
    assert event.changes["days"]["new"][:2] == [
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        {"date": "2027-01-02", "kind": "holiday", "name": "元旦"},
    ]
    assert event.changes["days"]["new"][-1] == {
        "date": "2027-02-20",
        "kind": "workday",
        "name": "春节",
    }
    assert event.data == {"year": 2027, "previous_source": "none", "holidays": 11, "workdays": 1}


def test_overriding_a_package_year_audits_the_package_days_as_old(db):
    services.calendar_year_save(year=2026, days=schedule_days(**NOTICE_2026), by=None)

    event = AuditEvent.objects.get(action="calendar.year.saved")
    assert event.actor_label == "system"
    assert event.data["previous_source"] == "package"
    assert len(event.changes["days"]["old"]) == 39
    assert event.changes["days"]["old"][0] == {
        "date": "2026-01-01",
        "kind": "holiday",
        "name": "元旦",
    }
    assert len(event.changes["days"]["new"]) == 39


def test_saving_a_year_again_replaces_its_days(db, make_user):
    admin = make_user("admin1", "admin")
    services.calendar_year_save(year=2027, days=schedule_days(**SCHEDULE_2027), by=admin)

    services.calendar_year_save(
        year=2027,
        days=schedule_days(holidays=[("元旦", "2027-01-01", "2027-01-01")]),
        source="corrected",
        by=admin,
    )

    assert CalendarYear.objects.count() == 1
    assert list(CalendarDay.objects.values_list("date", "kind", "name")) == [
        (D("2027-01-01"), "holiday", "元旦")
    ]
    last = AuditEvent.objects.filter(action="calendar.year.saved").order_by("id").last()
    assert last.data["previous_source"] == "entered"
    assert len(last.changes["days"]["old"]) == 12
    assert last.changes["days"]["new"] == [
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}
    ]
    assert last.changes["source"] == {"old": "", "new": "corrected"}
    assert Calendar().is_working_day(D("2027-01-04")) is True
    assert Calendar().is_working_day(D("2027-02-08")) is True


def H(date, name="春节", where=""):
    return ScheduleDay(date=D(date), kind=HOLIDAY, name=name, where=where)


def W(date, name="春节", where=""):
    return ScheduleDay(date=D(date), kind=WORKDAY, name=name, where=where)


@pytest.mark.parametrize(
    ("year", "days", "errors"),
    [
        (
            2027,
            [H("2027-01-01"), H("2028-01-01", where="Row 3")],
            {"days": ["Row 3: 2028-01-01 is not in 2027; list only dates of that year."]},
        ),
        (
            2027,
            [H("2027-02-06"), W("2027-02-06")],
            {
                "days": [
                    "2027-02-06: 2027-02-06 cannot be both a holiday and a make-up working day."
                ]
            },
        ),
        (
            2027,
            [H("2027-02-06"), H("2027-02-06", where="Row 5")],
            {"days": ["Row 5: 2027-02-06 is listed twice."]},
        ),
        (
            2027,
            [H("2027-02-06"), W("2027-02-22", where="Row 4")],
            {
                "days": [
                    "Row 4: 2027-02-22 is a weekday; a make-up working day is a Saturday or "
                    "Sunday that becomes a working day."
                ]
            },
        ),
        (
            2027,
            [H("2027-02-06", name="", where="Row 2")],
            {"days": ["Row 2: name the holiday of 2027-02-06, e.g. 春节."]},
        ),
        (
            2027,
            [W("2027-02-20")],
            {"days": ["The schedule lists no holidays; enter the whole year's schedule."]},
        ),
        (
            2027,
            [H("2027-02-06", name="节" * 33)],
            {"days": ["2027-02-06: the name must be at most 32 characters."]},
        ),
        (
            1999,
            [H("1999-02-16")],
            {"year": ["The year must be between 2000 and 2100."]},
        ),
    ],
)
def test_a_wrong_schedule_is_refused_and_nothing_is_saved(db, year, days, errors):
    with pytest.raises(ValidationFailed) as excinfo:
        services.calendar_year_save(year=year, days=days, by=None)

    assert excinfo.value.errors == errors
    assert excinfo.value.message == "The schedule has errors; nothing was saved."
    assert CalendarYear.objects.count() == 0
    assert CalendarDay.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_wrong_correction_keeps_the_year_entered_before(db):
    services.calendar_year_save(year=2027, days=schedule_days(**SCHEDULE_2027), by=None)

    with pytest.raises(ValidationFailed):
        services.calendar_year_save(
            year=2027, days=[H("2027-01-01"), W("2027-01-04")], source="typo", by=None
        )

    assert CalendarDay.objects.count() == 12
    assert CalendarYear.objects.get().source == ""
    assert AuditEvent.objects.filter(action="calendar.year.saved").count() == 1


def test_a_too_long_source_is_refused(db):
    with pytest.raises(ValidationFailed) as excinfo:
        services.calendar_year_save(
            year=2027, days=schedule_days(**SCHEDULE_2027), source="x" * 201, by=None
        )

    assert excinfo.value.errors == {"source": ["The source must be at most 200 characters."]}


# -- deleting an entered year ------------------------------------------------------------------


def test_deleting_an_entered_year_falls_back_to_the_package(db, make_user):
    admin = make_user("admin1", "admin")
    services.calendar_year_save(
        year=2026, days=schedule_days(holidays=[("元旦", "2026-01-01", "2026-01-01")]), by=admin
    )

    now = services.calendar_year_delete(year=2026, by=admin)

    assert now == "package"
    assert CalendarYear.objects.count() == 0
    assert CalendarDay.objects.count() == 0
    cal = Calendar()
    assert cal.schedule(2026).source == "package"
    assert cal.is_working_day(D("2026-02-14")) is True
    event = AuditEvent.objects.get(action="calendar.year.deleted")
    assert event.actor == admin
    assert event.data == {"year": 2026, "now_source": "package"}
    assert event.changes["days"]["old"] == [
        {"date": "2026-01-01", "kind": "holiday", "name": "元旦"}
    ]
    assert len(event.changes["days"]["new"]) == 39


def test_deleting_a_year_the_package_does_not_know_leaves_it_unknown(db):
    services.calendar_year_save(year=2027, days=schedule_days(**SCHEDULE_2027), by=None)

    now = services.calendar_year_delete(year=2027, by=None)

    assert now == "none"
    assert Calendar().knows_year(2027) is False
    event = AuditEvent.objects.get(action="calendar.year.deleted")
    assert event.changes["days"]["new"] == []
    assert len(event.changes["days"]["old"]) == 12


def test_deleting_a_year_nobody_entered_is_not_found(db):
    with pytest.raises(NotFound) as excinfo:
        services.calendar_year_delete(year=2026, by=None)

    assert excinfo.value.message == (
        "No schedule was entered for 2026, so there is nothing to delete."
    )
    assert AuditEvent.objects.count() == 0


# -- schedule files ----------------------------------------------------------------------------


def test_it_reads_a_csv_schedule():
    text = (
        "\ufeffdate,kind,name\n"
        "# 元旦\n"
        "2027-01-01,holiday,元旦\n"
        "\n"
        "2027/2/20, WORKDAY ,春节\n"
        '2027-02-06,holiday,"春节"\n'
    )

    parsed = calendars.parse_schedule(text)

    assert parsed.days == [
        ScheduleDay(date=D("2027-01-01"), kind=HOLIDAY, name="元旦", where="Row 3"),
        ScheduleDay(date=D("2027-02-20"), kind=WORKDAY, name="春节", where="Row 5"),
        ScheduleDay(date=D("2027-02-06"), kind=HOLIDAY, name="春节", where="Row 6"),
    ]
    assert parsed.inferred_year() == 2027


def test_it_reads_tab_separated_text_pasted_from_a_spreadsheet():
    parsed = calendars.parse_schedule("2027-01-01\tholiday\t元旦\n2027-02-20\tworkday\n")

    assert [(d.date, d.kind, d.name) for d in parsed.days] == [
        (D("2027-01-01"), HOLIDAY, "元旦"),
        (D("2027-02-20"), WORKDAY, ""),
    ]


def test_it_reports_every_bad_csv_row_with_its_number():
    text = (
        "date,kind,name\n"
        "2027-01-01,holiday,元旦\n"
        "2027-02-30,holiday,春节\n"
        "2027-02-06,holliday,春节\n"
        "2027-02-07\n"
        "2027-02-08,holiday,春节,extra\n"
    )

    with pytest.raises(ValidationFailed) as excinfo:
        calendars.parse_schedule(text)

    assert excinfo.value.errors == {
        "days": [
            'Row 3: "2027-02-30" is not a date; write it as YYYY-MM-DD, e.g. 2027-02-06.',
            'Row 4: the kind "holliday" is neither holiday nor workday (a make-up working day).',
            "Row 5: expected 3 columns date,kind,name but found 1.",
            "Row 6: expected 3 columns date,kind,name but found 4.",
        ]
    }


def test_reading_a_file_reports_unreadable_lines_and_broken_rules_in_file_order():
    text = (
        "date,kind,name\n"
        "2027-01-01,holiday,元旦\n"
        "2027-01-04,workday,元旦\n"
        "2027-02-30,holiday,春节\n"
        "2027-01-01,workday,元旦\n"
    )

    with pytest.raises(ValidationFailed) as excinfo:
        calendars.read_schedule(text)

    assert excinfo.value.errors == {
        "days": [
            "Row 3: 2027-01-04 is a weekday; a make-up working day is a Saturday or Sunday "
            "that becomes a working day.",
            'Row 4: "2027-02-30" is not a date; write it as YYYY-MM-DD, e.g. 2027-02-06.',
            "Row 5: 2027-01-01 cannot be both a holiday and a make-up working day.",
            "Row 5: 2027-01-01 is a weekday; a make-up working day is a Saturday or Sunday "
            "that becomes a working day.",
        ]
    }


def test_reading_a_file_checks_it_against_the_year_being_entered():
    with pytest.raises(ValidationFailed) as excinfo:
        calendars.read_schedule("2027-01-01,holiday,元旦\n", year=2028)

    assert excinfo.value.errors == {
        "days": ["Row 1: 2027-01-01 is not in 2028; list only dates of that year."]
    }


def test_reading_a_file_takes_the_year_most_dates_fall_in():
    with pytest.raises(ValidationFailed) as excinfo:
        calendars.read_schedule(
            "2027-01-01,holiday,元旦\n2027-02-06,holiday,春节\n2072-02-07,holiday,春节\n"
        )

    assert excinfo.value.errors == {
        "days": ["Row 3: 2072-02-07 is not in 2027; list only dates of that year."]
    }


def test_reading_a_good_file_sets_its_year():
    parsed = calendars.read_schedule("2027-01-01,holiday,元旦\n2027-02-20,workday,春节\n")

    assert parsed.year == 2027
    assert len(parsed.days) == 2


def test_a_json_file_for_another_year_is_refused():
    with pytest.raises(ValidationFailed) as excinfo:
        calendars.read_schedule('{"year": 2028, "days": []}', year=2027)

    assert excinfo.value.errors == {"days": ["The file is for 2028 but the year entered is 2027."]}


def test_it_reads_a_json_schedule():
    text = (
        '{"year": 2027, "source": "国办发明电〔2026〕9号", "days": ['
        '{"date": "2027-01-01", "kind": "holiday", "name": "元旦"},'
        '{"date": "2027-02-20", "kind": "workday", "name": "春节"}]}'
    )

    parsed = calendars.parse_schedule(text)

    assert parsed.year == 2027
    assert parsed.source == "国办发明电〔2026〕9号"
    assert [(d.date, d.kind, d.name, d.where) for d in parsed.days] == [
        (D("2027-01-01"), HOLIDAY, "元旦", "Item 1"),
        (D("2027-02-20"), WORKDAY, "春节", "Item 2"),
    ]


def test_it_reads_a_bare_json_list():
    parsed = calendars.parse_schedule('[{"date": "2027-01-01", "kind": "holiday", "name": "元旦"}]')

    assert parsed.year is None
    assert parsed.inferred_year() == 2027


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        (
            '{"year": "2027", "days": [{"date": 20270101, "kind": "holiday"}, 3]}',
            [
                "The year must be a whole number such as 2027.",
                "Item 1: 20270101 is not a date; write it as YYYY-MM-DD, e.g. 2027-02-06.",
                'Item 2: each day must be an object with "date", "kind" and "name".',
            ],
        ),
        (
            '{"days": {"date": "2027-01-01"}}',
            ['The JSON must be a list of days or an object with a "days" list.'],
        ),
        ("[1, 2", ["The JSON cannot be read at line 1, column 6: Expecting ',' delimiter."]),
    ],
)
def test_it_reports_bad_json(text, errors):
    with pytest.raises(ValidationFailed) as excinfo:
        calendars.parse_schedule(text)

    assert excinfo.value.errors == {"days": errors}


def test_it_decodes_a_file_saved_by_excel_in_gb18030():
    data = "2027-01-01,holiday,元旦\n".encode("gb18030")

    assert calendars.decode_schedule_file(data) == "2027-01-01,holiday,元旦\n"


def test_it_refuses_a_file_that_is_too_large():
    with pytest.raises(ValidationFailed) as excinfo:
        calendars.decode_schedule_file(b"#" * (256 * 1024 + 1))

    assert excinfo.value.message == (
        "The file is larger than 256 KB; a year's schedule is a few dozen lines."
    )


def test_a_schedule_written_as_csv_reads_back_the_same(db):
    days = Calendar().schedule(2026).days()

    parsed = calendars.parse_schedule(calendars.schedule_csv(days))

    assert [(d.date, d.kind, d.name) for d in parsed.days] == [
        (d.date, d.kind, d.name) for d in days
    ]


def test_holiday_periods_group_consecutive_days(db):
    periods = calendars.holiday_periods(Calendar().schedule(2025))

    assert [(p.names, p.start, p.end, p.days) for p in periods][-1] == (
        ["国庆节", "中秋节"],
        D("2025-10-01"),
        D("2025-10-08"),
        8,
    )
    assert len(periods) == 6


# -- the December warning ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "warns"),
    [
        ("2026-11-30 23:59", False),
        ("2026-12-01 00:01", True),
        ("2026-12-31 12:00", True),
        ("2025-12-01 09:00", False),  # 2026 is in the package
    ],
)
def test_the_warning_starts_on_1_december_while_next_year_is_missing(db, now, warns):
    with time_machine.travel(dt.datetime.fromisoformat(now + "+08:00"), tick=False):
        warning = missing_next_year_warning()

    expected = (
        "The 2027 holiday schedule has not been entered: deadlines that reach into 2027 cannot "
        "be counted. Enter the State Council's schedule under Calendar."
    )
    assert warning == (expected if warns else None)


def test_the_warning_stops_once_next_year_is_entered(db):
    services.calendar_year_save(year=2027, days=schedule_days(**SCHEDULE_2027), by=None)

    assert missing_next_year_warning(today=D("2026-12-01")) is None
