"""Callbacks (回访, CB-1 … CB-6) and customer portfolios (PF-1, PF-2).

A callback *project* of one of the 13 types has a dedup *window* (a month or a quarter), a
*questionnaire version* it keeps once it runs, and *targets*: one row per customer to call,
added by a list rule or an import (a *target batch*). Each call is an *attempt* with an
outcome and, when the customer was reached, the *answers* per question and *follow-ups*.
Every state change writes an append-only *CallbackEvent* in the same transaction.

Dedup (CB-4): a customer appears at most once per dedup type and window across all projects,
enforced by a partial unique index on targets that are not removed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CallbackType(models.TextChoices):
    """The 13 callback types of seed 003 (CB-1)."""

    NEW_CUSTOMER = "new_customer", _("New customers")
    MANAGER_CUSTOMERS = "manager_customers", _("Account-manager customers")
    LOST_CUSTOMERS = "lost_customers", _("Lost customers (closed or transferred away)")
    FUND_WEALTH = "fund_wealth", _("Fund and wealth-product customers")
    MANAGER_CHANGE = "manager_change", _("Account-manager change")
    SAME_IP = "same_ip", _("Same-IP operations")
    AML_RISK = "aml_risk", _("AML risk platform")
    INFO_MAINTENANCE = "info_maintenance", _("Information maintenance")
    CORPORATE_ACTION = "corporate_action", _("Corporate-action reminders")
    PORTFOLIO_REMINDER = "portfolio_reminder", _("Signed portfolio reminders")
    SERVICE_PRODUCT = "service_product", _("Service-product participants")
    LARGE_TRANSFER = "large_transfer", _("Large transfers out")
    OTHER = "other", _("Other")


class OtherPurpose(models.TextChoices):
    """What an "other" callback is for (CB-1 type 13)."""

    NONE = "", _("—")
    IDENTITY_CHECK = "identity_check", _("Identity check")
    COMPLIANCE_CHECK = "compliance_check", _("Compliance check")
    SATISFACTION = "satisfaction", _("Satisfaction survey")
    POST_COMPLAINT = "post_complaint", _("After a complaint")


class WindowKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class Outcome(models.TextChoices):
    """CB-5 call outcomes."""

    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    REFUSED = "refused", _("Refused")
    CALL_BACK_LATER = "call_back_later", _("Call back later")


# --- questionnaires (CB-2) ------------------------------------------------------------------


class Questionnaire(models.Model):
    """A callback script (话术/问卷). Company-wide ones can be used by many projects."""

    name = models.CharField(_("name"), max_length=100)
    company_wide = models.BooleanField(
        _("company-wide"),
        default=True,
        help_text=_("Offered to every project; otherwise only to the project it was made for."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class QuestionnaireVersion(models.Model):
    """One version of a questionnaire. Published versions never change; editing a published
    questionnaire makes a new draft version, and a running project keeps its version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    opening_script = models.TextField(
        _("opening script"),
        help_text=_(
            "Variables: {company}, {department}, {agent_no}, {agent_name}, {customer_name}, "
            "{customer_title}."
        ),
    )
    closing_script = models.TextField(_("closing script"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        ordering = ["questionnaire_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="callback_questionnaire_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire.name} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Question(models.Model):
    """An ordered question of a questionnaire version.

    ``options`` is a list of ``{"value", "label"}`` for single and multiple choice (yes/no
    has fixed options ``yes``/``no``). ``branches`` is a list of ``{"when": value, "goto":
    code}`` (for a scale ``{"min", "max", "goto"}``); ``goto`` is another question's code or
    ``END``. Without a matching branch the next question in order follows.
    """

    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SCALE = "scale", _("Scale")
        YES_NO = "yes_no", _("Yes / no")
        TEXT = "text", _("Free text")

    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.CharField(_("code"), max_length=16)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=500)
    required = models.BooleanField(_("required"), default=True)
    options = models.JSONField(_("options"), default=list, blank=True)
    scale_min = models.SmallIntegerField(_("scale from"), default=1)
    scale_max = models.SmallIntegerField(_("scale to"), default=5)
    branches = models.JSONField(_("branches"), default=list, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["version_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="callback_question_code"),
            models.UniqueConstraint(
                fields=["version", "position"], name="callback_question_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


# --- projects (CB-1) ------------------------------------------------------------------------


class ProjectQuerySet(models.QuerySet):
    def running(self):
        return self.filter(status=Project.Status.RUNNING)


class Project(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        RUNNING = "running", _("Running")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=100)
    callback_type = models.CharField(_("type"), max_length=32, choices=CallbackType.choices)
    purpose = models.CharField(
        _("purpose"), max_length=32, choices=OtherPurpose.choices, blank=True, default=""
    )
    window_kind = models.CharField(_("window"), max_length=16, choices=WindowKind.choices)
    window_start = models.DateField(_("window starts"))
    window_end = models.DateField(_("window ends"))
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("questionnaire"),
    )
    questionnaire_version = models.ForeignKey(
        QuestionnaireVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        help_text=_("Fixed when the project starts."),
    )
    max_attempts = models.PositiveSmallIntegerField(_("attempts per customer"), default=3)
    retry_minutes = models.PositiveIntegerField(_("minutes between attempts"), default=120)
    minimum_reached = models.PositiveIntegerField(
        _("customers to reach in the window"),
        default=0,
        help_text=_("0: no minimum. Fund projects: at least 30 a quarter (all when fewer)."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("callback project")
        verbose_name_plural = _("callback projects")
        ordering = ["-window_start", "name"]
        permissions = [
            ("manage_callbacks", _("Can manage callback projects, questionnaires and lists")),
            ("work_callbacks", _("Can work the callback desk")),
            ("view_callback_reports", _("Can view and print callback reports")),
            ("manage_portfolios", _("Can distribute customers to agents")),
            ("work_portfolio", _("Can record first contacts of assigned customers")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gte=models.F("window_start")),
                name="callback_project_window_order",
            ),
            models.CheckConstraint(
                condition=Q(max_attempts__gte=1), name="callback_project_attempts_min"
            ),
        ]
        indexes = [
            # project list: by status and window
            models.Index(fields=["status", "window_start"], name="cb_project_status_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class TargetBatch(models.Model):
    """One filling of a project's list: a built-in rule run or an imported file (NF-4)."""

    class Kind(models.TextChoices):
        RULE = "rule", _("List rule")
        IMPORT = "import", _("Imported file")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Could not run")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="batches")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    rule = models.CharField(_("rule"), max_length=32, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    stored_name = models.CharField(max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    added_count = models.PositiveIntegerField(_("added"), default=0)
    duplicate_count = models.PositiveIntegerField(_("already called or listed"), default=0)
    failed_count = models.PositiveIntegerField(_("rows failed"), default=0)
    errors = models.JSONField(_("first errors"), default=list, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("target batch")
        verbose_name_plural = _("target batches")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name or self.rule

    @property
    def percent_done(self) -> int:
        if not self.rows_total:
            return 100 if self.status == self.Status.FINISHED else 0
        return min(100, self.rows_done * 100 // self.rows_total)


class TargetQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=(Target.Status.PENDING, Target.Status.RETRY))

    def in_queue_order(self):
        return self.order_by("due_at", "id")


class Target(models.Model):
    """One customer to call in a project (a callback task)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To call")
        RETRY = "retry", _("To call again")
        REACHED = "reached", _("Reached")
        UNREACHABLE = "unreachable", _("Not reached")
        REFUSED = "refused", _("Refused")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        REMOVED = "removed", _("Removed")

    # The foreign keys that lead a composite index below need no index of their own: every
    # index costs each of the million rows an import writes.
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="targets", db_index=False
    )
    batch = models.ForeignKey(
        TargetBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="targets"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="callback_targets",
        db_index=False,
    )
    # CB-4 dedup key: the project's type (with the purpose of "other") and its window.
    dedup_type = models.CharField(max_length=64)
    window_key = models.CharField(max_length=64)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    source_ref = models.CharField(_("source reference"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    due_at = models.DateTimeField(_("due"))
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="callback_targets",
        verbose_name=_("agent"),
        db_index=False,
    )
    scheduled_on = models.DateField(_("planned for"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_outcome = models.CharField(
        _("last outcome"), max_length=16, choices=Outcome.choices, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("callback target")
        verbose_name_plural = _("callback targets")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedup_type", "window_key", "customer"],
                condition=~Q(status="removed"),
                name="callback_target_once_per_window",
            ),
        ]
        indexes = [
            # the desk: an agent's open targets by due time
            models.Index(fields=["assigned_to", "status", "due_at"], name="cb_target_queue_idx"),
            # project page, distribution and reports: a project's targets by status
            models.Index(fields=["project", "status"], name="cb_target_project_idx"),
            # quota: an agent's targets planned per day
            models.Index(fields=["assigned_to", "scheduled_on"], name="cb_target_plan_idx"),
            # customer 360 and dedup look-ups by customer
            models.Index(fields=["customer", "created_at"], name="cb_target_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.customer_id}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RETRY)


class Attempt(models.Model):
    """One call to a target's customer, with its outcome (CB-5)."""

    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="attempt_set", db_index=False
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    call_back_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    questionnaire_version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("callback attempt")
        verbose_name_plural = _("callback attempts")
        ordering = ["-at", "-id"]
        indexes = [
            # reports: attempts per agent and period
            models.Index(fields=["agent", "at"], name="cb_attempt_agent_idx"),
            models.Index(fields=["at"], name="cb_attempt_at_idx"),
            models.Index(fields=["target", "at"], name="cb_attempt_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_outcome_display()}"


class Answer(models.Model):
    """The answer to one question in a reached call. ``value``: text, a number, or a list."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    value = models.JSONField(_("answer"))

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="callback_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.question.code}={self.value}"


class FollowUp(models.Model):
    """A risk, need or suggestion found in a callback, to be followed up (CB-5)."""

    class Kind(models.TextChoices):
        RISK = "risk", _("Risk")
        NEED = "need", _("Customer need")
        SUGGESTION = "suggestion", _("Suggestion")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="follow_ups")
    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, null=True, blank=True, related_name="follow_ups"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text = models.CharField(_("what"), max_length=500)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    resolution = models.CharField(_("resolution"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "id"]
        indexes = [
            # follow-up list: open ones by due date
            models.Index(fields=["status", "due_on"], name="cb_followup_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:40]}"


class AgentProfile(models.Model):
    """A callback agent's daily quota (CB-4) and skills (PF-1)."""

    class Skill(models.TextChoices):
        VIP = "vip", _("VIP customers (platinum, private banking)")
        BROKERAGE = "brokerage", _("Brokerage customers")
        CARDS = "cards", _("Credit-card customers")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="callback_profile"
    )
    daily_quota = models.PositiveSmallIntegerField(_("callbacks per trading day"), default=30)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    active = models.BooleanField(_("takes callbacks and customers"), default=True)

    class Meta:
        verbose_name = _("callback agent profile")
        verbose_name_plural = _("callback agent profiles")

    def __str__(self) -> str:
        return str(self.user)


class ReportFiling(models.Model):
    """That a period's monthly report or quarterly summary was handed in (CB-6 deadlines)."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("Monthly report")
        QUARTERLY = "quarterly", _("Quarterly summary")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    period = models.CharField(_("period"), max_length=16)  # 2026-11 or 2026-Q4
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("report filing")
        verbose_name_plural = _("report filings")
        constraints = [
            models.UniqueConstraint(fields=["kind", "period"], name="callback_report_filed_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period}"


class ReportExport(models.Model):
    """A detail table printed in the background (NF-4): a quarter's calls make thousands of
    pages, so the page shows progress and offers the file when it is ready."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "Excel"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Could not run")

    fmt = models.CharField(_("format"), max_length=8, choices=Format.choices)
    period = models.CharField(_("period"), max_length=8)  # day, week, month, quarter
    day = models.DateField(_("containing the day"))
    label = models.CharField(_("period"), max_length=16, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    stored_name = models.CharField(max_length=255, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report export")
        verbose_name_plural = _("report exports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.label} {self.fmt}"

    @property
    def percent_done(self) -> int:
        if self.status == self.Status.FINISHED:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)


class PortfolioPlan(models.Model):
    """A previewed distribution of customers to agents (PF-1), applied as previewed."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    params = models.JSONField(default=dict)
    # [[customer_id, agent_id], …]
    pairs = models.JSONField(default=list)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("portfolio plan")
        verbose_name_plural = _("portfolio plans")

    def __str__(self) -> str:
        return f"plan {self.pk}"


class PortfolioAssignment(models.Model):
    """A customer in an agent's portfolio; the agent contacts them within a week (PF-2)."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="portfolio_assignments"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="portfolio_assignments"
    )
    plan = models.ForeignKey(
        PortfolioPlan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    contact_due_at = models.DateTimeField(_("first contact due"))
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    first_contact_note = models.CharField(_("first contact note"), max_length=500, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("portfolio assignment")
        verbose_name_plural = _("portfolio assignments")
        ordering = ["contact_due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(ended_at__isnull=True),
                name="portfolio_one_active_agent",
            ),
        ]
        indexes = [
            # overdue first contacts and an agent's new customers
            models.Index(
                fields=["agent", "first_contact_at", "contact_due_at"], name="pf_agent_due_idx"
            ),
            models.Index(fields=["first_contact_at", "contact_due_at"], name="pf_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} → {self.agent_id}"


class CallbackEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Callback events are append-only.")

    def delete(self):
        raise PermissionError("Callback events are append-only.")


class CallbackEvent(models.Model):
    """Append-only history of callbacks and portfolios: one row per state change."""

    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=64)
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = CallbackEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("callback event")
        verbose_name_plural = _("callback events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["project", "at"], name="cb_event_project_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Callback events are append-only.")
        super().save(*args, **kwargs)
