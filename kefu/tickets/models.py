"""Service requests (SR-1 … SR-10): tickets, their append-only events, SLA clocks, hand-overs,
routing configuration (teams, queues, routes), satisfaction surveys and notifications.

A ticket is an inquiry, complaint, suggestion or other request of one customer. Its
``owner`` is the first-contact agent (首问负责人, SR-4), who stays accountable until the
ticket is resolved or a hand-over is accepted; ``team``/``assignee`` say who works on it now
(routing, SR-7). Every change writes a TicketEvent in the same transaction (SR-10).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.core.crypto import EncryptedTextField
from kefu.core.masking import mask_mobile
from kefu.tickets.classification import Category, Channel, Kind

USER = settings.AUTH_USER_MODEL


class InstitutionType(models.TextChoices):
    BANK = "bank", _("Bank")
    INSURER = "insurer", _("Insurer")
    SECURITIES = "securities", _("Securities firm")


class DayKind(models.TextChoices):
    CALENDAR = "calendar", _("Calendar days")
    WORKING = "working", _("Working days")


# --- configuration (admin) -------------------------------------------------------------------


class BusinessHours(models.Model):
    """Opening windows of a working day, e.g. 09:00-12:00 and 13:30-18:00 (SR-9).

    ``working_days_only``: count only CAL-1 working days (holidays skipped, make-up working
    Saturdays counted); otherwise every day of the week.
    """

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    windows = models.JSONField(
        _("windows"),
        default=list,
        help_text=_('Pairs of "HH:MM" times, e.g. [["09:00", "12:00"], ["13:30", "18:00"]].'),
    )
    working_days_only = models.BooleanField(_("working days only"), default=True)

    class Meta:
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from kefu.tickets.deadlines import parse_windows

        try:
            parse_windows(self.windows)
        except ValueError as exc:
            raise ValidationError({"windows": str(exc)}) from exc


class Team(models.Model):
    """A team or department that receives tickets (complaint desk, technical agents, the
    technical department …). ``handover_minutes`` starts a hand-over clock on arrival."""

    class Kind(models.TextChoices):
        FRONTLINE = "frontline", _("Front-line agents")
        COMPLAINTS = "complaints", _("Complaint desk")
        TECHNICAL = "technical", _("Technical agents")
        DEPARTMENT = "department", _("Partner department")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    supervisor = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supervisor"),
    )
    email = models.EmailField(_("team email"), blank=True)
    handover_minutes = models.PositiveIntegerField(
        _("hand-over clock (minutes of business time)"), null=True, blank=True
    )
    business_hours = models.ForeignKey(
        BusinessHours,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("business hours"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="team_memberships")
    skills = models.JSONField(
        _("skills"), default=list, blank=True, help_text=_('e.g. ["credit_card", "fraud"]')
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity (open tickets)"), default=30, help_text=_("No new work above this load.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="team_member_once")]

    def __str__(self) -> str:
        return f"{self.team} · {self.user}"


class Queue(models.Model):
    """A queue inside a team; ``skill`` (optional) is what a member needs to take from it."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="queues")
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    skill = models.CharField(_("required skill"), max_length=32, blank=True)
    auto_assign = models.BooleanField(
        _("assign to a member at once"),
        default=True,
        help_text=_("Off: tickets wait in the queue until someone takes or assigns them."),
    )

    class Meta:
        verbose_name = _("queue")
        verbose_name_plural = _("queues")

    def __str__(self) -> str:
        return f"{self.team} / {self.name}"


class Route(models.Model):
    """SR-7: the path a kind of ticket takes between queues, e.g. a business dispute to the
    complaint desk; a technical fault to the technical agents, then the tech department.

    The most specific active route wins: kind and category both set, then one of them.
    """

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("ticket kind"), max_length=16, choices=Kind.choices, blank=True)
    category = models.CharField(
        _("business category"), max_length=16, choices=Category.choices, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("route")
        verbose_name_plural = _("routes")

    def __str__(self) -> str:
        return self.name


class RouteStep(models.Model):
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, verbose_name=_("queue"))
    description = models.CharField(_("what happens here"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("route step")
        verbose_name_plural = _("route steps")
        ordering = ["route", "position"]
        constraints = [
            models.UniqueConstraint(fields=["route", "position"], name="route_step_position")
        ]

    def __str__(self) -> str:
        return f"{self.route} #{self.position}: {self.queue}"


class SlaPolicy(models.Model):
    """SR-9: how long a clock runs for a kind of ticket, in which calendar.

    Without a row, the defaults in kefu.tickets.deadlines.DEFAULT_POLICIES apply. A row with
    an empty kind applies to every kind that has no row of its own.
    """

    class Clock(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("First response")
        CUSTOMER_REPLY = "customer_reply", _("Customer reply")
        RESOLUTION = "resolution", _("Resolution")

    class Unit(models.TextChoices):
        MINUTES = "minutes", _("minutes")
        HOURS = "hours", _("hours")
        DAYS = "days", _("days")

    clock = models.CharField(_("clock"), max_length=16, choices=Clock.choices)
    kind = models.CharField(_("ticket kind"), max_length=16, choices=Kind.choices, blank=True)
    amount = models.PositiveIntegerField(_("amount"))
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    business_hours = models.ForeignKey(
        BusinessHours,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("business hours"),
        help_text=_("Empty: the clock runs around the clock (calendar time)."),
    )
    day_kind = models.CharField(
        _("days are"), max_length=8, choices=DayKind.choices, default=DayKind.CALENDAR
    )
    warn_percent = models.PositiveSmallIntegerField(
        _("warn when this share of the time has passed (%)"), default=80
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(fields=["clock", "kind"], name="sla_policy_once"),
            models.CheckConstraint(
                condition=Q(warn_percent__gte=1) & Q(warn_percent__lte=99),
                name="sla_policy_warn_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_clock_display()} {self.kind or '*'}: {self.amount} {self.unit}"


class RegulatoryLimit(models.Model):
    """REG-1: complaint time limits of one institution type. Without a row the defaults of
    kefu.tickets.deadlines.DEFAULT_REGULATORY_LIMITS apply (banks and insurers: 15 days,
    extension to 30, a further 30 with approval, review within 30 days of the decision)."""

    institution_type = models.CharField(
        _("institution type"), max_length=16, choices=InstitutionType.choices, unique=True
    )
    decide_days = models.PositiveSmallIntegerField(_("decide within (days)"))
    extended_days = models.PositiveSmallIntegerField(_("extended limit (days)"))
    further_extension_days = models.PositiveSmallIntegerField(
        _("further extension with approval (days)")
    )
    review_days = models.PositiveSmallIntegerField(_("review may be asked within (days)"))
    day_kind = models.CharField(
        _("days are"), max_length=8, choices=DayKind.choices, default=DayKind.CALENDAR
    )
    roll_past_holiday = models.BooleanField(
        _("a limit ending on a holiday or rest day ends on the next working day"), default=True
    )

    class Meta:
        verbose_name = _("regulatory time limit")
        verbose_name_plural = _("regulatory time limits")

    def __str__(self) -> str:
        return f"{self.get_institution_type_display()}: {self.decide_days}"


# --- tickets ---------------------------------------------------------------------------------


class Status(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ASSESSED = "assessed", _("Assessed")
    ASSIGNED = "assigned", _("Assigned")
    IN_HANDLING = "in_handling", _("In handling")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting for the customer")
    APPRAISAL = "appraisal", _("Outside appraisal")
    RESOLVED = "resolved", _("Result told to the customer")
    SATISFACTION = "satisfaction", _("Satisfaction callback")
    # a context of its own: the bare "Closed" is a closed account (已销户) elsewhere
    CLOSED = "closed", pgettext_lazy("ticket status", "Closed")
    ARCHIVED = "archived", _("Archived")
    MERGED = "merged", _("Merged into another complaint")


CLOSED_STATUSES = frozenset({Status.CLOSED, Status.ARCHIVED, Status.MERGED})
OPEN_STATUSES = frozenset(s for s in Status if s not in CLOSED_STATUSES)
# States in which the customer owes us something or an outside appraisal runs: clocks pause.
PAUSED_STATUSES = frozenset({Status.WAITING_CUSTOMER, Status.APPRAISAL})
# Work on the ticket is done (result told): resolution clocks stop.
DONE_STATUSES = frozenset({Status.RESOLVED, Status.SATISFACTION, *CLOSED_STATUSES})


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    GENERAL = "general", _("General")
    MAJOR = "major", _("Major")


class Urgency(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")


class TicketQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def complaints(self):
        return self.filter(kind=Kind.COMPLAINT)

    def visible_to(self, user, team_ids: list[int] | None = None):
        """SEC-2: what ``user`` may see — everything with ``tickets.view_all_tickets``,
        otherwise tickets they own or work on, and those of their teams."""
        if user.has_perm("tickets.view_all_tickets"):
            return self
        if team_ids is None:
            team_ids = list(
                TeamMember.objects.filter(user=user, is_active=True).values_list(
                    "team_id", flat=True
                )
            )
        return self.filter(
            Q(owner=user)
            | Q(assignee=user)
            | Q(team_id__in=team_ids)
            | Q(owner_team_id__in=team_ids)
        )


class Ticket(models.Model):
    # Set by ticket_create when the new ticket's clocks are known without reading them back.
    created_clocks: list[Clock]

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("customer"),
    )
    # IVR-10 → SR-1: the hotline call an agent took from the IVR queue, when there was one.
    ivr_call = models.ForeignKey(
        "ivr.Call",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("transferred call"),
    )
    contact_name = models.CharField(_("contact name"), max_length=64, blank=True)
    contact_phone = EncryptedTextField(_("contact phone"), blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    category = models.CharField(_("business category"), max_length=16, choices=Category.choices)
    suggested_kind = models.CharField(
        _("suggested type"), max_length=16, choices=Kind.choices, blank=True
    )
    suggested_category = models.CharField(
        _("suggested category"), max_length=16, choices=Category.choices, blank=True
    )
    suggestion = models.JSONField(_("why this was suggested"), default=dict, blank=True)
    subject = models.CharField(_("subject"), max_length=120, blank=True)
    content = models.TextField(_("content"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REGISTERED
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    # SR-4 first-contact owner; changes only through an accepted hand-over.
    owner = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="owned_tickets", verbose_name=_("owner")
    )
    owner_team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # SR-7 routing: who works on it now.
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("team"),
    )
    queue = models.ForeignKey(Queue, on_delete=models.SET_NULL, null=True, blank=True)
    assignee = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    route = models.ForeignKey(Route, on_delete=models.SET_NULL, null=True, blank=True)
    route_position = models.PositiveSmallIntegerField(default=0)
    # SR-5 case (个案): time, place, person, event, phone.
    is_case = models.BooleanField(_("case"), default=False)
    case_time = models.DateTimeField(_("when it happened"), null=True, blank=True)
    case_place = models.CharField(_("where"), max_length=100, blank=True)
    case_person = models.CharField(_("who"), max_length=64, blank=True)
    case_event = models.TextField(_("what happened"), blank=True)
    case_phone = EncryptedTextField(_("phone for the reply"), blank=True)
    reply_promised_at = models.DateTimeField(_("reply promised by"), null=True, blank=True)
    # SR-6 / REG-1 / REG-2 complaint fields.
    institution_type = models.CharField(
        _("institution type"),
        max_length=16,
        choices=InstitutionType.choices,
        default=InstitutionType.BANK,
    )
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, blank=True)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, blank=True)
    pboc_channel = models.CharField(_("JR/T 0169 channel"), max_length=8, blank=True)
    pboc_business = models.CharField(_("JR/T 0169 business type"), max_length=8, blank=True)
    pboc_cause = models.CharField(_("JR/T 0169 cause"), max_length=8, blank=True)
    extension_level = models.PositiveSmallIntegerField(_("extensions"), default=0)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_repeats",
        verbose_name=_("merged into"),
    )
    result = models.TextField(_("result"), blank=True)
    decided_at = models.DateTimeField(_("decision told at"), null=True, blank=True)
    review_count = models.PositiveSmallIntegerField(_("reviews"), default=0)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    satisfaction_score = models.PositiveSmallIntegerField(
        _("satisfaction (1-5)"), null=True, blank=True
    )
    satisfaction_comment = models.TextField(_("satisfaction comment"), blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        permissions = [
            ("work_ticket", _("Can work on tickets (actions) they own or their team has")),
            ("view_all_tickets", _("Can see every ticket (the whole floor)")),
            ("handle_complaint", _("Can assess, assign and decide complaints")),
            ("approve_extension", _("Can approve a further extension of a complaint")),
            ("view_complaint_statistics", _("Can see and export complaint statistics")),
            ("record_ivr_satisfaction", _("Can record a satisfaction answer from the IVR")),
        ]
        constraints = [
            # duplicate submissions (double click, retried request) create one ticket
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="ticket_idempotency_key_once",
            ),
            models.CheckConstraint(
                condition=Q(satisfaction_score__isnull=True)
                | (Q(satisfaction_score__gte=1) & Q(satisfaction_score__lte=5)),
                name="ticket_satisfaction_range",
            ),
            models.CheckConstraint(
                condition=Q(extension_level__lte=2), name="ticket_extension_level_max"
            ),
        ]
        indexes = [
            # "my work": open tickets an agent owns or is assigned, newest first
            models.Index(fields=["owner", "status", "received_at"], name="ticket_owner_idx"),
            models.Index(fields=["assignee", "status", "received_at"], name="ticket_assignee_idx"),
            models.Index(fields=["team", "status", "received_at"], name="ticket_team_idx"),
            # customer 360 timeline
            models.Index(fields=["customer", "received_at"], name="ticket_customer_idx"),
            # monthly complaint statistics
            models.Index(fields=["kind", "received_at"], name="ticket_kind_received_idx"),
            # supervisor floor view, list filters
            models.Index(fields=["status", "received_at"], name="ticket_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}"

    @property
    def reference(self) -> str:
        return f"T{self.pk:08d}" if self.pk else "T?"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def contact_phone_masked(self) -> str:
        return mask_mobile(self.contact_phone)

    @property
    def case_phone_masked(self) -> str:
        return mask_mobile(self.case_phone)


class TicketEvent(models.Model):
    """SR-10: one append-only row per change of a ticket: who, when, what, old and new."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True)
    actor_label = models.CharField(_("by"), max_length=150)
    action = models.CharField(_("action"), max_length=48)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at"], name="ticket_event_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Ticket events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Ticket events are append-only.")


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="tickets/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")
    CANCELLED = "cancelled", _("Cancelled")


class ClockQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state=ClockState.RUNNING)

    def warning_due(self, *, now):
        return self.filter(state=ClockState.RUNNING, warned_at__isnull=True, warn_at__lte=now)

    def breach_due(self, *, now):
        return self.filter(state=ClockState.RUNNING, breached_at__isnull=True, due_at__lte=now)


class Clock(models.Model):
    """SR-9: one deadline of a ticket, in its own calendar; paused while the ticket waits.

    ``remaining_seconds`` holds the budget left when paused (seconds of business time for a
    business-hours clock, of calendar time otherwise); day clocks keep ``due_day`` (the last
    day before a holiday roll) and, paused, count the whole days lost.
    """

    class Name(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("First response")
        CUSTOMER_REPLY = "customer_reply", _("Customer reply")
        RESOLUTION = "resolution", _("Resolution")
        HANDOVER = "handover", _("Team hand-over")

    class Unit(models.TextChoices):
        SECONDS = "seconds", _("calendar time")
        BUSINESS = "business", _("business hours")
        CALENDAR_DAYS = "calendar_days", _("calendar days")
        WORKING_DAYS = "working_days", _("working days")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="clocks")
    name = models.CharField(_("clock"), max_length=16, choices=Name.choices)
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True)
    unit = models.CharField(max_length=16, choices=Unit.choices)
    business_hours = models.ForeignKey(
        BusinessHours, on_delete=models.PROTECT, null=True, blank=True
    )
    # Windows in force when the clock started (a code default has no BusinessHours row).
    windows = models.JSONField(default=list, blank=True)
    working_days_only = models.BooleanField(default=True)
    roll_past_holiday = models.BooleanField(default=False)
    # REG-1 complaint limit: pauses only during outside appraisal, not while waiting for the
    # customer; other clocks pause in both waiting states.
    regulatory = models.BooleanField(default=False)
    budget = models.PositiveIntegerField(help_text="seconds, or days for day clocks")
    paused_days = models.PositiveIntegerField(default=0)
    warn_percent = models.PositiveSmallIntegerField(default=80)
    started_at = models.DateTimeField()
    due_day = models.DateField(null=True, blank=True)
    due_at = models.DateTimeField(_("due at"))
    warn_at = models.DateTimeField()
    state = models.CharField(max_length=12, choices=ClockState.choices, default=ClockState.RUNNING)
    paused_at = models.DateTimeField(null=True, blank=True)
    remaining_seconds = models.BigIntegerField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    objects = ClockQuerySet.as_manager()

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        indexes = [
            # the SLA sweep: running clocks whose warning or due time has come
            models.Index(
                fields=["warn_at"],
                name="clock_warn_sweep_idx",
                condition=Q(state="running", warned_at__isnull=True),
            ),
            models.Index(
                fields=["due_at"],
                name="clock_breach_sweep_idx",
                condition=Q(state="running", breached_at__isnull=True),
            ),
            models.Index(fields=["ticket", "name"], name="clock_ticket_idx"),
            # the supervisor's "about to breach" list: running clocks by due time
            models.Index(
                fields=["due_at"], name="clock_running_due_idx", condition=Q(state="running")
            ),
            # monthly complaint statistics: "decided within the time limit?" asks, for each
            # complaint, whether its regulatory clock was breached (few are)
            models.Index(
                fields=["ticket"],
                name="clock_regulatory_late_idx",
                condition=Q(name="resolution", regulatory=True, breached_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_name_display()} {self.due_at:%Y-%m-%d %H:%M}"

    DISPLAY_STATES = {
        "running": _("Running"),
        "warning": _("Due soon"),
        "breached": _("Overdue"),
        "paused": _("Paused"),
        "met": _("Met"),
        "missed": _("Missed"),
        "cancelled": _("Cancelled"),
    }

    @property
    def display_state_label(self) -> str:
        return str(self.DISPLAY_STATES.get(self.display_state, self.display_state))

    @property
    def display_state(self) -> str:
        """running, warning, breached, paused, met, missed or cancelled."""
        if self.state == ClockState.STOPPED:
            return "missed" if self.breached_at else "met"
        if self.state == ClockState.RUNNING:
            if self.breached_at:
                return "breached"
            if self.warned_at:
                return "warning"
        return self.state


class HandOver(models.Model):
    """SR-4: a request to pass ownership; the owner changes only when the receiver accepts."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the receiver")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="handovers")
    from_user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    to_user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="handovers_received")
    reason = models.TextField(_("reason"))
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    requested_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(state="pending"), name="handover_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket} → {self.to_user}"


class SatisfactionSurvey(models.Model):
    """SR-8: one question to the customer after resolution. The link token is kept hashed
    and works once."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS link")
        IVR = "ivr", _("IVR")
        CHAT = "chat", _("Chat")
        PHONE = "phone", _("Callback call")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="surveys")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")

    def __str__(self) -> str:
        return f"{self.ticket} {self.channel}"


class Notification(models.Model):
    """An in-app message for one staff member (SLA warnings, breaches, escalations,
    hand-overs); the same text is emailed when the user has an address."""

    recipient = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notifications")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, null=True, blank=True)
    kind = models.CharField(max_length=32)
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                name="notification_unread_idx",
                condition=Q(read_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.message
