"""Shared kernel data: staff users, API tokens, the audit log, calendars, periodic job runs."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.crypto import EncryptedTextField


class User(AbstractUser):
    """A person working in the centre, or a service account (a telephony platform)."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff member")
        SERVICE = "service", _("Service account")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.STAFF)
    display_name = models.CharField(_("display name"), max_length=64, blank=True)
    employee_no = models.CharField(
        _("employee number"), max_length=32, blank=True, null=True, unique=True
    )
    failed_login_count = models.PositiveSmallIntegerField(_("failed sign-ins"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    is_demo = models.BooleanField(
        _("demo account"),
        default=False,
        help_text=_("Created by the demo loader; a production start refuses to run with these."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("manage_api_tokens", _("Can create and revoke API tokens")),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_service_account(self) -> bool:
        return self.kind == self.Kind.SERVICE

    def is_locked(self, *, now=None) -> bool:
        now = now or timezone.now()
        return self.locked_until is not None and self.locked_until > now


class ApiToken(models.Model):
    """A revocable bearer token. Only a SHA-256 of the secret part is kept.

    The secret is 32 random bytes, so a fast hash is enough: it cannot be guessed, and a
    slow hash would only slow down every API call.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=64)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_active(self, *, now=None) -> bool:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now


APPEND_ONLY = "The audit log is append-only: events cannot be changed or deleted."


class AuditEventQuerySet(models.QuerySet):
    """Refuses every bulk write path of the ORM; only inserts are possible."""

    def update(self, **kwargs):
        raise PermissionError(APPEND_ONLY)

    def delete(self):
        raise PermissionError(APPEND_ONLY)

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionError(APPEND_ONLY)

    def update_or_create(self, defaults=None, create_defaults=None, **kwargs):
        raise PermissionError(APPEND_ONLY)

    def _update(self, values):
        raise PermissionError(APPEND_ONLY)

    def _raw_delete(self, using):
        raise PermissionError(APPEND_ONLY)


class AuditEvent(models.Model):
    """SEC-4: one append-only row per change or per reveal of personal data.

    Values are stored masked (SEC-3). The database refuses UPDATE (and DELETE on
    PostgreSQL) through triggers created in migration 0002; the model refuses them too.
    """

    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=32, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        # Related-object access must not bypass the append-only queryset either.
        base_manager_name = "objects"
        ordering = ["-at", "-id"]
        indexes = [
            # audit search page: newest first, filtered by action, actor or object
            models.Index(fields=["at"], name="audit_at_idx"),
            models.Index(fields=["action", "at"], name="audit_action_at_idx"),
            models.Index(fields=["actor", "at"], name="audit_actor_at_idx"),
            # customer 360 timeline and object history
            models.Index(fields=["object_type", "object_id", "at"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise PermissionError(APPEND_ONLY)
        # An insert only: never fall back to an UPDATE of a row with the same primary key.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(APPEND_ONLY)


class CalendarYear(models.Model):
    """CAL-1: an official holiday schedule for one year entered by an administrator.

    When a year has an entry, its holidays and make-up working days come from the
    entered days only (they override the packaged calendar for that year).
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=2000) & models.Q(year__lte=2100),
                name="calendar_year_range",
            )
        ]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Statutory holiday")
        WORKDAY = "workday", _("Make-up working day")

    calendar_year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("holiday name"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class PeriodicRun(models.Model):
    """One row per periodic job and time slot: the unique key makes sure that of several
    workers only one enqueues a given run."""

    job = models.CharField(max_length=100)
    slot = models.CharField(max_length=32)
    enqueued_at = models.DateTimeField(default=timezone.now)
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="periodic_run_once_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.job}@{self.slot}"


class TotpDevice(models.Model):
    """A staff member's authenticator app (SEC-1, optional second factor): a TOTP secret kept
    encrypted at rest, confirmed once with a code before it is required at sign-in."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="totp_device", verbose_name=_("user")
    )
    secret = EncryptedTextField(_("secret"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # The time step of the last code accepted: a code is good once, never replayed.
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")

    def __str__(self) -> str:
        return str(self.user)


class ConfigGeneration(models.Model):
    """One row whose token changes with every change of the configuration that processes
    keep in memory (SLA policies, entered calendar years, team membership): see
    kefu.core.generations."""

    token = models.CharField(_("token"), max_length=32)

    class Meta:
        verbose_name = _("configuration generation")
        verbose_name_plural = _("configuration generations")

    def __str__(self) -> str:
        return self.token
