"""IVR-10: whether an agent queue takes a call now (opening hours, holidays, overflow)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kefu.core.calendars import Calendar, CalendarUnknownYear
from kefu.ivr.flowset import Queue


def _is_holiday(day: dt.date) -> bool:
    try:
        return Calendar().is_holiday(day)
    except CalendarUnknownYear:
        # An unknown year is no reason to turn callers away: treat the day as ordinary.
        return False


def queue_is_open(*, queue: Queue, now: dt.datetime) -> tuple[bool, str]:
    """(open, why not): "closed" outside the hours, "holiday" on a closed holiday."""
    local = timezone.localtime(now)
    minute = local.hour * 60 + local.minute
    hours = queue.hours
    if queue.holidays != "open" and _is_holiday(local.date()):
        if queue.holidays == "closed":
            return False, "holiday"
        assert queue.holiday_hours is not None
        hours = queue.holiday_hours
        if not hours[0] <= minute < hours[1]:
            return False, "holiday"
        return True, ""
    if not hours[0] <= minute < hours[1]:
        return False, "closed"
    return True, ""


def queue_admission(*, queue: Queue, now: dt.datetime) -> tuple[bool, str]:
    """(admitted, why not): closed / holiday / overflow (max_waiting calls already wait)."""
    from kefu.ivr.models import QueueEntry

    is_open, why = queue_is_open(queue=queue, now=now)
    if not is_open:
        return False, why
    waiting = QueueEntry.objects.filter(queue=queue.code, status=QueueEntry.Status.WAITING).count()
    if waiting >= queue.max_waiting:
        return False, "overflow"
    return True, ""
