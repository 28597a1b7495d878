"""Helpers shared by the ticket services: events, access checks, field changes, clocks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.calendars import Calendar
from kefu.core.errors import Conflict, NotFound
from kefu.core.permissions import check_perms, has_perms
from kefu.tickets import clocks
from kefu.tickets.models import Clock, ClockState, TeamMember, Ticket, TicketEvent

SYSTEM = "system"


def actor_label(by) -> str:
    if by is None:
        return SYSTEM
    if isinstance(by, str):
        return by
    return by.get_username()


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def write_event(ticket: Ticket, **fields: Any) -> TicketEvent:
    """SR-10: append one event to the ticket's history (in the caller's transaction); the
    fields are those of ``new_event``."""
    event = new_event(ticket, **fields)
    event.save(force_insert=True)
    return event


def new_event(
    ticket: Ticket,
    *,
    by,
    action: str,
    changes: dict[str, tuple[Any, Any]] | None = None,
    data: dict[str, Any] | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> TicketEvent:
    """The event ``write_event`` appends, not saved yet (to be saved with others at once)."""
    return TicketEvent(
        ticket=ticket,
        at=at or timezone.now(),
        actor=by if by is not None and not isinstance(by, str) else None,
        actor_label=actor_label(by),
        action=action,
        changes={k: {"old": _plain(o), "new": _plain(n)} for k, (o, n) in (changes or {}).items()},
        data={k: _plain(v) for k, v in (data or {}).items()},
        note=note,
    )


def set_fields(ticket: Ticket, **values: Any) -> dict[str, tuple[Any, Any]]:
    """Assign fields and return (old, new) of those that changed."""
    changes: dict[str, tuple[Any, Any]] = {}
    for name, new in values.items():
        old = getattr(ticket, name)
        if old != new:
            changes[name] = (old, new)
            setattr(ticket, name, new)
    return changes


# Foreign keys of a ticket: the database checks that they point somewhere; full_clean would
# ask for each with a query of its own.
TICKET_FOREIGN_KEYS = tuple(
    f.name for f in Ticket._meta.concrete_fields if f.is_relation and f.many_to_one
)


def save_ticket(ticket: Ticket, changes: dict[str, tuple[Any, Any]], *, now: dt.datetime) -> None:
    fields = [name.removesuffix("_id") if name.endswith("_id") else name for name in changes]
    ticket.updated_at = now
    # the constraints and foreign keys are checked by the database on the write (see
    # intake._create)
    ticket.full_clean(
        exclude=[*TICKET_FOREIGN_KEYS, "contact_phone", "case_phone"],
        validate_constraints=False,
    )
    ticket.save(update_fields=sorted({*fields, "updated_at"}))


def user_team_ids(user) -> list[int]:
    return list(
        TeamMember.objects.filter(user=user, is_active=True).values_list("team_id", flat=True)
    )


def can_see(user, ticket: Ticket) -> bool:
    if not has_perms(user, "tickets.view_ticket"):
        return False
    if user.has_perm("tickets.view_all_tickets"):
        return True
    if user.pk in (ticket.owner_id, ticket.assignee_id):
        return True
    teams = set(user_team_ids(user))
    return bool(teams & {ticket.team_id, ticket.owner_team_id})


def check_can_see(user, ticket: Ticket) -> None:
    """NotFound (not 403) for a ticket the user may not see: its existence is not told."""
    if not can_see(user, ticket):
        raise NotFound(_("No such ticket."))


def check_can_work(user, ticket: Ticket, *perms: str) -> None:
    check_can_see(user, ticket)
    check_perms(user, *perms)


def lock(ticket: Ticket) -> Ticket:
    """Re-read the ticket holding its row lock (concurrent actions queue up)."""
    locked = Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
    if locked is None:
        raise NotFound(_("No such ticket."))
    return locked


def running_clocks(ticket: Ticket, *names: str) -> list[Clock]:
    qs = ticket.clocks.filter(state__in=[ClockState.RUNNING, ClockState.PAUSED])
    if names:
        qs = qs.filter(name__in=names)
    return list(qs.order_by("id"))


def save_clocks(items: Iterable[Clock]) -> None:
    for clock in items:
        clock.save()


def clock_events(ticket: Ticket, *, by, verb: str, items: list[Clock], now) -> None:
    for clock in items:
        write_event(
            ticket,
            by=by,
            action=f"ticket.clock.{verb}",
            data={"clock": clock.name, "due_at": clock.due_at, "clock_id": clock.pk},
            at=now,
        )


def stop_clocks(ticket: Ticket, *names: str, by, now, cal: Calendar | None = None) -> list[Clock]:
    stopped = []
    for clock in running_clocks(ticket, *names):
        if clocks.stop(clock, now=now):
            clock.save()
            stopped.append(clock)
    clock_events(ticket, by=by, verb="stopped", items=stopped, now=now)
    return stopped


def conflict(message: str, *, field: str = "action") -> Conflict:
    return Conflict(message, errors={field: [message]})
