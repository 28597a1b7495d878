"""Callback pages: projects and lists (supervisor), the desk (callback agent), reports,
portfolios. Thin: parse, check access, call a service or selector, render."""

from __future__ import annotations

import datetime as dt
import functools

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.callbacks import exports, rules, selectors, services
from kefu.callbacks.forms import (
    FOLLOW_UP_KINDS,
    FOLLOW_UP_ROWS,
    AgentProfileForm,
    AssignForm,
    ContactForm,
    DistributeForm,
    FilingForm,
    FollowUpCloseForm,
    ImportForm,
    OutcomeForm,
    PortfolioForm,
    ProjectForm,
    QuestionFormSet,
    QuestionnaireForm,
    RemoveForm,
    ReportForm,
    RuleForm,
    question_initial,
)
from kefu.callbacks.models import FollowUp, PortfolioPlan, Project, Target
from kefu.callbacks.services.imports import column_labels, imports_dir, sample_csv
from kefu.callbacks.services.portfolios import portfolio_agents
from kefu.callbacks.services.targets import callback_agents, rule_labels
from kefu.core.errors import Forbidden, KefuError, NotFound
from kefu.core.permissions import require_perms
from kefu.core.roles import (
    CALLBACK_MANAGE,
    CALLBACK_REPORTS,
    CALLBACK_WORK,
    PORTFOLIO_MANAGE,
    PORTFOLIO_WORK,
)


def _errors_to_form(form, exc: KefuError) -> None:
    for field, msgs in exc.errors.items():
        name = field if field in form.fields else None
        for m in msgs:
            form.add_error(name, m)
    if not exc.errors:
        form.add_error(None, exc.message)


def _http_errors(view):
    """A page asked for something that does not exist answers 404, and one the user may not
    touch 403 — not a server error (selectors and services raise domain errors)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None

    return wrapped


# --- projects --------------------------------------------------------------------------------


@require_GET
@require_perms(CALLBACK_MANAGE)
@_http_errors
def project_list(request):
    status = request.GET.get("status", "")
    if status not in Project.Status.values:
        status = ""
    projects = list(selectors.projects_list(status=status)[:200])
    return render(
        request,
        "callbacks/project_list.html",
        {"projects": projects, "status": status, "statuses": Project.Status.choices},
    )


@require_http_methods(["GET", "POST"])
@require_perms(CALLBACK_MANAGE)
@_http_errors
def project_new(request):
    form = ProjectForm(request.POST or None, questionnaires=selectors.questionnaires_for_projects())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            project = services.project_create(
                name=d["name"],
                callback_type=d["callback_type"],
                purpose=d["purpose"] or "",
                in_window=d["in_window"],
                window_kind=d["window_kind"] or None,
                questionnaire=d["questionnaire"],
                max_attempts=d["max_attempts"],
                retry_minutes=d["retry_minutes"],
                minimum_reached=d["minimum_reached"],
                by=request.user,
            )
        except KefuError as exc:
            _errors_to_form(form, exc)
        else:
            return redirect("callbacks:project", project_id=project.pk)
    status = 400 if form.errors else 200
    return render(request, "callbacks/project_form.html", {"form": form}, status=status)


def _project_page(
    request, project, *, rule_form=None, import_form=None, distribute_form=None, status=200
):
    progress = selectors.project_progress(project=project)
    status_filter = request.GET.get("status", "")
    if status_filter not in Target.Status.values:
        status_filter = ""
    page = Paginator(selectors.project_targets(project=project, status=status_filter), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "callbacks/project_detail.html",
        {
            "project": project,
            "progress": progress,
            "batches": list(selectors.project_batches(project=project)[:20]),
            "targets": page,
            "rule_form": rule_form or RuleForm(),
            "import_form": import_form or ImportForm(),
            "distribute_form": distribute_form or DistributeForm(agents=callback_agents()),
            "statuses": Target.Status.choices,
            "status": status_filter,
            "rule_labels": dict(rule_labels()),
            "agents": list(callback_agents()),
        },
        status=status,
    )


@require_GET
@require_perms(CALLBACK_MANAGE)
@_http_errors
def project_detail(request, project_id: int):
    return _project_page(request, selectors.project_get(pk=project_id))


@require_POST
@require_perms(CALLBACK_MANAGE)
@_http_errors
def project_start(request, project_id: int):
    return _project_transition(request, project_id, services.project_start)


@require_POST
@require_perms(CALLBACK_MANAGE)
@_http_errors
def project_close(request, project_id: int):
    return _project_transition(request, project_id, services.project_close)


def _project_transition(request, project_id: int, service):
    """Start or close a project; a refusal is shown on the project page."""
    project = selectors.project_get(pk=project_id)
    try:
        service(project=project, by=request.user)
    except KefuError as exc:
        messages.error(request, exc.message)
    return redirect("callbacks:project", project_id=project.pk)


@require_POST
@require_perms(CALLBACK_MANAGE)
@_http_errors
def project_rule(request, project_id: int):
    project = selectors.project_get(pk=project_id)
    form = RuleForm(request.POST)
    if form.is_valid():
        try:
            batch = services.targets_from_rule(
                project=project,
                rule=form.cleaned_data["rule"],
                params=form.params(),
                by=request.user,
            )
        except KefuError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _("%(added)d customers added; %(dup)d already listed for this type and window.")
                % {"added": batch.added_count, "dup": batch.duplicate_count},
            )
            return redirect("callbacks:project", project_id=project.pk)
    return _project_page(request, project, rule_form=form, status=400)


@require_POST
@require_perms(CALLBACK_MANAGE)
@_http_errors
def project_import(request, project_id: int):
    project = selectors.project_get(pk=project_id)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.target_import_queue(
                project=project,
                source=upload,
                file_name=upload.name,
                by=request.user,
                mapping=form.mapping() or None,
            )
        except KefuError as exc:
            _errors_to_form(form, exc)
        else:
            return redirect("callbacks:batch", project_id=project.pk, batch_id=batch.pk)
    return _project_page(request, project, import_form=form, status=400)


@require_GET
@require_perms(CALLBACK_MANAGE)
@_http_errors
def batch_detail(request, project_id: int, batch_id: int):
    project = selectors.project_get(pk=project_id)
    batch = selectors.batch_get(project=project, pk=batch_id)
    template = (
        "callbacks/partials/batch_progress.html" if request.htmx else "callbacks/batch_detail.html"
    )
    return render(
        request,
        template,
        {
            "project": project,
            "batch": batch,
            "rule_label": dict(rule_labels()).get(batch.rule),
            "column_labels": column_labels(),
        },
    )


@require_GET
@require_perms(CALLBACK_MANAGE)
@_http_errors
def batch_errors(request, project_id: int, batch_id: int):
    project = selectors.project_get(pk=project_id)
    batch = selectors.batch_get(project=project, pk=batch_id)
    path = imports_dir() / f"{batch.stored_name}.errors.csv"
    if not batch.stored_name or not path.is_file():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{batch.file_name}.errors.csv",
        content_type="text/csv",
    )


@require_GET
@require_perms(CALLBACK_MANAGE)
@_http_errors
def import_sample(request):
    response = HttpResponse(sample_csv().encode("utf-8-sig"), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="callback-list-sample.csv"'
    return response


@require_POST
@require_perms(CALLBACK_MANAGE)
@_http_errors
def project_distribute(request, project_id: int):
    project = selectors.project_get(pk=project_id)
    form = DistributeForm(request.POST, agents=callback_agents())
    if form.is_valid():
        try:
            plan = services.targets_distribute(
                project=project,
                by=request.user,
                agent_ids=[a.pk for a in form.cleaned_data["agents"]],
                start=form.cleaned_data["start"],
            )
        except KefuError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _(
                    "%(n)d callbacks assigned over %(days)d trading days; %(late)d planned "
                    "after their due day."
                )
                % {"n": len(plan.assignments), "days": len(plan.days), "late": len(plan.late)},
            )
            return redirect("callbacks:project", project_id=project.pk)
    return _project_page(request, project, distribute_form=form, status=400)


@require_POST
@require_perms(CALLBACK_MANAGE)
@_http_errors
def target_remove(request, project_id: int, target_id: int):
    project = selectors.project_get(pk=project_id)
    target = selectors.project_target_get(project=project, pk=target_id)
    form = RemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not removed: enter a reason of at most 200 characters."))
    else:
        try:
            services.target_remove(
                target=target, by=request.user, reason=form.cleaned_data["reason"]
            )
        except KefuError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(name)s was taken off the list.") % {"name": target.customer.name},
            )
    return redirect("callbacks:project", project_id=project.pk)


@require_POST
@require_perms(CALLBACK_MANAGE)
@_http_errors
def target_assign(request, project_id: int, target_id: int):
    project = selectors.project_get(pk=project_id)
    target = selectors.project_target_get(project=project, pk=target_id)
    form = AssignForm(request.POST, agents=callback_agents())
    if not form.is_valid():
        for field, msgs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for m in msgs:
                messages.error(request, f"{label}: {m}" if label else str(m))
        return redirect("callbacks:project", project_id=project.pk)
    agent = form.cleaned_data["agent"]
    try:
        services.target_reassign(
            target=target, agent=agent, by=request.user, day=form.cleaned_data["day"]
        )
    except KefuError as exc:
        problems = " ".join(m for ms in exc.errors.values() for m in ms)
        messages.error(request, problems or exc.message)
    else:
        messages.success(
            request,
            _("%(name)s is now on %(agent)s's queue.")
            % {"name": target.customer.name, "agent": agent},
        )
    return redirect("callbacks:project", project_id=project.pk)


# --- questionnaires --------------------------------------------------------------------------


@require_GET
@require_perms(CALLBACK_MANAGE)
@_http_errors
def questionnaire_list(request):
    return render(
        request,
        "callbacks/questionnaire_list.html",
        {"questionnaires": list(selectors.questionnaires_all())},
    )


@require_http_methods(["GET", "POST"])
@require_perms(CALLBACK_MANAGE)
@_http_errors
def questionnaire_new(request):
    return _questionnaire_editor(request, version=None)


@require_GET
@require_perms(CALLBACK_MANAGE)
@_http_errors
def questionnaire_detail(request, questionnaire_id: int):
    questionnaire = selectors.questionnaire_get(pk=questionnaire_id)
    versions = list(questionnaire.versions.prefetch_related("questions").order_by("-number"))
    return render(
        request,
        "callbacks/questionnaire_detail.html",
        {"questionnaire": questionnaire, "versions": versions},
    )


@require_http_methods(["GET", "POST"])
@require_perms(CALLBACK_MANAGE)
@_http_errors
def version_edit(request, version_id: int):
    version = selectors.version_get(pk=version_id)
    if version.is_published:
        # Editing a published version means a new draft (a running project keeps its own).
        if request.method == "POST":
            draft = services.questionnaire_new_version(
                questionnaire=version.questionnaire, by=request.user
            )
            return redirect("callbacks:version_edit", version_id=draft.pk)
        return redirect("callbacks:questionnaire", questionnaire_id=version.questionnaire_id)
    return _questionnaire_editor(request, version=version)


def _questionnaire_editor(request, *, version):
    if version is not None:
        initial = {
            "name": version.questionnaire.name,
            "company_wide": version.questionnaire.company_wide,
            "opening_script": version.opening_script,
            "closing_script": version.closing_script,
        }
        q_initial = [question_initial(q) for q in version.questions.order_by("position")]
    else:
        initial = {"opening_script": services.projects.DEFAULT_OPENING, "company_wide": True}
        q_initial = []
    form = QuestionnaireForm(request.POST or None, initial=initial)
    formset = QuestionFormSet(request.POST or None, initial=q_initial, prefix="q")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        specs = [
            f.spec()
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("code")
        ]
        d = form.cleaned_data
        publish = "publish" in request.POST
        try:
            # "Save and publish" is one step: a refused publish saves nothing (the form keeps
            # what was typed), so submitting it again cannot make a second questionnaire.
            with transaction.atomic():
                if version is None:
                    saved = services.questionnaire_create(
                        name=d["name"],
                        company_wide=d["company_wide"],
                        opening_script=d["opening_script"],
                        closing_script=d["closing_script"],
                        questions=specs,
                        publish=publish,
                        by=request.user,
                    )
                else:
                    saved = services.questionnaire_version_save(
                        version=version,
                        name=d["name"],
                        company_wide=d["company_wide"],
                        opening_script=d["opening_script"],
                        closing_script=d["closing_script"],
                        questions=specs,
                        by=request.user,
                    )
                    if publish:
                        saved = services.questionnaire_publish(version=saved, by=request.user)
        except KefuError as exc:
            _errors_to_form(form, exc)
        else:
            if publish:
                messages.success(request, _("Published."))
                return redirect("callbacks:questionnaire", questionnaire_id=saved.questionnaire_id)
            messages.success(request, _("Draft saved."))
            return redirect("callbacks:version_edit", version_id=saved.pk)
    status = 400 if (form.errors or formset.total_error_count()) else 200
    return render(
        request,
        "callbacks/questionnaire_form.html",
        {"form": form, "formset": formset, "version": version},
        status=status,
    )


@require_POST
@require_perms(CALLBACK_MANAGE)
@_http_errors
def version_publish(request, version_id: int):
    version = selectors.version_get(pk=version_id)
    try:
        services.questionnaire_publish(version=version, by=request.user)
    except KefuError as exc:
        for msgs in exc.errors.values():
            for m in msgs:
                messages.error(request, m)
        return redirect("callbacks:version_edit", version_id=version.pk)
    messages.success(request, _("Published."))
    return redirect("callbacks:questionnaire", questionnaire_id=version.questionnaire_id)


# --- the desk --------------------------------------------------------------------------------


@require_GET
@require_perms(CALLBACK_WORK)
@_http_errors
def desk(request):
    now = timezone.now()
    queue = list(selectors.agent_queue(agent=request.user)[:200])
    today_end = rules.at_day_end(timezone.localdate())
    return render(
        request,
        "callbacks/desk.html",
        {"queue": queue, "now": now, "today_end": today_end},
    )


def _variables(request, target) -> dict[str, str]:
    customer = target.customer
    title = {"M": _("Mr."), "F": _("Ms.")}.get(customer.gender, "")
    return {
        "company": settings.KEFU_INSTITUTION_NAME or _("our company"),
        "department": _("Customer Service Centre"),
        "agent_no": request.user.employee_no or request.user.username,
        "agent_name": str(request.user),
        "customer_name": customer.name[:1] if title else customer.name,
        "customer_title": str(title),
    }


@require_http_methods(["GET", "POST"])
@require_perms(CALLBACK_WORK)
@_http_errors
def target_call(request, target_id: int):
    try:
        target = services.target_for_agent(agent=request.user, pk=target_id)
    except NotFound:
        raise Http404 from None
    except KefuError as exc:
        return HttpResponse(exc.message, status=exc.status)
    version = target.project.questionnaire_version
    questions = list(version.questions.order_by("position")) if version else []
    form = OutcomeForm(request.POST or None)
    answers: dict[str, object] = {}
    follow_ups: list[tuple[str, str]] = []
    answer_errors: dict[str, list[str]] = {}
    if request.method == "POST":
        for q in questions:
            key = f"q_{q.code}"
            answers[q.code] = (
                request.POST.getlist(key) if q.kind == "multiple" else request.POST.get(key, "")
            )
        follow_ups = [
            (request.POST.get(f"fu_kind_{i}", ""), request.POST.get(f"fu_text_{i}", ""))
            for i in range(FOLLOW_UP_ROWS)
        ]
        if form.is_valid():
            call_back_at = form.cleaned_data["call_back_at"]
            if call_back_at is not None and timezone.is_naive(call_back_at):
                call_back_at = timezone.make_aware(call_back_at)
            try:
                services.attempt_record(
                    target=target,
                    by=request.user,
                    outcome=form.cleaned_data["outcome"],
                    answers=answers,
                    note=form.cleaned_data["note"],
                    call_back_at=call_back_at,
                    follow_ups=follow_ups,
                )
            except KefuError as exc:
                for field, msgs in exc.errors.items():
                    if field.startswith("answers."):
                        answer_errors[field.split(".", 1)[1]] = msgs
                    elif field in form.fields:
                        for m in msgs:
                            form.add_error(field, m)
                    else:
                        for m in msgs:
                            form.add_error(None, m)
                # said at the top too: the marked questions may be further down the page
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The call was saved."))
                return redirect("callbacks:desk")
    opening = (
        rules.render_script(version.opening_script, _variables(request, target)) if version else ""
    )
    status = 400 if (form.errors or answer_errors) else 200
    return render(
        request,
        "callbacks/target_call.html",
        {
            "target": target,
            "version": version,
            "questions": questions,
            "opening": opening,
            "form": form,
            "answers": answers,
            "answer_errors": answer_errors,
            "follow_up_rows": [
                (i, follow_ups[i] if i < len(follow_ups) else ("", ""))
                for i in range(FOLLOW_UP_ROWS)
            ],
            "follow_up_kinds": FOLLOW_UP_KINDS,
            "attempts": list(selectors.target_attempts(target=target)),
            "is_open": target.is_open,
        },
        status=status,
    )


@require_POST
@require_perms(CALLBACK_WORK)
@_http_errors
def target_dial(request, target_id: int):
    try:
        target = services.target_for_agent(agent=request.user, pk=target_id)
        number = services.target_dial_number(target=target, by=request.user)
    except KefuError as exc:
        return HttpResponse(exc.message, status=exc.status)
    return render(request, "callbacks/partials/dial.html", {"number": number})


@require_GET
@require_perms(CALLBACK_MANAGE)
@_http_errors
def follow_up_list(request):
    return render(
        request,
        "callbacks/follow_up_list.html",
        {"follow_ups": list(selectors.follow_ups_open()[:200]), "form": FollowUpCloseForm()},
    )


@require_POST
@require_perms(CALLBACK_MANAGE)
@_http_errors
def follow_up_done(request, follow_up_id: int):
    follow_up = FollowUp.objects.filter(pk=follow_up_id).first()
    if follow_up is None:
        raise Http404
    form = FollowUpCloseForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_close(
                follow_up=follow_up, by=request.user, resolution=form.cleaned_data["resolution"]
            )
        except KefuError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Say what was done."))
    return redirect("callbacks:follow_ups")


# --- reports ---------------------------------------------------------------------------------


def _report_period(request):
    form = ReportForm(request.GET or None)
    kind, day = "month", timezone.localdate()
    if form.is_bound and form.is_valid():
        kind = form.cleaned_data["period"]
        day = form.cleaned_data["day"] or day
    start, end, label = selectors.period_bounds(kind, day)
    return form, kind, start, end, label


@require_GET
@require_perms(CALLBACK_REPORTS)
@_http_errors
def report_page(request):
    form, kind, start, end, label = _report_period(request)
    report = selectors.callback_report(start=start, end=end, label=label)
    return render(
        request,
        "callbacks/report.html",
        {
            "form": form,
            "report": report,
            "kind": kind,
            "deadlines": selectors.report_deadlines(),
            "coverage": selectors.annual_coverage(year=end.year),
            "query": request.GET.urlencode(),
        },
    )


@require_GET
@require_perms(CALLBACK_REPORTS)
@_http_errors
def report_export(request, fmt: str):
    """The summary table, made at once (a few pages). Detail tables are queued."""
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    _form, kind, start, end, label = _report_period(request)
    report = selectors.callback_report(start=start, end=end, label=label)
    try:
        if fmt == "pdf":
            data = exports.report_pdf(report=report, by=request.user)
            content_type = "application/pdf"
        else:
            data = exports.report_xlsx(report=report, by=request.user)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    except exports.FontMissing as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="callbacks-{label}.{fmt}"'
    return response


@require_POST
@require_perms(CALLBACK_REPORTS)
@_http_errors
def report_detail_queue(request):
    form = ReportForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    try:
        export = services.report_export_queue(
            fmt=request.POST.get("fmt", ""),
            period=form.cleaned_data["period"],
            day=form.cleaned_data["day"] or timezone.localdate(),
            by=request.user,
        )
    except KefuError as exc:
        return HttpResponse(exc.message, status=exc.status)
    return redirect("callbacks:report_export_detail", export_id=export.pk)


@require_GET
@require_perms(CALLBACK_REPORTS)
@_http_errors
def report_export_detail(request, export_id: int):
    export = selectors.report_export_get(pk=export_id)
    template = (
        "callbacks/partials/export_progress.html"
        if request.htmx
        else "callbacks/report_export.html"
    )
    return render(request, template, {"export": export})


@require_GET
@require_perms(CALLBACK_REPORTS)
@_http_errors
def report_export_file(request, export_id: int):
    export = selectors.report_export_get(pk=export_id)
    path = services.reports.exports_dir() / export.stored_name
    if not export.stored_name or not path.is_file():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"callbacks-{export.label}-detail.{export.fmt}",
    )


@require_POST
@require_perms(CALLBACK_MANAGE, CALLBACK_REPORTS)
@_http_errors
def report_file(request):
    form = FilingForm(request.POST)
    if form.is_valid():
        try:
            services.report_filing_record(
                kind=form.cleaned_data["kind"], period=form.cleaned_data["period"], by=request.user
            )
        except KefuError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Recorded as handed in."))
    return redirect("callbacks:reports")


# --- agents ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require_perms(CALLBACK_MANAGE)
@_http_errors
def agent_list(request):
    agents = list(selectors.agents_with_profiles())
    errors: list[str] = []
    user = None
    if request.method == "POST":
        user = next((a for a in agents if str(a.pk) == request.POST.get("user")), None)
        if user is None:
            raise Http404
        form = AgentProfileForm(request.POST)
        if form.is_valid():
            try:
                services.agent_profile_save(user=user, by=request.user, **form.cleaned_data)
            except KefuError as exc:
                problems = exc.errors or {"": [exc.message]}
            else:
                messages.success(request, _("Saved."))
                return redirect("callbacks:agents")
        else:
            problems = form.errors
        # Each problem names the agent and the field as the page labels it.
        for field, msgs in problems.items():
            label = form.fields[field].label if field in form.fields else ""
            for m in msgs:
                errors.append(f"{user} · {label}: {m}" if label else f"{user} · {m}")
    rows = []
    for a in agents:
        profile = getattr(a, "callback_profile", None)
        initial = {
            "daily_quota": profile.daily_quota if profile else rules.daily_quota_default(),
            "skills": profile.skills if profile else [],
            "active": profile.active if profile else True,
        }
        if errors and a == user:
            # keep what was typed in the refused row
            initial = {
                "daily_quota": request.POST.get("daily_quota", ""),
                "skills": request.POST.getlist("skills"),
                "active": "active" in request.POST,
            }
        rows.append((a, AgentProfileForm(initial=initial, prefix=f"a{a.pk}")))
    return render(
        request,
        "callbacks/agent_list.html",
        {"rows": rows, "errors": errors},
        status=400 if errors else 200,
    )


# --- portfolios ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require_perms(PORTFOLIO_MANAGE)
@_http_errors
def portfolio_distribute(request):
    agents = portfolio_agents()
    form = PortfolioForm(
        request.POST or None,
        agents=agents,
        initial={"since": timezone.localdate() - dt.timedelta(days=30), "limit": 200},
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            preview = services.portfolio_plan_create(
                by=request.user,
                since=form.cleaned_data["since"],
                limit=form.cleaned_data["limit"],
                agent_ids=[a.pk for a in form.cleaned_data["agents"]],
            )
        except KefuError as exc:
            _errors_to_form(form, exc)
    status = 400 if form.errors else 200
    return render(
        request,
        "callbacks/portfolio_distribute.html",
        {"form": form, "preview": preview, "overdue": selectors.portfolio_overdue_by_agent()},
        status=status,
    )


@require_POST
@require_perms(PORTFOLIO_MANAGE)
@_http_errors
def portfolio_apply(request, plan_id: int):
    plan = PortfolioPlan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise Http404
    try:
        n = services.portfolio_plan_apply(plan=plan, by=request.user)
    except KefuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(n)d customers assigned.") % {"n": n})
    return redirect("callbacks:portfolio_overdue")


@require_GET
@require_perms(PORTFOLIO_MANAGE)
@_http_errors
def portfolio_overdue(request):
    return render(
        request,
        "callbacks/portfolio_overdue.html",
        {
            "rows": list(selectors.portfolio_overdue()[:500]),
            "by_agent": selectors.portfolio_overdue_by_agent(),
            "now": timezone.now(),
        },
    )


@require_GET
@require_perms(PORTFOLIO_WORK)
@_http_errors
def portfolio_mine(request):
    return render(
        request,
        "callbacks/portfolio_mine.html",
        {
            "rows": list(selectors.portfolio_of_agent(agent=request.user)[:500]),
            "form": ContactForm(),
            "now": timezone.now(),
        },
    )


@require_POST
@require_perms(PORTFOLIO_WORK)
@_http_errors
def portfolio_contact(request, assignment_id: int):
    try:
        assignment = selectors.assignment_for_agent(agent=request.user, pk=assignment_id)
    except NotFound:
        raise Http404 from None
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            services.portfolio_first_contact_record(
                assignment=assignment, by=request.user, note=form.cleaned_data["note"]
            )
        except KefuError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("First contact recorded."))
    else:
        messages.error(request, _("Enter a short note of the contact."))
    return redirect("callbacks:portfolio_mine")
