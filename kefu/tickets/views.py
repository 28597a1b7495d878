"""Ticket pages: the agent workbench (my work, new ticket, ticket page with actions), the
supervisor floor, complaint statistics with an Excel export, and the public satisfaction
page of an SMS link. Thin: parse, check access, call a service or selector, render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.core.errors import KefuError, NotFound
from kefu.core.permissions import require_perms
from kefu.customers.selectors import customer_get
from kefu.tickets import classifier, exports, selectors, services, workflow
from kefu.tickets.forms import (
    AttachmentForm,
    StatisticsForm,
    SurveyForm,
    TicketForm,
    TicketSearchForm,
    action_form,
    action_params,
)
from kefu.tickets.models import Notification

VIEW_TICKET = "tickets.view_ticket"
ADD_TICKET = "tickets.add_ticket"
WORK_TICKET = "tickets.work_ticket"
VIEW_ALL = "tickets.view_all_tickets"
STATISTICS = "tickets.view_complaint_statistics"


def _ticket(request, pk: int):
    """The ticket if the user may see it; 404 otherwise (its existence is not told)."""
    try:
        return selectors.ticket_get_for_user(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


def _field_errors(form, exc: KefuError) -> None:
    for field, msgs in exc.errors.items():
        for message in msgs:
            form.add_error(field if field in form.fields else None, message)
    if not exc.errors:
        form.add_error(None, exc.message)


@require_GET
@require_perms(VIEW_TICKET)
def my_work(request):
    """SR-4/SR-9: what I own or work on, most urgent clock first; hand-overs waiting for me."""
    template = "tickets/partials/my_work_rows.html" if request.htmx else "tickets/my_work.html"
    return render(
        request,
        template,
        {
            "tickets": selectors.my_work(user=request.user),
            "handovers": selectors.handovers_waiting_for(user=request.user),
            "notifications": selectors.notifications_unread(user=request.user),
            "now": timezone.now(),
        },
    )


@require_POST
@require_perms(VIEW_TICKET)
def notifications_read(request):
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("tickets:my_work")


@require_GET
@require_perms(VIEW_TICKET)
def ticket_search(request):
    form = TicketSearchForm(request.GET or None)
    page = []
    if form.is_valid():
        data = form.cleaned_data
        page = list(
            selectors.ticket_search(
                user=request.user,
                filters=selectors.TicketFilters(
                    q=data["q"],
                    status=data["status"],
                    kind=data["kind"],
                    open_only=data["open_only"],
                ),
            )[:100]
        )
    return render(request, "tickets/ticket_search.html", {"form": form, "tickets": page})


@require_http_methods(["GET", "POST"])
@require_perms(VIEW_TICKET, ADD_TICKET)
def ticket_new(request, customer_id: int):
    """SR-1/SR-2: record what the customer wants, from the 360 page or a transferred call;
    the suggested type and category (and knowledge articles) appear beside the form."""
    try:
        customer = customer_get(pk=customer_id)
    except NotFound:
        raise Http404 from None
    call = None
    call_id = request.POST.get("ivr_call") or request.GET.get("call")
    if call_id:
        try:
            call = selectors.transferred_call(call_id=call_id)
        except (KefuError, ValueError):
            call = None
    if call is None and request.method == "GET":
        call = selectors.recent_transferred_call(user=request.user, customer_id=customer.pk)
    initial = {"channel": "ivr_transfer" if call else "hotline", "contact_name": customer.name}
    if call is not None:
        initial["ivr_call"] = call.pk
    form = TicketForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket, _created = services.ticket_create(
                    by=request.user,
                    customer=customer,
                    channel=data["channel"],
                    content=data["content"],
                    kind=data["kind"] or None,
                    category=data["category"] or None,
                    received_at=data["received_at"],
                    subject=data["subject"],
                    contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"],
                    idempotency_key=data["idempotency_key"],
                    ivr_call=call,
                )
            except KefuError as exc:
                _field_errors(form, exc)
            else:
                return redirect("tickets:detail", ticket_id=ticket.pk)
        status = 400
    return render(
        request,
        "tickets/ticket_new.html",
        {"form": form, "customer": customer, "call": call},
        status=status,
    )


@require_POST
@require_perms(ADD_TICKET)
def suggest(request):
    """htmx partial beside the form: the suggested type and category and why."""
    text = (request.POST.get("content") or "")[:4000]
    return render(
        request,
        "tickets/partials/suggestion.html",
        {"s": classifier.suggest(text) if text.strip() else None},
    )


def _detail_context(request, ticket, forms=None):
    handover = selectors.pending_handover(ticket=ticket)
    repeats = selectors.possible_repeats(ticket=ticket)
    offered = selectors.actions_offered(
        user=request.user, ticket=ticket, handover=handover, repeats=repeats
    )
    forms = forms or {}
    # a refused action keeps its form on the page, so that its error is read where it was made
    offered += [workflow.TRANSITIONS[a] for a in forms if workflow.TRANSITIONS[a] not in offered]
    actions = [(t, forms.get(t.action) or action_form(t.action)) for t in offered]
    return {
        "ticket": ticket,
        "clocks": selectors.ticket_clocks(ticket=ticket),
        "events": selectors.ticket_history_rows(ticket=ticket),
        "actions": actions,
        "handover": handover,
        "repeats": repeats,
        "attachments": ticket.attachments.select_related("uploaded_by"),
        "attachment_form": AttachmentForm(),
        "can_work": request.user.has_perm(WORK_TICKET),
    }


@require_GET
@require_perms(VIEW_TICKET)
def ticket_detail(request, ticket_id: int):
    ticket = _ticket(request, ticket_id)
    return render(request, "tickets/ticket_detail.html", _detail_context(request, ticket))


@require_POST
@require_perms(VIEW_TICKET, WORK_TICKET)
def ticket_action(request, ticket_id: int, action: str):
    """One action from the ticket page; htmx swaps the whole ticket panel."""
    ticket = _ticket(request, ticket_id)
    if action not in workflow.TRANSITIONS:
        raise Http404
    form: forms.Form | None = action_form(action, request.POST)
    status = 200
    assert form is not None
    if form.is_valid():
        try:
            ticket = services.ticket_act(
                ticket=ticket, action=action, by=request.user, params=action_params(form)
            )
        except NotFound:
            raise Http404 from None
        except KefuError as exc:
            _field_errors(form, exc)
            status = exc.status if exc.status != 422 else 400
        else:
            form = None
            messages.success(
                request, _("Done: %(action)s.") % {"action": workflow.TRANSITIONS[action].label}
            )
    else:
        status = 400
    ticket = _ticket(request, ticket_id)
    context = _detail_context(request, ticket, forms={action: form} if form else None)
    context["open_action"] = action if form is not None else ""
    if request.htmx:
        return render(request, "tickets/partials/ticket_panel.html", context, status=status)
    if status == 200:
        return redirect("tickets:detail", ticket_id=ticket.pk)
    return render(request, "tickets/ticket_detail.html", context, status=status)


@require_POST
@require_perms(VIEW_TICKET, WORK_TICKET)
def attachment_upload(request, ticket_id: int):
    ticket = _ticket(request, ticket_id)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                ticket=ticket, by=request.user, upload=form.cleaned_data["file"]
            )
        except KefuError as exc:
            messages.error(request, exc.message)
    else:
        for msgs in form.errors.values():
            for message in msgs:
                messages.error(request, str(message))
    return redirect("tickets:detail", ticket_id=ticket.pk)


@require_GET
@require_perms(VIEW_TICKET)
def attachment_download(request, attachment_id: int):
    try:
        attachment = selectors.attachment_get_for_user(user=request.user, pk=attachment_id)
    except NotFound:
        raise Http404 from None
    services.attachment_record_download(attachment=attachment, by=request.user)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@require_GET
@require_perms(VIEW_TICKET, VIEW_ALL)
def floor(request):
    """The supervisor's floor: open work per team, and what is about to breach."""
    template = "tickets/partials/floor_body.html" if request.htmx else "tickets/floor.html"
    return render(
        request,
        template,
        {
            "summary": selectors.floor_summary(),
            "clocks": selectors.about_to_breach(user=request.user),
            "now": timezone.now(),
        },
    )


@require_GET
@require_perms(STATISTICS)
def statistics(request):
    """REG-2: complaints per month in the JR/T 0169-2018 dimensions; Excel export."""
    form = StatisticsForm(request.GET or None, initial=StatisticsForm.default_period())
    if not form.is_bound:
        form = StatisticsForm(StatisticsForm.default_period())
    rows = []
    status = 200
    if form.is_valid():
        rows = selectors.complaint_statistics(
            date_from=form.cleaned_data["date_from"], date_to=form.cleaned_data["date_to"]
        )
        if request.GET.get("format") == "xlsx":
            data = exports.statistics_workbook(
                rows, date_from=form.cleaned_data["date_from"], date_to=form.cleaned_data["date_to"]
            )
            response = HttpResponse(
                data,
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            start = form.cleaned_data["date_from"].strftime("%Y%m")
            end = form.cleaned_data["date_to"].strftime("%Y%m")
            response["Content-Disposition"] = (
                f'attachment; filename="complaints-{start}-{end}.xlsx"'
            )
            return response
    else:
        status = 400
    by_dimension: dict[str, list] = {"channel": [], "business": [], "cause": []}
    for row in rows:
        by_dimension[row.dimension].append(row)
    return render(
        request,
        "tickets/statistics.html",
        {"form": form, "by_dimension": by_dimension, "rows": rows},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def survey(request, token: str):
    """SR-8: the public one-time satisfaction page of an SMS link (no sign-in)."""
    try:
        found = services.survey_by_token(token=token)
    except KefuError as exc:
        return render(request, "tickets/survey.html", {"gone": exc.message}, status=404)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(
                token=token,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except KefuError as exc:
            return render(request, "tickets/survey.html", {"gone": exc.message}, status=404)
        return render(request, "tickets/survey.html", {"thanks": True})
    status = 400 if form.errors else 200
    return render(
        request,
        "tickets/survey.html",
        {"survey": found, "form": form, "reference": found.ticket.reference},
        status=status,
    )
