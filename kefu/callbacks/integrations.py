"""What callbacks read from other apps.

Closed complaints (CB-3, SR-6): the list rule ``closed_complaints`` reads the complaints of
kefu.tickets whose result was told to the customer and which wait for their satisfaction
callback, or which were closed, in the period. The tickets app can also ask for one
callback as a complaint closes, through
``kefu.callbacks.services.post_complaint_callback_request``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.apps import apps
from django.db.models import Q
from django.utils import timezone


def tickets_closed_complaints(
    date_from: dt.date, date_to: dt.date
) -> Iterator[tuple[int, str, dt.date]]:
    """(customer id, complaint reference, day) of complaints closed, or waiting for the
    satisfaction callback after their result was told, in [date_from, date_to]."""
    from kefu.tickets.classification import Kind
    from kefu.tickets.models import Status, Ticket

    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    complaints = (
        Ticket.objects.filter(kind=Kind.COMPLAINT, customer__isnull=False)
        .filter(
            Q(closed_at__gte=since, closed_at__lt=until)
            | Q(status=Status.SATISFACTION, resolved_at__gte=since, resolved_at__lt=until)
        )
        .order_by("id")
        .only("id", "customer_id", "closed_at", "resolved_at")
    )
    for ticket in complaints.iterator(chunk_size=2000):
        at = ticket.closed_at or ticket.resolved_at
        yield ticket.customer_id, ticket.reference, timezone.localtime(at).date()


def register() -> None:
    from kefu.callbacks.services.targets import register_closed_complaint_source

    if apps.is_installed("kefu.tickets"):
        register_closed_complaint_source(tickets_closed_complaints)
