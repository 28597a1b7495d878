"""The demo routing and example tickets load once and again without duplicates."""

from __future__ import annotations

import pytest

from kefu.customers.demo.staff import demo_staff_ensure
from kefu.tickets.demo import demo_tickets_load
from kefu.tickets.models import Route, Team, Ticket
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_demo_routing_and_tickets_are_idempotent(roles):
    demo_staff_ensure()
    CustomerFactory(name="张伟", mobile="13911110001")
    CustomerFactory(name="李娜", mobile="13911110002")

    first = demo_tickets_load()
    again = demo_tickets_load()

    assert (first.teams, first.tickets, again.tickets) == (4, 3, 0)
    assert Team.objects.count() == 4 and Route.objects.count() == 2
    complaint = Ticket.objects.get(kind="complaint")
    assert complaint.team.code == "complaints"
    case = Ticket.objects.get(is_case=True)
    assert case.team.code == "technical"
