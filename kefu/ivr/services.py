"""IVR use cases: start a call, press keys, hang up; agents answer queued calls; one-time
payment codes; statement copies. Every channel (HTTP API, terminal simulator, browser
keypad) goes through these functions, so they all run the same engine on the same state.

A key press locks its call row for the length of the request: two presses of one call never
interleave, whichever web process serves them.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.crypto import hash_secret, lookup_hash, verify_secret
from kefu.core.errors import Conflict, NotFound, ValidationFailed
from kefu.core.services import audit_record
from kefu.ivr import flowset as flow_files
from kefu.ivr.engine import Engine, Outcome, Step, check_digits
from kefu.ivr.models import Call, CallEvent, PaymentCode, QueueEntry, StatementRequest

logger = logging.getLogger(__name__)

_PHONE = re.compile(r"^\+?[0-9]{3,20}$")
STALE_CALL_MINUTES = 30
STALE_QUEUE_HOURS = 4


def _check_number(value: str, field: str, *, required: bool) -> str:
    value = (value or "").strip()
    if not value and not required:
        return ""
    if not _PHONE.match(value):
        message = _("A telephone number of 3 to 20 digits (an optional leading +).")
        raise ValidationFailed(message, errors={field: [message]})
    return value


def _save(call: Call, engine: Engine, outcome: Outcome, *, now: dt.datetime, fields: set[str]):
    state = engine.state()
    seq = int((call.state or {}).get("seq") or 0)
    events = []
    for e in outcome.events:
        seq += 1
        events.append(
            CallEvent(
                call=call,
                seq=seq,
                at=now,
                node=e["node"][:130],
                kind=e["kind"],
                keys=e.get("keys", "")[:40],
                data=e.get("data") or {},
            )  # fmt: skip
        )
    state["seq"] = seq
    call.state = state
    call.steps += 1
    call.last_activity_at = now
    fields |= {
        "state",
        "steps",
        "last_activity_at",
        "flow",
        "node",
        "verification",
        "verification_method",
        "customer",
        "card_last4",
        "functions",
        "last_function",
    }
    if outcome.ended == "finished":
        call.status = Call.Status.FINISHED
        call.ended_at = now
        fields |= {"status", "ended_at"}
    elif outcome.ended == "transferred":
        assert outcome.transfer is not None
        call.status = Call.Status.TRANSFERRED
        fields |= {"status", "transfer_queue", "transfer_reason"}
    if call._state.adding:
        call.save()
    else:
        call.save(update_fields=sorted(fields))
    CallEvent.objects.bulk_create(events)
    if outcome.ended == "transferred":
        assert outcome.transfer is not None
        QueueEntry.objects.create(
            call=call,
            queue=outcome.transfer["queue"],
            reason=outcome.transfer["reason"],
            context=outcome.transfer["context"],
            customer_id=call.customer_id,
            enqueued_at=now,
        )


@transaction.atomic
def call_start(*, caller: str, called: str = "", channel: str = Call.Channel.API, by) -> Step:
    """A new call: plays the main menu (with the complaint channel, REG-4)."""
    caller = _check_number(caller, "caller", required=False)
    called = _check_number(called, "called", required=False)
    flows = flow_files.current_flows()
    now = timezone.now()
    call = Call(
        id=uuid.uuid4(),
        called=called,
        channel=channel,
        started_by=by if getattr(by, "pk", None) else None,
        started_at=now,
        last_activity_at=now,
        flow="main",
        node=flows.flows["main"].start,
        functions=[],
    )
    call.set_caller(caller)
    engine = Engine(flows=flows, call=call, by=by, now=now)
    outcome = engine.start()
    _save(call, engine, outcome, now=now, fields=set())
    return outcome.step


def _locked_call(call_id) -> Call:
    try:
        pk = uuid.UUID(str(call_id))
    except ValueError:
        raise NotFound(_("No such call.")) from None
    call = (
        Call.objects.select_for_update(of=("self",))
        .select_related("customer")
        .filter(pk=pk)
        .first()
    )
    if call is None:
        raise NotFound(_("No such call."))
    return call


def call_input(*, call_id, digits, by, strict: bool = True) -> Step:
    """The caller's keys (``""``: nothing pressed before the timeout); the next step.

    ``strict`` (the API): characters other than 0-9 * # and more keys than the prompt
    collects raise ValidationFailed and change nothing. Otherwise (people at the simulator
    or keypad) such input is treated as a wrong entry and re-prompted.
    Conflict once the call has ended or was transferred; NotFound for an unknown call.

    A step is one transaction (no savepoint of its own: on PostgreSQL that was two of a
    step's seven statements). When an action fails half-way, the whole transaction is
    undone and the caller is sent to the flows' ``on_error`` node in a second one.
    """
    flows = flow_files.current_flows()
    now = timezone.now()
    where = ""  # set once the keys are accepted: failures after that are recovered
    try:
        with transaction.atomic():
            call = _active_call(call_id)
            engine = Engine(flows=flows, call=call, by=by, now=now)
            try:
                node = engine.current_node()
            except KeyError:
                # The flow files changed under a live call and its node is gone: start it
                # again.
                logger.warning(
                    "IVR node %s:%s no longer exists; call restarted", call.flow, call.node
                )
                outcome = engine.start()
                _save(call, engine, outcome, now=now, fields=set())
                return outcome.step
            try:
                check_digits(digits, node=node)
            except ValidationFailed:
                if strict:
                    raise
                keys_ok = False
            else:
                keys_ok = True
            where = f"{call.flow}:{call.node}"
            outcome = engine.press(digits) if keys_ok else engine.reject(str(digits))
            _save(call, engine, outcome, now=now, fields=set())
            return outcome.step
    except Exception as exc:
        if not where or engine.error_target(where) is None:
            raise
        # An action failed half-way (the core system unreachable, a bug): nothing it did is
        # kept, and the caller hears the flows' apology instead of silence.
        logger.exception("IVR request failed at %s; the caller was sent to on_error", where)
        with transaction.atomic():
            call = _active_call(call_id)
            if f"{call.flow}:{call.node}" != where:
                raise  # another request moved the call on meanwhile: do not send it back
            engine = Engine(flows=flows, call=call, by=by, now=now)
            outcome = engine.recover(where=where, error=exc.__class__.__name__)
            _save(call, engine, outcome, now=now, fields=set())
        return outcome.step


def _active_call(call_id) -> Call:
    """The call, locked; Conflict once it has ended or was transferred."""
    call = _locked_call(call_id)
    if call.status != Call.Status.ACTIVE:
        raise Conflict(
            _("This call has ended: no more keys can be sent.")
            if call.is_over
            else _("This call was transferred to an agent: no more keys can be sent.")
        )
    return call


@transaction.atomic
def call_hangup(*, call_id, by, reason: str = "caller") -> Call:
    """The caller hung up (or the platform lost the call). Idempotent.

    In the IVR the call is abandoned where it was; waiting in a queue it is abandoned there;
    after an agent answered it simply finishes.
    """
    call = _locked_call(call_id)
    if call.is_over:
        return call
    now = timezone.now()
    seq = int((call.state or {}).get("seq") or 0) + 1
    where = f"{call.flow}:{call.node}"
    fields = ["status", "ended_at", "last_activity_at", "hangup_node", "state"]
    if call.status == Call.Status.TRANSFERRED:
        entry = QueueEntry.objects.select_for_update().filter(call=call).first()
        if entry is not None and entry.status == QueueEntry.Status.WAITING:
            entry.status = QueueEntry.Status.ABANDONED
            entry.ended_at = now
            entry.save(update_fields=["status", "ended_at"])
            call.status = Call.Status.ABANDONED
            call.hangup_node = f"queue:{entry.queue}"
        else:
            call.status = Call.Status.FINISHED
            if entry is not None and entry.ended_at is None:
                entry.ended_at = now
                entry.save(update_fields=["ended_at"])
    else:
        call.status = Call.Status.ABANDONED
        call.hangup_node = where
    call.ended_at = now
    call.last_activity_at = now
    call.state = {**(call.state or {}), "seq": seq}
    call.save(update_fields=fields)
    CallEvent.objects.create(
        call=call,
        seq=seq,
        at=now,
        node=call.hangup_node or where,
        kind=CallEvent.Kind.HANGUP,
        data={"by": reason, "status": call.status},
    )
    return call


# --- the agent queue (IVR-10) ----------------------------------------------------------------


@transaction.atomic
def queue_entry_answer(*, entry_id: int, by) -> QueueEntry:
    """An agent takes a waiting call; the page then opens that customer's 360 (screen pop)."""
    entry = (
        QueueEntry.objects.select_for_update().select_related("call").filter(pk=entry_id).first()
    )
    if entry is None:
        raise NotFound(_("No such queued call."))
    if entry.status != QueueEntry.Status.WAITING:
        raise Conflict(
            _("This call is no longer waiting: another agent answered it or the caller hung up.")
        )
    now = timezone.now()
    entry.status = QueueEntry.Status.ANSWERED
    entry.answered_at = now
    entry.answered_by = by
    entry.save(update_fields=["status", "answered_at", "answered_by"])
    call = entry.call
    seq = int((call.state or {}).get("seq") or 0) + 1
    call.state = {**(call.state or {}), "seq": seq}
    call.last_activity_at = now
    call.save(update_fields=["state", "last_activity_at"])
    audit_record(
        actor=by,
        action="ivr.call.answered",
        object_type="ivr.call",
        object_id=str(call.pk),
        object_repr=call.caller_masked,
        data={"queue": entry.queue, "reason": entry.reason, "customer": entry.customer_id},
    )
    CallEvent.objects.create(
        call=call,
        seq=seq,
        at=now,
        node=f"queue:{entry.queue}",
        kind=CallEvent.Kind.ANSWERED,
        data={
            "agent": by.get_username(),
            "waited_s": int((now - entry.enqueued_at).total_seconds()),
        },
    )
    return entry


@transaction.atomic
def calls_close_stale(*, now: dt.datetime | None = None) -> int:
    """Close calls the telephony platform never hung up: in the IVR with no key press for
    STALE_CALL_MINUTES, or waiting in a queue for STALE_QUEUE_HOURS. Returns how many."""
    now = now or timezone.now()
    closed = 0
    stale = Call.objects.filter(
        status=Call.Status.ACTIVE,
        last_activity_at__lt=now - dt.timedelta(minutes=STALE_CALL_MINUTES),
    ).values_list("pk", flat=True)[:500]
    waiting = Call.objects.filter(
        status=Call.Status.TRANSFERRED,
        last_activity_at__lt=now - dt.timedelta(hours=STALE_QUEUE_HOURS),
        queue_entry__status=QueueEntry.Status.WAITING,
    ).values_list("pk", flat=True)[:500]
    for pk in [*stale, *waiting]:
        call_hangup(call_id=pk, by=None, reason="stale")
        closed += 1
    return closed


# --- one-time payment codes (IVR-8) ------------------------------------------------------------


def payment_code_issue(
    *, call: Call, customer_id: int, card_ref: str, now: dt.datetime
) -> str | None:
    """A new 6-digit code for a verified caller on one of the customer's registered phones,
    or None. Earlier live codes of the card stop working; only a hash is stored."""
    from kefu.customers.models import CustomerPhone

    registered = (
        bool(call.caller_hash)
        and CustomerPhone.objects.filter(
            customer_id=customer_id, registered=True, number_hash=call.caller_hash
        ).exists()
    )
    if not registered:
        return None
    PaymentCode.objects.filter(card_ref=card_ref, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    code = f"{secrets.randbelow(10**6):06d}"
    PaymentCode.objects.create(
        customer_id=customer_id,
        card_ref=card_ref,
        call=call,
        code_hash=hash_secret(code),
        created_at=now,
        expires_at=now + dt.timedelta(minutes=int(settings.KEFU_IVR_PAYMENT_CODE_MINUTES)),
    )
    audit_record(
        actor=None,
        actor_label="ivr",
        action="ivr.payment_code.issued",
        object_type="customers.customer",
        object_id=str(customer_id),
        data={"call": str(call.pk), "card_ref": card_ref},
    )
    return code


@transaction.atomic
def payment_code_redeem(*, card_ref: str, code: str, now: dt.datetime | None = None) -> bool:
    """For the payment system: True once for a live code of the card, False otherwise."""
    now = now or timezone.now()
    if not re.fullmatch(r"[0-9]{6}", code or ""):
        return False
    live = PaymentCode.objects.select_for_update().filter(
        card_ref=card_ref, used_at__isnull=True, expires_at__gt=now
    )
    for row in live.order_by("-created_at"):
        if verify_secret(row.code_hash, code):
            row.used_at = now
            row.save(update_fields=["used_at"])
            audit_record(
                actor=None,
                actor_label="payment",
                action="ivr.payment_code.redeemed",
                object_type="customers.customer",
                object_id=str(row.customer_id),
                data={"card_ref": card_ref},
            )
            return True
    return False


# --- statement copies (IVR-4) ------------------------------------------------------------------


@transaction.atomic
def statement_request_create(
    *,
    call: Call,
    customer_id: int,
    account_ref: str,
    card_last4: str,
    period: str,
    method: str,
    fax_number: str = "",
) -> StatementRequest:
    """Queue the rendering of a statement PDF for fax or re-mail (after the call commits)."""
    request = StatementRequest(
        call=call,
        customer_id=customer_id,
        account_ref=account_ref,
        card_last4=card_last4,
        period=period,
        method=method,
        fax_number=fax_number,
    )
    request.full_clean(exclude=["call", "customer"])
    request.save()
    audit_record(
        actor=None,
        actor_label="ivr",
        action="ivr.statement_request.created",
        obj=request,
        data={
            "call": str(call.pk),
            "customer": customer_id,
            "period": period,
            "method": method,
            "card_last4": card_last4,
        },
    )

    def enqueue() -> None:
        from kefu.ivr.tasks import render_statement_request

        render_statement_request.enqueue(request_id=request.pk)

    transaction.on_commit(enqueue)
    return request


def statement_request_record_download(*, statement_request: StatementRequest, by) -> None:
    """A member of staff opened the PDF of a statement copy (SEC-4: a view of a customer's
    statement is audited)."""
    audit_record(
        actor=by,
        action="ivr.statement_pdf.downloaded",
        obj=statement_request,
        data={"customer": statement_request.customer_id, "period": statement_request.period},
    )


def caller_hash(number: str) -> str:
    return lookup_hash("mobile", number)
