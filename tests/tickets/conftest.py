"""Ticket test fixtures: a customer, teams with members, the seed 004 routes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kefu.tickets.models import Queue, Route, RouteStep, Team, TeamMember
from tests.factories import CustomerFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    """2026-11-25 10:00 → an aware Shanghai datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def customer(db):
    return CustomerFactory(name="张伟", mobile="13911110001")


@pytest.fixture
def floor(role_users, make_user):
    """Front-line agents, the complaint desk, technical agents and the tech department, with
    routes as in seed 004: business dispute → complaint desk; technical fault → technical
    agent → tech department."""
    u = role_users
    frontline = Team.objects.create(
        code="frontline", name="一线", kind="frontline", supervisor=u["supervisor"]
    )
    desk = Team.objects.create(
        code="desk",
        name="投诉组",
        kind="complaints",
        supervisor=u["supervisor"],
        handover_minutes=120,
    )
    tech_team = Team.objects.create(
        code="tech", name="技术客服", kind="technical", handover_minutes=60
    )
    dept = Team.objects.create(
        code="techdept", name="技术部", kind="department", handover_minutes=480
    )
    agent2 = make_user("agent2", "agent")
    handler2 = make_user("complaint2", "complaint")
    engineer = make_user("engineer", "tech")
    TeamMember.objects.create(team=frontline, user=u["agent"])
    TeamMember.objects.create(team=frontline, user=agent2)
    TeamMember.objects.create(team=desk, user=u["complaint"], skills=["credit_card"])
    TeamMember.objects.create(team=desk, user=handler2, skills=["credit_card", "fraud"])
    TeamMember.objects.create(team=tech_team, user=u["tech"], skills=["app"])
    TeamMember.objects.create(team=dept, user=engineer, skills=["app"])
    q_desk = Queue.objects.create(team=desk, code="desk", name="投诉受理")
    q_tech = Queue.objects.create(team=tech_team, code="tech", name="技术故障", skill="app")
    q_dept = Queue.objects.create(team=dept, code="techdept", name="技术部处理", skill="app")
    dispute = Route.objects.create(code="complaints", name="业务纠纷", kind="complaint")
    RouteStep.objects.create(route=dispute, position=1, queue=q_desk)
    fault = Route.objects.create(code="tech-fault", name="技术故障", category="e_channel")
    RouteStep.objects.create(route=fault, position=1, queue=q_tech)
    RouteStep.objects.create(route=fault, position=2, queue=q_dept)
    return {
        "frontline": frontline,
        "desk": desk,
        "tech": tech_team,
        "dept": dept,
        "agent2": agent2,
        "handler2": handler2,
        "engineer": engineer,
        "q_desk": q_desk,
        "q_tech": q_tech,
        "q_dept": q_dept,
    }


@pytest.fixture(autouse=True)
def frozen_now():
    """Tuesday 24 Nov 2026, 10:00 in Shanghai, standing still: deadlines stay inside the
    known 2026 calendar whatever day the tests run."""
    import time_machine

    with time_machine.travel(at("2026-11-24 10:00"), tick=False) as traveller:
        yield traveller


@pytest.fixture
def create(customer):
    from kefu.tickets.services import ticket_create

    def make(by, content="请问我的账单什么时候出", **extra):
        extra.setdefault("channel", "hotline")
        ticket, _created = ticket_create(
            by=by, customer=extra.pop("customer", customer), content=content, **extra
        )
        return ticket

    return make


@pytest.fixture
def act():
    from kefu.tickets.services import ticket_act

    def do(ticket, action, by, **params):
        return ticket_act(ticket=ticket, action=action, by=by, params=params)

    return do


@pytest.fixture
def year_2027(role_users):
    """An administrator entered the 2027 schedule (CAL-1)."""
    from kefu.core.services import calendar_year_save
    from tests.factories import SCHEDULE_2027, schedule_days

    calendar_year_save(year=2027, days=schedule_days(**SCHEDULE_2027), by=role_users["admin"])
