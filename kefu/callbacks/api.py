"""Callback API: projects, questionnaires, lists, the desk, reports and portfolios.
Thin: check permissions, parse, call a service or selector, serialize (numbers masked)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from kefu.callbacks import rules, selectors, services
from kefu.callbacks.models import PortfolioPlan, Project, QuestionnaireVersion
from kefu.core.errors import NotFound
from kefu.core.masking import mask_mobile
from kefu.core.permissions import check_perms
from kefu.core.roles import (
    CALLBACK_MANAGE,
    CALLBACK_REPORTS,
    CALLBACK_WORK,
    PORTFOLIO_MANAGE,
    PORTFOLIO_WORK,
)

router = Router(tags=["callbacks"])


# --- schemas ---------------------------------------------------------------------------------


class ProjectIn(Schema):
    name: str
    callback_type: str
    questionnaire_id: int
    in_window: dt.date
    purpose: str = ""
    window_kind: str | None = None
    max_attempts: int = 3
    retry_minutes: int = 120
    minimum_reached: int | None = None


class ProjectOut(Schema):
    id: int
    name: str
    callback_type: str
    purpose: str
    window_kind: str
    window_start: dt.date
    window_end: dt.date
    status: str
    questionnaire_id: int
    questionnaire_version: int | None
    max_attempts: int
    retry_minutes: int
    minimum_reached: int


def _project_out(p: Project) -> ProjectOut:
    return ProjectOut(
        id=p.pk,
        name=p.name,
        callback_type=p.callback_type,
        purpose=p.purpose,
        window_kind=p.window_kind,
        window_start=p.window_start,
        window_end=p.window_end,
        status=p.status,
        questionnaire_id=p.questionnaire_id,
        questionnaire_version=p.questionnaire_version.number if p.questionnaire_version else None,
        max_attempts=p.max_attempts,
        retry_minutes=p.retry_minutes,
        minimum_reached=p.minimum_reached,
    )


class ProjectListOut(Schema):
    results: list[ProjectOut]


class QuestionIn(Schema):
    code: str
    kind: Literal["single", "multiple", "scale", "yes_no", "text"]
    text: str
    required: bool = True
    options: list[dict] = []
    scale_min: int = 1
    scale_max: int = 5
    branches: list[dict] = []


class QuestionnaireIn(Schema):
    name: str
    company_wide: bool = True
    opening_script: str = ""
    closing_script: str = ""
    questions: list[QuestionIn]
    publish: bool = False


class VersionOut(Schema):
    id: int
    questionnaire_id: int
    name: str
    number: int
    status: str
    questions: int


def _version_out(v: QuestionnaireVersion) -> VersionOut:
    return VersionOut(
        id=v.pk,
        questionnaire_id=v.questionnaire_id,
        name=v.questionnaire.name,
        number=v.number,
        status=v.status,
        questions=v.questions.count(),
    )


class VersionListOut(Schema):
    results: list[VersionOut]


class RuleIn(Schema):
    rule: str
    params: dict[str, str] = {}


class BatchOut(Schema):
    id: int
    kind: str
    rule: str
    file_name: str
    status: str
    rows_total: int | None
    rows_done: int
    added: int
    duplicates: int
    failed: int
    errors: list[dict]
    message: str


def _batch_out(b) -> BatchOut:
    return BatchOut(
        id=b.pk,
        kind=b.kind,
        rule=b.rule,
        file_name=b.file_name,
        status=b.status,
        rows_total=b.rows_total,
        rows_done=b.rows_done,
        added=b.added_count,
        duplicates=b.duplicate_count,
        failed=b.failed_count,
        errors=b.errors[:100],
        message=b.message,
    )


class DistributeIn(Schema):
    start: dt.date | None = None
    agent_ids: list[int] = []


class DistributeOut(Schema):
    assigned: int
    late: int
    unplaced: int
    days: list[dt.date]
    per_agent: dict[str, int]


class TargetOut(Schema):
    id: int
    project_id: int
    project: str
    customer_id: int
    customer_name: str
    mobile: str
    reason: str
    status: str
    due_at: dt.datetime
    next_attempt_at: dt.datetime | None
    attempts: int


class QueueOut(Schema):
    results: list[TargetOut]


class TargetRemoveIn(Schema):
    reason: str


class TargetRemovedOut(Schema):
    id: int
    project_id: int
    status: str


class TargetAssignIn(Schema):
    agent_id: int
    day: dt.date | None = None


class TargetAssignedOut(Schema):
    id: int
    project_id: int
    agent_id: int | None
    scheduled_on: dt.date | None


class FollowUpIn(Schema):
    kind: Literal["risk", "need", "suggestion"]
    text: str


class AttemptIn(Schema):
    outcome: str
    answers: dict[str, str | int | list[str]] = {}
    note: str = ""
    call_back_at: dt.datetime | None = None
    follow_ups: list[FollowUpIn] = []


class AttemptOut(Schema):
    id: int
    outcome: str
    target_status: str
    next_attempt_at: dt.datetime | None
    answers: int


class ReportRowOut(Schema):
    key: str
    label: str
    planned: int
    attempted: int
    calls: int
    reached: int
    success_rate: float | None
    quota_attainment: float | None


class ReportOut(Schema):
    start: dt.date
    end: dt.date
    label: str
    trading_days: int
    by_project: list[ReportRowOut]
    by_type: list[ReportRowOut]
    by_agent: list[ReportRowOut]


class DeadlineOut(Schema):
    kind: str
    period: str
    due: dt.date | None
    status: str
    submitted_at: dt.datetime | None


class DeadlineListOut(Schema):
    results: list[DeadlineOut]


class PlanIn(Schema):
    since: dt.date
    limit: int = 200
    agent_ids: list[int] = []


class PlanOut(Schema):
    id: int
    customers: int
    per_agent: dict[str, int]
    skill_misses: int


class ApplyOut(Schema):
    assigned: int


class AssignmentOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    agent: str
    assigned_at: dt.datetime
    contact_due_at: dt.datetime
    first_contact_at: dt.datetime | None


class AssignmentListOut(Schema):
    results: list[AssignmentOut]


class ContactIn(Schema):
    note: str


# --- projects and questionnaires -------------------------------------------------------------


def _project(pk: int) -> Project:
    return selectors.project_get(pk=pk)


@router.get("/projects", response=ProjectListOut, summary="Callback projects (CB-1)")
def project_list(request: HttpRequest, status: Project.Status | None = None):
    check_perms(request.user, CALLBACK_MANAGE)
    projects = selectors.projects_list(status=status or "")
    projects = projects.select_related("questionnaire_version")[:500]
    return {"results": [_project_out(p) for p in projects]}


@router.post("/projects", response={201: ProjectOut}, summary="Create a draft project")
def project_create(request: HttpRequest, payload: ProjectIn):
    check_perms(request.user, CALLBACK_MANAGE)
    questionnaire = selectors.questionnaire_get(pk=payload.questionnaire_id)
    project = services.project_create(
        name=payload.name,
        callback_type=payload.callback_type,
        purpose=payload.purpose,
        questionnaire=questionnaire,
        in_window=payload.in_window,
        window_kind=payload.window_kind,
        max_attempts=payload.max_attempts,
        retry_minutes=payload.retry_minutes,
        minimum_reached=payload.minimum_reached,
        by=request.user,
    )
    return Status(201, _project_out(project))


@router.post("/projects/{project_id}/start", response=ProjectOut, summary="Start a project")
def project_start(request: HttpRequest, project_id: int):
    check_perms(request.user, CALLBACK_MANAGE)
    return _project_out(services.project_start(project=_project(project_id), by=request.user))


@router.post("/projects/{project_id}/close", response=ProjectOut, summary="Close a project")
def project_close(request: HttpRequest, project_id: int):
    check_perms(request.user, CALLBACK_MANAGE)
    return _project_out(services.project_close(project=_project(project_id), by=request.user))


@router.get("/questionnaires", response=VersionListOut, summary="Questionnaire versions")
def questionnaire_list(request: HttpRequest):
    check_perms(request.user, CALLBACK_MANAGE)
    versions = QuestionnaireVersion.objects.select_related("questionnaire").order_by(
        "questionnaire__name", "-number"
    )[:500]
    return {"results": [_version_out(v) for v in versions]}


@router.post("/questionnaires", response={201: VersionOut}, summary="Create a questionnaire (CB-2)")
def questionnaire_create(request: HttpRequest, payload: QuestionnaireIn):
    check_perms(request.user, CALLBACK_MANAGE)
    specs = [
        rules.QuestionSpec(
            code=q.code.strip().upper(),
            kind=q.kind,
            text=q.text,
            required=q.required,
            options=tuple((str(o.get("value", "")), str(o.get("label", ""))) for o in q.options),
            scale_min=q.scale_min,
            scale_max=q.scale_max,
            branches=tuple(q.branches),
        )
        for q in payload.questions
    ]
    kwargs = {"opening_script": payload.opening_script} if payload.opening_script else {}
    version = services.questionnaire_create(
        name=payload.name,
        company_wide=payload.company_wide,
        closing_script=payload.closing_script,
        questions=specs,
        publish=payload.publish,
        by=request.user,
        **kwargs,
    )
    return Status(201, _version_out(version))


@router.post(
    "/versions/{version_id}/publish", response=VersionOut, summary="Publish a questionnaire"
)
def version_publish(request: HttpRequest, version_id: int):
    check_perms(request.user, CALLBACK_MANAGE)
    version = selectors.version_get(pk=version_id)
    return _version_out(services.questionnaire_publish(version=version, by=request.user))


# --- lists -----------------------------------------------------------------------------------


@router.post(
    "/projects/{project_id}/rules", response={201: BatchOut}, summary="Add by a list rule (CB-3)"
)
def project_rule(request: HttpRequest, project_id: int, payload: RuleIn):
    check_perms(request.user, CALLBACK_MANAGE)
    batch = services.targets_from_rule(
        project=_project(project_id), rule=payload.rule, params=payload.params, by=request.user
    )
    return Status(201, _batch_out(batch))


@router.post(
    "/projects/{project_id}/imports",
    response={202: BatchOut},
    summary="Import a CSV/XLSX list (CB-3)",
)
def project_import(
    request: HttpRequest,
    project_id: int,
    file: File[UploadedFile],
    mapping: Form[dict[str, str]] | None = None,
):
    """Columns are recognised by name (客户号, 手机号码, 身份证号码, 姓名, 截止日期, 备注) unless
    ``mapping`` names them (field → column). The import runs in the background; poll the
    batch for progress and the problems by row."""
    check_perms(request.user, CALLBACK_MANAGE)
    batch = services.target_import_queue(
        project=_project(project_id),
        source=file,  # type: ignore[arg-type]  # an UploadedFile reads like a binary file
        file_name=file.name or "list.csv",
        by=request.user,
        mapping=mapping or None,
    )
    return Status(202, _batch_out(batch))


@router.get("/projects/{project_id}/batches/{batch_id}", response=BatchOut, summary="A list batch")
def batch_get(request: HttpRequest, project_id: int, batch_id: int):
    check_perms(request.user, CALLBACK_MANAGE)
    return _batch_out(selectors.batch_get(project=_project(project_id), pk=batch_id))


@router.post(
    "/projects/{project_id}/distribute",
    response=DistributeOut,
    summary="Distribute callbacks within quotas (CB-4)",
)
def project_distribute(request: HttpRequest, project_id: int, payload: DistributeIn):
    check_perms(request.user, CALLBACK_MANAGE)
    plan = services.targets_distribute(
        project=_project(project_id),
        by=request.user,
        agent_ids=payload.agent_ids or None,
        start=payload.start,
    )
    return DistributeOut(
        assigned=len(plan.assignments),
        late=len(plan.late),
        unplaced=len(plan.unplaced),
        days=plan.days,
        per_agent={str(k): v for k, v in plan.per_agent.items()},
    )


@router.post(
    "/targets/{target_id}/remove",
    response=TargetRemovedOut,
    summary="Take a customer off a project's list (CB-3); they may be listed again",
)
def target_remove(request: HttpRequest, target_id: int, payload: TargetRemoveIn):
    check_perms(request.user, CALLBACK_MANAGE)
    target = services.target_remove(
        target=selectors.target_get(pk=target_id), by=request.user, reason=payload.reason
    )
    return TargetRemovedOut(id=target.pk, project_id=target.project_id, status=target.status)


@router.post(
    "/targets/{target_id}/assign",
    response=TargetAssignedOut,
    summary="Give a callback to another callback agent, planned for a day (default today)",
)
def target_assign(request: HttpRequest, target_id: int, payload: TargetAssignIn):
    check_perms(request.user, CALLBACK_MANAGE)
    target = services.target_reassign(
        target=selectors.target_get(pk=target_id),
        agent=selectors.user_get(pk=payload.agent_id),
        by=request.user,
        day=payload.day,
    )
    return TargetAssignedOut(
        id=target.pk,
        project_id=target.project_id,
        agent_id=target.assigned_to_id,
        scheduled_on=target.scheduled_on,
    )


# --- the desk --------------------------------------------------------------------------------


@router.get("/queue", response=QueueOut, summary="My callbacks to make, by due time")
def queue(request: HttpRequest, limit: int = 100):
    check_perms(request.user, CALLBACK_WORK)
    targets = selectors.agent_queue(agent=request.user)[: max(1, min(limit, 500))]
    return {
        "results": [
            TargetOut(
                id=t.pk,
                project_id=t.project_id,
                project=t.project.name,
                customer_id=t.customer_id,
                customer_name=t.customer.name,
                mobile=mask_mobile(t.customer.mobile),
                reason=t.reason,
                status=t.status,
                due_at=t.due_at,
                next_attempt_at=t.next_attempt_at,
                attempts=t.attempts,
            )
            for t in targets
        ]
    }


@router.post(
    "/targets/{target_id}/attempts",
    response={201: AttemptOut},
    summary="Record a call: outcome, answers, follow-ups (CB-5)",
)
def attempt_create(request: HttpRequest, target_id: int, payload: AttemptIn):
    check_perms(request.user, CALLBACK_WORK)
    target = services.target_for_agent(agent=request.user, pk=target_id)
    attempt = services.attempt_record(
        target=target,
        by=request.user,
        outcome=payload.outcome,
        answers=payload.answers,
        note=payload.note,
        call_back_at=payload.call_back_at,
        follow_ups=[(f.kind, f.text) for f in payload.follow_ups],
    )
    target.refresh_from_db()
    return Status(
        201,
        AttemptOut(
            id=attempt.pk,
            outcome=attempt.outcome,
            target_status=target.status,
            next_attempt_at=target.next_attempt_at,
            answers=attempt.answers.count(),
        ),
    )


# --- reports ---------------------------------------------------------------------------------


def _row_out(r) -> ReportRowOut:
    return ReportRowOut(
        key=str(r.key),
        label=r.label,
        planned=r.planned,
        attempted=r.attempted,
        calls=r.calls,
        reached=r.reached,
        success_rate=r.success_rate,
        quota_attainment=r.quota_attainment,
    )


@router.get("/reports", response=ReportOut, summary="Callback counts of a period (CB-6)")
def report(
    request: HttpRequest,
    period: Literal["day", "week", "month", "quarter"] = "month",
    day: dt.date | None = None,
):
    check_perms(request.user, CALLBACK_REPORTS)
    start, end, label = selectors.period_bounds(period, day or timezone.localdate())
    r = selectors.callback_report(start=start, end=end, label=label)
    return ReportOut(
        start=r.start,
        end=r.end,
        label=r.label,
        trading_days=r.trading_days,
        by_project=[_row_out(x) for x in r.by_project],
        by_type=[_row_out(x) for x in r.by_type],
        by_agent=[_row_out(x) for x in r.by_agent],
    )


@router.get("/reports/deadlines", response=DeadlineListOut, summary="Report deadlines (CB-6)")
def report_deadlines(request: HttpRequest):
    check_perms(request.user, CALLBACK_REPORTS)
    return {
        "results": [
            DeadlineOut(
                kind=d.kind,
                period=d.period,
                due=d.due,
                status=d.status,
                submitted_at=d.filing.submitted_at if d.filing else None,
            )
            for d in selectors.report_deadlines()
        ]
    }


# --- portfolios ------------------------------------------------------------------------------


@router.post("/portfolios/plans", response={201: PlanOut}, summary="Preview a distribution (PF-1)")
def portfolio_plan(request: HttpRequest, payload: PlanIn):
    check_perms(request.user, PORTFOLIO_MANAGE)
    preview = services.portfolio_plan_create(
        by=request.user,
        since=payload.since,
        limit=payload.limit,
        agent_ids=payload.agent_ids or None,
    )
    return Status(
        201,
        PlanOut(
            id=preview.plan.pk,
            customers=len(preview.plan.pairs),
            per_agent={str(k): v for k, v in preview.added.items()},
            skill_misses=preview.skill_misses,
        ),
    )


@router.post("/portfolios/plans/{plan_id}/apply", response=ApplyOut, summary="Apply a distribution")
def portfolio_apply(request: HttpRequest, plan_id: int):
    check_perms(request.user, PORTFOLIO_MANAGE)
    plan = PortfolioPlan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise NotFound("No such distribution plan.")
    return ApplyOut(assigned=services.portfolio_plan_apply(plan=plan, by=request.user))


def _assignment_out(a, agent=None) -> AssignmentOut:
    return AssignmentOut(
        id=a.pk,
        customer_id=a.customer_id,
        customer_name=a.customer.name,
        agent=str(agent or a.agent),
        assigned_at=a.assigned_at,
        contact_due_at=a.contact_due_at,
        first_contact_at=a.first_contact_at,
    )


@router.get(
    "/portfolios/overdue",
    response=AssignmentListOut,
    summary="First contacts overdue by more than a week (PF-2)",
)
def portfolio_overdue(request: HttpRequest):
    check_perms(request.user, PORTFOLIO_MANAGE)
    return {"results": [_assignment_out(a) for a in selectors.portfolio_overdue()[:500]]}


@router.post(
    "/portfolios/assignments/{assignment_id}/first-contact",
    response=AssignmentOut,
    summary="Record the first contact of an assigned customer (PF-2)",
)
def portfolio_contact(request: HttpRequest, assignment_id: int, payload: ContactIn):
    check_perms(request.user, PORTFOLIO_WORK)
    assignment = selectors.assignment_for_agent(agent=request.user, pk=assignment_id)
    assignment = services.portfolio_first_contact_record(
        assignment=assignment, by=request.user, note=payload.note
    )
    return _assignment_out(assignment)
