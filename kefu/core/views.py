from __future__ import annotations

from django.contrib.auth import login, logout
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from kefu.core import selectors, services
from kefu.core.forms import AuditSearchForm, SignInForm
from kefu.core.permissions import require_perms
from kefu.core.roles import VIEW_AUDIT


@require_http_methods(["GET", "POST"])
def sign_in(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = SignInForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            user = services.staff_sign_in(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except services.SignInError as exc:
            error = exc.message
        else:
            login(request, user)
            return redirect(next_url or "core:home")
    status = 401 if error else 200
    return render(
        request,
        "core/sign_in.html",
        {"form": form, "error": error, "next": next_url},
        status=status,
    )


@require_POST
def sign_out(request):
    if request.user.is_authenticated:
        services.audit_record(actor=request.user, action="auth.logout", obj=request.user)
    logout(request)
    return redirect("core:login")


@require_perms()
def home(request):
    return render(request, "core/home.html")


@require_perms(VIEW_AUDIT)
def audit_list(request):
    form = AuditSearchForm(request.GET or None)
    events = selectors.audit_search()
    if form.is_bound and form.is_valid():
        events = selectors.audit_search(**form.cleaned_data)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    template = "core/partials/audit_rows.html" if request.htmx else "core/audit_list.html"
    return render(request, template, {"form": form, "page": page})
