"""IVR pages: the agent queue with screen pop, call records for supervisors, and the browser
keypad for trainers and testers (the same services as the telephony API)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.core.errors import KefuError, NotFound
from kefu.core.permissions import require_perms
from kefu.core.roles import IVR_CALLS, IVR_PHONE, IVR_QUEUE
from kefu.ivr import selectors, services
from kefu.ivr.forms import CallSearchForm, PhoneStartForm
from kefu.ivr.models import Call

CALLS_SHOWN = 100


# --- the agent queue (IVR-10) ----------------------------------------------------------------


def _queue_context() -> dict:
    entries = list(selectors.queue_waiting())
    return {"entries": entries}


@require_GET
@require_perms(*IVR_QUEUE)
def queue_page(request):
    return render(request, "ivr/queue_list.html", _queue_context())


@require_GET
@require_perms(*IVR_QUEUE)
def queue_rows(request):
    """The waiting calls, polled by the queue page every two seconds."""
    return render(request, "ivr/partials/queue_rows.html", _queue_context())


def _answered_text(entry) -> str:
    """What the hotline already knows, shown on the customer page the answer opens."""
    context = entry.context or {}
    functions = "、".join(selectors.function_label(f) for f in context.get("functions") or [])
    return _(
        "Call from %(caller)s (%(queue)s): %(reason)s. Verified on the hotline, card ending "
        "%(card)s. Functions used: %(functions)s."
    ) % {
        "caller": entry.call.caller_masked,
        "queue": selectors.queue_label(entry.queue),
        "reason": selectors.reason_label(entry.reason),
        "card": context.get("card_last4") or "—",
        "functions": functions or "—",
    }


@require_POST
@require_perms(*IVR_QUEUE)
def queue_answer(request, entry_id: int):
    """Answer a waiting call and open the caller's customer 360 (screen pop)."""
    try:
        entry = services.queue_entry_answer(entry_id=entry_id, by=request.user)
    except KefuError as exc:
        messages.error(request, exc.message)
        return redirect("ivr:queue")
    if entry.customer_id:
        messages.info(request, _answered_text(entry))
        return redirect("customers:detail", customer_id=entry.customer_id)
    messages.info(
        request,
        _("Caller %(caller)s is not verified: verify the caller before any account service.")
        % {"caller": entry.call.caller_masked},
    )
    return redirect("customers:search")


# --- call records (IVR-11) --------------------------------------------------------------------


@require_GET
@require_perms(IVR_CALLS)
def call_list(request):
    form = CallSearchForm(request.GET or None)
    calls: list[Call] = []
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        calls = list(
            selectors.call_search(
                caller=data.get("caller") or "",
                status=data.get("status") or "",
                verification=data.get("verification") or "",
                date_from=data.get("date_from"),
                date_to=data.get("date_to"),
            )[:CALLS_SHOWN]
        )
    template = "ivr/partials/call_rows.html" if request.htmx else "ivr/call_list.html"
    return render(
        request,
        template,
        {"form": form, "calls": calls, "limit": CALLS_SHOWN},
        status=200 if not form.errors else 400,
    )


@require_GET
@require_perms(IVR_CALLS)
def call_detail(request, call_id):
    call = selectors.call_get(call_id=call_id)
    return render(
        request,
        "ivr/call_detail.html",
        {
            "call": call,
            "events": list(selectors.call_events(call=call)),
            "functions": [selectors.function_label(f) for f in call.functions or []],
            "queue_entry": getattr(call, "queue_entry", None),
            "statement_requests": list(call.statement_requests.all()),
        },
    )


@require_GET
@require_perms(IVR_CALLS)
def statement_pdf(request, request_id: int):
    from kefu.ivr.statements import statement_pdf_path

    statement_request = selectors.statement_request_get(pk=request_id)
    path = statement_pdf_path(statement_request)
    if path is None:
        raise Http404
    services.statement_request_record_download(statement_request=statement_request, by=request.user)
    return FileResponse(path.open("rb"), filename=path.name, content_type="application/pdf")


# --- the browser keypad (IVR-12) ------------------------------------------------------------


@require_GET
@require_perms(IVR_PHONE)
def phone_page(request):
    return render(request, "ivr/phone.html", {"form": PhoneStartForm()})


def _step_json(step, status: int = 200) -> JsonResponse:
    """The API's step, and whether the keys typed are a secret (the page shows dots)."""
    return JsonResponse({**step.as_dict(), "secret": step.secret}, status=status)


def _json_error(exc: KefuError) -> JsonResponse:
    return JsonResponse(
        {"title": exc.message, "errors": exc.errors, "status": exc.status}, status=exc.status
    )


@require_POST
@require_perms(IVR_PHONE)
def phone_start(request):
    form = PhoneStartForm(request.POST)
    if not form.is_valid():
        return JsonResponse(
            {"title": _("The caller number is not valid."), "errors": form.errors}, status=422
        )
    try:
        step = services.call_start(
            caller=form.cleaned_data["caller"],
            called=form.cleaned_data["called"],
            channel=Call.Channel.KEYPAD,
            by=request.user,
        )
    except KefuError as exc:
        return _json_error(exc)
    return _step_json(step, status=201)


def _own_call(request, call_id):
    """A keypad user drives only the calls they placed."""
    call = selectors.call_get(call_id=call_id)
    if call.started_by_id != request.user.pk or call.channel != Call.Channel.KEYPAD:
        raise NotFound(_("No such call among your test calls."))
    return call


@require_POST
@require_perms(IVR_PHONE)
def phone_input(request, call_id):
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        payload = {}
    digits = payload.get("digits", request.POST.get("digits", ""))
    try:
        _own_call(request, call_id)
        step = services.call_input(call_id=call_id, digits=digits, by=request.user, strict=False)
    except KefuError as exc:
        return _json_error(exc)
    return _step_json(step)


@require_POST
@require_perms(IVR_PHONE)
def phone_hangup(request, call_id):
    try:
        _own_call(request, call_id)
        call = services.call_hangup(call_id=call_id, by=request.user)
    except KefuError as exc:
        return _json_error(exc)
    return JsonResponse({"call_id": str(call.pk), "status": call.status})
