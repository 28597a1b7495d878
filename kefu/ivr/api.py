"""IVR-12: the HTTP API a telephony platform drives (service-account token).

    POST /api/ivr/calls                      {"caller": "13911110001", "called": "4008205555"}
    POST /api/ivr/calls/{call_id}/input      {"digits": "2#"}   ("" = no key before the timeout)
    POST /api/ivr/calls/{call_id}/hangup
    GET  /api/ivr/calls/{call_id}

Each answer to a start or an input is a step: the prompt to play, what to collect next, and
an action (transfer to a queue with the call's context, or hang up) when the IVR is done.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any, Literal

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from kefu.core.permissions import check_perms, has_perms
from kefu.core.roles import IVR_API, IVR_CALLS
from kefu.ivr import selectors, services
from kefu.ivr.models import Call

router = Router(tags=["ivr"])


class CallIn(Schema):
    caller: str = Field("", max_length=24, description="The caller's number (CLI).")
    called: str = Field("", max_length=24, description="The number dialled.")


class DigitsIn(Schema):
    digits: str = Field(
        ...,
        max_length=40,
        description='DTMF keys 0-9 * #; "" when the caller pressed nothing before the timeout.',
    )


class CollectOut(Schema):
    min_digits: int
    max_digits: int
    terminator: str | None
    timeout_s: int


class ActionOut(Schema):
    type: Literal["transfer", "hangup"]
    queue: str | None = None
    context: dict[str, Any] | None = None


class StepOut(Schema):
    call_id: str
    node: str
    prompt: str
    collect: CollectOut | None
    action: ActionOut | None
    done: bool


class CallEventOut(Schema):
    seq: int
    at: dt.datetime
    node: str
    kind: str
    keys: str
    data: dict[str, Any]


class TransferOut(Schema):
    queue: str
    reason: str
    status: str
    enqueued_at: dt.datetime
    answered_at: dt.datetime | None
    answered_by: str


class CallRecordOut(Schema):
    call_id: str
    caller: str = Field(description="Masked.")
    called: str
    channel: str
    status: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    duration_s: int | None
    node: str
    verification: str
    verified_by: str
    customer_id: int | None
    card_last4: str
    functions: list[str]
    last_function: str
    transfer: TransferOut | None
    hangup_node: str
    events: list[CallEventOut]


def call_record(call: Call) -> CallRecordOut:
    entry = getattr(call, "queue_entry", None)
    return CallRecordOut(
        call_id=str(call.pk),
        caller=call.caller_masked,
        called=call.called,
        channel=call.channel,
        status=call.status,
        started_at=call.started_at,
        ended_at=call.ended_at,
        duration_s=call.duration_seconds,
        node=f"{call.flow}:{call.node}",
        verification=call.verification,
        verified_by=call.verification_method,
        customer_id=call.customer_id,
        card_last4=call.card_last4,
        functions=list(call.functions or []),
        last_function=call.last_function,
        transfer=TransferOut(
            queue=entry.queue,
            reason=entry.reason,
            status=entry.status,
            enqueued_at=entry.enqueued_at,
            answered_at=entry.answered_at,
            answered_by=entry.answered_by.get_username() if entry.answered_by else "",
        )
        if entry is not None
        else None,
        hangup_node=call.hangup_node,
        events=[
            CallEventOut(seq=e.seq, at=e.at, node=e.node, kind=e.kind, keys=e.keys, data=e.data)
            for e in selectors.call_events(call=call)
        ],
    )


def _in_thread(fn):
    """``fn`` as a coroutine that runs in a thread of its own (KEFU_IVR_API_THREADS, on by
    default).

    Django runs plain views of one process one at a time, in a single thread; a step that
    checks a query password spends ~0.2 s in argon2id (SEC-3), which would hold up every
    other call the process serves. In its own thread it does not: argon2 releases the GIL,
    and the thread opens and closes its own database connection. The permission check runs
    before, in Django's thread, with the request's own connection.
    """

    def run(**kwargs):
        try:
            return fn(**kwargs)
        finally:
            close_old_connections()

    async def call(**kwargs):
        if settings.KEFU_IVR_API_THREADS:
            return await sync_to_async(run, thread_sensitive=False, executor=_steps())(**kwargs)
        return await sync_to_async(fn)(**kwargs)

    return call


# Threads for steps, each with its database connection while it runs. More than the loop's
# default pool (CPUs + 4): password checks wait for a free CPU (kefu.core.crypto) inside
# their step, and the other steps of the process must not queue behind them.
STEP_THREADS = 16


@lru_cache(maxsize=1)
def _steps() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=STEP_THREADS, thread_name_prefix="ivr-step")


def _check_and_release(user, perms) -> None:
    """The permission check, in Django's thread for the request; with steps in threads of
    their own, that thread's database connection is closed right after (opened for the
    token and the permissions). Otherwise every request waiting for a step thread would keep
    a connection open: 200 callers behind a few password checks took all of PostgreSQL's
    100 connections and the next requests failed."""
    try:
        check_perms(user, perms)
    finally:
        if settings.KEFU_IVR_API_THREADS:
            close_old_connections()


_start = _in_thread(services.call_start)
_input = _in_thread(services.call_input)
_hangup = _in_thread(services.call_hangup)
_check = sync_to_async(_check_and_release)


@router.post("/calls", response={201: StepOut}, summary="A call arrives: the first step")
async def call_start(request: HttpRequest, payload: CallIn):
    await _check(request.user, IVR_API)
    step = await _start(caller=payload.caller, called=payload.called, by=request.user)
    return Status(201, step.as_dict())


@router.post("/calls/{call_id}/input", response=StepOut, summary="The caller's keys: the next step")
async def call_input(request: HttpRequest, call_id: str, payload: DigitsIn):
    await _check(request.user, IVR_API)
    step = await _input(call_id=call_id, digits=payload.digits, by=request.user)
    return step.as_dict()


def _record(call_id: str) -> CallRecordOut:
    return call_record(selectors.call_get(call_id=call_id))


@router.post("/calls/{call_id}/hangup", response=CallRecordOut, summary="The caller hung up")
async def call_hangup(request: HttpRequest, call_id: str):
    await _check(request.user, IVR_API)
    await _hangup(call_id=call_id, by=request.user)
    return await sync_to_async(_record)(call_id)


@router.get("/calls/{call_id}", response=CallRecordOut, summary="The call record")
def call_get(request: HttpRequest, call_id: str):
    if not has_perms(request.user, IVR_CALLS):
        check_perms(request.user, IVR_API)
    return _record(call_id)
