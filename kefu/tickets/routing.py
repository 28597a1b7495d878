"""SR-7 routing: which route a ticket takes, and who in a team gets it.

Inside a team the ticket goes to the active member with the required skill who has the
fewest open tickets, below their capacity (ties: the member who joined first). When nobody
qualifies, the ticket waits in the queue for someone to take it or for a supervisor.
"""

from __future__ import annotations

from django.db.models import Count, Q

from kefu.tickets.models import OPEN_STATUSES, Queue, Route, RouteStep, TeamMember, Ticket


def find_route(*, kind: str, category: str) -> Route | None:
    """The most specific active route with steps: kind and category, then category, then
    kind."""
    candidates = list(
        Route.objects.filter(is_active=True, steps__isnull=False)
        .filter(Q(kind=kind) | Q(kind=""), Q(category=category) | Q(category=""))
        .exclude(kind="", category="")
        .distinct()
    )

    def specificity(route: Route) -> tuple[int, int, int]:
        return (int(bool(route.kind and route.category)), int(bool(route.category)), -route.pk)

    return max(candidates, key=specificity) if candidates else None


def route_step(route: Route, position: int) -> RouteStep | None:
    return route.steps.select_related("queue__team").filter(position__gte=position).first()


def next_step(route: Route, after: int) -> RouteStep | None:
    return (
        route.steps.select_related("queue__team")
        .filter(position__gt=after)
        .order_by("position")
        .first()
    )


def member_loads(user_ids: list[int]) -> dict[int, int]:
    rows = (
        Ticket.objects.filter(assignee_id__in=user_ids, status__in=OPEN_STATUSES)
        .values("assignee_id")
        .annotate(n=Count("id"))
    )
    return {row["assignee_id"]: row["n"] for row in rows}


def pick_assignee(queue: Queue, *, exclude_user_id: int | None = None):
    """The member of the queue's team who should get the next ticket, or None."""
    members = [
        m
        for m in TeamMember.objects.select_related("user").filter(
            team_id=queue.team_id, is_active=True, user__is_active=True
        )
        if (not queue.skill or queue.skill in (m.skills or [])) and m.user_id != exclude_user_id
    ]
    if not members:
        return None
    loads = member_loads([m.user_id for m in members])
    available = [m for m in members if loads.get(m.user_id, 0) < m.capacity]
    if not available:
        return None
    best = min(available, key=lambda m: (loads.get(m.user_id, 0), m.pk))
    return best.user
