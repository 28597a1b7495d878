"""Deadline arithmetic for SLA clocks (SR-9) and complaint time limits (REG-1).

Three kinds of time:
- calendar time (seconds): the 48-hour customer reply of a case (SR-5);
- business hours: several windows a day (09:00-12:00, 13:30-18:00 …) on CAL-1 working days
  (holidays skipped, make-up working Saturdays counted), or on every day;
- days: calendar days or working days, a limit ending at the end of its last day. A REG-1
  limit whose last day is a holiday or rest day ends on the next working day (as periods do
  under the Civil Code, art. 203).

Every question about a day goes through kefu.core.calendars.Calendar: a date in a year the
calendar does not know raises CalendarUnknownYear — a deadline is never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.calendars import Calendar
from kefu.tickets.classification import Kind

if TYPE_CHECKING:
    from kefu.core.generations import Snapshot

# How far a business-hours deadline may reach before we call the configuration broken
# (e.g. windows that never open): a little over a year of days.
MAX_DAYS_SCANNED = 400
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


@dataclass(frozen=True)
class Hours:
    """Business hours: windows as (start, end) minutes after midnight, end ≤ 1440."""

    windows: tuple[tuple[int, int], ...]
    working_days_only: bool = True

    def as_json(self) -> list[list[str]]:
        return [[_fmt(s), _fmt(e)] for s, e in self.windows]


def _fmt(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_windows(raw) -> tuple[tuple[int, int], ...]:
    """[["09:00", "12:00"], ["13:30", "18:00"]] → ((540, 720), (810, 1080)).

    ValueError with a message naming the bad window: times as HH:MM, each window's start
    before its end, windows in order and not overlapping, at least one window.
    """
    if not isinstance(raw, list | tuple) or not raw:
        raise ValueError(_('Give at least one window, e.g. [["09:00", "18:00"]].'))
    windows: list[tuple[int, int]] = []
    for number, pair in enumerate(raw, start=1):
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ValueError(
                _('Window %(n)d must be a pair of times such as ["09:00", "12:00"].')
                % {"n": number}
            )
        minutes = []
        for text in pair:
            match = _HHMM.match(str(text))
            if not match or (match[1] == "24" and match[2] != "00"):
                raise ValueError(
                    _("Window %(n)d: %(value)s is not a time HH:MM between 00:00 and 24:00.")
                    % {"n": number, "value": text}
                )
            minutes.append(int(match[1]) * 60 + int(match[2]))
        start, end = minutes
        if start >= end:
            raise ValueError(_("Window %(n)d ends before it starts.") % {"n": number})
        if windows and start < windows[-1][1]:
            raise ValueError(
                _("Window %(n)d overlaps or comes before the previous one.") % {"n": number}
            )
        windows.append((start, end))
    return tuple(windows)


OFFICE_HOURS = Hours(windows=((9 * 60, 12 * 60), (13 * 60 + 30, 18 * 60)))
ALWAYS = Hours(windows=((0, 24 * 60),), working_days_only=False)


def _local(moment: dt.datetime) -> dt.datetime:
    if timezone.is_naive(moment):
        raise ValueError("Deadlines need timezone-aware datetimes.")
    return timezone.localtime(moment)


def _at(day: dt.date, minutes: int) -> dt.datetime:
    tz = timezone.get_current_timezone()
    midnight = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return midnight + dt.timedelta(minutes=minutes)


def _counts(day: dt.date, hours: Hours, cal: Calendar) -> bool:
    return cal.is_working_day(day) if hours.working_days_only else True


def add_business_seconds(
    start: dt.datetime, seconds: int, hours: Hours, cal: Calendar
) -> dt.datetime:
    """The moment when ``seconds`` of business time have passed after ``start``.

    Time outside the windows and on days that do not count is skipped; a clock started at
    night begins when the next window opens. CalendarUnknownYear when a day is in a year the
    calendar does not know.
    """
    local = _local(start)
    if seconds <= 0:
        return local
    remaining = seconds
    day = local.date()
    for _i in range(MAX_DAYS_SCANNED):
        if _counts(day, hours, cal):
            for begin, end in hours.windows:
                opens, closes = _at(day, begin), _at(day, end)
                segment_start = max(opens, local)
                if segment_start >= closes:
                    continue
                available = (closes - segment_start).total_seconds()
                if remaining <= available:
                    return segment_start + dt.timedelta(seconds=remaining)
                remaining -= int(available)
        day += dt.timedelta(days=1)
    raise ValueError(_("The business hours never open: check their windows."))


def business_seconds_between(
    start: dt.datetime, end: dt.datetime, hours: Hours, cal: Calendar
) -> int:
    """Seconds of business time in [start, end); negative when end is before start."""
    a, b = _local(start), _local(end)
    if b < a:
        return -business_seconds_between(b, a, hours, cal)
    total = 0.0
    day = a.date()
    while day <= b.date():
        if _counts(day, hours, cal):
            for begin, finish in hours.windows:
                lo = max(_at(day, begin), a)
                hi = min(_at(day, finish), b)
                if hi > lo:
                    total += (hi - lo).total_seconds()
        day += dt.timedelta(days=1)
    return int(total)


def end_of_day(day: dt.date) -> dt.datetime:
    """The last second of ``day`` in the local time zone (a limit ends when its day ends)."""
    return _at(day, 24 * 60) - dt.timedelta(seconds=1)


def day_limit(
    start: dt.datetime,
    days: int,
    *,
    working: bool,
    roll_past_holiday: bool,
    cal: Calendar,
) -> dt.date:
    """The last day of a limit of ``days`` days counted from the day after ``start``.

    Working days count CAL-1 working days. With ``roll_past_holiday`` a limit in calendar
    days that ends on a holiday or rest day ends on the next working day instead.
    """
    first = _local(start).date()
    cal.schedule(first.year)  # the day of receipt must be in a known year, too
    if working:
        return cal.add_working_days(first, days)
    last = first + dt.timedelta(days=days)
    if roll_past_holiday:
        while not cal.is_working_day(last):
            last += dt.timedelta(days=1)
    else:
        cal.schedule(last.year)
    return last


# --- policies ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """How a clock is counted. ``unit``: minutes, hours or days; ``hours``: business hours
    (None = around the clock); ``working_days``: for day clocks."""

    amount: int
    unit: str
    hours: Hours | None = None
    working_days: bool = False
    warn_percent: int = 80
    business_hours_id: int | None = None


DEFAULT_POLICIES: dict[tuple[str, str], Policy] = {
    # Mail, letters and referrals must be picked up within 2 office hours; live contacts are
    # answered when they are recorded.
    ("first_response", ""): Policy(2, "hours", hours=OFFICE_HOURS),
    # SR-5: the customer of a case hears back within 48 hours.
    ("customer_reply", ""): Policy(48, "hours", warn_percent=75),
    ("resolution", Kind.INQUIRY): Policy(3, "days", working_days=True),
    ("resolution", Kind.SUGGESTION): Policy(5, "days", working_days=True),
    ("resolution", Kind.OTHER): Policy(3, "days", working_days=True),
    ("resolution", ""): Policy(3, "days", working_days=True),
}


def policy_for(clock: str, kind: str, *, snapshot: Snapshot | None = None) -> Policy:
    """The SlaPolicy configured for ``clock`` and ``kind`` (or for every kind), else the
    built-in default."""
    return policies_for([clock], kind, snapshot=snapshot)[clock]


def policies_for(
    clock_names: list[str], kind: str, *, snapshot: Snapshot | None = None
) -> dict[str, Policy]:
    """policy_for of several clocks of one ticket kind, in one query; with a configuration
    ``snapshot`` (kefu.core.generations), from what the process keeps for it."""
    table = (
        configured_policies()
        if snapshot is None
        else snapshot.get("tickets.sla_policies", configured_policies)
    )
    out: dict[str, Policy] = {}
    for clock in clock_names:
        out[clock] = (
            table.get((clock, kind))
            or table.get((clock, ""))
            or DEFAULT_POLICIES.get((clock, kind))
            or DEFAULT_POLICIES[(clock, "")]
        )
    return out


def configured_policies() -> Mapping[tuple[str, str], Policy]:
    """Every SlaPolicy row as a Policy, by (clock, kind); "" for every kind."""
    from kefu.tickets.models import DayKind, SlaPolicy

    table: dict[tuple[str, str], Policy] = {}
    for row in SlaPolicy.objects.select_related("business_hours"):
        hours = None
        if row.business_hours is not None:
            hours = Hours(
                windows=parse_windows(row.business_hours.windows),
                working_days_only=row.business_hours.working_days_only,
            )
        table[(row.clock, row.kind)] = Policy(
            amount=row.amount,
            unit=row.unit,
            hours=hours,
            working_days=row.day_kind == DayKind.WORKING,
            warn_percent=row.warn_percent,
            business_hours_id=row.business_hours_id,
        )
    return MappingProxyType(table)


@dataclass(frozen=True)
class Limits:
    """REG-1 complaint limits of one institution type, in days."""

    decide_days: int
    extended_days: int
    further_extension_days: int
    review_days: int
    working_days: bool = False
    roll_past_holiday: bool = True

    def days_for(self, extension_level: int) -> int:
        if extension_level <= 0:
            return self.decide_days
        if extension_level == 1:
            return self.extended_days
        return self.extended_days + self.further_extension_days


# 《银行业保险业消费投诉处理管理办法》(2020): decide and tell within 15 days, complex cases
# up to 30, especially complex ones a further 30 with approval; review within 30 days.
# Securities firms use the same figures until configured otherwise.
_STANDARD = Limits(decide_days=15, extended_days=30, further_extension_days=30, review_days=30)
DEFAULT_REGULATORY_LIMITS: dict[str, Limits] = {
    "bank": _STANDARD,
    "insurer": _STANDARD,
    "securities": _STANDARD,
}


def regulatory_limits(institution_type: str, *, snapshot: Snapshot | None = None) -> Limits:
    """REG-1 limits of ``institution_type``: as configured, else the regulation's; with a
    configuration ``snapshot``, from what the process keeps for it."""
    if snapshot is None:
        return _regulatory_limits(institution_type)
    return snapshot.get(
        ("tickets.regulatory_limits", institution_type),
        lambda: _regulatory_limits(institution_type),
    )


def _regulatory_limits(institution_type: str) -> Limits:
    from kefu.tickets.models import DayKind, RegulatoryLimit

    row = RegulatoryLimit.objects.filter(institution_type=institution_type).first()
    if row is None:
        return DEFAULT_REGULATORY_LIMITS.get(institution_type, _STANDARD)
    return Limits(
        decide_days=row.decide_days,
        extended_days=row.extended_days,
        further_extension_days=row.further_extension_days,
        review_days=row.review_days,
        working_days=row.day_kind == DayKind.WORKING,
        roll_past_holiday=row.roll_past_holiday,
    )
