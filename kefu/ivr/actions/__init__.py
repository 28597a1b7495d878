"""Self-service actions that flow files name in ``action`` nodes (``run: verify_password``).

An action is a function ``(ctx) -> outcome``. It declares its outcomes (the flow must send
each somewhere), the variables it sets (prompts may use them) and the parameters it takes;
the flow loader checks all three. Actions read and change card and account data only
through the core-banking adapter (``ctx.adapter``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kefu.customers.adapter import CoreBankingAdapter, get_adapter


@dataclass(frozen=True)
class ActionSpec:
    name: str
    fn: Callable[[ActionContext], str]
    outcomes: tuple[str, ...]
    sets: tuple[str, ...] = ()
    params: tuple[str, ...] = ()


class _Registry(dict[str, ActionSpec]):
    def all_vars(self) -> set[str]:
        return {v for spec in self.values() for v in spec.sets}


registry = _Registry()


def action(
    name: str,
    *,
    outcomes: tuple[str, ...],
    sets: tuple[str, ...] = (),
    params: tuple[str, ...] = (),
):
    def register(fn: Callable[[ActionContext], str]):
        registry[name] = ActionSpec(name, fn, outcomes, sets, params)
        return fn

    return register


@dataclass
class ActionContext:
    """What an action sees: the call, its variables, this request's entries, the adapter.

    ``vars`` persist with the call; ``inputs`` (entries of this request, secrets included)
    and ``spoken`` (values read out once, like a one-time code) are dropped when the
    request ends.
    """

    call: Any  # kefu.ivr.models.Call
    vars: dict[str, Any]
    inputs: dict[str, str]
    spoken: dict[str, Any]
    params: dict[str, Any]
    by: Any
    now: dt.datetime
    node_ref: str
    events: list[dict[str, Any]] = field(default_factory=list)
    adapter: CoreBankingAdapter = field(default_factory=get_adapter)

    CHANNEL = "ivr"

    def record(self, kind: str, **data: Any) -> None:
        """Add an event (kind "verify", "action", …) to the call record."""
        self.events.append({"node": self.node_ref, "kind": kind, "keys": "", "data": data})

    def use_function(self, name: str) -> None:
        functions = self.call.functions
        if name not in functions:
            functions.append(name)
        self.call.last_function = name

    def value(self, name: str) -> Any:
        """An entry of this request, else a call variable."""
        if name in self.inputs:
            return self.inputs[name]
        return self.vars.get(name)

    @property
    def today(self) -> dt.date:
        from django.utils import timezone

        return timezone.localdate(self.now)


# Registers the actions (imported for their side effect).
from kefu.ivr.actions import (  # noqa: E402, F401
    account,
    bills,
    cards,
    general,
    money,
    passwords,
    verification,
)
