"""The shapes of a loaded flow set: nodes, flows, queues; the names and limits the checks use."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

QUEUES_FILE = "queues.yaml"
DTMF = re.compile(r"^[0-9*#]+$")
IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
HOURS = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")

NODE_TYPES = ("say", "menu", "input", "action", "switch", "subflow", "return", "transfer", "hangup")
RECORD_MODES = ("plain", "masked", "secret")
# Keys a node of each type may have, besides "type", "prompt" and "function".
_COLLECTING = {
    "collect",
    "invalid_prompt",
    "timeout_prompt",
    "exhausted_prompt",
    "on_exhausted",
}
NODE_KEYS: dict[str, set[str]] = {
    "say": {"next"},
    "menu": {"options", *_COLLECTING},
    "input": {"next", "keys", "check", "into", "record", *_COLLECTING},
    "action": {"run", "params", "next"},
    "switch": {"var", "cases", "default"},
    "subflow": {"flow", "next", "on_fail"},
    "return": {"outcome"},
    "transfer": {"queue", "reason", "closed"},
    "hangup": set(),
}
COMMON_KEYS = {"type", "prompt", "function"}
FLOW_KEYS = {"flow", "description", "start", "on_error", "defaults", "nodes"}
DEFAULT_KEYS = {
    "collect",
    "invalid_prompt",
    "timeout_prompt",
    "exhausted_prompt",
    "on_exhausted",
}
COLLECT_KEYS = {"min_digits", "max_digits", "terminator", "timeout_s", "retries"}
QUEUE_KEYS = {
    "label",
    "hours",
    "holidays",
    "max_waiting",
    "closed_prompt",
    "holiday_prompt",
    "overflow_prompt",
}

ENGINE_DEFAULTS: dict[str, Any] = {
    "collect": {"min_digits": 1, "max_digits": 1, "terminator": None, "timeout_s": 8, "retries": 3},
    "invalid_prompt": "您的输入有误。",
    "timeout_prompt": "您没有按键。",
    "exhausted_prompt": "",
    "on_exhausted": None,
}


class FlowError(Exception):
    """One or more problems in the flow files; each message names the file and the node."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Collect:
    min_digits: int
    max_digits: int
    terminator: str | None
    timeout_s: int
    retries: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "min_digits": self.min_digits,
            "max_digits": self.max_digits,
            "terminator": self.terminator,
            "timeout_s": self.timeout_s,
        }


@dataclass(frozen=True)
class Node:
    flow: str
    id: str
    type: str
    prompt: str = ""
    function: str = ""
    next: str | None = None  # resolved "flow:node"
    outcomes: dict[str, str] = field(default_factory=dict)  # action: outcome → target
    options: dict[str, str] = field(default_factory=dict)  # menu: keys → target
    keys: dict[str, str] = field(default_factory=dict)  # input: exact entry → target
    collect: Collect | None = None
    check: str = ""
    into: str = ""
    record: str = "plain"
    run: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    var: str = ""
    cases: dict[str, str] = field(default_factory=dict)
    default: str | None = None
    subflow: str = ""
    on_fail: str | None = None
    outcome: str = ""
    queue: str = ""
    reason: str = ""
    closed: str | None = None
    invalid_prompt: str = ""
    timeout_prompt: str = ""
    exhausted_prompt: str = ""
    on_exhausted: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.flow}:{self.id}"

    @property
    def collects(self) -> bool:
        return self.type in ("menu", "input")


@dataclass(frozen=True)
class Flow:
    name: str
    path: Path
    start: str
    description: str
    nodes: dict[str, Node]
    # Where a request that failed (and was undone) goes on: "flow:node", or None to use the
    # main flow's. Without any, the failure reaches the channel as an error.
    on_error: str | None = None


@dataclass(frozen=True)
class Queue:
    code: str
    label: str
    hours: tuple[int, int]  # minutes after midnight, [open, close)
    holidays: str  # "open" | "closed" | "hours"
    holiday_hours: tuple[int, int] | None
    max_waiting: int
    closed_prompt: str
    holiday_prompt: str
    overflow_prompt: str


@dataclass(frozen=True)
class FlowSet:
    flows: dict[str, Flow]
    queues: dict[str, Queue]
    directory: Path

    def node(self, ref: str) -> Node:
        flow, _sep, node = ref.partition(":")
        return self.flows[flow].nodes[node]

    def start_of(self, flow: str) -> Node:
        f = self.flows[flow]
        return f.nodes[f.start]
