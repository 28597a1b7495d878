"""``kefu calendar``: ask the working/trading-day calendar, enter or show a year (CAL-1)."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core import calendars, services
from kefu.core.errors import KefuError, ValidationFailed

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def _date(text: str) -> dt.date:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise CommandError(
        _("%(value)s is not a date: write it as YYYY-MM-DD, e.g. 2026-02-14.")
        % {"value": repr(text)}
    )


def _int(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise CommandError(
            _("%(what)s must be a whole number such as 5, not %(value)s.")
            % {"what": what, "value": repr(text)}
        ) from None


class Command(BaseCommand):
    help = (
        "Working days (Chinese statutory holidays and make-up working days) and "
        "Shanghai/Shenzhen trading days; enter a year's official schedule from a file."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        for name, text in (
            ("is-working-day", "print yes or no"),
            ("is-trading-day", "print yes or no"),
            ("next-trading-day", "print the first trading day after DATE"),
        ):
            p = sub.add_parser(name, help=text)
            p.add_argument("date", metavar="DATE", help="YYYY-MM-DD")
        for name, text in (
            ("add-working-days", "print the date N working days after DATE (before if N < 0)"),
            ("add-trading-days", "print the date N trading days after DATE (before if N < 0)"),
        ):
            p = sub.add_parser(name, help=text)
            p.add_argument("date", metavar="DATE", help="YYYY-MM-DD")
            p.add_argument("n", metavar="N")
        p = sub.add_parser("nth-working-day", help="print the N-th working day of a month")
        p.add_argument("month", metavar="YYYY-MM")
        p.add_argument("n", metavar="N")
        p = sub.add_parser(
            "import", help="enter a year's schedule from a CSV or JSON file (- reads stdin)"
        )
        p.add_argument("file", metavar="FILE")
        p.add_argument("--source", default=None, help="the notice the schedule comes from")
        p = sub.add_parser("show", help="print a year's holidays and make-up working days")
        p.add_argument("year", metavar="YEAR")

    def handle(self, *args, action: str, **options):
        try:
            result = getattr(self, "do_" + action.replace("-", "_"))(**options)
        except ValidationFailed as exc:
            for messages in exc.errors.values():
                for message in messages:
                    self.stderr.write(str(message))
            raise CommandError(exc.message) from None
        except KefuError as exc:
            raise CommandError(exc.message) from None
        if result is not None:
            self.stdout.write(result)

    # -- questions ----------------------------------------------------------------------------

    def do_is_working_day(self, *, date: str, **_options) -> str:
        return "yes" if calendars.Calendar().is_working_day(_date(date)) else "no"

    def do_is_trading_day(self, *, date: str, **_options) -> str:
        return "yes" if calendars.Calendar().is_trading_day(_date(date)) else "no"

    def do_next_trading_day(self, *, date: str, **_options) -> str:
        return calendars.Calendar().next_trading_day(_date(date)).isoformat()

    def do_add_working_days(self, *, date: str, n: str, **_options) -> str:
        start = _date(date)
        return calendars.Calendar().add_working_days(start, _int(n, "N")).isoformat()

    def do_add_trading_days(self, *, date: str, n: str, **_options) -> str:
        start = _date(date)
        return calendars.Calendar().add_trading_days(start, _int(n, "N")).isoformat()

    def do_nth_working_day(self, *, month: str, n: str, **_options) -> str:
        match = _MONTH.match(month)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise CommandError(
                _("%(value)s is not a month: write it as YYYY-MM, e.g. 2026-02.")
                % {"value": repr(month)}
            )
        number = _int(n, "N")
        if number < 1:
            raise CommandError(_("N must be 1 or more, not %(n)d.") % {"n": number})
        try:
            day = calendars.Calendar().nth_working_day(
                int(match.group(1)), int(match.group(2)), number
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        return day.isoformat()

    # -- entering and showing a year ---------------------------------------------------------------

    def do_import(self, *, file: str, source: str | None, **_options) -> str:
        if file == "-":
            data = sys.stdin.buffer.read()
        else:
            path = Path(file)
            if not path.is_file():
                raise CommandError(_("%(file)s: no such file.") % {"file": file})
            data = path.read_bytes()
        parsed = calendars.read_schedule(calendars.decode_schedule_file(data))
        year = parsed.year
        assert year is not None  # read_schedule refuses a file without days
        previous = calendars.Calendar()
        replaced = previous.schedule(year).source if previous.knows_year(year) else "none"
        services.calendar_year_save(
            year=year,
            days=parsed.days,
            source=parsed.source if source is None else source,
            by=None,
        )
        holidays = sum(1 for d in parsed.days if d.kind == calendars.HOLIDAY)
        workdays = len(parsed.days) - holidays
        replaces = {
            "entered": _("replaces the schedule entered before"),
            "package": _("overrides the packaged calendar"),
            "none": _("a year not known before"),
        }[replaced]
        return _(
            "Saved %(year)d: %(holidays)d holidays, %(workdays)d make-up working days (%(what)s)."
        ) % {"year": year, "holidays": holidays, "workdays": workdays, "what": replaces}

    def do_show(self, *, year: str, **_options) -> str:
        number = _int(year, "YEAR")
        cal = calendars.Calendar()
        schedule = cal.schedule(number)
        if schedule.source == "entered":
            entered = calendars.entered_year(number)
            who = entered.entered_by.get_username() if entered.entered_by else "system"
            when = timezone.localdate(entered.entered_at).isoformat()
            head = _("%(year)d: entered by %(who)s on %(date)s") % {
                "year": number,
                "who": who,
                "date": when,
            }
            if entered.source:
                head += " " + _("(source: %(source)s)") % {"source": entered.source}
        else:
            head = f"{number}: {calendars.package_label()}"
        lines = [head]
        for day in schedule.days():
            lines.append(f"{day.date.isoformat()} {day.date:%a}  {day.kind:<8} {day.name}")
        return "\n".join(lines)
