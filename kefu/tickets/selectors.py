"""Ticket reads: scoped look-ups, my work, the floor, about-to-breach, search, statistics."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from kefu.core.errors import NotFound
from kefu.core.masking import mask_text
from kefu.customers.selectors import TimelineEntry
from kefu.tickets.classification import Kind, pboc_label, pboc_large_class
from kefu.tickets.models import (
    OPEN_STATUSES,
    Attachment,
    Clock,
    ClockState,
    HandOver,
    Notification,
    Queue,
    Route,
    Status,
    Team,
    TeamMember,
    Ticket,
)

OPEN_CLOCK_STATES = (ClockState.RUNNING, ClockState.PAUSED)


# Lists never show the encrypted phone numbers: leave them out (each would be decrypted).
LIST_DEFERRED = ("contact_phone", "case_phone", "customer__mobile")


def _with_clocks(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return (
        qs.select_related("customer", "owner", "assignee", "team")
        .defer(*LIST_DEFERRED)
        .prefetch_related(
            Prefetch(
                "clocks",
                queryset=Clock.objects.filter(state__in=OPEN_CLOCK_STATES).order_by("due_at"),
                to_attr="open_clocks",
            )
        )
    )


def user_team_ids(user) -> list[int]:
    return list(
        TeamMember.objects.filter(user=user, is_active=True).values_list("team_id", flat=True)
    )


def ticket_get_for_user(*, user, pk: int) -> Ticket:
    """The ticket if ``user`` may see it (SEC-2); NotFound otherwise, also when it exists."""
    ticket = (
        Ticket.objects.visible_to(user)
        .select_related(
            "customer", "owner", "assignee", "team", "queue", "route", "owner_team", "merged_into"
        )
        .filter(pk=pk)
        .first()
    )
    if ticket is None:
        raise NotFound(_("No such ticket."))
    return ticket


def attachment_get_for_user(*, user, pk: int) -> Attachment:
    """An attachment of a ticket ``user`` may see; NotFound otherwise."""
    attachment = Attachment.objects.filter(pk=pk).only("ticket_id").first()
    if attachment is None:
        raise NotFound(_("No such attachment."))
    ticket_get_for_user(user=user, pk=attachment.ticket_id)
    return Attachment.objects.get(pk=pk)


def ticket_history(*, ticket: Ticket):
    return ticket.events.select_related("actor").order_by("at", "id")


def masked(value: Any) -> Any:
    """Free text of an event (a result, a case description, a customer notice) may quote a
    card, ID or mobile number: mask every string before it is shown or sent."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


# Events that are not actions of the state machine (those take the transition's label).
EVENT_LABELS = {
    "ticket.created": _lazy("Recorded"),
    "ticket.routed": _lazy("Routed"),
    "ticket.repeat_merged": _lazy("A repeat complaint was merged into this one"),
    "ticket.attachment_added": _lazy("Attachment added"),
    "ticket.satisfaction_late": _lazy("Satisfaction answered after the ticket had moved on"),
    "ticket.clock.started": _lazy("Clock started"),
    "ticket.clock.stopped": _lazy("Clock stopped"),
    "ticket.clock.paused": _lazy("Clock paused"),
    "ticket.clock.resumed": _lazy("Clock resumed"),
    "ticket.clock.extended": _lazy("Time limit extended"),
    "ticket.clock.restarted": _lazy("Clock restarted"),
    "ticket.clock.warned": _lazy("Deadline near (warning)"),
    "ticket.clock.breached": _lazy("Deadline passed (breach)"),
}
# Foreign keys in events are ids (``team`` or ``team_id``); the history shows names.
_USER_FIELDS = ("owner", "assignee")
_MODEL_FIELDS: dict[str, type[Team | Queue | Route]] = {
    "team": Team,
    "owner_team": Team,
    "queue": Queue,
    "route": Route,
}
# bookkeeping that says nothing to a reader (the route step is in the routed event's queue)
_HIDDEN_CHANGES = frozenset({"route_position"})


@dataclass
class HistoryRow:
    at: dt.datetime
    action: str
    label: str
    by: str
    changes: list[tuple[str, str, str]]
    note: str


def _change_order(name: str) -> tuple[int, int, str]:
    """The status first, then the ticket's fields in model order: a JSON column on
    PostgreSQL (jsonb) does not keep the order the changes were written in."""
    if name == "status":
        return (0, 0, name)
    field_names = [f.name for f in Ticket._meta.get_fields()]
    base = name.removesuffix("_id")
    if base in field_names:
        return (1, field_names.index(base), name)
    return (2, 0, name)


def ticket_history_rows(*, ticket: Ticket) -> list[HistoryRow]:
    """The history as people read it: labels instead of codes, names instead of ids, choice
    labels instead of values, and personal numbers masked (SR-10). Three queries."""
    from kefu.tickets.workflow import TRANSITIONS

    events = list(ticket_history(ticket=ticket))
    wanted: dict[str, set[int]] = defaultdict(set)
    for e in events:
        for name, change in e.changes.items():
            field = name.removesuffix("_id")
            if field in _USER_FIELDS or field in _MODEL_FIELDS:
                wanted[field].update(v for v in change.values() if isinstance(v, int))
    User = get_user_model()
    user_ids = set().union(*(wanted[f] for f in _USER_FIELDS))
    names: dict[str, dict[int, str]] = {}
    users = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    for field in _USER_FIELDS:
        names[field] = users
    for field, model in _MODEL_FIELDS.items():
        names[field] = (
            {o.pk: str(o) for o in model._default_manager.filter(pk__in=wanted[field])}
            if wanted[field]
            else {}
        )

    def shown(name: str, value: Any) -> str:
        field = name.removesuffix("_id")
        if value in (None, ""):
            return "—"
        if field in names:
            return names[field].get(value, f"#{value}")
        if field == "merged_into":
            return f"T{value:08d}" if isinstance(value, int) else str(value)
        try:
            model_field = Ticket._meta.get_field(field)
        except FieldDoesNotExist:
            return str(masked(value))
        choices = getattr(model_field, "flatchoices", None)
        if choices:
            return str(dict(choices).get(value, value))
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if field.endswith("_at") or field == "case_time":
            moment = parse_datetime(str(value))
            if moment is not None:
                return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
        return str(masked(value))

    def field_label(field: str) -> str:
        try:
            model_field = Ticket._meta.get_field(field.removesuffix("_id"))
        except FieldDoesNotExist:
            return field
        return str(getattr(model_field, "verbose_name", field))

    rows = []
    for e in events:
        action = e.action.removeprefix("ticket.")
        transition = TRANSITIONS.get(action)
        label = transition.label if transition else EVENT_LABELS.get(e.action, e.action)
        clock = e.data.get("clock") if e.action.startswith("ticket.clock.") else None
        if clock:
            label = f"{label} · {Clock.Name(clock).label if clock in Clock.Name.values else clock}"
        rows.append(
            HistoryRow(
                at=e.at,
                action=e.action,
                label=str(label),
                by=e.actor_label,
                changes=[
                    (field_label(f), shown(f, c.get("old")), shown(f, c.get("new")))
                    for f, c in sorted(e.changes.items(), key=lambda item: _change_order(item[0]))
                    if f not in _HIDDEN_CHANGES
                ],
                note=mask_text(e.note),
            )
        )
    return rows


def ticket_clocks(*, ticket: Ticket) -> list[Clock]:
    return list(ticket.clocks.select_related("team").order_by("id"))


def pending_handover(*, ticket: Ticket) -> HandOver | None:
    return (
        ticket.handovers.select_related("from_user", "to_user")
        .filter(state=HandOver.State.PENDING)
        .first()
    )


def actions_offered(*, user, ticket: Ticket, handover: HandOver | None, repeats: list) -> list:
    """The actions the ticket page offers ``user``: allowed from the status, with the
    permissions, and not bound to fail on who the user is (accepting a hand-over that is
    not theirs, taking a ticket of another team, merging with nothing to merge into)."""
    from kefu.tickets import routing, workflow

    sees_all = user.has_perm("tickets.view_all_tickets")
    team_member = ticket.team_id is not None and ticket.team_id in user_team_ids(user)
    ruled_out = {
        "accept_handover": handover is None or handover.to_user_id != user.pk,
        "decline_handover": handover is None or handover.to_user_id != user.pk,
        "hand_over": handover is not None or not (user.pk == ticket.owner_id or sees_all),
        "cancel_handover": handover is None or not (user.pk == handover.from_user_id or sees_all),
        "take": not team_member or ticket.assignee_id == user.pk,
        "start": ticket.assignee_id not in (None, user.pk) and not sees_all,
        "merge": not repeats,
        "request_review": ticket.decided_at is None,
        "forward": not _has_next_step(ticket, routing),
        # the further extension needs approval (REG-1); a third is never possible
        "extend": ticket.extension_level >= 2
        or (ticket.extension_level == 1 and not user.has_perm("tickets.approve_extension")),
    }
    return [
        t
        for t in workflow.available_actions(status=ticket.status, kind=ticket.kind)
        if user.has_perms(t.perms) and not ruled_out.get(t.action, False)
    ]


def _has_next_step(ticket: Ticket, routing) -> bool:
    route = ticket.route or routing.find_route(kind=ticket.kind, category=ticket.category)
    if route is None:
        return False
    position = ticket.route_position if ticket.route_id == route.pk else 0
    return routing.next_step(route, position) is not None


# The columns the work list shows: an agent may have a few hundred open tickets, and
# building every column of each costs more than the query.
def _choice_labels(model, field: str) -> dict[str, Any]:
    return dict(model._meta.get_field(field).flatchoices)


@dataclass(slots=True)
class WorkClock:
    """One open clock of a "my work" row, as the clock badge shows it."""

    name: str
    team: str
    due_at: dt.datetime
    state: str
    warned: bool
    breached: bool

    def get_name_display(self) -> str:
        return str(_CLOCK_NAMES.get(self.name, self.name))

    @property
    def display_state(self) -> str:
        if self.state == ClockState.RUNNING:
            if self.breached:
                return "breached"
            if self.warned:
                return "warning"
        return self.state


@dataclass(slots=True)
class WorkRow:
    """One row of "my work": only what the list shows, read as plain values (building ~100
    tickets with their customer, people, team and clocks as model instances cost ten times
    the queries)."""

    pk: int
    kind: str
    category: str
    status: str
    owner_id: int | None
    customer_name: str
    team: str
    assignee: str
    open_clocks: list[WorkClock]

    @property
    def reference(self) -> str:
        return f"T{self.pk:08d}"

    def get_kind_display(self) -> str:
        return str(_TICKET_LABELS["kind"].get(self.kind, self.kind))

    def get_category_display(self) -> str:
        return str(_TICKET_LABELS["category"].get(self.category, self.category))

    def get_status_display(self) -> str:
        return str(_TICKET_LABELS["status"].get(self.status, self.status))


_CLOCK_NAMES = _choice_labels(Clock, "name")
_TICKET_LABELS = {f: _choice_labels(Ticket, f) for f in ("kind", "category", "status")}


_OPEN = sorted(OPEN_STATUSES)


@lru_cache(maxsize=1)
def _my_work_sql() -> str:
    """The rows of "my work" in one statement, written out: built through the ORM (a UNION,
    a correlated subquery and four joins) it cost more to compile than to run."""
    from kefu.core.models import User
    from kefu.customers.models import Customer

    q = connection.ops.quote_name
    ticket, clock = q(Ticket._meta.db_table), q(Clock._meta.db_table)
    customer, team, user = (
        q(Customer._meta.db_table),
        q(Team._meta.db_table),
        q(User._meta.db_table),
    )
    statuses = ", ".join(["%s"] * len(_OPEN))
    # Only quoted table names from the models are formatted in; every value is a parameter.
    return f"""
        SELECT t.id, t.kind, t.category, t.status, t.owner_id, c.name, tm.name,
               u.username, u.display_name
        FROM {ticket} t
        LEFT JOIN {customer} c ON c.id = t.customer_id
        LEFT JOIN {team} tm ON tm.id = t.team_id
        LEFT JOIN {user} u ON u.id = t.assignee_id
        WHERE t.id IN (
            SELECT id FROM {ticket} WHERE owner_id = %s AND status IN ({statuses})
            UNION
            SELECT id FROM {ticket} WHERE assignee_id = %s AND status IN ({statuses})
        )
        ORDER BY (
            SELECT MIN(k.due_at) FROM {clock} k WHERE k.ticket_id = t.id AND k.state = %s
        ) ASC NULLS LAST, t.id DESC
        LIMIT %s
    """  # noqa: S608


def _work_clocks_sql(count: int) -> str:
    q = connection.ops.quote_name
    clock, team = q(Clock._meta.db_table), q(Team._meta.db_table)
    ids = ", ".join(["%s"] * count)
    states = ", ".join(["%s"] * len(OPEN_CLOCK_STATES))
    return f"""
        SELECT k.ticket_id, k.name, tm.name, k.due_at, k.state,
               k.warned_at IS NOT NULL, k.breached_at IS NOT NULL
        FROM {clock} k LEFT JOIN {team} tm ON tm.id = k.team_id
        WHERE k.ticket_id IN ({ids}) AND k.state IN ({states})
        ORDER BY k.due_at, k.id
    """  # noqa: S608


def my_work(*, user, limit: int = 100) -> list[WorkRow]:
    """Open tickets ``user`` owns or is assigned, most urgent clock first (SR-4, SR-9).

    IN over a UNION of two index range scans (owner, assignee): an OR over both columns
    would make PostgreSQL scan far more of the table. The order (the soonest running clock,
    then the newest ticket) is computed in the database, and the ``limit`` rows shown are
    read with their customer, team and assignee in the same statement; their open clocks in
    a second one.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            _my_work_sql(), [user.pk, *_OPEN, user.pk, *_OPEN, ClockState.RUNNING, limit]
        )
        rows = cursor.fetchall()
    clocks: dict[int, list[WorkClock]] = defaultdict(list)
    if rows:
        ids = [r[0] for r in rows]
        # SQLite hands back text for timestamps; PostgreSQL aware datetimes already.
        convert = getattr(connection.ops, "convert_datetimefield_value", None)
        with connection.cursor() as cursor:
            cursor.execute(_work_clocks_sql(len(ids)), [*ids, *OPEN_CLOCK_STATES])
            for ticket_id, name, team, due_at, state, warned, breached in cursor.fetchall():
                if convert is not None:
                    due_at = convert(due_at, None, connection)
                clocks[ticket_id].append(
                    WorkClock(name, team or "", due_at, state, bool(warned), bool(breached))
                )
    return [
        WorkRow(
            pk=pk,
            kind=kind,
            category=category,
            status=status,
            owner_id=owner_id,
            customer_name=customer_name or "",
            team=team or "",
            assignee=(assignee_display or assignee_username or ""),
            open_clocks=clocks.get(pk, []),
        )
        for (
            pk,
            kind,
            category,
            status,
            owner_id,
            customer_name,
            team,
            assignee_username,
            assignee_display,
        ) in rows
    ]


def handovers_waiting_for(*, user) -> list[HandOver]:
    return list(
        HandOver.objects.select_related("ticket", "from_user")
        .filter(to_user=user, state=HandOver.State.PENDING)
        .order_by("requested_at")
    )


def about_to_breach(
    *, user, now: dt.datetime | None = None, within: dt.timedelta = dt.timedelta(hours=4), limit=100
) -> list[Clock]:
    """Running clocks that are warned, breached or due within ``within``, soonest first —
    the supervisor's list (the whole floor with view_all_tickets, else their teams)."""
    now = now or timezone.now()
    clocks = (
        Clock.objects.filter(state=ClockState.RUNNING, due_at__lte=now + within)
        .select_related(
            "team", "ticket__customer", "ticket__owner", "ticket__assignee", "ticket__team"
        )
        # only what the list shows: building 200 wide rows of six models costs more than
        # the query itself
        .only(
            "ticket_id",
            "name",
            "team__name",
            "team__code",
            "state",
            "due_at",
            "started_at",
            "warned_at",
            "breached_at",
            "ticket__customer__name",
            "ticket__owner__username",
            "ticket__owner__display_name",
            "ticket__assignee__username",
            "ticket__assignee__display_name",
            "ticket__team__name",
            "ticket__team__code",
        )
        .order_by("due_at")
    )
    if not user.has_perm("tickets.view_all_tickets"):
        teams = user_team_ids(user)
        clocks = clocks.filter(
            Q(ticket__team_id__in=teams) | Q(ticket__owner=user) | Q(ticket__assignee=user)
        )
    return list(clocks[:limit])


def floor_summary(*, now: dt.datetime | None = None) -> dict:
    """Open tickets per team and status, breached and warned clocks: the supervisor's floor."""
    now = now or timezone.now()
    by_team: dict[str, dict[str, int]] = defaultdict(dict)
    rows = (
        Ticket.objects.filter(status__in=OPEN_STATUSES)
        .values("team__name", "status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        by_team[row["team__name"] or _("Not routed")][row["status"]] = row["n"]
    # statuses in the order of the workflow, by their label
    ordered = {
        team: {str(status.label): counts[status] for status in Status if status in counts}
        for team, counts in by_team.items()
    }
    running = Clock.objects.filter(state=ClockState.RUNNING)
    return {
        "by_team": dict(sorted(ordered.items())),
        "breached": running.filter(breached_at__isnull=False).count(),
        "warned": running.filter(warned_at__isnull=False, breached_at__isnull=True).count(),
    }


@dataclass
class TicketFilters:
    q: str = ""
    status: str = ""
    kind: str = ""
    category: str = ""
    channel: str = ""
    customer_id: int | None = None
    owner_id: int | None = None
    team_id: int | None = None
    open_only: bool = False
    received_from: dt.date | None = None
    received_to: dt.date | None = None


def ticket_search(*, user, filters: TicketFilters) -> QuerySet[Ticket]:
    """Tickets ``user`` may see matching ``filters``; ``q`` is a reference (T00000123 or
    123) or words of the content/subject (a plain contains match)."""
    qs = Ticket.objects.visible_to(user)
    f = filters
    if f.q:
        q = f.q.strip()
        digits = q[1:] if q[:1] in ("T", "t") and q[1:].isdigit() else q
        if digits.isdigit():
            qs = qs.filter(pk=int(digits))
        else:
            qs = qs.filter(Q(subject__icontains=q) | Q(content__icontains=q))
    for field in ("status", "kind", "category", "channel"):
        value = getattr(f, field)
        if value:
            qs = qs.filter(**{field: value})
    if f.open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if f.customer_id:
        qs = qs.filter(customer_id=f.customer_id)
    if f.owner_id:
        qs = qs.filter(owner_id=f.owner_id)
    if f.team_id:
        qs = qs.filter(team_id=f.team_id)
    tz = timezone.get_current_timezone()
    if f.received_from:
        qs = qs.filter(
            received_at__gte=dt.datetime.combine(f.received_from, dt.time.min, tzinfo=tz)
        )
    if f.received_to:
        end = dt.datetime.combine(f.received_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        qs = qs.filter(received_at__lt=end)
    return _with_clocks(qs).order_by("-received_at", "-id")


def notifications_unread(*, user, limit: int = 20):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).order_by(
        "-created_at"
    )[:limit]


def possible_repeats(*, ticket: Ticket) -> list[Ticket]:
    """Open complaints of the same customer received before this one (merge candidates)."""
    if ticket.kind != Kind.COMPLAINT:
        return []
    return list(
        Ticket.objects.filter(
            customer_id=ticket.customer_id,
            kind=Kind.COMPLAINT,
            status__in=[
                Status.REGISTERED,
                Status.ASSESSED,
                Status.ASSIGNED,
                Status.IN_HANDLING,
                Status.WAITING_CUSTOMER,
                Status.APPRAISAL,
            ],
            received_at__lte=ticket.received_at,
        )
        .exclude(pk=ticket.pk)
        .order_by("-received_at")[:10]
    )


# --- customer 360 (CUS-7) ---------------------------------------------------------------------


def customer_ticket_timeline(customer, limit: int) -> list[TimelineEntry]:
    """Timeline source for the customer 360 page: one query."""
    rows = Ticket.objects.filter(customer=customer).order_by("-received_at")[:limit]
    return [
        TimelineEntry(
            at=t.received_at,
            kind="ticket",
            title=f"{t.get_kind_display()} {t.reference}: {t.get_category_display()}",
            detail=t.get_status_display(),
            url=reverse("tickets:detail", kwargs={"ticket_id": t.pk}),
        )
        for t in rows
    ]


# --- REG-2 statistics ---------------------------------------------------------------------------


@dataclass
class StatRow:
    month: str
    dimension: str
    code: str
    label: str
    received: int
    closed: int
    closed_in_time: int


def complaint_statistics(*, date_from: dt.date, date_to: dt.date) -> list[StatRow]:
    """Complaints received per month in each JR/T 0169-2018 dimension (by large class),
    with how many are closed and how many of those were decided within their time limit.

    One aggregate query per dimension over the kind+received index.
    """
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    base = Ticket.objects.filter(
        kind=Kind.COMPLAINT, received_at__gte=start, received_at__lt=end
    ).exclude(status=Status.MERGED)
    late = Clock.objects.filter(
        ticket_id=OuterRef("pk"),
        name=Clock.Name.RESOLUTION,
        regulatory=True,
        breached_at__isnull=False,
    )
    base = base.annotate(month=TruncMonth("received_at", tzinfo=tz), late=Exists(late))
    fields = {"channel": "pboc_channel", "business": "pboc_business", "cause": "pboc_cause"}
    grouped: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    # one aggregate over all three dimensions; the large classes are summed up here
    for r in base.values("month", *fields.values()).annotate(
        received=Count("id"),
        closed=Count("id", filter=Q(decided_at__isnull=False)),
        in_time=Count("id", filter=Q(decided_at__isnull=False, late=False)),
    ):
        moment = r["month"]
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        month = moment.strftime("%Y-%m")
        for dimension, field in fields.items():
            large = pboc_large_class(dimension, r[field]) or r[field] or "—"
            acc = grouped[(dimension, month, large)]
            acc[0] += r["received"]
            acc[1] += r["closed"]
            acc[2] += r["in_time"]
    rows: list[StatRow] = []
    for dimension in fields:
        for (dim, month, code), (received, closed, in_time) in sorted(grouped.items()):
            if dim != dimension:
                continue
            rows.append(
                StatRow(
                    month=month,
                    dimension=dimension,
                    code=code,
                    label=pboc_label(dimension, code) or _("Not classified"),
                    received=received,
                    closed=closed,
                    closed_in_time=in_time,
                )
            )
    return rows


# --- IVR transfers (IVR-10) ---------------------------------------------------------------------

RECENT_TRANSFER = dt.timedelta(hours=2)


def transferred_call(*, call_id):
    """The IVR call a ticket is opened from; ValidationFailed naming ``ivr_call_id``."""
    from kefu.core.errors import ValidationFailed
    from kefu.ivr.models import Call

    call = Call.objects.filter(pk=call_id).first()
    if call is None:
        message = _("No hotline call with this id.")
        raise ValidationFailed(message, errors={"ivr_call_id": [message]})
    return call


def recent_transferred_call(*, user, customer_id: int):
    """The call this agent answered from the IVR queue for this customer in the last two
    hours that has no ticket yet: a new ticket from the 360 page is linked to it."""
    from kefu.ivr.models import QueueEntry

    entry = (
        QueueEntry.objects.select_related("call")
        .filter(
            answered_by=user,
            customer_id=customer_id,
            status=QueueEntry.Status.ANSWERED,
            answered_at__gte=timezone.now() - RECENT_TRANSFER,
            call__tickets__isnull=True,
        )
        .order_by("-answered_at")
        .first()
    )
    return entry.call if entry is not None else None
