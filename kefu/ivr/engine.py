"""The flow engine (IVR-1): runs one call's state machine, one request at a time.

The engine works on a ``Call`` row (its state JSON holds the variables, the sub-flow stack
and the retry count) and a loaded ``FlowSet``. ``start`` and ``press`` run nodes until the
call waits for keys, is transferred or ends, and return the ``Step`` to send back: every
prompt played on the way, what to collect next, and the platform action. The caller of the
engine (``services``) locks the call row, saves it and writes the events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from kefu.core.errors import ValidationFailed
from kefu.ivr import prompts
from kefu.ivr.actions import ActionContext, registry
from kefu.ivr.checks import CHECKS, mask_entry
from kefu.ivr.flowset import FlowSet, Node

MAX_HOPS = 60  # nodes run in one request before the engine calls it a loop
MAX_PATH = 300  # nodes kept in the call's path
DTMF_CHARS = set("0123456789*#")
MAX_DIGITS_ANY_NODE = 40


class FlowLoopError(RuntimeError):
    pass


@dataclass
class Step:
    call_id: str
    node: str
    prompt: str
    collect: dict[str, Any] | None
    action: dict[str, Any] | None
    done: bool
    # The prompt collects a secret (a password): people's channels hide the keys typed. Not
    # part of the telephony API's step, whose shape is fixed (IVR-12).
    secret: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "node": self.node,
            "prompt": self.prompt,
            "collect": self.collect,
            "action": self.action,
            "done": self.done,
        }


@dataclass
class Outcome:
    """What a request did to the call, for the service to save."""

    step: Step
    events: list[dict[str, Any]] = field(default_factory=list)
    ended: str = ""  # "", "finished" or "transferred"
    transfer: dict[str, Any] | None = None


def check_digits(digits: Any, *, node: Node | None) -> str:
    """The DTMF string of a request, or ValidationFailed (field ``digits``).

    ``node`` is the node waiting for keys: more keys than it collects are refused too.
    """
    if not isinstance(digits, str):
        raise ValidationFailed(
            _("Send the keys as text."), errors={"digits": [_("Send the keys as text.")]}
        )
    bad = sorted({ch for ch in digits if ch not in DTMF_CHARS})
    if bad:
        message = _("Only the telephone keys 0-9, * and # can be sent; remove %(chars)s.") % {
            "chars": " ".join(repr(ch) for ch in bad)
        }
        raise ValidationFailed(message, errors={"digits": [message]})
    limit = MAX_DIGITS_ANY_NODE
    if node is not None and node.collect is not None:
        limit = node.collect.max_digits + (1 if node.collect.terminator else 0)
    if len(digits) > limit:
        message = _("This prompt takes at most %(n)d keys; %(got)d were sent.") % {
            "n": limit,
            "got": len(digits),
        }
        raise ValidationFailed(message, errors={"digits": [message]})
    return digits


class Engine:
    """Runs one request of one call. Not thread-safe: one Engine per request."""

    def __init__(self, *, flows: FlowSet, call, by, now: dt.datetime):
        self.flows = flows
        self.call = call
        self.by = by
        self.now = now
        state = call.state or {}
        self.vars: dict[str, Any] = dict(state.get("vars") or {})
        self.stack: list[dict[str, str]] = list(state.get("stack") or [])
        self.attempts: int = int(state.get("attempts") or 0)
        self.path: list[str] = list(state.get("path") or [])
        self.inputs: dict[str, str] = {}
        self.spoken: dict[str, Any] = {}
        self.prompts: list[str] = []
        self.events: list[dict[str, Any]] = []
        self.outcome_ended = ""
        self.transfer: dict[str, Any] | None = None
        self.action: dict[str, Any] | None = None

    # -- state -------------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        return {
            "vars": self.vars,
            "stack": self.stack,
            "attempts": self.attempts,
            "path": self.path[-MAX_PATH:],
        }

    def _event(self, node: str, kind: str, keys: str = "", **data: Any) -> None:
        self.events.append({"node": node, "kind": kind, "keys": keys, "data": data})

    def _say(self, text: str) -> None:
        if text:
            rendered = prompts.render(text, {**self.vars, **self.spoken})
            if rendered:
                self.prompts.append(rendered)

    def current_node(self) -> Node:
        return self.flows.node(f"{self.call.flow}:{self.call.node}")

    # -- requests ----------------------------------------------------------------------------

    def start(self) -> Outcome:
        caller = self.call.caller or ""
        self.vars.setdefault("caller_tail", caller[-4:])
        return self._run(f"main:{self.flows.flows['main'].start}")

    def press(self, digits: str) -> Outcome:
        node = self.current_node()
        if not node.collects or node.collect is None:  # pragma: no cover - saved calls wait
            return self._run(node.ref)
        collect = node.collect
        if digits == "":
            self._event(node.ref, "timeout")
            return self._retry(node, node.timeout_prompt)
        entry = digits
        if collect.terminator and entry.endswith(collect.terminator):
            entry = entry[: -len(collect.terminator)]
        if node.type == "menu":
            target = node.options.get(digits) or node.options.get(entry)
            if target is None:
                self._event(node.ref, "invalid", digits[:40])
                return self._retry(node, node.invalid_prompt)
            self._event(node.ref, "input", digits[:40])
            return self._run(target)
        # input node: shortcuts first, then the check
        shortcut = node.keys.get(digits) or node.keys.get(entry)
        if shortcut is not None:
            self._event(node.ref, "input", digits[:40], shortcut=True)
            return self._run(shortcut)
        value: str | None = entry
        if not collect.min_digits <= len(entry) <= collect.max_digits:
            value = None
        elif node.check:
            value = CHECKS[node.check].parse(entry)
        elif not entry.isdigit():
            value = None
        keys = mask_entry(entry, check=node.check, record=node.record)
        if value is None:
            self._event(node.ref, "invalid", keys)
            return self._retry(node, node.invalid_prompt)
        self._event(node.ref, "input", keys)
        if node.into:
            if node.record == "plain":
                self.vars[node.into] = value
            else:
                self.inputs[node.into] = value
        assert node.next is not None
        return self._run(node.next)

    def reject(self, keys: str) -> Outcome:
        """Keys that cannot be taken (not DTMF, too many): re-prompt as for a wrong entry."""
        node = self.current_node()
        shown = (
            mask_entry(keys, check=node.check, record=node.record) if node.type == "input" else keys
        )
        self._event(node.ref, "invalid", shown[:40])
        return self._retry(node, node.invalid_prompt)

    def error_target(self, where: str) -> str | None:
        """Where a failed request goes on: its flow's ``on_error``, else the main flow's."""
        flow = self.flows.flows.get(where.partition(":")[0])
        return (flow.on_error if flow is not None else None) or self.flows.flows["main"].on_error

    def recover(self, *, where: str, error: str) -> Outcome:
        """After a request failed and was undone: record it and go on at ``on_error``.

        The engine must be fresh, built on the call as it was before the failed request.
        """
        target = self.error_target(where)
        assert target is not None
        self._event(where, "error", error=error)
        return self._run(target)

    def _retry(self, node: Node, why: str) -> Outcome:
        assert node.collect is not None
        self.attempts += 1
        if self.attempts >= node.collect.retries:
            self._say(node.exhausted_prompt)
            self._event(node.ref, "exhausted")
            assert node.on_exhausted is not None
            return self._run(node.on_exhausted)
        self._say(why)
        self._say(node.prompt)
        return self._wait(node)

    # -- running nodes -----------------------------------------------------------------------

    def _wait(self, node: Node) -> Outcome:
        assert node.collect is not None
        self.call.flow, self.call.node = node.flow, node.id
        return self._outcome(node, collect=node.collect.as_dict())

    def _outcome(self, node: Node, *, collect: dict | None = None, done: bool = False) -> Outcome:
        step = Step(
            call_id=str(self.call.pk),
            node=node.ref,
            prompt="".join(self.prompts),
            collect=collect,
            action=self.action,
            done=done,
            secret=collect is not None and node.type == "input" and node.record == "secret",
        )
        return Outcome(
            step=step, events=self.events, ended=self.outcome_ended, transfer=self.transfer
        )

    def _enter(self, node: Node) -> None:
        if node.flow == "main":
            # The main flow is the top level: reaching it ends any sub-flow left unfinished.
            self.stack.clear()
        self.path.append(node.ref)
        self._event(node.ref, "enter")
        if node.function:
            functions = self.call.functions
            if node.function not in functions:
                functions.append(node.function)
            self.call.last_function = node.function

    def _run(self, ref: str) -> Outcome:
        for _hop in range(MAX_HOPS):
            node = self.flows.node(ref)
            self._enter(node)
            kind = node.type
            if kind == "say":
                self._say(node.prompt)
                assert node.next is not None
                ref = node.next
            elif kind in ("menu", "input"):
                self.attempts = 0
                self._say(node.prompt)
                return self._wait(node)
            elif kind == "action":
                self._say(node.prompt)
                outcome = self._act(node)
                ref = node.outcomes[outcome]
            elif kind == "switch":
                value = self.vars.get(node.var)
                target = node.cases.get("" if value is None else str(value))
                ref = target or node.default or ""
            elif kind == "subflow":
                self._say(node.prompt)
                assert node.next is not None and node.on_fail is not None
                self.stack.append({"ok": node.next, "fail": node.on_fail})
                ref = node.subflow
            elif kind == "return":
                self._say(node.prompt)
                if self.stack:
                    frame = self.stack.pop()
                    ref = frame["ok"] if node.outcome == "ok" else frame["fail"]
                else:  # a flow started without a caller: back to the main menu
                    ref = f"main:{self.flows.flows['main'].start}"
            elif kind == "transfer":
                self._say(node.prompt)
                result = self._transfer(node)
                if result is not None:
                    return result
                assert node.closed is not None
                ref = node.closed
            elif kind == "hangup":
                self._say(node.prompt)
                self.call.flow, self.call.node = node.flow, node.id
                self.action = {"type": "hangup"}
                self.outcome_ended = "finished"
                self._event(node.ref, "end")
                return self._outcome(node, done=True)
            else:  # pragma: no cover - the loader refuses other types
                raise FlowLoopError(f"unknown node type {kind}")
        raise FlowLoopError(f"more than {MAX_HOPS} nodes without waiting for keys, at {ref}")

    def _act(self, node: Node) -> str:
        spec = registry[node.run]
        ctx = ActionContext(
            call=self.call,
            vars=self.vars,
            inputs=self.inputs,
            spoken=self.spoken,
            params=node.params,
            by=self.by,
            now=self.now,
            node_ref=node.ref,
        )
        outcome = spec.fn(ctx)
        if outcome not in spec.outcomes:  # pragma: no cover - a programming error
            raise RuntimeError(f"action {node.run} returned unknown outcome {outcome!r}")
        self.events.extend(ctx.events)
        return outcome

    def _transfer(self, node: Node) -> Outcome | None:
        """Join the queue when it is open and not full; else play why and return None."""
        from kefu.ivr.queues import queue_admission

        queue = self.flows.queues[node.queue]
        admitted, message = queue_admission(queue=queue, now=self.now)
        if not admitted:
            self._event(node.ref, "transfer", result="refused", queue=queue.code, why=message)
            self._say(
                {
                    "closed": queue.closed_prompt,
                    "holiday": queue.holiday_prompt or queue.closed_prompt,
                    "overflow": queue.overflow_prompt,
                }[message]  # fmt: skip
            )
            return None
        context = self.transfer_context(node)
        self.transfer = {"queue": queue.code, "reason": node.reason, "context": context}
        self.action = {"type": "transfer", "queue": queue.code, "context": context}
        self.call.flow, self.call.node = node.flow, node.id
        self.call.transfer_queue = queue.code
        self.call.transfer_reason = node.reason
        self.outcome_ended = "transferred"
        self._event(node.ref, "transfer", result="queued", queue=queue.code, reason=node.reason)
        return self._outcome(node, done=True)

    def transfer_context(self, node: Node) -> dict[str, Any]:
        """What the agent sees before answering (IVR-10). Masked; no secrets."""
        from kefu.core.masking import mask_name

        call = self.call
        customer = call.customer
        return {
            "call_id": str(call.pk),
            "caller": call.caller_masked,
            "verified": call.verification == "verified",
            "verification": call.verification,
            "verified_by": call.verification_method,
            "customer_id": customer.pk if customer is not None else None,
            "customer_name": mask_name(customer.name) if customer is not None else "",
            "card_last4": call.card_last4,
            "reason": node.reason,
            "last_function": call.last_function,
            "functions": list(call.functions),
            "path": [p for p in self.path[-30:]],
        }
