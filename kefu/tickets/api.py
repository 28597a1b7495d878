"""Ticket API: create, list and search, get, history, actions of the state machine, the
type/category suggestion, the about-to-breach list, complaint statistics and the IVR
satisfaction answer. Tickets change only through actions (SR-10), never by field edits.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Path, Query, Router, Schema
from ninja import Status as Reply
from pydantic import ConfigDict, field_validator

from kefu.core.errors import ValidationFailed
from kefu.core.masking import mask_text
from kefu.core.permissions import check_perms
from kefu.customers.models import Customer
from kefu.tickets import classifier, selectors, services, workflow
from kefu.tickets.classification import Category, Channel, Kind
from kefu.tickets.models import Status, Ticket

router = Router(tags=["tickets"])

VIEW = "tickets.view_ticket"
ADD = "tickets.add_ticket"
MAX_ID = 2**63 - 1
FIRST_YEAR, LAST_YEAR = 2000, 2100

ActionName = Literal[
    "classify",
    "answer",
    "make_case",
    "assess",
    "assign",
    "start",
    "wait_customer",
    "resume",
    "start_appraisal",
    "extend",
    "log_progress",
    "resolve",
    "request_satisfaction",
    "record_satisfaction",
    "close",
    "reopen",
    "archive",
    "request_review",
    "merge",
    "escalate",
    "hand_over",
    "accept_handover",
    "decline_handover",
    "cancel_handover",
    "route",
    "forward",
    "take",
    "add_note",
]
assert set(ActionName.__args__) == set(workflow.ACTIONS)  # type: ignore[attr-defined]


def _check_text(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("Text must not contain NUL characters.")
    if isinstance(value, dt.datetime | dt.date) and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"Give a date between {FIRST_YEAR} and {LAST_YEAR}.")
    return value


class CleanSchema(Schema):
    """Refuses NUL characters and dates far outside the calendar in every field (a clear
    422 instead of a database error)."""

    @field_validator("*", mode="after")
    @classmethod
    def _clean(cls, value):
        return _check_text(value)


class TicketIn(CleanSchema):
    # a field the API does not take (``status``, ``owner`` …) is refused, not ignored
    model_config = ConfigDict(extra="forbid")

    customer_id: int = Field(..., ge=1, le=MAX_ID)
    channel: Channel
    content: str = Field(..., min_length=1, max_length=4000)
    kind: Kind | None = None
    category: Category | None = None
    received_at: dt.datetime | None = None
    subject: str = Field("", max_length=120)
    contact_name: str = Field("", max_length=64)
    contact_phone: str = Field("", max_length=20)
    ivr_call_id: uuid.UUID | None = Field(
        None, description="the hotline call transferred to the agent (IVR-10)"
    )


class ClockOut(Schema):
    name: str
    state: str = Field(
        ..., description="running, warning, breached, paused, met, missed or cancelled"
    )
    due_at: dt.datetime
    started_at: dt.datetime
    team: str | None


class SuggestionOut(Schema):
    kind: str
    category: str
    kind_terms: list[str]
    category_terms: list[str]


class PbocOut(Schema):
    channel: str
    business: str
    cause: str


class TicketOut(Schema):
    id: int
    reference: str
    customer_id: int
    channel: str
    kind: str
    suggested_kind: str
    category: str
    suggested_category: str
    suggestion: SuggestionOut
    status: str
    subject: str
    content: str
    received_at: dt.datetime
    owner: str
    assignee: str | None
    team: str | None
    is_case: bool
    reply_promised_at: dt.datetime | None
    severity: str
    urgency: str
    pboc: PbocOut
    extension_level: int
    escalated_at: dt.datetime | None
    merged_into: int | None
    result: str
    decided_at: dt.datetime | None
    satisfaction_score: int | None
    ivr_call_id: uuid.UUID | None
    clocks: list[ClockOut]
    actions: list[str] = Field(..., description="actions allowed from the current status")


def _local(moment: dt.datetime) -> dt.datetime:
    """Times are given in the centre's time zone (+08:00), as people read them."""
    return timezone.localtime(moment)


def _local_or_none(moment: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(moment) if moment is not None else None


def serialize(ticket: Ticket, clocks=None) -> TicketOut:
    if clocks is None:
        clocks = getattr(ticket, "open_clocks", None)
    if clocks is None:
        clocks = selectors.ticket_clocks(ticket=ticket)
    s = ticket.suggestion or {}
    return TicketOut(
        id=ticket.pk,
        reference=ticket.reference,
        customer_id=ticket.customer_id,
        channel=ticket.channel,
        kind=ticket.kind,
        suggested_kind=ticket.suggested_kind,
        category=ticket.category,
        suggested_category=ticket.suggested_category,
        suggestion=SuggestionOut(
            kind=s.get("kind", ""),
            category=s.get("category", ""),
            kind_terms=s.get("kind_terms", []),
            category_terms=s.get("category_terms", []),
        ),
        status=ticket.status,
        subject=mask_text(ticket.subject),
        content=mask_text(ticket.content),
        received_at=_local(ticket.received_at),
        owner=ticket.owner.get_username(),
        assignee=ticket.assignee.get_username() if ticket.assignee else None,
        team=ticket.team.code if ticket.team else None,
        is_case=ticket.is_case,
        reply_promised_at=_local_or_none(ticket.reply_promised_at),
        severity=ticket.severity,
        urgency=ticket.urgency,
        pboc=PbocOut(
            channel=ticket.pboc_channel, business=ticket.pboc_business, cause=ticket.pboc_cause
        ),
        extension_level=ticket.extension_level,
        escalated_at=_local_or_none(ticket.escalated_at),
        merged_into=ticket.merged_into_id,
        result=mask_text(ticket.result),
        decided_at=_local_or_none(ticket.decided_at),
        satisfaction_score=ticket.satisfaction_score,
        ivr_call_id=ticket.ivr_call_id,
        clocks=[
            ClockOut(
                name=c.name,
                state=c.display_state,
                due_at=_local(c.due_at),
                started_at=_local(c.started_at),
                team=c.team.code if c.team_id and c.team else None,
            )
            for c in clocks
        ],
        actions=[
            t.action for t in workflow.available_actions(status=ticket.status, kind=ticket.kind)
        ],
    )


def _customer(customer_id: int) -> Customer:
    # Only what recording a ticket reads (not the encrypted numbers, each decrypted on load).
    customer = Customer.objects.filter(pk=customer_id).only("id", "name").first()
    if customer is None:
        message = _("No customer with this id.")
        raise ValidationFailed(message, errors={"customer_id": [message]})
    return customer


@router.post(
    "",
    response={200: TicketOut, 201: TicketOut},
    summary="Record a ticket (201; 200 when the Idempotency-Key was seen before)",
)
def create_ticket(
    request: HttpRequest,
    response: HttpResponse,
    payload: TicketIn,
    idempotency_key: str = Header("", alias="Idempotency-Key", max_length=64),
):
    """The type and category are suggested from the content (see ``suggestion``) and used
    unless ``kind``/``category`` are given. Sending the same ``Idempotency-Key`` again
    returns the ticket created the first time."""
    check_perms(request.user, ADD)
    _check_text(idempotency_key)
    ticket, created = services.ticket_create(
        by=request.user,
        customer=_customer(payload.customer_id),
        channel=payload.channel,
        content=payload.content,
        kind=payload.kind,
        category=payload.category,
        received_at=payload.received_at,
        subject=payload.subject,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        idempotency_key=idempotency_key.strip(),
        ivr_call=selectors.transferred_call(call_id=payload.ivr_call_id)
        if payload.ivr_call_id
        else None,
    )
    if not created:
        response["Idempotent-Replayed"] = "true"
    return Reply(
        201 if created else 200, serialize(ticket, getattr(ticket, "created_clocks", None))
    )


class TicketFilter(CleanSchema):
    q: str = Field("", max_length=100, description="reference (T00000123) or words")
    status: Status | None = None
    kind: Kind | None = None
    category: Category | None = None
    channel: Channel | None = None
    customer_id: int | None = Field(None, ge=1, le=MAX_ID)
    open_only: bool = False
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=100_000)


class TicketListOut(Schema):
    count: int
    results: list[TicketOut]


@router.get("", response=TicketListOut, summary="List and search tickets the caller may see")
def list_tickets(request: HttpRequest, filters: Query[TicketFilter]):
    check_perms(request.user, VIEW)
    qs = selectors.ticket_search(
        user=request.user,
        filters=selectors.TicketFilters(
            q=filters.q,
            status=filters.status or "",
            kind=filters.kind or "",
            category=filters.category or "",
            channel=filters.channel or "",
            customer_id=filters.customer_id,
            open_only=filters.open_only,
            received_from=filters.received_from,
            received_to=filters.received_to,
        ),
    )
    page = list(qs[filters.offset : filters.offset + filters.limit])
    return TicketListOut(count=qs.count(), results=[serialize(t) for t in page])


class SuggestIn(CleanSchema):
    text: str = Field(..., max_length=4000)


class SuggestOut(Schema):
    kind: str
    category: str
    kind_terms: list[str]
    category_terms: list[str]
    kind_scores: dict[str, float]
    category_scores: dict[str, float]


@router.post("/suggest", response=SuggestOut, summary="Suggest type and category (explained)")
def suggest(request: HttpRequest, payload: SuggestIn):
    check_perms(request.user, ADD)
    s = classifier.suggest(payload.text)
    return SuggestOut(
        kind=s.kind,
        category=s.category,
        kind_terms=s.kind_terms,
        category_terms=s.category_terms,
        kind_scores=s.kind_scores,
        category_scores=s.category_scores,
    )


class BreachOut(Schema):
    ticket_id: int
    reference: str
    clock: str
    state: str
    due_at: dt.datetime
    owner: str
    team: str | None


@router.get(
    "/about-to-breach", response=list[BreachOut], summary="Clocks breached or due within hours"
)
def about_to_breach(request: HttpRequest, hours: int = Query(4, ge=1, le=72)):
    check_perms(request.user, VIEW)
    rows = selectors.about_to_breach(user=request.user, within=dt.timedelta(hours=hours))
    return [
        BreachOut(
            ticket_id=c.ticket_id,
            reference=c.ticket.reference,
            clock=c.name,
            state=c.display_state,
            due_at=_local(c.due_at),
            owner=c.ticket.owner.get_username(),
            team=c.ticket.team.code if c.ticket.team else None,
        )
        for c in rows
    ]


class StatOut(Schema):
    month: str
    dimension: str
    code: str
    label: str
    received: int
    closed: int
    closed_in_time: int


class StatsFilter(CleanSchema):
    date_from: dt.date
    date_to: dt.date


@router.get(
    "/statistics",
    response=list[StatOut],
    summary="Complaints per month in the JR/T 0169-2018 dimensions (REG-2)",
)
def statistics(request: HttpRequest, filters: Query[StatsFilter]):
    check_perms(request.user, "tickets.view_complaint_statistics")
    if filters.date_to < filters.date_from or (filters.date_to - filters.date_from).days > 800:
        message = _("Choose a period of at most two years, ending after it starts.")
        raise ValidationFailed(message, errors={"date_to": [message]})
    rows = selectors.complaint_statistics(date_from=filters.date_from, date_to=filters.date_to)
    return [StatOut(**row.__dict__) for row in rows]


@router.get("/{ticket_id}", response=TicketOut, summary="One ticket with its clocks")
def get_ticket(request: HttpRequest, ticket_id: int = Path(..., ge=1, le=MAX_ID)):
    check_perms(request.user, VIEW)
    return serialize(selectors.ticket_get_for_user(user=request.user, pk=ticket_id))


class EventOut(Schema):
    at: dt.datetime
    by: str
    action: str
    changes: dict
    data: dict
    note: str


@router.get("/{ticket_id}/events", response=list[EventOut], summary="The ticket's history")
def ticket_events(request: HttpRequest, ticket_id: int = Path(..., ge=1, le=MAX_ID)):
    check_perms(request.user, VIEW)
    ticket = selectors.ticket_get_for_user(user=request.user, pk=ticket_id)
    return [
        EventOut(
            at=_local(e.at),
            by=e.actor_label,
            action=e.action,
            changes=selectors.masked(e.changes),
            data=selectors.masked(e.data),
            note=mask_text(e.note),
        )
        for e in selectors.ticket_history(ticket=ticket)
    ]


class ActionIn(CleanSchema):
    """Parameters of an action; each action reads the ones it needs (others are refused).
    Fields that are not parameters of any action are refused too: a ticket changes through
    its actions, never by setting fields."""

    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(None, max_length=2000)
    reason: str | None = Field(None, max_length=2000)
    result: str | None = Field(None, max_length=4000)
    kind: Kind | None = None
    category: Category | None = None
    severity: Literal["minor", "general", "major"] | None = None
    urgency: Literal["low", "normal", "high"] | None = None
    pboc_channel: str | None = Field(None, max_length=8)
    pboc_business: str | None = Field(None, max_length=8)
    pboc_cause: str | None = Field(None, max_length=8)
    assignee_id: int | None = Field(None, ge=1, le=MAX_ID)
    to_user_id: int | None = Field(None, ge=1, le=MAX_ID)
    queue_id: int | None = Field(None, ge=1, le=MAX_ID)
    into_id: int | None = Field(None, ge=1, le=MAX_ID)
    new_facts: bool | None = None
    customer_notice: str | None = Field(None, max_length=2000)
    case_event: str | None = Field(None, max_length=2000)
    case_time: dt.datetime | None = None
    case_place: str | None = Field(None, max_length=100)
    case_person: str | None = Field(None, max_length=64)
    case_phone: str | None = Field(None, max_length=20)
    reply_by: dt.datetime | None = None
    apologized: bool | None = None
    new_reply_at: dt.datetime | None = None
    score: int | None = Field(None, ge=1, le=5)
    comment: str | None = Field(None, max_length=1000)
    channel: Literal["sms", "ivr", "chat", "phone"] | None = None

    @field_validator("case_time", "reply_by", "new_reply_at")
    @classmethod
    def _aware(cls, value):
        if value is not None and value.tzinfo is None:
            raise ValueError("Give the time with its time zone, e.g. +08:00.")
        return value


@router.post(
    "/{ticket_id}/actions/{action}",
    response=TicketOut,
    summary="Do one action of the state machine (409 when not allowed from the status)",
)
def ticket_action(
    request: HttpRequest,
    action: ActionName,
    payload: ActionIn,
    ticket_id: int = Path(..., ge=1, le=MAX_ID),
):
    check_perms(request.user, VIEW)
    ticket = selectors.ticket_get_for_user(user=request.user, pk=ticket_id)
    params = payload.model_dump(exclude_none=True)
    ticket = services.ticket_act(ticket=ticket, action=action, by=request.user, params=params)
    return serialize(ticket, clocks=selectors.ticket_clocks(ticket=ticket))


class IvrSatisfactionIn(CleanSchema):
    score: int = Field(..., ge=1, le=5)


@router.post(
    "/{ticket_id}/ivr-satisfaction",
    response=TicketOut,
    summary="The customer's satisfaction keyed in on the IVR (SR-8)",
)
def ivr_satisfaction(
    request: HttpRequest, payload: IvrSatisfactionIn, ticket_id: int = Path(..., ge=1, le=MAX_ID)
):
    check_perms(request.user, "tickets.record_ivr_satisfaction")
    ticket = services.ivr_satisfaction(ticket_id=ticket_id, score=payload.score)
    return serialize(ticket, clocks=selectors.ticket_clocks(ticket=ticket))
