"""Demo routing (seed 004) and a few tickets for the fixed demo customers; idempotent."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from kefu.core.calendars import CalendarUnknownYear
from kefu.tickets.models import Queue, Route, RouteStep, Team, TeamMember, Ticket


@dataclass
class DemoTickets:
    teams: int
    tickets: int


TEAMS = (
    # code, name, kind, members, hand-over minutes
    ("frontline", "一线坐席", Team.Kind.FRONTLINE, ("agent", "callback"), None),
    ("complaints", "投诉组", Team.Kind.COMPLAINTS, ("complaint",), 120),
    ("technical", "技术型客服", Team.Kind.TECHNICAL, ("tech",), 60),
    ("techdept", "技术部", Team.Kind.DEPARTMENT, ("tech",), 480),
)


@transaction.atomic
def demo_tickets_load() -> DemoTickets:
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(is_demo=True)}
    supervisor = users.get("supervisor")
    teams = {}
    for code, name, kind, members, minutes in TEAMS:
        team, _created = Team.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "supervisor": supervisor,
                "handover_minutes": minutes,
            },
        )
        teams[code] = team
        for username in members:
            if username in users:
                TeamMember.objects.get_or_create(team=team, user=users[username])
    queues = {
        code: Queue.objects.get_or_create(
            code=code, defaults={"team": teams[code], "name": teams[code].name}
        )[0]
        for code in ("complaints", "technical", "techdept")
    }
    routes = (
        ("business-dispute", "业务纠纷 → 投诉组", "complaint", "", ("complaints",)),
        (
            "technical-fault",
            "技术故障 → 技术型客服 → 技术部",
            "",
            "e_channel",
            ("technical", "techdept"),
        ),
    )
    for code, name, route_kind, category, steps in routes:
        route, created = Route.objects.get_or_create(
            code=code, defaults={"name": name, "kind": route_kind, "category": category}
        )
        if created:
            for position, queue in enumerate(steps, start=1):
                RouteStep.objects.create(route=route, position=position, queue=queues[queue])
    made = 0
    agent = users.get("agent")
    if agent is not None and not Ticket.objects.exists():
        try:
            made = _example_tickets(agent)
        except CalendarUnknownYear:
            made = 0  # deadlines would reach a year nobody entered: no examples then
    return DemoTickets(teams=len(teams), tickets=made)


def _example_tickets(agent) -> int:
    made = 0
    from kefu.customers.models import Customer
    from kefu.tickets.services import ticket_act, ticket_create

    zhang = Customer.objects.filter(name="张伟").order_by("id").first()
    li = Customer.objects.filter(name="李娜").order_by("id").first()
    if zhang is not None:
        ticket_create(
            by=agent,
            customer=zhang,
            channel="hotline",
            content="我要投诉，没激活的卡被收了年费，打了两次电话都没人处理",
        )
        case, _new = ticket_create(
            by=agent,
            customer=zhang,
            channel="hotline",
            content="手机银行转账时一直闪退，转账转不了",
        )
        ticket_act(
            ticket=case,
            action="make_case",
            by=agent,
            params={
                "case_event": "客户使用手机银行转账时应用闪退",
                "case_place": "手机银行APP",
                "case_person": "张伟",
                "case_phone": "13911110001",
            },
        )
        made += 2
    if li is not None:
        ticket_create(by=agent, customer=li, channel="chat", content="请问账单分期的手续费是多少")
        made += 1
    return made
