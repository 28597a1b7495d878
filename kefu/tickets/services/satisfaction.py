"""SR-8: asking the customer after resolution (SMS link, IVR, chat, callback) and storing the
answer on the ticket. A link token is random, kept only as a hash, and works once."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.calendars import Calendar
from kefu.core.errors import NotFound, ValidationFailed
from kefu.core.sms import send_sms
from kefu.tickets.models import SatisfactionSurvey, Status, Ticket
from kefu.tickets.services._common import lock, write_event

SURVEY_DAYS = 7
# At or above this score the customer is satisfied and the ticket closes; below, it reopens.
SATISFIED_FROM = 3


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def survey_send(
    *, ticket: Ticket, channel: str, now: dt.datetime | None = None
) -> tuple[SatisfactionSurvey, str]:
    """Create a survey for ``ticket``; for SMS, text the customer the one-time link.

    Returns the survey and the raw token (shown nowhere else; only its hash is stored).
    """
    now = now or timezone.now()
    if channel not in SatisfactionSurvey.Channel.values:
        message = _("Ask by SMS, IVR, chat or phone.")
        raise ValidationFailed(message, errors={"channel": [message]})
    phone = ticket.contact_phone or ticket.customer.mobile
    if channel == SatisfactionSurvey.Channel.SMS and not phone:
        message = _("The customer has no phone number for the SMS.")
        raise ValidationFailed(message, errors={"channel": [message]})
    token = secrets.token_urlsafe(24)
    survey = SatisfactionSurvey.objects.create(
        ticket=ticket,
        channel=channel,
        token_hash=_hash(token),
        sent_at=now,
        expires_at=now + dt.timedelta(days=SURVEY_DAYS),
    )
    if channel == SatisfactionSurvey.Channel.SMS:
        link = reverse("tickets:survey", kwargs={"token": token})
        text = _("Please rate how we handled your request %(ref)s: %(link)s") % {
            "ref": ticket.reference,
            "link": link,
        }
        # the token is the customer's one-time key: senders that log must not keep it
        transaction.on_commit(lambda: send_sms(to=phone, text=text, secrets=(token,)))
    return survey, token


def survey_by_token(*, token: str, now: dt.datetime | None = None) -> SatisfactionSurvey:
    """The open survey of a link; NotFound for an unknown, used or expired one."""
    now = now or timezone.now()
    survey = (
        SatisfactionSurvey.objects.select_related("ticket")
        .filter(token_hash=_hash(token or ""))
        .first()
    )
    if survey is None or survey.answered_at is not None or survey.expires_at < now:
        raise NotFound(_("This link is no longer valid. Thank you, you may close this page."))
    return survey


def _score(value: Any) -> int:
    try:
        score = int(value)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        message = _("Give a score from 1 (very dissatisfied) to 5 (very satisfied).")
        raise ValidationFailed(message, errors={"score": [message]})
    return score


def apply_score(
    ticket: Ticket, *, score: Any, comment: str, channel: str, by, now, cal: Calendar
) -> dict[str, Any]:
    """Store the answer on the (locked) ticket; a dissatisfied answer reopens it (SR-6)."""
    from kefu.tickets.services.actions import _restart_resolution

    value = _score(score)
    comment = (comment or "").strip()[:1000]
    ticket.satisfaction_score = value
    ticket.satisfaction_comment = comment
    reopened = value < SATISFIED_FROM
    if reopened:
        ticket.closed_at = None
        ticket.resolved_at = None
        _restart_resolution(ticket, by=by, now=now, cal=cal)
    else:
        ticket.closed_at = now
    return {"score": value, "channel": channel, "reopened": reopened}


@transaction.atomic
def survey_answer(*, token: str, score: Any, comment: str = "") -> Ticket:
    """The customer answers through the public link (one time only)."""
    survey = survey_by_token(token=token)
    return _answer(survey, score=score, comment=comment)


@transaction.atomic
def ivr_satisfaction(*, ticket_id: int, score: Any) -> Ticket:
    """The customer keyed a score on the IVR for the ticket's open IVR survey."""
    survey = (
        SatisfactionSurvey.objects.select_related("ticket")
        .filter(
            ticket_id=ticket_id,
            channel=SatisfactionSurvey.Channel.IVR,
            answered_at__isnull=True,
            expires_at__gte=timezone.now(),
        )
        .order_by("-sent_at")
        .first()
    )
    if survey is None:
        raise NotFound(_("This ticket has no open IVR satisfaction survey."))
    return _answer(survey, score=score, comment="")


def _answer(survey: SatisfactionSurvey, *, score: Any, comment: str) -> Ticket:
    from kefu.tickets.services.actions import ticket_apply_system_action

    locked = SatisfactionSurvey.objects.select_for_update().get(pk=survey.pk)
    if locked.answered_at is not None:
        raise NotFound(_("This link is no longer valid. Thank you, you may close this page."))
    value = _score(score)
    now = timezone.now()
    locked.answered_at = now
    locked.score = value
    locked.comment = (comment or "").strip()[:1000]
    locked.save(update_fields=["answered_at", "score", "comment"])
    ticket = lock(survey.ticket)
    if ticket.status not in (Status.RESOLVED, Status.SATISFACTION):
        # answered after someone closed or reopened it: keep the answer, change nothing else
        write_event(
            ticket,
            by="customer",
            action="ticket.satisfaction_late",
            data={"score": value, "channel": survey.channel},
            note=locked.comment,
            at=now,
        )
        return ticket
    return ticket_apply_system_action(
        ticket=ticket,
        action="record_satisfaction",
        actor="customer",
        params={"score": value, "comment": locked.comment, "channel": survey.channel},
    )
