"""CAL-1: ``kefu calendar …``."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from kefu.core import services
from kefu.core.calendars import Calendar, CalendarUnknownYear
from kefu.core.models import AuditEvent, CalendarDay, CalendarYear
from tests.factories import SCHEDULE_2027, schedule_days

pytestmark = pytest.mark.django_db

UNKNOWN_2027 = (
    "The holiday schedule of 2027 is not known. An administrator must enter the State "
    "Council's official schedule for 2027 (holidays and make-up working days) before dates in "
    "that year can be counted."
)


@pytest.fixture(autouse=True)
def _english(settings):
    # Messages are asserted in English, the msgid language, whatever the default UI language.
    settings.LANGUAGE_CODE = "en"


def run(*args) -> str:
    out = io.StringIO()
    call_command("calendar", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("args", "output"),
    [
        (["is-working-day", "2026-02-14"], "yes\n"),
        (["is-trading-day", "2026-02-14"], "no\n"),
        (["is-working-day", "2026-02-16"], "no\n"),
        (["is-trading-day", "2026-02-24"], "yes\n"),
        (["add-working-days", "2026-02-13", "2"], "2026-02-24\n"),
        (["add-working-days", "2026-02-24", "-1"], "2026-02-14\n"),
        (["add-trading-days", "2026-02-13", "1"], "2026-02-24\n"),
        (["next-trading-day", "2026-09-30"], "2026-10-08\n"),
        (["nth-working-day", "2026-02", "11"], "2026-02-14\n"),
        (["nth-working-day", "2026-1", "1"], "2026-01-04\n"),
    ],
)
def test_it_answers_calendar_questions(args, output):
    assert run(*args) == output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["is-working-day", "2026-02-30"],
            "'2026-02-30' is not a date: write it as YYYY-MM-DD, e.g. 2026-02-14.",
        ),
        (
            ["is-trading-day", "14.2.2026"],
            "'14.2.2026' is not a date: write it as YYYY-MM-DD, e.g. 2026-02-14.",
        ),
        (
            ["add-working-days", "2026-02-13", "two"],
            "N must be a whole number such as 5, not 'two'.",
        ),
        (
            ["nth-working-day", "2026-13", "1"],
            "'2026-13' is not a month: write it as YYYY-MM, e.g. 2026-02.",
        ),
        (["nth-working-day", "2026-02", "0"], "N must be 1 or more, not 0."),
        (["nth-working-day", "2026-02", "17"], "2026-02 has only 16 working days."),
        (["add-working-days", "2026-12-30", "3"], UNKNOWN_2027),
        (["next-trading-day", "2026-12-31"], UNKNOWN_2027),
        (["is-working-day", "2027-01-04"], UNKNOWN_2027),
        (["show", "2027"], UNKNOWN_2027),
        (["show", "next"], "YEAR must be a whole number such as 5, not 'next'."),
    ],
)
def test_it_refuses_bad_input_with_a_clear_message(args, message):
    with pytest.raises(CommandError) as excinfo:
        run(*args)

    assert str(excinfo.value) == message


def test_it_needs_an_action():
    with pytest.raises(CommandError) as excinfo:
        run()

    assert str(excinfo.value) == "Error: the following arguments are required: ACTION"


def test_it_shows_a_package_year():
    lines = run("show", "2026").splitlines()

    assert lines[0].startswith("2026: chinesecalendar ")
    assert lines[1] == "2026-01-01 Thu  holiday  元旦"
    assert "2026-02-14 Sat  workday  春节" in lines
    assert len(lines) == 1 + 39


def test_it_shows_an_entered_year(make_user):
    admin = make_user("admin1", "admin")
    services.calendar_year_save(
        year=2027, days=schedule_days(**SCHEDULE_2027), source="国办发明电〔2026〕9号", by=admin
    )

    lines = run("show", "2027").splitlines()

    today = timezone.localdate().isoformat()
    assert lines[0] == f"2027: entered by admin1 on {today} (source: 国办发明电〔2026〕9号)"
    assert lines[1] == "2027-01-01 Fri  holiday  元旦"
    assert lines[-1] == "2027-02-20 Sat  workday  春节"


CSV_2027 = """date,kind,name
2027-01-01,holiday,元旦
2027-01-02,holiday,元旦
2027-01-03,holiday,元旦
2027-02-06,holiday,春节
2027-02-07,holiday,春节
2027-02-20,workday,春节
"""


def test_it_imports_a_csv_file(tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text(CSV_2027, encoding="utf-8")

    output = run("import", str(path), "--source", "国办发明电〔2026〕9号")

    assert output == "Saved 2027: 5 holidays, 1 make-up working days (a year not known before).\n"
    entered = CalendarYear.objects.get(year=2027)
    assert entered.source == "国办发明电〔2026〕9号"
    assert entered.days.count() == 6
    assert Calendar().add_working_days(dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 4)
    event = AuditEvent.objects.get(action="calendar.year.saved")
    assert event.actor_label == "system"
    assert len(event.changes["days"]["new"]) == 6


def test_it_imports_a_json_file_over_the_package(tmp_path):
    path = tmp_path / "2026.json"
    path.write_text(
        '{"year": 2026, "source": "corrected notice", "days": ['
        '{"date": "2026-01-01", "kind": "holiday", "name": "元旦"}]}',
        encoding="utf-8",
    )

    output = run("import", str(path))

    assert output == (
        "Saved 2026: 1 holidays, 0 make-up working days (overrides the packaged calendar).\n"
    )
    assert CalendarYear.objects.get(year=2026).source == "corrected notice"


def test_an_import_reports_bad_rows_and_saves_nothing(tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text(
        CSV_2027 + "2027-02-30,holiday,春节\n2027-02-22,workday,春节\n", encoding="utf-8"
    )
    err = io.StringIO()

    with pytest.raises(CommandError) as excinfo:
        call_command("calendar", "import", str(path), stdout=io.StringIO(), stderr=err)

    assert str(excinfo.value) == "The schedule has errors; nothing was saved."
    assert err.getvalue().splitlines() == [
        'Row 8: "2027-02-30" is not a date; write it as YYYY-MM-DD, e.g. 2027-02-06.',
        "Row 9: 2027-02-22 is a weekday; a make-up working day is a Saturday or Sunday that "
        "becomes a working day.",
    ]
    assert CalendarYear.objects.count() == 0


def test_an_import_reports_rule_errors_with_row_numbers(tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text(CSV_2027 + "2027-02-22,workday,春节\n2028-01-01,holiday,元旦\n", "utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("calendar", "import", str(path), stdout=io.StringIO(), stderr=err)

    assert err.getvalue().splitlines() == [
        "Row 8: 2027-02-22 is a weekday; a make-up working day is a Saturday or Sunday that "
        "becomes a working day.",
        "Row 9: 2028-01-01 is not in 2027; list only dates of that year.",
    ]
    assert CalendarDay.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_an_import_of_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError) as excinfo:
        run("import", str(tmp_path / "nope.csv"))

    assert str(excinfo.value) == f"{tmp_path / 'nope.csv'}: no such file."


def test_an_import_of_a_file_without_days_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("date,kind,name\n# nothing yet\n", encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError) as excinfo:
        call_command("calendar", "import", str(path), stdout=io.StringIO(), stderr=err)

    assert str(excinfo.value) == "The schedule has errors; nothing was saved."
    assert err.getvalue() == "The file lists no days.\n"
    assert CalendarYear.objects.count() == 0


def test_an_import_reads_standard_input(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(CSV_2027.encode())))

    output = run("import", "-")

    assert output.startswith("Saved 2027: 5 holidays, 1 make-up working days")


def test_the_kefu_console_command_runs_it(tmp_path):
    # A separate process cannot see the test database: give it its own, migrated SQLite one.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["KEFU_DATA_DIR"] = str(tmp_path)
    kefu = str(Path(sys.executable).with_name("kefu"))
    subprocess.run([kefu, "migrate", "-v0"], env=env, check=True, timeout=120)

    ok = subprocess.run(
        [kefu, "calendar", "is-trading-day", "2026-02-14"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    bad = subprocess.run(
        [kefu, "calendar", "add-working-days", "2026-12-30", "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "no\n", "")
    assert bad.returncode == 1
    assert bad.stdout == ""
    # The console speaks the default UI language, Simplified Chinese.
    with translation.override("zh-hans"):
        expected = CalendarUnknownYear(2027).message
    assert bad.stderr == f"CommandError: {expected}\n"
