"""SLA clock engine (SR-9): start, pause, resume, stop and restart a ticket's clocks.

These functions change Clock rows and return what happened; the ticket services call them
inside their transaction and write the ticket events. Warnings and breaches are raised only
by the periodic sweep (kefu.tickets.tasks), never when a page is opened.
"""

from __future__ import annotations

import datetime as dt

from kefu.core.calendars import Calendar
from kefu.tickets import deadlines
from kefu.tickets.deadlines import Hours, Limits, Policy
from kefu.tickets.models import Clock, ClockState, Team, Ticket


def _hours(clock: Clock) -> Hours:
    return Hours(
        windows=deadlines.parse_windows(clock.windows),
        working_days_only=clock.working_days_only,
    )


def _warn_point(start: dt.datetime, due: dt.datetime, percent: int) -> dt.datetime:
    return start + (due - start) * percent / 100


def _schedule_days(clock: Clock, cal: Calendar) -> None:
    last = deadlines.day_limit(
        clock.started_at,
        clock.budget + clock.paused_days,
        working=clock.unit == Clock.Unit.WORKING_DAYS,
        roll_past_holiday=clock.roll_past_holiday,
        cal=cal,
    )
    clock.due_day = last
    clock.due_at = deadlines.end_of_day(last)
    clock.warn_at = _warn_point(clock.started_at, clock.due_at, clock.warn_percent)


def _schedule_from(clock: Clock, start: dt.datetime, remaining: int, cal: Calendar) -> None:
    """Seconds clocks: due when ``remaining`` seconds (of business time) have passed after
    ``start``; warn when the share ``warn_percent`` of the whole budget has been used."""
    keep = clock.budget * (100 - clock.warn_percent) // 100
    if clock.unit == Clock.Unit.BUSINESS:
        hours = _hours(clock)
        clock.due_at = deadlines.add_business_seconds(start, remaining, hours, cal)
        clock.warn_at = deadlines.add_business_seconds(start, max(remaining - keep, 0), hours, cal)
    else:
        clock.due_at = start + dt.timedelta(seconds=remaining)
        clock.warn_at = start + dt.timedelta(seconds=max(remaining - keep, 0))


def _is_days(clock: Clock) -> bool:
    return clock.unit in (Clock.Unit.CALENDAR_DAYS, Clock.Unit.WORKING_DAYS)


def new_clock(
    *,
    ticket: Ticket,
    name: str,
    policy: Policy,
    start: dt.datetime,
    cal: Calendar,
    team: Team | None = None,
) -> Clock:
    """A running clock for ``ticket`` (not saved) counted as ``policy`` says."""
    clock = Clock(
        ticket=ticket,
        name=name,
        team=team,
        started_at=start,
        warn_percent=policy.warn_percent,
        state=ClockState.RUNNING,
    )
    if policy.unit == "days":
        clock.unit = Clock.Unit.WORKING_DAYS if policy.working_days else Clock.Unit.CALENDAR_DAYS
        clock.budget = policy.amount
        clock.working_days_only = policy.working_days
        _schedule_days(clock, cal)
        return clock
    seconds = policy.amount * (60 if policy.unit == "minutes" else 3600)
    clock.budget = seconds
    if policy.hours is None:
        clock.unit = Clock.Unit.SECONDS
    else:
        clock.unit = Clock.Unit.BUSINESS
        clock.windows = policy.hours.as_json()
        clock.working_days_only = policy.hours.working_days_only
        clock.business_hours_id = policy.business_hours_id
    _schedule_from(clock, start, seconds, cal)
    return clock


def regulatory_clock(*, ticket: Ticket, limits: Limits, start: dt.datetime, cal: Calendar) -> Clock:
    """REG-1: the complaint's resolution clock, counted in days from receipt."""
    clock = Clock(
        ticket=ticket,
        name=Clock.Name.RESOLUTION,
        started_at=start,
        unit=Clock.Unit.WORKING_DAYS if limits.working_days else Clock.Unit.CALENDAR_DAYS,
        budget=limits.days_for(ticket.extension_level),
        working_days_only=limits.working_days,
        roll_past_holiday=limits.roll_past_holiday and not limits.working_days,
        regulatory=True,
        warn_percent=80,
        state=ClockState.RUNNING,
    )
    _schedule_days(clock, cal)
    return clock


def set_budget(clock: Clock, *, budget: int, now: dt.datetime, cal: Calendar) -> None:
    """A day clock gets a new total (an extension), counted again from its start. A warning
    or breach that the new limit undoes is cleared."""
    clock.budget = budget
    _schedule_days(clock, cal)
    if clock.warn_at > now:
        clock.warned_at = None
    if clock.due_at > now:
        clock.breached_at = None


def pause(clock: Clock, *, now: dt.datetime, cal: Calendar) -> bool:
    if clock.state != ClockState.RUNNING:
        return False
    clock.state = ClockState.PAUSED
    clock.paused_at = now
    if not _is_days(clock):
        if clock.unit == Clock.Unit.BUSINESS:
            left = deadlines.business_seconds_between(now, clock.due_at, _hours(clock), cal)
        else:
            left = int((clock.due_at - now).total_seconds())
        clock.remaining_seconds = max(left, 0)
    return True


def resume(clock: Clock, *, now: dt.datetime, cal: Calendar) -> bool:
    if clock.state != ClockState.PAUSED or clock.paused_at is None:
        return False
    if _is_days(clock):
        paused_on = deadlines._local(clock.paused_at).date()
        today = deadlines._local(now).date()
        if clock.unit == Clock.Unit.WORKING_DAYS:
            lost = cal.working_days_between(paused_on, today)
        else:
            lost = (today - paused_on).days
        clock.paused_days += max(lost, 0)
        clock.state = ClockState.RUNNING
        _schedule_days(clock, cal)
    else:
        remaining = clock.remaining_seconds or 0
        clock.state = ClockState.RUNNING
        _schedule_from(clock, now, remaining, cal)
        # the warning keeps its place in the budget: never earlier than now
        if clock.warn_at < now and clock.warned_at is None:
            clock.warn_at = now
    clock.paused_at = None
    clock.remaining_seconds = None
    return True


def stop(clock: Clock, *, now: dt.datetime) -> bool:
    if clock.state not in (ClockState.RUNNING, ClockState.PAUSED):
        return False
    was_running = clock.state == ClockState.RUNNING
    clock.state = ClockState.STOPPED
    clock.stopped_at = now
    if was_running and clock.breached_at is None and clock.due_at < now:
        # stopped late before the sweep noticed: record the miss now
        clock.breached_at = clock.due_at
    return True


def cancel(clock: Clock, *, now: dt.datetime) -> bool:
    if clock.state not in (ClockState.RUNNING, ClockState.PAUSED):
        return False
    clock.state = ClockState.CANCELLED
    clock.stopped_at = now
    return True


def restart_until(clock: Clock, *, now: dt.datetime, due: dt.datetime) -> None:
    """A seconds clock runs again from ``now`` until ``due`` (a new reply time promised)."""
    clock.state = ClockState.RUNNING
    clock.started_at = now
    clock.budget = max(int((due - now).total_seconds()), 1)
    clock.unit = Clock.Unit.SECONDS
    clock.due_at = due
    clock.warn_at = _warn_point(now, due, clock.warn_percent)
    clock.warned_at = None
    clock.breached_at = None
    clock.stopped_at = None
    clock.paused_at = None
    clock.remaining_seconds = None


def restart_days(clock: Clock, *, now: dt.datetime, budget: int, cal: Calendar) -> None:
    """A day clock counts again from ``now`` (new facts in a repeat complaint, a review)."""
    clock.state = ClockState.RUNNING
    clock.started_at = now
    clock.budget = budget
    clock.paused_days = 0
    clock.warned_at = None
    clock.breached_at = None
    clock.stopped_at = None
    clock.paused_at = None
    _schedule_days(clock, cal)
