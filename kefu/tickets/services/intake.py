"""Recording a new ticket (SR-1, SR-2): validation, suggestion, clocks, routing, idempotency."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core import generations
from kefu.core.calendars import Calendar
from kefu.core.errors import Conflict, ValidationFailed
from kefu.core.generations import Snapshot
from kefu.core.permissions import check_perms
from kefu.customers.models import Customer
from kefu.tickets import classifier, clocks, deadlines
from kefu.tickets.classification import LIVE_CHANNELS, Category, Channel, Kind, default_pboc
from kefu.tickets.models import (
    Attachment,
    Clock,
    InstitutionType,
    TeamMember,
    Ticket,
    TicketEvent,
)
from kefu.tickets.services._common import TICKET_FOREIGN_KEYS, new_event, write_event

CONTENT_MAX = 4000
FUTURE_SKEW = dt.timedelta(minutes=5)
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,19}$")
_KEY = re.compile(r"^[\x21-\x7e]{1,64}$")


def institution_type() -> str:
    value = getattr(settings, "KEFU_INSTITUTION_TYPE", "") or InstitutionType.BANK
    return value if value in InstitutionType.values else InstitutionType.BANK


def _validate(
    *,
    channel: str,
    content: str,
    kind: str | None,
    category: str | None,
    received_at: dt.datetime | None,
    contact_phone: str,
    idempotency_key: str,
    now: dt.datetime,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if channel not in Channel.values:
        errors["channel"] = [
            _("Unknown channel %(value)s; use one of: %(choices)s.")
            % {"value": channel, "choices": ", ".join(Channel.values)}
        ]
    if "\x00" in content:
        errors["content"] = [_("The text contains a NUL character; remove it.")]
    elif not content.strip():
        errors["content"] = [_("Write down what the customer wants.")]
    elif len(content) > CONTENT_MAX:
        errors["content"] = [
            _("The content is %(n)d characters long; keep it to %(max)d and attach the rest.")
            % {"n": len(content), "max": CONTENT_MAX}
        ]
    if kind and kind not in Kind.values:
        errors["kind"] = [
            _("Unknown type %(value)s; use one of: %(choices)s.")
            % {"value": kind, "choices": ", ".join(Kind.values)}
        ]
    if category and category not in Category.values:
        errors["category"] = [
            _("Unknown category %(value)s; use one of: %(choices)s.")
            % {"value": category, "choices": ", ".join(Category.values)}
        ]
    if received_at is not None:
        if not 2000 <= received_at.year <= 2100:
            errors["received_at"] = [_("Give a time between 2000 and 2100.")]
        elif timezone.is_naive(received_at):
            errors["received_at"] = [_("Give the time with its time zone, e.g. +08:00.")]
        elif received_at > now + FUTURE_SKEW:
            errors["received_at"] = [_("The time received cannot be in the future.")]
    if contact_phone and not _PHONE.match(contact_phone.strip()):
        errors["contact_phone"] = [_("Enter a phone number of digits, e.g. 13911110001.")]
    if idempotency_key and not _KEY.match(idempotency_key):
        errors["idempotency_key"] = [
            _("The idempotency key must be 1 to 64 visible ASCII characters.")
        ]
    return errors


def _replay(*, by, key: str, customer: Customer, content: str) -> Ticket | None:
    existing = Ticket.objects.filter(created_by=by, idempotency_key=key).first()
    if existing is None:
        return None
    if existing.customer_id != customer.pk or existing.content != content:
        raise Conflict(
            _("This idempotency key was already used for a different ticket (%(ref)s).")
            % {"ref": existing.reference},
            errors={"idempotency_key": [_("Use a new key for a new ticket.")]},
        )
    return existing


def ticket_create(
    *,
    by,
    customer: Customer,
    channel: str,
    content: str,
    kind: str | None = None,
    category: str | None = None,
    received_at: dt.datetime | None = None,
    subject: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    idempotency_key: str = "",
    note: str = "",
    ivr_call=None,
) -> tuple[Ticket, bool]:
    """Record what a customer wants; returns (ticket, created).

    The type and category are suggested from the text (SR-2) and used unless given. The
    creator owns the ticket (SR-4). Clocks start (SR-9); a complaint gets its REG-1 limit
    and goes along its route (SR-7). A repeated call with the same ``idempotency_key`` by the
    same user returns the first ticket (created False); the same key with other content is
    a Conflict. ``ivr_call``: the hotline call transferred to the agent (IVR-10); the
    ticket's channel is then "ivr_transfer". Raises ValidationFailed naming the fields,
    CalendarUnknownYear when a deadline would reach a year the calendar does not know;
    nothing is saved then.
    """
    check_perms(by, "tickets.add_ticket")
    now = timezone.now()
    content = content or ""
    if ivr_call is not None:
        channel = Channel.IVR_TRANSFER
        if ivr_call.customer_id not in (None, customer.pk):
            message = _("The transferred call was verified as another customer.")
            raise ValidationFailed(message, errors={"ivr_call": [message]})
    errors = _validate(
        channel=channel,
        content=content,
        kind=kind,
        category=category,
        received_at=received_at,
        contact_phone=contact_phone,
        idempotency_key=idempotency_key,
        now=now,
    )
    if errors:
        raise ValidationFailed(_("The ticket has errors; nothing was saved."), errors=errors)
    if idempotency_key:
        existing = _replay(by=by, key=idempotency_key, customer=customer, content=content)
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            ticket = _create(
                by=by,
                customer=customer,
                channel=channel,
                content=content,
                kind=kind,
                category=category,
                received_at=received_at or now,
                subject=subject,
                contact_name=contact_name,
                contact_phone=contact_phone.strip(),
                idempotency_key=idempotency_key,
                note=note,
                now=now,
                ivr_call=ivr_call,
            )
    except IntegrityError:
        # the same key committed by a concurrent request a moment ago
        if idempotency_key:
            existing = _replay(by=by, key=idempotency_key, customer=customer, content=content)
            if existing is not None:
                return existing, False
        raise
    return ticket, True


def _create(
    *,
    by,
    customer: Customer,
    channel: str,
    content: str,
    kind: str | None,
    category: str | None,
    received_at: dt.datetime,
    subject: str,
    contact_name: str,
    contact_phone: str,
    idempotency_key: str,
    note: str,
    now: dt.datetime,
    ivr_call=None,
) -> Ticket:
    from kefu.tickets.services.actions import route_along

    guess = classifier.suggest(f"{subject} {content}")
    # The owner's team, the SLA policies and the calendar's entered years, from what the
    # process keeps for the current configuration generation (one short statement).
    config = generations.snapshot()
    owner_team_id = config.get(("tickets.owner_team", by.pk), lambda: _first_team_id(by))
    ticket = Ticket(
        customer=customer,
        ivr_call=ivr_call,
        channel=channel,
        content=content,
        subject=subject[:120],
        contact_name=contact_name[:64] or customer.name,
        contact_phone=contact_phone,
        kind=kind or guess.kind,
        category=category or guess.category,
        suggested_kind=guess.kind,
        suggested_category=guess.category,
        suggestion=guess.as_json(),
        received_at=received_at,
        created_at=now,
        updated_at=now,
        created_by=by,
        owner=by,
        owner_team_id=owner_team_id,
        institution_type=institution_type(),
        idempotency_key=idempotency_key,
    )
    if ticket.kind == Kind.COMPLAINT:
        for name, value in default_pboc(channel=channel, category=ticket.category).items():
            setattr(ticket, name, value)
    # Field checks here; the table's constraints (one ticket per idempotency key, score and
    # extension ranges) and foreign keys are the database's, checked on the write itself:
    # asking for them beforehand cost a query (and a savepoint) each, 40 % of the time to
    # record a ticket.
    ticket.full_clean(exclude=TICKET_FOREIGN_KEYS, validate_constraints=False)
    ticket.save()
    created = new_event(
        ticket,
        by=by,
        action="ticket.created",
        data={
            "channel": channel,
            "kind": ticket.kind,
            "category": ticket.category,
            "suggested_kind": guess.kind,
            "suggested_category": guess.category,
            "kind_confirmed": bool(kind),
            "ivr_call": str(ivr_call.pk) if ivr_call is not None else "",
        },
        note=note,
        at=now,
    )
    cal = Calendar(snapshot=config)
    # the "created" event is inserted with the clocks' events, in one statement
    made = start_clocks(ticket, by=by, cal=cal, now=now, first_events=[created], snapshot=config)
    routed = ticket.kind == Kind.COMPLAINT and route_along(ticket, by=by, now=now, cal=cal)
    if not routed:
        # Not routed, the ticket's clocks are exactly these: the caller's answer needs not
        # read them back (a routed complaint may have gained a hand-over clock).
        ticket.created_clocks = made
    return ticket


def _first_team_id(user) -> int | None:
    """The team of the user's first active membership."""
    return (
        TeamMember.objects.filter(user=user, is_active=True)
        .order_by("id")
        .values_list("team_id", flat=True)
        .first()
    )


def start_clocks(
    ticket: Ticket,
    *,
    by,
    cal: Calendar,
    now: dt.datetime,
    first_events: list[TicketEvent] | None = None,
    snapshot: Snapshot | None = None,
) -> list[Clock]:
    """First response and resolution clocks of a new ticket (REG-1 for a complaint), and
    their events (after ``first_events``, saved with them). ``snapshot``: the configuration
    generation to read the policies from (kefu.core.generations)."""
    made: list[Clock] = []
    policies = deadlines.policies_for(
        ["first_response", "resolution"], ticket.kind, snapshot=snapshot
    )
    first = clocks.new_clock(
        ticket=ticket,
        name=Clock.Name.FIRST_RESPONSE,
        policy=policies["first_response"],
        start=ticket.received_at,
        cal=cal,
    )
    if ticket.channel in LIVE_CHANNELS:
        clocks.stop(first, now=now)  # the agent is answering the customer right now
        first.breached_at = None
    made.append(first)
    made.append(
        resolution_clock(
            ticket,
            cal=cal,
            start=ticket.received_at,
            policy=policies["resolution"],
            snapshot=snapshot,
        )
    )
    Clock.objects.bulk_create(made)
    started = [
        TicketEvent(
            ticket=ticket,
            at=now,
            actor=by,
            actor_label=by.get_username(),
            action="ticket.clock.started",
            data={
                "clock": clock.name,
                "due_at": clock.due_at.isoformat(),
                "state": clock.display_state,
            },
        )
        for clock in made
    ]
    TicketEvent.objects.bulk_create([*(first_events or []), *started])
    return made


def resolution_clock(
    ticket: Ticket,
    *,
    cal: Calendar,
    start: dt.datetime,
    policy: deadlines.Policy | None = None,
    snapshot: Snapshot | None = None,
) -> Clock:
    if ticket.kind == Kind.COMPLAINT:
        limits = deadlines.regulatory_limits(ticket.institution_type, snapshot=snapshot)
        return clocks.regulatory_clock(ticket=ticket, limits=limits, start=start, cal=cal)
    return clocks.new_clock(
        ticket=ticket,
        name=Clock.Name.RESOLUTION,
        policy=policy or deadlines.policy_for("resolution", ticket.kind),
        start=start,
        cal=cal,
    )


@transaction.atomic
def attachment_add(*, ticket: Ticket, by, upload) -> Attachment:
    """Keep a file with the ticket (a letter's scan, a screenshot) and record it."""
    from kefu.tickets.services._common import check_can_work, lock

    ticket = lock(ticket)
    check_can_work(by, ticket, "tickets.view_ticket", "tickets.work_ticket")
    name = (getattr(upload, "name", "") or "file")[-200:]
    attachment = Attachment(
        ticket=ticket,
        name=name,
        size=upload.size,
        content_type=(getattr(upload, "content_type", "") or "")[:100],
        uploaded_by=by,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    write_event(
        ticket,
        by=by,
        action="ticket.attachment_added",
        data={"attachment": attachment.pk, "name": name, "size": upload.size},
    )
    return attachment


def attachment_record_download(*, attachment: Attachment, by) -> None:
    """A letter's scan or a screenshot may show card and ID numbers: who opened it is
    audited (SEC-4). Call it after the access check, before the file is sent."""
    from kefu.core.services import audit_record

    audit_record(
        actor=by,
        action="tickets.attachment.downloaded",
        obj=attachment,
        data={"ticket": attachment.ticket_id, "name": attachment.name},
    )
