from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.core import calendars, selectors, services, totp
from kefu.core.errors import KefuError, NotFound, ValidationFailed
from kefu.core.forms import AuditSearchForm, CalendarYearForm, SignInCodeForm, SignInForm
from kefu.core.models import User
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
            if totp.is_enabled(user):
                request.session[PENDING_KEY] = {
                    "user": user.pk,
                    "at": timezone.now().timestamp(),
                    "next": next_url,
                }
                return redirect("core:login_code")
            login(request, user)
            return redirect(next_url or "core:home")
    status = 401 if error else 200
    return render(
        request,
        "core/sign_in.html",
        {"form": form, "error": error, "next": next_url},
        status=status,
    )


PENDING_KEY = "kefu_sign_in_pending"
PENDING_SECONDS = 300


def _pending_user(request) -> tuple[User | None, str]:
    pending = request.session.get(PENDING_KEY) or {}
    started = pending.get("at") or 0
    user_id = pending.get("user")
    if not isinstance(user_id, int) or timezone.now().timestamp() - started > PENDING_SECONDS:
        return None, ""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return user, pending.get("next") or ""


@require_http_methods(["GET", "POST"])
def sign_in_code(request):
    """The second step of a sign-in with two-step verification: the authenticator's code,
    within 5 minutes of the right password."""
    user, next_url = _pending_user(request)
    if user is None:
        request.session.pop(PENDING_KEY, None)
        messages.error(
            request, _("The sign-in timed out. Enter your user name and password again.")
        )
        return redirect("core:login")
    form = SignInCodeForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        locked = services.staff_sign_in_locked_message(user)
        if locked:
            request.session.pop(PENDING_KEY, None)
            messages.error(request, locked)
            return redirect("core:login")
        try:
            totp.verify_at_sign_in(user=user, code=form.cleaned_data["code"])
        except totp.SecondFactorError as exc:
            error = exc.message
            user.refresh_from_db(fields=["locked_until"])
            locked = services.staff_sign_in_locked_message(user)
            if locked:
                request.session.pop(PENDING_KEY, None)
                messages.error(request, locked)
                return redirect("core:login")
        else:
            request.session.pop(PENDING_KEY, None)
            services.staff_sign_in_complete(user=user, second_factor=True)
            login(request, user, backend="kefu.core.auth.PermissionBackend")
            return redirect(next_url or "core:home")
    return render(
        request,
        "core/sign_in_code.html",
        {"form": form, "error": error},
        status=401 if error else (400 if form.errors else 200),
    )


@require_http_methods(["GET", "POST"])
@require_perms()
def account_security(request):
    """The signed-in staff member's own two-step verification: turn on (scan, confirm with a
    code) or off (with a code)."""
    user = request.user
    form = SignInCodeForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "begin":
                totp.setup_begin(user=user)
                return redirect("core:account_security")
            if action in ("confirm", "disable") and form.is_valid():
                code = form.cleaned_data["code"]
                if action == "confirm":
                    totp.setup_confirm(user=user, code=code)
                    messages.success(request, _("Two-step verification is on."))
                else:
                    totp.disable(user=user, code=code)
                    messages.success(request, _("Two-step verification is off."))
                return redirect("core:account_security")
            if action == "cancel":
                totp.disable(user=user, code="")
                return redirect("core:account_security")
            if action not in ("confirm", "disable"):
                form.add_error(None, _("Unknown action."))
        except KefuError as exc:
            if exc.errors:
                for e in exc.errors.get("code", []):
                    form.add_error("code", e)
            form.add_error(None, exc.message)
    device = totp.pending_device(user)
    return render(
        request,
        "core/account_security.html",
        {
            "form": form,
            "enabled": totp.is_enabled(user),
            "pending": device,
            "qr_svg": totp.qr_svg(device) if device else "",
            "secret": totp.secret_for_display(device) if device else "",
        },
        status=400 if form.errors else 200,
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
    if not form.is_bound:
        events = selectors.audit_search()
    elif form.is_valid():
        events = selectors.audit_search(**form.cleaned_data)
    else:
        events = selectors.audit_search().none()  # show the field errors, not unfiltered rows
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    template = "core/partials/audit_rows.html" if request.htmx else "core/audit_list.html"
    return render(request, template, {"form": form, "page": page})


# --- calendars (CAL-1) ------------------------------------------------------------------------

VIEW_CALENDAR = "core.view_calendaryear"
CHANGE_CALENDAR = "core.change_calendaryear"
DELETE_CALENDAR = "core.delete_calendaryear"


@require_GET
@require_perms(VIEW_CALENDAR)
def calendar_list(request):
    return render(
        request,
        "core/calendar_list.html",
        {"years": calendars.calendar_years(), "package_label": calendars.package_label()},
    )


@require_GET
@require_perms(VIEW_CALENDAR)
def calendar_year(request, year: int):
    try:
        schedule = calendars.Calendar().schedule(year)
    except calendars.CalendarUnknownYear as exc:
        return render(
            request, "core/calendar_year.html", {"year": year, "unknown": exc.message}, status=404
        )
    return render(
        request,
        "core/calendar_year.html",
        {
            "year": year,
            "schedule": schedule,
            "entered": calendars.entered_year(year),
            "periods": calendars.holiday_periods(schedule),
            "workdays": sorted(schedule.workdays.items()),
            "package_label": calendars.package_label(),
        },
    )


@require_http_methods(["GET", "POST"])
@require_perms(VIEW_CALENDAR, CHANGE_CALENDAR)
def calendar_enter(request):
    if request.method == "POST":
        form = CalendarYearForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                entered = services.calendar_year_save(
                    year=data["year"], days=data["days"], source=data["source"], by=request.user
                )
            except ValidationFailed as exc:
                for field, field_messages in exc.errors.items():
                    target = data["input_field"] if field == "days" else field
                    for message in field_messages:
                        form.add_error(target if target in form.fields else None, message)
            else:
                messages.success(
                    request,
                    _("The %(year)d schedule is saved and applies from now on.")
                    % {"year": entered.year},
                )
                return redirect("core:calendar_year", year=entered.year)
        return render(request, "core/calendar_form.html", {"form": form}, status=422)
    return render(request, "core/calendar_form.html", {"form": _calendar_form_initial(request)})


def _calendar_form_initial(request) -> CalendarYearForm:
    """The form for ?year=N, filled with the schedule that applies to N now, if any."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return CalendarYearForm(initial={"schedule": calendars.schedule_csv([])})
    initial = {"year": year, "schedule": calendars.schedule_csv([])}
    cal = calendars.Calendar()
    if calendars.FIRST_YEAR <= year <= calendars.LAST_YEAR and cal.knows_year(year):
        initial["schedule"] = calendars.schedule_csv(cal.schedule(year).days())
        entered = calendars.entered_year(year)
        if entered is not None:
            initial["source"] = entered.source
    return CalendarYearForm(initial=initial)


@require_POST
@require_perms(VIEW_CALENDAR, CHANGE_CALENDAR, DELETE_CALENDAR)
def calendar_year_delete(request, year: int):
    try:
        now_source = services.calendar_year_delete(year=year, by=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from None
    if now_source == "package":
        messages.success(
            request,
            _("The entered %(year)d schedule is deleted; the packaged calendar applies again.")
            % {"year": year},
        )
    else:
        messages.warning(
            request,
            _(
                "The entered %(year)d schedule is deleted. No other schedule knows %(year)d: "
                "deadlines in it cannot be counted until one is entered."
            )
            % {"year": year},
        )
    return redirect("core:calendar")
