"""CAL-1: Chinese working days and Shanghai/Shenzhen trading days.

A working day is a weekday that is not a statutory holiday, or a make-up working day
(调休上班, often a Saturday). A trading day is a weekday that is not a holiday: make-up
Saturdays are working days but the exchanges stay closed.

Sources, per year: the schedule an administrator entered (CalendarYear/CalendarDay, which
overrides the package for that whole year), else the `chinesecalendar` package, else an
explicit CalendarUnknownYear error — never a guess.

Use one ``Calendar`` for a batch of questions: it loads each year once. The rest of the
module reads and checks schedule files (CSV ``date,kind,name`` or JSON) for the services
that let administrators enter a year.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence, Set
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from typing import TYPE_CHECKING, Any

from chinese_calendar import constants as package_data
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import ErrorCode, KefuError, ValidationFailed

if TYPE_CHECKING:
    from kefu.core.generations import Snapshot

_PACKAGE_FIRST_YEAR = min(d.year for d in package_data.holidays)
_PACKAGE_LAST_YEAR = max(d.year for d in package_data.holidays)

# The values of CalendarDay.Kind, repeated here so this module needs no model import.
HOLIDAY = "holiday"
WORKDAY = "workday"
KINDS = (HOLIDAY, WORKDAY)

# CalendarYear's check constraint and field lengths.
FIRST_YEAR = 2000
LAST_YEAR = 2100
NAME_MAX_LENGTH = 32
SOURCE_MAX_LENGTH = 200


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

    def days(self) -> list[ScheduleDay]:
        """Holidays and make-up working days in date order."""
        days = [ScheduleDay(date=d, kind=HOLIDAY, name=n) for d, n in self.holidays.items()]
        days += [ScheduleDay(date=d, kind=WORKDAY, name=n) for d, n in self.workdays.items()]
        return sorted(days, key=lambda d: d.date)


def package_years() -> range:
    return range(_PACKAGE_FIRST_YEAR, _PACKAGE_LAST_YEAR + 1)


def package_label() -> str:
    """The package and release the packaged years come from, e.g. ``chinesecalendar 1.11.0``."""
    try:
        return f"chinesecalendar {metadata.version('chinesecalendar')}"
    except metadata.PackageNotFoundError:  # pragma: no cover - vendored copies
        return "chinesecalendar"


# The package names holidays in English; the State Council's notices, and so the schedules
# administrators enter, name them in Chinese. Show both sources alike.
_PACKAGE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def entered_years() -> frozenset[int]:
    """The years an administrator entered a schedule for (CAL-1)."""
    from kefu.core.models import CalendarYear

    return frozenset(CalendarYear.objects.values_list("year", flat=True))


@lru_cache(maxsize=64)
def package_schedule(year: int) -> YearSchedule:
    """The packaged schedule of ``year`` (the same for the life of the process: kept, as it
    is read for every deadline counted). Read-only: do not change what it holds."""

    def name(english: str) -> str:
        return _PACKAGE_NAMES.get(english, english)

    return YearSchedule(
        year=year,
        source="package",
        holidays={d: name(n) for d, n in package_data.holidays.items() if d.year == year},
        workdays={d: name(n) for d, n in package_data.workdays.items() if d.year == year},
    )


class Calendar:
    """Answers working/trading-day questions, loading each year's schedule once.

    With a configuration ``snapshot`` (kefu.core.generations) the entered years are those the
    process keeps for that generation, without a query of their own.
    """

    def __init__(self, snapshot: Snapshot | None = None) -> None:
        self._years: dict[int, YearSchedule] = {}
        self._entered_years: Set[int] | None = None
        self._snapshot = snapshot

    # -- schedules --------------------------------------------------------------------------

    def _entered(self) -> Set[int]:
        if self._entered_years is None:
            if self._snapshot is None:
                self._entered_years = entered_years()
            else:
                self._entered_years = self._snapshot.get("calendar.entered_years", entered_years)
        return self._entered_years

    def schedule(self, year: int) -> YearSchedule:
        """The schedule that applies to ``year``; CalendarUnknownYear if there is none."""
        if year not in self._years:
            self._years[year] = self._load(year)
        return self._years[year]

    def _load(self, year: int) -> YearSchedule:
        if year in self._entered():
            from kefu.core.models import CalendarDay

            sched = YearSchedule(year=year, source="entered")
            for day in CalendarDay.objects.filter(calendar_year__year=year):
                target = sched.holidays if day.kind == HOLIDAY else sched.workdays
                target[day.date] = day.name
            return sched
        if year in package_years():
            return package_schedule(year)
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

    def _step(self, start: dt.date, n: int, counts: Callable[[dt.date], bool]) -> dt.date:
        day = start
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        while remaining:
            day += dt.timedelta(days=step)
            if counts(day):
                remaining -= 1
        return day

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The date ``n`` working days after ``start`` (before it when n < 0).

        ``start`` itself is not counted, whatever it is: add_working_days(Friday, 1) is the
        next working day. CalendarUnknownYear if the count reaches a year nobody entered.
        """
        return self._step(start, n, self.is_working_day)

    def add_trading_days(self, start: dt.date, n: int) -> dt.date:
        """Like add_working_days, counting trading days."""
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
        if not 1 <= month <= 12:
            raise ValueError(_("The month must be between 1 and 12."))
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
    if today.month < 12:
        return None
    next_year = today.year + 1
    if Calendar().knows_year(next_year):
        return None
    return _(
        "The %(year)d holiday schedule has not been entered: deadlines that reach into "
        "%(year)d cannot be counted. Enter the State Council's schedule under Calendar."
    ) % {"year": next_year}


# -- the calendar pages -----------------------------------------------------------------------


@dataclass
class YearInfo:
    """One line of the calendar page: which source applies to a year."""

    year: int
    source: str  # "entered", "package" or "missing"
    holidays: int = 0
    workdays: int = 0
    entered: Any = None  # the CalendarYear, when entered


@dataclass
class HolidayPeriod:
    """Consecutive holiday dates, shown as one line (春节 2026-02-15 – 2026-02-23, 9 days)."""

    names: list[str]
    start: dt.date
    end: dt.date
    days: int


def calendar_years(*, today: dt.date | None = None) -> list[YearInfo]:
    """Every year the calendar knows, newest first, and next year when nobody entered it."""
    from django.db.models import Count, Q

    from kefu.core.models import CalendarYear

    today = today or timezone.localdate()
    infos: dict[int, YearInfo] = {}
    for year in package_years():
        infos[year] = YearInfo(
            year=year,
            source="package",
            holidays=sum(1 for d in package_data.holidays if d.year == year),
            workdays=sum(1 for d in package_data.workdays if d.year == year),
        )
    entered = CalendarYear.objects.select_related("entered_by").annotate(
        n_holidays=Count("days", filter=Q(days__kind=HOLIDAY)),
        n_workdays=Count("days", filter=Q(days__kind=WORKDAY)),
    )
    for row in entered:
        infos[row.year] = YearInfo(
            year=row.year,
            source="entered",
            holidays=row.n_holidays,
            workdays=row.n_workdays,
            entered=row,
        )
    next_year = today.year + 1
    if next_year not in infos:
        infos[next_year] = YearInfo(year=next_year, source="missing")
    return [infos[y] for y in sorted(infos, reverse=True)]


def entered_year(year: int) -> Any:
    """The CalendarYear entered for ``year`` (who entered it, from which notice), or None."""
    from kefu.core.models import CalendarYear

    return CalendarYear.objects.select_related("entered_by").filter(year=year).first()


def holiday_periods(schedule: YearSchedule) -> list[HolidayPeriod]:
    periods: list[HolidayPeriod] = []
    for day in sorted(schedule.holidays):
        name = schedule.holidays[day]
        last = periods[-1] if periods else None
        if last is not None and last.end + dt.timedelta(days=1) == day:
            last.end = day
            last.days += 1
            if name and name not in last.names:
                last.names.append(name)
        else:
            periods.append(HolidayPeriod(names=[name] if name else [], start=day, end=day, days=1))
    return periods


def schedule_csv(days: Iterable[ScheduleDay]) -> str:
    """A schedule in the import file's CSV format, header included."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "kind", "name"])
    for day in sorted(days, key=lambda d: d.date):
        writer.writerow([day.date.isoformat(), day.kind, day.name])
    return out.getvalue()


# -- schedule files ---------------------------------------------------------------------------

# A message with the position it is about: row/item number, so that every problem of a file
# is reported once, in file order, whether a line cannot be read or breaks a rule.
_Problem = tuple[int, str]
_NO_POSITION = 10**9


@dataclass(frozen=True)
class ScheduleDay:
    """One holiday or make-up working day of a schedule being entered."""

    date: dt.date
    kind: str  # HOLIDAY or WORKDAY
    name: str = ""
    where: str = ""  # "Row 4" or "Item 2": where the day was read, for error messages
    position: int = field(default=0, compare=False)


@dataclass
class ParsedSchedule:
    days: list[ScheduleDay]
    year: int | None = None  # when the file says
    source: str = ""
    problems: list[_Problem] = field(default_factory=list)

    def inferred_year(self) -> int | None:
        """The year the file states, else the year most of its dates fall in."""
        if self.year is not None:
            return self.year
        years = Counter(d.date.year for d in self.days)
        return years.most_common(1)[0][0] if years else None


def _failed(problems: list[_Problem]) -> ValidationFailed:
    messages = [message for _position, message in sorted(problems, key=lambda p: p[0])]
    return ValidationFailed(
        _("The schedule has errors; nothing was saved."), errors={"days": messages}
    )


# Excel saves dates as 2027/1/1 in a Chinese locale; accept that besides ISO 2027-01-01.
_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
MAX_FILE_BYTES = 256 * 1024


def parse_date(text: str) -> dt.date | None:
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def decode_schedule_file(data: bytes) -> str:
    """Text of an uploaded schedule: UTF-8 (with or without BOM), else GB 18030 as saved by
    Excel on Chinese Windows."""
    if len(data) > MAX_FILE_BYTES:
        message = _(
            "The file is larger than %(kb)d KB; a year's schedule is a few dozen lines."
        ) % {"kb": MAX_FILE_BYTES // 1024}
        raise ValidationFailed(message, errors={"days": [message]})
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        message = _("The file is not text in UTF-8 or GB 18030: save it as CSV or JSON.")
        raise ValidationFailed(message, errors={"days": [message]}) from None


def _read_day(
    position: int, where: str, date_text: Any, kind_text: Any, name_text: Any
) -> tuple[ScheduleDay | None, list[_Problem]]:
    problems: list[_Problem] = []
    date = parse_date(date_text) if isinstance(date_text, str) else None
    if date is None:
        message = _(
            "%(where)s: %(value)s is not a date; write it as YYYY-MM-DD, e.g. 2027-02-06."
        ) % {"where": where, "value": json.dumps(date_text, ensure_ascii=False)}
        problems.append((position, message))
    kind = kind_text.strip().lower() if isinstance(kind_text, str) else ""
    if kind not in KINDS:
        message = _(
            "%(where)s: the kind %(value)s is neither holiday nor workday (a make-up working day)."
        ) % {"where": where, "value": json.dumps(kind_text, ensure_ascii=False)}
        problems.append((position, message))
    if name_text is None:
        name_text = ""
    if not isinstance(name_text, str):
        problems.append((position, _("%(where)s: the name must be text.") % {"where": where}))
        name_text = ""
    if problems or date is None:
        return None, problems
    day = ScheduleDay(date=date, kind=kind, name=name_text.strip(), where=where, position=position)
    return day, []


def _parse_csv(text: str) -> ParsedSchedule:
    text = text.lstrip("\ufeff")
    delimiter = "\t" if "\t" in text and "," not in text else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    parsed = ParsedSchedule(days=[])
    seen_data = False
    for cells in reader:
        cells = [c.strip() for c in cells]
        if not any(cells) or cells[0].startswith("#"):
            continue
        row = reader.line_num
        where = _("Row %(row)d") % {"row": row}
        if not seen_data and cells[0].lower() == "date":
            seen_data = True
            continue
        seen_data = True
        if len(cells) not in (2, 3):
            message = _("%(where)s: expected 3 columns date,kind,name but found %(count)d.") % {
                "where": where,
                "count": len(cells),
            }
            parsed.problems.append((row, message))
            continue
        name = cells[2] if len(cells) > 2 else ""
        day, problems = _read_day(row, where, cells[0], cells[1], name)
        parsed.problems += problems
        if day is not None:
            parsed.days.append(day)
    return parsed


def _parse_json(text: str) -> ParsedSchedule:
    parsed = ParsedSchedule(days=[])
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        message = _("The JSON cannot be read at line %(line)d, column %(col)d: %(msg)s.") % {
            "line": exc.lineno,
            "col": exc.colno,
            "msg": exc.msg,
        }
        parsed.problems.append((0, message))
        return parsed
    if isinstance(data, dict):
        raw_year = data.get("year")
        if raw_year is not None:
            if isinstance(raw_year, int) and not isinstance(raw_year, bool):
                parsed.year = raw_year
            else:
                parsed.problems.append((0, _("The year must be a whole number such as 2027.")))
        raw_source = data.get("source") or ""
        if isinstance(raw_source, str):
            parsed.source = raw_source.strip()
        else:
            parsed.problems.append((0, _("The source must be text.")))
        items = data.get("days")
    else:
        items = data
    if not isinstance(items, list):
        message = _('The JSON must be a list of days or an object with a "days" list.')
        parsed.problems.append((0, message))
        items = []
    for number, item in enumerate(items, start=1):
        where = _("Item %(item)d") % {"item": number}
        if not isinstance(item, dict):
            message = _('%(where)s: each day must be an object with "date", "kind" and "name".') % {
                "where": where
            }
            parsed.problems.append((number, message))
            continue
        day, problems = _read_day(
            number, where, item.get("date"), item.get("kind"), item.get("name")
        )
        parsed.problems += problems
        if day is not None:
            parsed.days.append(day)
    return parsed


def _parse(text: str) -> ParsedSchedule:
    if text.lstrip("\ufeff \t\r\n")[:1] in ("{", "["):
        return _parse_json(text)
    return _parse_csv(text)


def parse_schedule(text: str) -> ParsedSchedule:
    """A schedule file, JSON when it starts with ``{`` or ``[``, CSV otherwise.

    CSV: lines ``date,kind,name``; an optional header, blank lines and ``#`` comments are
    skipped; tab-separated text (pasted from a spreadsheet) is read as well. JSON:
    ``{"year": 2027, "source": "…", "days": [{"date", "kind", "name"}, …]}`` or just the list.
    Raises ValidationFailed listing every line that cannot be read.
    """
    parsed = _parse(text)
    if parsed.problems:
        raise _failed(parsed.problems)
    return parsed


def read_schedule(text: str, *, year: int | None = None) -> ParsedSchedule:
    """Parse a schedule file and check it against the rules of validate_schedule, reporting
    every problem of the file at once, in file order (ValidationFailed, field ``days``).

    ``year`` is the year being entered, when the caller knows it; otherwise the file's own
    year, or the year most of its dates fall in. The result's ``year`` is set.
    """
    parsed = _parse(text)
    problems = list(parsed.problems)
    if year is not None and parsed.year is not None and parsed.year != year:
        message = _("The file is for %(file_year)d but the year entered is %(year)d.") % {
            "file_year": parsed.year,
            "year": year,
        }
        raise _failed([(0, message)])
    target = year if year is not None else parsed.inferred_year()
    if target is None and not problems:
        problems.append((0, _("The file lists no days.")))
    if target is not None:
        rule_problems = _day_problems(target, parsed.days)
        if problems:
            # A line that could not be read may be the missing holiday: do not claim there is none.
            rule_problems = [p for p in rule_problems if p[0] != _NO_POSITION]
        problems += rule_problems
    if problems:
        raise _failed(problems)
    parsed.year = target
    return parsed


def validate_schedule(*, year: int, days: Sequence[ScheduleDay], source: str = "") -> dict:
    """Field → messages for everything wrong with a year's schedule; empty when it is fine.

    Dates must fall in ``year``, a date appears once (never both holiday and make-up working
    day), make-up working days are Saturdays or Sundays, every holiday has a name, and the
    year has at least one holiday (the State Council always publishes some).
    """
    errors: dict[str, list[str]] = {}
    if not FIRST_YEAR <= year <= LAST_YEAR:
        errors["year"] = [
            _("The year must be between %(first)d and %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        ]
    if len(source) > SOURCE_MAX_LENGTH:
        errors["source"] = [
            _("The source must be at most %(max)d characters.") % {"max": SOURCE_MAX_LENGTH}
        ]
    problems = _day_problems(year, days)
    if problems:
        errors["days"] = [m for _p, m in sorted(problems, key=lambda p: p[0])]
    return errors


def _day_problems(year: int, days: Sequence[ScheduleDay]) -> list[_Problem]:
    problems: list[_Problem] = []
    first_seen: dict[dt.date, ScheduleDay] = {}
    for day in days:
        where = day.where or day.date.isoformat()
        at = {"where": where, "date": day.date.isoformat()}
        if day.kind not in KINDS:
            message = _("%(where)s: the kind must be holiday or workday.") % at
            problems.append((day.position, message))
            continue
        if day.date.year != year:
            message = _("%(where)s: %(date)s is not in %(year)d; list only dates of that year.")
            problems.append((day.position, message % {**at, "year": year}))
        earlier = first_seen.get(day.date)
        if earlier is not None:
            if earlier.kind != day.kind:
                message = _(
                    "%(where)s: %(date)s cannot be both a holiday and a make-up working day."
                )
            else:
                message = _("%(where)s: %(date)s is listed twice.")
            problems.append((day.position, message % at))
        else:
            first_seen[day.date] = day
        if day.kind == WORKDAY and day.date.weekday() < 5:
            message = _(
                "%(where)s: %(date)s is a weekday; a make-up working day is a Saturday or "
                "Sunday that becomes a working day."
            )
            problems.append((day.position, message % at))
        if day.kind == HOLIDAY and not day.name:
            message = _("%(where)s: name the holiday of %(date)s, e.g. 春节.")
            problems.append((day.position, message % at))
        if len(day.name) > NAME_MAX_LENGTH:
            message = _("%(where)s: the name must be at most %(max)d characters.")
            problems.append((day.position, message % {**at, "max": NAME_MAX_LENGTH}))
    if not any(d.kind == HOLIDAY for d in days):
        message = _("The schedule lists no holidays; enter the whole year's schedule.")
        problems.append((_NO_POSITION, message))
    return problems
