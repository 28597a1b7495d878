"""Callback reads: projects, the desk queue, progress, reports and deadlines (CB-6),
portfolios (PF-2), and the customer 360 timeline source (CUS-7)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.callbacks import rules
from kefu.callbacks.models import (
    Attempt,
    CallbackType,
    FollowUp,
    Outcome,
    PortfolioAssignment,
    Project,
    Questionnaire,
    QuestionnaireVersion,
    ReportFiling,
    Target,
    TargetBatch,
)
from kefu.core.calendars import Calendar, CalendarUnknownYear
from kefu.core.errors import NotFound


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


# --- customer 360 ----------------------------------------------------------------------------


def callback_timeline_entries(customer, limit: int) -> list:
    """CUS-7: the customer's callback attempts with the follow-ups they raised, newest first,
    in two queries. Free text is masked (an agent may have typed a number into a note)."""
    from kefu.core.masking import mask_text
    from kefu.customers.selectors import TimelineEntry

    attempts = (
        Attempt.objects.filter(target__customer_id=customer.pk)
        .select_related("target__project")
        .prefetch_related("follow_ups")
        .order_by("-at", "-id")[:limit]
    )
    entries = []
    for a in attempts:
        parts = [str(a.get_outcome_display()), mask_text(a.note)]
        parts += [
            _("%(kind)s: %(text)s") % {"kind": f.get_kind_display(), "text": mask_text(f.text)}
            for f in a.follow_ups.all()
        ]
        entries.append(
            TimelineEntry(
                at=a.at,
                kind="callback",
                title=_("Callback: %(project)s") % {"project": a.target.project.name},
                detail=" · ".join(p for p in parts if p),
                url=reverse("callbacks:target", args=[a.target_id]),
            )
        )
    return entries


# --- questionnaires and projects -------------------------------------------------------------


def questionnaires_all() -> QuerySet[Questionnaire]:
    return Questionnaire.objects.select_related("owner").prefetch_related("versions")


def questionnaire_get(*, pk: int) -> Questionnaire:
    q = Questionnaire.objects.filter(pk=pk).first()
    if q is None:
        raise NotFound(_("No such questionnaire."))
    return q


def version_get(*, pk: int) -> QuestionnaireVersion:
    v = QuestionnaireVersion.objects.select_related("questionnaire").filter(pk=pk).first()
    if v is None:
        raise NotFound(_("No such questionnaire version."))
    return v


def questionnaires_for_projects() -> QuerySet[Questionnaire]:
    """Questionnaires with a published version that a new project can use: company-wide ones,
    and the others until the one project they were made for uses them."""
    return (
        Questionnaire.objects.filter(versions__status=QuestionnaireVersion.Status.PUBLISHED)
        .filter(Q(company_wide=True) | Q(projects__isnull=True))
        .distinct()
        .order_by("name")
    )


def projects_list(*, status: str = "") -> QuerySet[Project]:
    qs = Project.objects.select_related("owner", "questionnaire").annotate(
        n_targets=Count("targets", filter=~Q(targets__status=Target.Status.REMOVED)),
        n_reached=Count("targets", filter=Q(targets__status=Target.Status.REACHED)),
        n_open=Count(
            "targets", filter=Q(targets__status__in=(Target.Status.PENDING, Target.Status.RETRY))
        ),
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-window_start", "name", "id")


def project_get(*, pk: int) -> Project:
    project = (
        Project.objects.select_related("owner", "questionnaire", "questionnaire_version")
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise NotFound(_("No such project."))
    return project


@dataclass
class ProjectProgress:
    by_status: dict[str, int]
    listed: int
    reached: int
    open: int
    unassigned: int
    overdue: int
    minimum: int
    required: int  # min(minimum, listed): "at least 30, all when fewer"
    minimum_met: bool
    attempts: int


def project_progress(*, project: Project, now: dt.datetime | None = None) -> ProjectProgress:
    now = now or timezone.now()
    rows = dict(project.targets.values("status").annotate(n=Count("id")).values_list("status", "n"))
    listed = sum(n for s, n in rows.items() if s != Target.Status.REMOVED)
    open_count = rows.get(Target.Status.PENDING, 0) + rows.get(Target.Status.RETRY, 0)
    flags = project.targets.open().aggregate(
        unassigned=Count("id", filter=Q(assigned_to__isnull=True)),
        overdue=Count("id", filter=Q(due_at__lt=now)),
    )
    reached = rows.get(Target.Status.REACHED, 0)
    required = min(project.minimum_reached, listed)
    return ProjectProgress(
        by_status=rows,
        listed=listed,
        reached=reached,
        open=open_count,
        unassigned=flags["unassigned"],
        overdue=flags["overdue"],
        minimum=project.minimum_reached,
        required=required,
        minimum_met=reached >= required,
        attempts=Attempt.objects.filter(target__project=project).count(),
    )


def project_batches(*, project: Project) -> QuerySet[TargetBatch]:
    return project.batches.select_related("created_by").order_by("-created_at", "-id")


def batch_get(*, project: Project, pk: int) -> TargetBatch:
    batch = project.batches.filter(pk=pk).first()
    if batch is None:
        raise NotFound(_("No such list batch."))
    return batch


def project_targets(*, project: Project, status: str = "") -> QuerySet[Target]:
    qs = project.targets.select_related("customer", "assigned_to")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("due_at", "id")


def project_target_get(*, project: Project, pk: int) -> Target:
    target = project.targets.select_related("project").filter(pk=pk).first()
    if target is None:
        raise NotFound(_("No such callback in this project."))
    return target


def target_get(*, pk: int) -> Target:
    target = Target.objects.select_related("project", "customer").filter(pk=pk).first()
    if target is None:
        raise NotFound(_("No such callback."))
    return target


def user_get(*, pk: int):
    """A staff member by id, or None (the service says why it cannot take the work)."""
    from kefu.core.models import User

    return User.objects.filter(pk=pk).first()


# --- the desk --------------------------------------------------------------------------------


def agent_queue(*, agent) -> QuerySet[Target]:
    """The agent's callbacks still to make in running projects, by when they are due next."""
    return (
        Target.objects.open()
        .filter(assigned_to=agent, project__status=Project.Status.RUNNING)
        .select_related("project", "customer")
        .annotate(next_at=Coalesce("next_attempt_at", "due_at"))
        .order_by("next_at", "id")
    )


def target_attempts(*, target: Target) -> QuerySet[Attempt]:
    return (
        target.attempt_set.select_related("agent")
        .prefetch_related("answers__question", "follow_ups")
        .order_by("-at", "-id")
    )


def follow_ups_open(*, owner=None) -> QuerySet[FollowUp]:
    qs = FollowUp.objects.filter(status=FollowUp.Status.OPEN).select_related(
        "target__customer", "target__project", "owner"
    )
    if owner is not None:
        qs = qs.filter(owner=owner)
    return qs.order_by("due_on", "id")


# --- reports (CB-6) --------------------------------------------------------------------------


@dataclass
class ReportRow:
    key: object
    label: str
    planned: int = 0
    attempted: int = 0  # callbacks (customers) tried in the period
    calls: int = 0  # attempts made
    reached: int = 0
    capacity: int | None = None  # quota × trading days, per agent

    @property
    def success_rate(self) -> float | None:
        return self.reached / self.attempted if self.attempted else None

    @property
    def quota_attainment(self) -> float | None:
        return self.calls / self.capacity if self.capacity else None


@dataclass
class CallbackReport:
    start: dt.date
    end: dt.date
    label: str
    trading_days: int
    by_project: list[ReportRow] = field(default_factory=list)
    by_type: list[ReportRow] = field(default_factory=list)
    by_agent: list[ReportRow] = field(default_factory=list)
    total: ReportRow | None = None


PERIODS = ("day", "week", "month", "quarter")


def period_bounds(kind: str, day: dt.date) -> tuple[dt.date, dt.date, str]:
    """First and last day and a label of the day, week (Monday–Sunday), month or quarter.

    ValidationFailed (field ``day``) for a day outside the years reports can be about.
    """
    if problem := rules.day_problem(day):
        from kefu.core.errors import ValidationFailed

        raise ValidationFailed(problem, errors={"day": [problem]})
    if kind == "day":
        return day, day, day.isoformat()
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        end = start + dt.timedelta(days=6)
        iso = start.isocalendar()
        return start, end, f"{iso.year}-W{iso.week:02d}"
    if kind == "month":
        w = rules.window_for("monthly", day)
        return w.start, w.end, w.key
    if kind == "quarter":
        w = rules.window_for("quarterly", day)
        return w.start, w.end, w.key
    raise ValueError(kind)


def callback_report(*, start: dt.date, end: dt.date, label: str = "") -> CallbackReport:
    """Counts per project, type and agent for [start, end] (a fixed number of queries)."""
    from kefu.callbacks.services.targets import agent_quota
    from kefu.core.models import User

    calendar = Calendar()
    try:
        trading_days = rules.trading_days_between(start, end, calendar)
    except CalendarUnknownYear:
        trading_days = 0
    since, until = _local_midnight(start), _local_midnight(end + dt.timedelta(days=1))
    attempts = Attempt.objects.filter(at__gte=since, at__lt=until)
    planned_q = Target.objects.exclude(status=Target.Status.REMOVED).filter(
        Q(scheduled_on__gte=start, scheduled_on__lte=end)
        | Q(scheduled_on__isnull=True, due_at__gte=since, due_at__lt=until)
    )
    counts = dict(
        calls=Count("id"),
        attempted=Count("target_id", distinct=True),
        reached=Count("id", filter=Q(outcome=Outcome.REACHED)),
    )
    report = CallbackReport(start=start, end=end, label=label, trading_days=trading_days)

    # per project
    rows: dict[int, ReportRow] = {}
    for r in _rows(attempts.values("target__project_id").annotate(**counts)):
        rows.setdefault(r["target__project_id"], ReportRow(key=r["target__project_id"], label=""))
        _fill(rows[r["target__project_id"]], r)
    for r in _rows(planned_q.values("project_id").annotate(n=Count("id"))):
        rows.setdefault(r["project_id"], ReportRow(key=r["project_id"], label="")).planned = r["n"]
    projects = {
        p.pk: p for p in Project.objects.filter(pk__in=list(rows)).only("name", "callback_type")
    }
    for pk, row in rows.items():
        row.label = projects[pk].name
    report.by_project = sorted(rows.values(), key=lambda r: r.label)

    # per type
    types: dict[str, ReportRow] = {}
    labels = dict(CallbackType.choices)
    for r in _rows(attempts.values("target__project__callback_type").annotate(**counts)):
        t = r["target__project__callback_type"]
        _fill(types.setdefault(t, ReportRow(key=t, label=str(labels.get(t, t)))), r)
    for r in _rows(planned_q.values("project__callback_type").annotate(n=Count("id"))):
        t = r["project__callback_type"]
        types.setdefault(t, ReportRow(key=t, label=str(labels.get(t, t)))).planned = r["n"]
    report.by_type = [types[t] for t in CallbackType.values if t in types]

    # per agent
    agents: dict[int, ReportRow] = {}
    for r in _rows(attempts.values("agent_id").annotate(**counts)):
        _fill(agents.setdefault(r["agent_id"], ReportRow(key=r["agent_id"], label="")), r)
    assigned = planned_q.filter(assigned_to__isnull=False)
    for r in _rows(assigned.values("assigned_to_id").annotate(n=Count("id"))):
        agents.setdefault(
            r["assigned_to_id"], ReportRow(key=r["assigned_to_id"], label="")
        ).planned = r["n"]
    users = {
        u.pk: u for u in User.objects.filter(pk__in=list(agents)).select_related("callback_profile")
    }
    for pk, row in agents.items():
        user = users[pk]
        row.label = str(user)
        row.capacity = agent_quota(user) * trading_days
    report.by_agent = sorted(agents.values(), key=lambda r: r.label)

    total = ReportRow(key="total", label=_("Total"))
    for row in report.by_project:
        total.planned += row.planned
        total.attempted += row.attempted
        total.calls += row.calls
        total.reached += row.reached
    report.total = total
    return report


def _rows(qs) -> list[dict[str, Any]]:
    return [dict(r) for r in qs]


def _fill(row: ReportRow, r: dict) -> None:
    row.calls += r["calls"]
    row.attempted += r["attempted"]
    row.reached += r["reached"]


def report_detail(*, start: dt.date, end: dt.date) -> QuerySet[Attempt]:
    """Every call in [start, end], for the printed detail table."""
    return (
        Attempt.objects.filter(
            at__gte=_local_midnight(start), at__lt=_local_midnight(end + dt.timedelta(days=1))
        )
        .select_related("target__project", "target__customer", "agent")
        .order_by("target__project__name", "at", "id")
    )


# REG-3: at least 10 % of the existing brokerage customers are called back each year.
ANNUAL_COVERAGE_PERCENT = 10


@dataclass
class AnnualCoverage:
    year: int
    existing: int  # customers with an active brokerage account (dormant ones excluded)
    reached: int  # of those, reached by a callback this year
    required: int

    @property
    def rate(self) -> float | None:
        return self.reached / self.existing if self.existing else None

    @property
    def met(self) -> bool:
        return self.reached >= self.required


def annual_coverage(*, year: int) -> AnnualCoverage:
    """REG-3: how many existing brokerage customers (an active account; dormant, closed and
    transferred ones do not count) were reached by a callback in ``year``, against the 10 %
    a year the rule asks for. Two queries."""
    import math

    from kefu.customers.models import BrokerageAccount

    existing_ids = BrokerageAccount.objects.filter(status=BrokerageAccount.Status.ACTIVE).values(
        "customer_id"
    )
    existing = existing_ids.order_by().distinct().count()
    reached = (
        Attempt.objects.filter(
            outcome=Outcome.REACHED,
            at__gte=_local_midnight(dt.date(year, 1, 1)),
            at__lt=_local_midnight(dt.date(year + 1, 1, 1)),
            target__customer_id__in=existing_ids,
        )
        .values("target__customer_id")
        .order_by()
        .distinct()
        .count()
    )
    return AnnualCoverage(
        year=year,
        existing=existing,
        reached=reached,
        required=math.ceil(existing * ANNUAL_COVERAGE_PERCENT / 100),
    )


@dataclass
class Deadline:
    kind: str  # ReportFiling.Kind
    period: str
    due: dt.date | None
    filing: ReportFiling | None
    status: str  # "on_time", "late", "open", "overdue", "unknown"
    days_left: int | None = None

    @property
    def label(self) -> str:
        return str(dict(ReportFiling.Kind.choices)[self.kind])


def report_deadlines(*, today: dt.date | None = None, months: int = 3, quarters: int = 2):
    """CB-6: the deadlines of the last ``months`` monthly reports and ``quarters`` quarterly
    summaries (the periods that have ended), with their status."""
    today = today or timezone.localdate()
    calendar = Calendar()
    periods: list[tuple[str, rules.Window]] = []
    this_month = rules.window_for("monthly", today)
    day = this_month.start
    for _i in range(months):
        day = rules.add_months(day, -1)
        periods.append((ReportFiling.Kind.MONTHLY, rules.window_for("monthly", day)))
    day = rules.window_for("quarterly", today).start
    for _i in range(quarters):
        day = rules.add_months(day, -3)
        periods.append((ReportFiling.Kind.QUARTERLY, rules.window_for("quarterly", day)))
    filings = {
        (f.kind, f.period): f
        for f in ReportFiling.objects.filter(
            period__in=[w.key for _k, w in periods]
        ).select_related("submitted_by")
    }
    out = []
    for kind, window in periods:
        try:
            if kind == ReportFiling.Kind.MONTHLY:
                due = rules.monthly_report_deadline(window.start.year, window.start.month, calendar)
            else:
                due = rules.quarterly_summary_deadline(
                    window.start.year, (window.start.month - 1) // 3 + 1, calendar
                )
        except CalendarUnknownYear:
            out.append(Deadline(kind, window.key, None, filings.get((kind, window.key)), "unknown"))
            continue
        filing = filings.get((kind, window.key))
        if filing is not None:
            status = "on_time" if timezone.localdate(filing.submitted_at) <= due else "late"
            out.append(Deadline(kind, window.key, due, filing, status))
        else:
            status = "open" if today <= due else "overdue"
            out.append(Deadline(kind, window.key, due, None, status, (due - today).days))
    return out


def agents_with_profiles():
    """Active staff who take callbacks or portfolio customers, with their profile."""
    from django.db.models import Q as Q_

    from kefu.core.models import User

    return (
        User.objects.filter(is_active=True, kind=User.Kind.STAFF)
        .filter(
            Q_(groups__permissions__codename="work_callbacks")
            | Q_(groups__permissions__codename="work_portfolio"),
            groups__permissions__content_type__app_label="callbacks",
        )
        .select_related("callback_profile")
        .distinct()
        .order_by("username")
    )


def report_export_get(*, pk: int):
    from kefu.callbacks.models import ReportExport

    export = ReportExport.objects.filter(pk=pk).first()
    if export is None:
        raise NotFound(_("No such export."))
    return export


# --- portfolios (PF-2) -----------------------------------------------------------------------


def portfolio_overdue(*, now: dt.datetime | None = None) -> QuerySet[PortfolioAssignment]:
    """Assigned customers not contacted within a week, oldest first (for the supervisor)."""
    now = now or timezone.now()
    return (
        PortfolioAssignment.objects.filter(
            ended_at__isnull=True, first_contact_at__isnull=True, contact_due_at__lt=now
        )
        .select_related("customer", "agent")
        .order_by("contact_due_at", "id")
    )


def portfolio_overdue_by_agent(*, now: dt.datetime | None = None) -> list[dict]:
    return _rows(
        portfolio_overdue(now=now)
        .order_by()
        .values("agent_id", "agent__username", "agent__display_name")
        .annotate(n=Count("id"))
        .order_by("-n", "agent_id")
    )


def portfolio_of_agent(*, agent) -> QuerySet[PortfolioAssignment]:
    return (
        PortfolioAssignment.objects.filter(agent=agent, ended_at__isnull=True)
        .select_related("customer")
        .order_by(Coalesce("first_contact_at", "contact_due_at").asc(), "id")
    )


def assignment_for_agent(*, agent, pk: int) -> PortfolioAssignment:
    a = (
        PortfolioAssignment.objects.select_related("customer")
        .filter(pk=pk, agent=agent, ended_at__isnull=True)
        .first()
    )
    if a is None:
        raise NotFound(_("No such customer in your portfolio."))
    return a
