"""SR-9: clocks pause and resume with the ticket, and the periodic sweep — not a page view —
raises warnings and breaches, notifying in the app and by email over real SMTP."""

from __future__ import annotations

import socket

import pytest

from kefu.core import periodic
from kefu.tickets.models import Clock, Notification
from kefu.tickets.services import sla_sweep
from tests.tickets.conftest import at

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback (aiosmtpd); Django sends to it over SMTP."""
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 5
    yield inbox
    controller.stop()


def test_the_sweep_is_a_registered_minute_job():
    jobs = periodic.discover()

    assert jobs["kefu.tickets.tasks.sla_sweep"].schedule == "minute"


def test_an_email_ticket_warns_then_breaches_its_first_response_clock(
    role_users, create, frozen_now, smtp, django_capture_on_commit_callbacks
):
    agent = role_users["agent"]
    agent.email = "agent@bank.example"
    agent.save()
    role_users["supervisor"].email = "lead@bank.example"
    role_users["supervisor"].save()
    t = create(agent, channel="email", content="请问账单分期怎么办理")
    clock = t.clocks.get(name="first_response")
    # 2 office hours from Tuesday 10:00: 12:00; warning at 80 % (11:36)
    assert (clock.due_at, clock.warn_at) == (at("2026-11-24 12:00"), at("2026-11-24 11:36"))

    frozen_now.move_to(at("2026-11-24 11:40"))
    assert sla_sweep().warned == 1
    frozen_now.move_to(at("2026-11-24 12:01"))
    assert sla_sweep().breached == 1
    assert (sla_sweep().warned, sla_sweep().breached) == (0, 0)  # once only

    from kefu.tickets.tasks import sla_sweep as job

    result = job.call()
    assert result["emails"] == 3  # warning to the agent; breach to agent and supervisor
    kinds = list(Notification.objects.order_by("id").values_list("kind", "recipient__username"))
    assert kinds == [
        ("sla_warning", "agent"),
        ("sla_breach", "agent"),
        ("sla_breach", "supervisor"),
    ]
    assert sorted(r for rcpts, _body in smtp.messages for r in rcpts) == [
        "agent@bank.example",
        "agent@bank.example",
        "lead@bank.example",
    ]
    actions = list(t.events.values_list("action", flat=True))
    assert "ticket.clock.warned" in actions and "ticket.clock.breached" in actions
    clock.refresh_from_db()
    assert clock.display_state == "breached"


def test_opening_a_ticket_page_never_raises_a_breach(role_users, create, frozen_now, client_for):
    t = create(role_users["agent"], channel="email")
    frozen_now.move_to(at("2026-11-25 10:00"))

    client_for(role_users["agent"]).get(f"/tickets/{t.pk}/")

    assert not Clock.objects.filter(breached_at__isnull=False).exists()


def test_waiting_for_the_customer_pauses_business_clocks_over_a_weekend(
    role_users, create, act, frozen_now
):
    t = create(role_users["agent"], channel="letter", content="来信询问")
    t = act(t, "make_case", role_users["agent"], case_event="来信", case_phone="13911110001")
    first = t.clocks.get(name="first_response")
    assert first.display_state == "met"
    resolution = t.clocks.get(name="resolution")
    assert resolution.due_day.isoformat() == "2026-11-27"  # 3 working days

    reply = t.clocks.get(name="customer_reply")
    t = act(t, "wait_customer", role_users["agent"], note="等客户补充材料")
    reply.refresh_from_db()
    assert (reply.state, reply.remaining_seconds) == ("paused", 48 * 3600)

    frozen_now.move_to(at("2026-11-25 10:00"))
    t = act(t, "resume", role_users["agent"])
    reply.refresh_from_db()
    resolution.refresh_from_db()
    assert reply.due_at == at("2026-11-27 10:00")  # the day waited does not count
    assert resolution.due_day.isoformat() == "2026-11-30"  # one working day lost → Monday


def test_a_breached_case_reply_tells_the_owner_to_log_progress(role_users, create, act, frozen_now):
    t = create(role_users["agent"])
    act(t, "make_case", role_users["agent"], case_event="核实中", case_phone="13911110001")
    frozen_now.move_to(at("2026-11-26 10:01"))

    sla_sweep()

    message = Notification.objects.get(kind="sla_breach", recipient=role_users["agent"]).message
    assert "apologise" in message or "致歉" in message
