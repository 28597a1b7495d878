"""Ticket pages (agent workbench, supervisor floor) and the public satisfaction page."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from kefu.core.errors import KefuError
from kefu.core.permissions import require_perms
from kefu.tickets import selectors, services

VIEW_TICKET = "tickets.view_ticket"


@require_GET
@require_perms(VIEW_TICKET)
def my_work(request):
    return render(
        request, "tickets/my_work.html", {"tickets": selectors.my_work(user=request.user)}
    )


@require_GET
@require_perms(VIEW_TICKET)
def ticket_detail(request, ticket_id: int):
    ticket = selectors.ticket_get_for_user(user=request.user, pk=ticket_id)
    return render(request, "tickets/ticket_detail.html", {"ticket": ticket})


@require_http_methods(["GET", "POST"])
def survey(request, token: str):
    """SR-8: the public one-time satisfaction page of an SMS link (no sign-in)."""
    try:
        found = services.survey_by_token(token=token)
    except KefuError as exc:
        return render(request, "tickets/survey.html", {"gone": exc.message}, status=404)
    return render(request, "tickets/survey.html", {"survey": found})
