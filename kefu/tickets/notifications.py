"""In-app notifications and their emails (SR-9): SLA warnings and breaches, escalations,
hand-overs. Email goes through Django's email backend (SMTP in production); a failed send
is logged and retried by the next sweep, and never undoes the change that caused it."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from kefu.core.masking import mask_text
from kefu.tickets.models import Notification, Ticket

logger = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPT_AGE_HOURS = 24


def notify(*, recipients: Iterable, ticket: Ticket | None, kind: str, message: str) -> list:
    """One Notification per distinct active recipient; emails are sent after commit."""
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(recipient=user, ticket=ticket, kind=kind, message=mask_text(message)[:300])
        )
    Notification.objects.bulk_create(rows)
    ids = [n.pk for n in rows if n.pk is not None and n.recipient.email]
    if ids:
        transaction.on_commit(lambda: _enqueue_emails(ids))
    return rows


def _enqueue_emails(ids: list[int]) -> None:
    from kefu.tickets.tasks import send_notification_emails

    try:
        send_notification_emails.enqueue(notification_ids=ids)
    except Exception:  # the next sweep sends what is still unsent
        logger.exception("Could not enqueue notification emails")


def send_emails(*, notification_ids: list[int] | None = None) -> int:
    """Send the emails of unsent notifications (all recent ones, or those given)."""
    pending = Notification.objects.select_related("recipient", "ticket").filter(
        emailed_at__isnull=True,
        created_at__gte=timezone.now() - dt.timedelta(hours=MAX_EMAIL_ATTEMPT_AGE_HOURS),
    )
    if notification_ids is not None:
        pending = pending.filter(pk__in=notification_ids)
    sent = 0
    for n in pending.exclude(recipient__email="")[:500]:
        subject = f"[Kefu] {n.message[:80]}"
        body = n.message
        if n.ticket is not None:
            body += f"\n\n{n.ticket.reference}"
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [n.recipient.email])
        except Exception:
            logger.exception("Sending notification %s by email failed; will retry", n.pk)
            continue
        Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent
