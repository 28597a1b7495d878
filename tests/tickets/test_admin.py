"""SR-7/SR-9 configuration in the admin: routes with their steps, teams with members and
skills — each change audited; tickets themselves cannot be edited there."""

from __future__ import annotations

import pytest

from kefu.core.models import AuditEvent
from kefu.tickets.models import Queue, Route, RouteStep, Team, TeamMember, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(make_user, client_for):
    return client_for(make_user("root", "admin", is_staff=True))


def inline(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def test_an_administrator_configures_a_route_and_tickets_follow_it(
    admin_client, role_users, create
):
    team = Team.objects.create(code="wealth", name="理财组", kind="frontline")
    TeamMember.objects.create(team=team, user=role_users["agent"], skills=["wealth"])
    queue = Queue.objects.create(team=team, code="wealth", name="理财咨询", skill="wealth")

    response = admin_client.post(
        "/admin/tickets/route/add/",
        {
            "code": "wealth",
            "name": "理财投诉",
            "kind": "complaint",
            "category": "wealth",
            "is_active": "on",
            **inline("steps", [{"position": "1", "queue": str(queue.pk), "description": "受理"}]),
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    route = Route.objects.get(code="wealth")
    assert list(route.steps.values_list("position", "queue__code")) == [(1, "wealth")]
    audited = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"tickets.route.created", "tickets.routestep.created"} <= audited
    ticket = create(role_users["supervisor"], content="我要投诉，基金销售误导", kind="complaint")
    assert (ticket.route, ticket.team, ticket.assignee) == (route, team, role_users["agent"])


def test_changing_a_members_skills_and_capacity_is_audited(admin_client, role_users):
    team = Team.objects.create(code="desk", name="投诉组", kind="complaints")
    member = TeamMember.objects.create(team=team, user=role_users["complaint"], skills=["card"])

    response = admin_client.post(
        f"/admin/tickets/team/{team.pk}/change/",
        {
            "code": "desk",
            "name": "投诉组",
            "kind": "complaints",
            "is_active": "on",
            **inline(
                "members",
                [
                    {
                        "id": str(member.pk),
                        "team": str(team.pk),
                        "user": str(role_users["complaint"].pk),
                        "skills": '["card", "fraud"]',
                        "capacity": "10",
                        "is_active": "on",
                    }
                ],
                initial=1,
            ),
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    member.refresh_from_db()
    assert (member.skills, member.capacity) == (["card", "fraud"], 10)
    event = AuditEvent.objects.get(action="tickets.teammember.changed")
    assert set(event.changes) == {"skills", "capacity"}


def test_without_the_routing_permission_nothing_is_configured(make_user, client_for):
    staff_agent = client_for(make_user("staff-agent", "agent", is_staff=True))

    response = staff_agent.post(
        "/admin/tickets/route/add/",
        {"code": "x", "name": "x", "kind": "complaint", **inline("steps", [])},
    )

    assert response.status_code == 403
    assert not Route.objects.exists() and not RouteStep.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="tickets.").exists()


def test_tickets_cannot_be_edited_in_the_admin(role_users, create, make_user, client_for):
    t = create(role_users["agent"])
    client = client_for(make_user("super", is_staff=True, is_superuser=True))

    response = client.post(
        f"/admin/tickets/ticket/{t.pk}/change/", {"status": "closed", "kind": "complaint"}
    )

    assert response.status_code == 403
    assert Ticket.objects.get(pk=t.pk).status == "registered"
