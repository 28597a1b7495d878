"""CAL-1: Chinese working days and Shanghai/Shenzhen trading days.

A working day is a weekday that is not a statutory holiday, or a make-up working day
(调休上班, often a Saturday). A trading day is a weekday that is not a holiday: make-up
Saturdays are working days but the exchanges stay closed.

Sources, per year: the schedule an administrator entered (CalendarYear/CalendarDay, which
overrides the package for that whole year), else the `chinesecalendar` package, else an
explicit CalendarUnknownYear error — never a guess.

Use one ``Calendar`` for a batch of questions: it loads each year once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import chinese_calendar
from chinese_calendar import constants as package_data
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import ErrorCode, KefuError

_PACKAGE_FIRST_YEAR = min(d.year for d in package_data.holidays)
_PACKAGE_LAST_YEAR = max(d.year for d in package_data.holidays)


class CalendarUnknownYear(KefuError):
    status = 422
    code = ErrorCode.CALENDAR_UNKNOWN_YEAR

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            _(
                "The holiday schedule of %(year)d is not known. An administrator must enter the "
                "State Council's official schedule for %(year)d (holidays and make-up working "
                "days) before dates in that year can be counted."
            )
            % {"year": year}
        )


@dataclass
class YearSchedule:
    year: int
    source: str  # "entered" or "package"
    holidays: dict[dt.date, str] = field(default_factory=dict)
    workdays: dict[dt.date, str] = field(default_factory=dict)


def package_years() -> range:
    return range(_PACKAGE_FIRST_YEAR, _PACKAGE_LAST_YEAR + 1)


def _package_schedule(year: int) -> YearSchedule:
    return YearSchedule(
        year=year,
        source="package",
        holidays={d: n for d, n in package_data.holidays.items() if d.year == year},
        workdays={d: n for d, n in package_data.workdays.items() if d.year == year},
    )


class Calendar:
    """Answers working/trading-day questions, loading each year's schedule once."""

    def __init__(self) -> None:
        self._years: dict[int, YearSchedule] = {}
        self._entered_years: set[int] | None = None

    # -- schedules --------------------------------------------------------------------------

    def _entered(self) -> set[int]:
        if self._entered_years is None:
            from kefu.core.models import CalendarYear

            self._entered_years = set(CalendarYear.objects.values_list("year", flat=True))
        return self._entered_years

    def schedule(self, year: int) -> YearSchedule:
        if year not in self._years:
            self._years[year] = self._load(year)
        return self._years[year]

    def _load(self, year: int) -> YearSchedule:
        if year in self._entered():
            from kefu.core.models import CalendarDay

            sched = YearSchedule(year=year, source="entered")
            for day in CalendarDay.objects.filter(calendar_year__year=year):
                target = sched.holidays if day.kind == CalendarDay.Kind.HOLIDAY else sched.workdays
                target[day.date] = day.name
            return sched
        if year in package_years():
            return _package_schedule(year)
        raise CalendarUnknownYear(year)

    def knows_year(self, year: int) -> bool:
        return year in self._entered() or year in package_years()

    # -- single days ------------------------------------------------------------------------

    def is_holiday(self, day: dt.date) -> bool:
        """A statutory holiday (weekends inside a holiday period included)."""
        return day in self.schedule(day.year).holidays

    def is_working_day(self, day: dt.date) -> bool:
        sched = self.schedule(day.year)
        if day in sched.workdays:
            return True
        if day in sched.holidays:
            return False
        return day.weekday() < 5

    def is_trading_day(self, day: dt.date) -> bool:
        sched = self.schedule(day.year)
        return day.weekday() < 5 and day not in sched.holidays

    def holiday_name(self, day: dt.date) -> str:
        sched = self.schedule(day.year)
        return sched.holidays.get(day) or sched.workdays.get(day) or ""

    # -- arithmetic -------------------------------------------------------------------------

    def _step(self, start: dt.date, n: int, test) -> dt.date:
        day = start
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        while remaining:
            day += dt.timedelta(days=step)
            if test(day):
                remaining -= 1
        return day

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The date ``n`` working days after ``start`` (before it when n < 0).

        ``start`` itself is not counted, whatever it is: add_working_days(Friday, 1) is the
        next working day.
        """
        return self._step(start, n, self.is_working_day)

    def add_trading_days(self, start: dt.date, n: int) -> dt.date:
        return self._step(start, n, self.is_trading_day)

    def next_trading_day(self, day: dt.date) -> dt.date:
        """The first trading day strictly after ``day``."""
        return self.add_trading_days(day, 1)

    def previous_trading_day(self, day: dt.date) -> dt.date:
        return self.add_trading_days(day, -1)

    def next_working_day(self, day: dt.date) -> dt.date:
        return self.add_working_days(day, 1)

    def nth_working_day(self, year: int, month: int, n: int) -> dt.date:
        """The n-th working day of a month (n ≥ 1); ValueError if the month has fewer."""
        if n < 1:
            raise ValueError(_("n must be 1 or more."))
        day = dt.date(year, month, 1)
        count = 0
        while day.month == month:
            if self.is_working_day(day):
                count += 1
                if count == n:
                    return day
            day += dt.timedelta(days=1)
        raise ValueError(
            _("%(year)d-%(month)02d has only %(count)d working days.")
            % {"year": year, "month": month, "count": count}
        )

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: how many working days have passed."""
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def missing_next_year_warning(*, today: dt.date | None = None) -> str | None:
    """From 1 December, the warning administrators see while next year's schedule is missing."""
    today = today or timezone.localdate()
    if (today.month, today.day) < (12, 1):
        return None
    next_year = today.year + 1
    if Calendar().knows_year(next_year):
        return None
    return _(
        "The %(year)d holiday schedule has not been entered: deadlines that reach into "
        "%(year)d cannot be counted. Enter the State Council's schedule under Calendar."
    ) % {"year": next_year}


# The package's own helper, for comparison in tests.
package_is_workday = chinese_calendar.is_workday
