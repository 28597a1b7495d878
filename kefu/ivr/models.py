"""The self-service hotline's data: calls and their events, the agent queue, one-time payment
codes and statement fulfilment requests (IVR-8, IVR-10, IVR-11, IVR-4).

A call's whole state (current node, variables, sub-flow stack) lives in its ``Call`` row, so
any web process can serve the next key press. No password, one-time code or full card / ID
number is ever kept in a call: secrets are used within the request that received them and
only their length is recorded; numbers are recorded masked.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.crypto import EncryptedTextField, lookup_hash
from kefu.core.masking import mask_mobile


class Call(models.Model):
    """IVR-11: one call to the hotline, from the first prompt to the hang-up."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In the IVR")
        TRANSFERRED = "transferred", _("Transferred to an agent queue")
        FINISHED = "finished", _("Finished")
        ABANDONED = "abandoned", _("Abandoned by the caller")

    class Channel(models.TextChoices):
        API = "api", _("Telephony platform")
        TERMINAL = "terminal", _("Terminal simulator")
        KEYPAD = "keypad", _("Browser keypad")

    class Verification(models.TextChoices):
        NONE = "none", _("Not verified")
        VERIFIED = "verified", _("Verified")
        FAILED = "failed", _("Failed")
        LOCKED = "locked", _("Query password locked")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    caller = EncryptedTextField(_("caller number"), blank=True)
    caller_hash = models.CharField(max_length=64, blank=True)
    called = models.CharField(_("number called"), max_length=32, blank=True)
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.API
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
        help_text=_("The service account, or the staff member at the simulator."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    flow = models.CharField(_("flow"), max_length=64)
    node = models.CharField(_("node"), max_length=64)
    state = models.JSONField(default=dict, blank=True)
    steps = models.PositiveIntegerField(_("steps"), default=0)
    verification = models.CharField(
        _("verification"), max_length=16, choices=Verification.choices, default=Verification.NONE
    )
    verification_method = models.CharField(_("verified by"), max_length=8, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ivr_calls",
        verbose_name=_("customer"),
    )
    card_last4 = models.CharField(_("card"), max_length=4, blank=True)
    functions = models.JSONField(_("functions used"), default=list, blank=True)
    last_function = models.CharField(_("last function"), max_length=32, blank=True)
    transfer_queue = models.CharField(_("transferred to"), max_length=32, blank=True)
    transfer_reason = models.CharField(_("transfer reason"), max_length=64, blank=True)
    hangup_node = models.CharField(
        _("hung up at"),
        max_length=130,
        blank=True,
        help_text=_("Where the caller hung up, when the caller ended the call."),
    )

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-started_at"]
        permissions = [
            ("use_ivr_api", _("Can drive calls through the IVR API (telephony platform)")),
            ("use_phone_simulator", _("Can place test calls on the keypad page")),
        ]
        indexes = [
            # customer 360 timeline: a customer's calls, newest first
            models.Index(fields=["customer", "-started_at"], name="ivr_call_customer_idx"),
            # call-record search: by time, by caller number
            models.Index(fields=["started_at"], name="ivr_call_started_idx"),
            models.Index(fields=["caller_hash", "started_at"], name="ivr_call_caller_idx"),
            # the job that closes calls the platform never hung up
            models.Index(fields=["status", "last_activity_at"], name="ivr_call_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M:%S} {self.caller_masked}"

    def set_caller(self, number: str) -> None:
        self.caller = number
        self.caller_hash = lookup_hash("mobile", number) if number else ""

    @property
    def caller_masked(self) -> str:
        return mask_mobile(self.caller)

    @property
    def is_over(self) -> bool:
        return self.status in (self.Status.FINISHED, self.Status.ABANDONED)

    @property
    def duration_seconds(self) -> int | None:
        if self.ended_at is None:
            return None
        return max(0, int((self.ended_at - self.started_at).total_seconds()))


class CallEvent(models.Model):
    """One thing that happened in a call: a node entered, keys pressed (masked), a
    verification attempt, a transfer, the hang-up. Append-only."""

    class Kind(models.TextChoices):
        ENTER = "enter", _("Node entered")
        INPUT = "input", _("Keys")
        INVALID = "invalid", _("Invalid keys")
        TIMEOUT = "timeout", _("No input")
        VERIFY = "verify", _("Verification attempt")
        ACTION = "action", _("Self-service action")
        TRANSFER = "transfer", _("Transfer")
        ANSWERED = "answered", _("Answered by an agent")
        HANGUP = "hangup", _("Hang-up")
        END = "end", _("Call ended by the IVR")
        ERROR = "error", _("System error (the request was undone)")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    node = models.CharField(max_length=130)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    keys = models.CharField(
        _("keys"), max_length=40, blank=True, help_text=_("Masked for passwords and numbers.")
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("call event")
        verbose_name_plural = _("call events")
        ordering = ["call", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["call", "seq"], name="ivr_call_event_seq_unique"),
        ]
        indexes = [
            # reports: verification attempts and transfers over a period
            models.Index(fields=["kind", "at"], name="ivr_event_kind_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.call_id} #{self.seq} {self.kind} {self.node}"


class QueueEntry(models.Model):
    """IVR-10: a call waiting for an agent, with what the IVR already knows."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        ANSWERED = "answered", _("Answered")
        ABANDONED = "abandoned", _("Caller hung up while waiting")

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="queue_entry")
    queue = models.CharField(_("queue"), max_length=32)
    reason = models.CharField(_("reason"), max_length=64, blank=True)
    context = models.JSONField(_("context"), default=dict, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.WAITING
    )
    enqueued_at = models.DateTimeField(_("joined the queue"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    ended_at = models.DateTimeField(_("left the queue"), null=True, blank=True)

    class Meta:
        verbose_name = _("queued call")
        verbose_name_plural = _("queued calls")
        ordering = ["enqueued_at", "id"]
        permissions = [("answer_queueentry", _("Can answer calls waiting in an agent queue"))]
        indexes = [
            # agent queue page: waiting calls in arrival order
            models.Index(fields=["status", "enqueued_at", "id"], name="ivr_queue_waiting_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.queue} {self.enqueued_at:%H:%M:%S}"


class PaymentCode(models.Model):
    """IVR-8: a one-time payment verification code; only its hash is kept."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    card_ref = models.CharField(max_length=64)
    call = models.ForeignKey(
        Call, on_delete=models.SET_NULL, null=True, blank=True, related_name="payment_codes"
    )
    code_hash = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("payment verification code")
        verbose_name_plural = _("payment verification codes")
        indexes = [
            # redeeming: the live codes of a card
            models.Index(fields=["card_ref", "expires_at"], name="ivr_paycode_card_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.card_ref} {self.created_at:%Y-%m-%d %H:%M}"


class StatementRequest(models.Model):
    """IVR-4: a caller's request for a fax or re-mail of a statement, rendered as a PDF by a
    background job."""

    class Method(models.TextChoices):
        FAX = "fax", _("Fax")
        MAIL = "mail", _("Re-mail")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        READY = "ready", _("PDF ready for dispatch")
        FAILED = "failed", _("Failed")

    call = models.ForeignKey(
        Call, on_delete=models.SET_NULL, null=True, blank=True, related_name="statement_requests"
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    account_ref = models.CharField(max_length=64)
    card_last4 = models.CharField(max_length=4, blank=True)
    period = models.CharField(_("period"), max_length=7)
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    fax_number = EncryptedTextField(_("fax number"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    file_name = models.CharField(max_length=200, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("statement request")
        verbose_name_plural = _("statement requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.period} {self.get_method_display()}"
