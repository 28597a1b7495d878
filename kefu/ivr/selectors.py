"""IVR reads: call records, the agent queue, statement requests; the 360 timeline source."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.core.crypto import lookup_hash
from kefu.core.errors import NotFound
from kefu.core.validators import normalize_mobile
from kefu.customers.selectors import TimelineEntry
from kefu.ivr.models import Call, QueueEntry, StatementRequest

FUNCTION_LABELS = {
    "bill_current": "本期账单",
    "bill_lines": "交易明细",
    "bill_unbilled": "未出账单",
    "bill_history": "历史账单",
    "bill_copy": "传真或补寄账单",
    "limits": "额度查询",
    "query_password": "查询密码",
    "transaction_password": "交易密码",
    "cash_advance_switch": "预借现金开关",
    "swipe_password_switch": "刷卡密码开关",
    "statement_delivery": "账单寄送方式",
    "auto_repay": "自动还款",
    "payment_code": "动态验证码",
    "cash_advance": "电话预借现金",
    "installment": "账单分期",
    "agent": "人工服务",
    "lost_card": "挂失",
    "application_agent": "申请咨询",
    "application_progress": "申请进度",
    "activation": "开卡",
    "travel": "商旅预订",
    "complaint": "投诉",
    "password_unlock": "查询密码解锁",
}


# Why a call was transferred (``reason`` of the flows' transfer nodes), as agents read it.
REASON_LABELS = {
    "agent_requested": gettext_lazy("Caller asked for an agent"),
    "installment": gettext_lazy("Installment request"),
    "query_password_locked": gettext_lazy("Query password locked: unlock"),
    "application_question": gettext_lazy("Card application question"),
    "travel_booking": gettext_lazy("Travel booking"),
    "complaint": gettext_lazy("Complaint"),
    "system_error": gettext_lazy("The hotline could not complete a service"),
}


def function_label(code: str) -> str:
    return FUNCTION_LABELS.get(code, code)


def reason_label(code: str) -> str:
    return str(REASON_LABELS.get(code, code))


def queue_label(code: str) -> str:
    """The queue's name from queues.yaml (the code if the queue is no longer declared)."""
    from kefu.ivr.flowset import FlowError, current_flows

    try:
        queue = current_flows().queues.get(code)
    except FlowError:  # flow files that never loaded: a label must not break a page
        queue = None
    return queue.label if queue is not None else code


def call_get(*, call_id) -> Call:
    try:
        pk = uuid.UUID(str(call_id))
    except ValueError:
        raise NotFound(_("No such call.")) from None
    call = Call.objects.select_related("customer", "started_by").filter(pk=pk).first()
    if call is None:
        raise NotFound(_("No such call."))
    return call


def call_events(*, call: Call):
    return call.events.order_by("seq")


def call_search(
    *,
    caller: str = "",
    status: str = "",
    verification: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    customer_id: int | None = None,
) -> QuerySet[Call]:
    """Call records newest first; the caller number matches exactly (through its hash)."""
    qs = Call.objects.select_related("customer", "queue_entry")
    if caller:
        qs = qs.filter(caller_hash=lookup_hash("mobile", normalize_mobile(caller)))
    if status:
        qs = qs.filter(status=status)
    if verification:
        qs = qs.filter(verification=verification)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if date_from:
        qs = qs.filter(started_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(started_at__date__lte=date_to)
    return qs.order_by("-started_at")


def queue_waiting(*, queue: str = "") -> QuerySet[QueueEntry]:
    """Calls waiting for an agent, in arrival order (IVR-10)."""
    qs = QueueEntry.objects.select_related("call", "customer").filter(
        status=QueueEntry.Status.WAITING
    )
    if queue:
        qs = qs.filter(queue=queue)
    return qs.order_by("enqueued_at", "id")


def statement_request_get(*, pk: int) -> StatementRequest:
    request = StatementRequest.objects.select_related("customer", "call").filter(pk=pk).first()
    if request is None:
        raise NotFound(_("No such statement request."))
    return request


def call_summary(call: Call) -> str:
    """One line for the timeline: functions used, transfer, how it ended."""
    parts = [function_label(f) for f in call.functions or []]
    text = "、".join(parts) if parts else _("no self-service function")
    if call.transfer_queue:
        text += " · " + _("transferred to %(queue)s") % {"queue": queue_label(call.transfer_queue)}
    if call.status == Call.Status.ABANDONED and call.hangup_node:
        text += " · " + _("caller hung up at %(node)s") % {"node": call.hangup_node}
    return text


def call_timeline_entries(customer, limit: int) -> list[TimelineEntry]:
    """CUS-7: the customer's hotline calls for the 360 timeline, in one query."""
    calls = Call.objects.filter(customer=customer).order_by("-started_at")[:limit]
    return [
        TimelineEntry(
            at=c.started_at,
            kind="call",
            title=_("Hotline call (%(verification)s)")
            % {"verification": c.get_verification_display()},
            detail=call_summary(c),
            url=reverse("ivr:call_detail", args=[c.pk]),
        )
        for c in calls
    ]
