"""Ticket background jobs: the SLA sweep every minute (SR-9) and notification emails."""

from __future__ import annotations

import logging

from django_tasks import task

from kefu.core.periodic import periodic

logger = logging.getLogger(__name__)


@periodic("minute")
@task()
def sla_sweep() -> dict:
    """Raise due SLA warnings and breaches, then send notification emails still unsent."""
    from kefu.tickets.notifications import send_emails
    from kefu.tickets.services import sla_sweep as sweep

    result = sweep()
    sent = send_emails()
    if result.warned or result.breached:
        logger.info("SLA sweep: %d warned, %d breached", result.warned, result.breached)
    return {"warned": result.warned, "breached": result.breached, "emails": sent}


@task()
def send_notification_emails(notification_ids: list[int]) -> int:
    from kefu.tickets.notifications import send_emails

    return send_emails(notification_ids=notification_ids)
