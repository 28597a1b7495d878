"""SR-9: the periodic SLA sweep that raises warnings and breaches (never a page view)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.tickets.models import Clock
from kefu.tickets.notifications import notify
from kefu.tickets.services._common import write_event

BATCH = 500


@dataclass
class SweepResult:
    warned: int = 0
    breached: int = 0


def _recipients(clock: Clock, *, breach: bool) -> list:
    from kefu.tickets.services.actions import _supervisors

    ticket = clock.ticket
    people = [ticket.owner, ticket.assignee]
    if breach:
        people += _supervisors(ticket)
    return people


def _message(clock: Clock, *, breach: bool) -> str:
    ticket = clock.ticket
    due = timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M")
    values = {"ref": ticket.reference, "clock": clock.get_name_display(), "due": due}
    if breach and clock.name == Clock.Name.CUSTOMER_REPLY:
        return (
            _(
                "%(ref)s: the reply promised to the customer by %(due)s is overdue. Call the "
                "customer, apologise, tell them the progress and a new reply time, and log it."
            )
            % values
        )
    if breach:
        return _("%(ref)s: the %(clock)s deadline %(due)s has passed.") % values
    return _("%(ref)s: the %(clock)s deadline %(due)s is near.") % values


def _lockable(qs):
    # Several workers may sweep at once: on PostgreSQL each takes rows the others have not.
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True, of=("self",))
    return qs.select_for_update()


def _sweep(kind: str, *, now: dt.datetime) -> int:
    breach = kind == "breach"
    done = 0
    while True:
        with transaction.atomic():
            base = (
                Clock.objects.breach_due(now=now) if breach else Clock.objects.warning_due(now=now)
            )
            batch = list(
                _lockable(
                    base.select_related("ticket__owner", "ticket__assignee", "ticket__team")
                ).order_by("due_at" if breach else "warn_at")[:BATCH]
            )
            if not batch:
                return done
            for clock in batch:
                if breach:
                    clock.breached_at = now
                    Clock.objects.filter(pk=clock.pk).update(breached_at=now)
                else:
                    clock.warned_at = now
                    Clock.objects.filter(pk=clock.pk).update(warned_at=now)
                write_event(
                    clock.ticket,
                    by=None,
                    action="ticket.clock.breached" if breach else "ticket.clock.warned",
                    data={"clock": clock.name, "due_at": clock.due_at, "clock_id": clock.pk},
                    at=now,
                )
                notify(
                    recipients=_recipients(clock, breach=breach),
                    ticket=clock.ticket,
                    kind="sla_breach" if breach else "sla_warning",
                    message=_message(clock, breach=breach),
                )
            done += len(batch)
            if len(batch) < BATCH:
                return done


def sla_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Mark every running clock whose warning or due time has come, write the ticket events
    and notify the owner, the assignee and (on a breach) the supervisor. Idempotent: a clock
    is warned and breached once."""
    now = now or timezone.now()
    result = SweepResult()
    result.warned = _sweep("warning", now=now)
    result.breached = _sweep("breach", now=now)
    return result
