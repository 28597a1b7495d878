"""The demo: 赵磊's large transfer of the previous trading day waits on the callback agent's
desk; loading again changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kefu.callbacks.demo import demo_callbacks_load
from kefu.callbacks.models import Project, Target
from kefu.customers.demo import demo_load

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)


def test_the_demo_puts_zhao_leis_large_transfer_on_the_callback_desk():
    demo_load(seed=1, customers=30, today=TODAY, progress=False)

    first = demo_callbacks_load(today=TODAY)
    again = demo_callbacks_load(today=TODAY)

    transfers = Project.objects.get(callback_type="large_transfer")
    zhao = Target.objects.get(project=transfers, customer__name="赵磊")
    assert zhao.assigned_to.username == "callback"
    # the transfer was on Tuesday 24 Nov, the previous trading day: due today, the next one
    assert timezone.localtime(zhao.due_at).date() == TODAY
    assert (first.listed, Project.objects.count()) == (again.listed, 2)
