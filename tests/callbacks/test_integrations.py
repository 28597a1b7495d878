"""Closed complaints of kefu.tickets feed the post-complaint callbacks (CB-3, SR-6)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from kefu.callbacks import services
from tests.factories import CustomerFactory, callback_project

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def complaint(customer, by, **values):
    from kefu.tickets.models import Ticket

    return Ticket.objects.create(
        customer=customer,
        channel="phone",
        kind="complaint",
        category=Ticket._meta.get_field("category").choices[0][0],
        content="对转账处理不满意",
        created_by=by,
        owner=by,
        **values,
    )


def test_closed_complaints_of_the_period_become_post_complaint_callbacks(supervisor):
    customer, other = CustomerFactory(), CustomerFactory()
    closed = complaint(
        customer, supervisor, status="closed", closed_at=dt.datetime(2026, 11, 23, 15, 0, tzinfo=SH)
    )
    waiting = complaint(
        other,
        supervisor,
        status="satisfaction",
        resolved_at=dt.datetime(2026, 11, 24, 11, 0, tzinfo=SH),
    )
    complaint(customer, supervisor, status="in_handling")
    complaint(
        other, supervisor, status="closed", closed_at=dt.datetime(2026, 11, 2, 9, 0, tzinfo=SH)
    )
    project = callback_project(by=supervisor, callback_type="other", purpose="post_complaint")

    batch = services.targets_from_rule(
        project=project, rule="closed_complaints", by=supervisor, today=dt.date(2026, 11, 25)
    )

    assert batch.added_count == 2
    assert set(project.targets.values_list("source_ref", flat=True)) == {
        closed.reference,
        waiting.reference,
    }
