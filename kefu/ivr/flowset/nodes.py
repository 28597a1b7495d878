"""Checking one flow file: the shape of every node (targets are resolved in ``loading``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kefu.ivr import prompts
from kefu.ivr.flowset.model import (
    COLLECT_KEYS,
    COMMON_KEYS,
    DEFAULT_KEYS,
    DTMF,
    ENGINE_DEFAULTS,
    FLOW_KEYS,
    IDENT,
    NODE_KEYS,
    NODE_TYPES,
    RECORD_MODES,
    Collect,
)

# --- checking one flow file -------------------------------------------------------------------


class _Problems:
    def __init__(self, file: str, lines: dict[str, int]):
        self.file = file
        self.lines = lines
        self.items: list[str] = []

    def add(self, message: str, node: str | None = None) -> None:
        if node is None:
            self.items.append(f"{self.file}: {message}")
        else:
            line = self.lines.get(node)
            where = f" line {line}" if line else ""
            self.items.append(f"{self.file}{where}, node '{node}': {message}")


def _int(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def _collect(
    raw: Any, base: dict[str, Any], problems: _Problems, node: str | None
) -> Collect | None:
    merged = dict(base)
    if raw is not None:
        if not isinstance(raw, dict):
            problems.add("'collect' must be a mapping of min_digits, max_digits, …", node)
            return None
        unknown = set(raw) - COLLECT_KEYS
        if unknown:
            problems.add(
                f"unknown collect setting(s) {', '.join(sorted(map(str, unknown)))}; "
                f"use {', '.join(sorted(COLLECT_KEYS))}",
                node,
            )
        merged.update(raw)
    lo = _int(merged.get("min_digits"), 1, 32)
    hi = _int(merged.get("max_digits"), 1, 32)
    timeout = _int(merged.get("timeout_s"), 1, 60)
    retries = _int(merged.get("retries"), 1, 9)
    terminator = merged.get("terminator")
    ok = True
    if lo is None or hi is None:
        problems.add("min_digits and max_digits must be whole numbers from 1 to 32", node)
        ok = False
    elif lo > hi:
        problems.add(f"min_digits ({lo}) is more than max_digits ({hi})", node)
        ok = False
    if timeout is None:
        problems.add("timeout_s must be a whole number of seconds from 1 to 60", node)
        ok = False
    if retries is None:
        problems.add("retries must be a whole number from 1 to 9", node)
        ok = False
    if terminator not in (None, "#", "*"):
        problems.add(f"terminator must be '#', '*' or null, not {terminator!r}", node)
        ok = False
    if not ok:
        return None
    assert lo is not None and hi is not None and timeout is not None and retries is not None
    return Collect(lo, hi, terminator, timeout, retries)


def _prompt(value: Any, problems: _Problems, node: str | None, what: str = "prompt") -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.add(f"'{what}' must be text", node)
        return ""
    for message in prompts.check_template(value):
        problems.add(f"{what}: {message}", node)
    return value.strip()


def _parse_flow(path: Path, data: Any, lines: dict[str, int]) -> tuple[dict, list[str]]:
    """Check the shape of one file; returns the raw flow (targets unresolved) and problems."""
    from kefu.ivr.actions import registry
    from kefu.ivr.checks import CHECKS

    problems = _Problems(path.name, lines)
    name = path.stem
    if not isinstance(data, dict):
        problems.add("a flow file must be a mapping with 'flow', 'start' and 'nodes'")
        return {}, problems.items
    unknown = set(data) - FLOW_KEYS
    if unknown:
        problems.add(f"unknown top-level key(s): {', '.join(sorted(map(str, unknown)))}")
    if data.get("flow") != name:
        problems.add(f"'flow' must be '{name}', the file's name (found {data.get('flow')!r})")
    defaults = dict(ENGINE_DEFAULTS)
    raw_defaults = data.get("defaults") or {}
    if not isinstance(raw_defaults, dict):
        problems.add("'defaults' must be a mapping")
        raw_defaults = {}
    bad = set(raw_defaults) - DEFAULT_KEYS
    if bad:
        problems.add(f"unknown default(s): {', '.join(sorted(map(str, bad)))}")
    base_collect = dict(ENGINE_DEFAULTS["collect"])
    if isinstance(raw_defaults.get("collect"), dict):
        base_collect.update({k: v for k, v in raw_defaults["collect"].items() if k in COLLECT_KEYS})
    for key in ("invalid_prompt", "timeout_prompt", "exhausted_prompt"):
        if key in raw_defaults:
            defaults[key] = _prompt(raw_defaults[key], problems, None, f"defaults.{key}")
    defaults["on_exhausted"] = raw_defaults.get("on_exhausted")
    nodes = data.get("nodes")
    if not isinstance(nodes, dict) or not nodes:
        problems.add("'nodes' must be a non-empty mapping of node ids to nodes")
        return {}, problems.items
    start = data.get("start")
    if start not in nodes:
        problems.add(f"'start' names node {start!r}, which is not in 'nodes'")
    parsed: dict[str, dict] = {}
    for node_id, raw in nodes.items():
        node_id = str(node_id)
        if not IDENT.match(node_id):
            problems.add("a node id uses lower-case letters, digits and _ only", node_id)
        if not isinstance(raw, dict):
            problems.add("a node must be a mapping with a 'type'", node_id)
            continue
        kind = raw.get("type")
        if kind not in NODE_TYPES:
            problems.add(f"unknown type {kind!r}; use one of {', '.join(NODE_TYPES)}", node_id)
            continue
        extra = set(raw) - COMMON_KEYS - NODE_KEYS[kind]
        if extra:
            allowed = sorted(COMMON_KEYS | NODE_KEYS[kind])
            problems.add(
                f"unknown key(s) {', '.join(sorted(map(str, extra)))} for a {kind} node "
                f"(allowed: {', '.join(allowed)})",
                node_id,
            )
        n: dict[str, Any] = {"flow": name, "id": node_id, "type": kind}
        n["prompt"] = _prompt(raw.get("prompt"), problems, node_id)
        function = raw.get("function") or ""
        if function and not (isinstance(function, str) and IDENT.match(function)):
            problems.add("'function' is a short name in lower-case letters and _", node_id)
            function = ""
        n["function"] = function
        if kind in ("hangup", "menu", "input") and not n["prompt"]:
            problems.add(f"a {kind} node needs a 'prompt'", node_id)
        if kind in ("menu", "input"):
            node_default = dict(base_collect)
            if kind == "input":
                node_default.setdefault("max_digits", 1)
            n["collect"] = _collect(raw.get("collect"), node_default, problems, node_id)
            for key in ("invalid_prompt", "timeout_prompt", "exhausted_prompt"):
                n[key] = _prompt(raw[key], problems, node_id, key) if key in raw else defaults[key]
            n["on_exhausted"] = raw.get("on_exhausted", defaults["on_exhausted"])
            if n["on_exhausted"] is None:
                problems.add(
                    "needs 'on_exhausted' (where to go when the retries run out), "
                    "here or in the flow's defaults",
                    node_id,
                )
        if kind == "menu":
            options = raw.get("options")
            if not isinstance(options, dict) or not options:
                problems.add("a menu needs 'options': keys → targets", node_id)
                options = {}
            n["options"] = {}
            collect = n.get("collect")
            for key, target in options.items():
                key = str(key)
                if not DTMF.match(key):
                    problems.add(f"option {key!r} is not made of the keys 0-9 * #", node_id)
                elif collect is not None and len(key) > collect.max_digits:
                    problems.add(
                        f"option {key!r} is longer than max_digits ({collect.max_digits})",
                        node_id,
                    )
                n["options"][key] = target
        if kind == "input":
            check = raw.get("check") or ""
            if check and check not in CHECKS:
                problems.add(
                    f"unknown check {check!r}; use one of {', '.join(sorted(CHECKS))}", node_id
                )
            n["check"] = check
            into = raw.get("into") or ""
            if into and not IDENT.match(str(into)):
                problems.add("'into' is a variable name in lower-case letters and _", node_id)
            n["into"] = str(into)
            spec_check = CHECKS.get(check)
            record = raw.get("record") or (
                "secret" if spec_check is not None and spec_check.secret else "plain"
            )
            if record not in RECORD_MODES:
                problems.add(f"'record' must be one of {', '.join(RECORD_MODES)}", node_id)
                record = "secret"
            if spec_check is not None and spec_check.secret and record != "secret":
                problems.add(f"input checked as {check!r} is a secret: set record: secret", node_id)
            if spec_check is not None and spec_check.sensitive and record == "plain":
                problems.add(
                    f"input checked as {check!r} is a personal number: set record: masked",
                    node_id,
                )
            n["record"] = record
            keys = raw.get("keys") or {}
            if not isinstance(keys, dict):
                problems.add("'keys' must map exact entries to targets", node_id)
                keys = {}
            n["keys"] = {}
            for key, target in keys.items():
                key = str(key)
                if not DTMF.match(key):
                    problems.add(f"key entry {key!r} is not made of the keys 0-9 * #", node_id)
                n["keys"][key] = target
            if "next" not in raw:
                problems.add("an input node needs 'next'", node_id)
            n["next"] = raw.get("next")
        if kind == "say":
            if "next" not in raw:
                problems.add("a say node needs 'next'", node_id)
            n["next"] = raw.get("next")
        if kind == "action":
            run = raw.get("run")
            spec = registry.get(run) if isinstance(run, str) else None
            if spec is None:
                problems.add(
                    f"unknown action {run!r}; the actions are: {', '.join(sorted(registry))}",
                    node_id,
                )
            n["run"] = run or ""
            params = raw.get("params") or {}
            if not isinstance(params, dict):
                problems.add("'params' must be a mapping", node_id)
                params = {}
            if spec is not None:
                bad = set(params) - set(spec.params)
                if bad:
                    problems.add(
                        f"action {run!r} takes no parameter(s) {', '.join(sorted(bad))}"
                        + (f" (it takes {', '.join(spec.params)})" if spec.params else ""),
                        node_id,
                    )
            n["params"] = params
            nxt = raw.get("next")
            if isinstance(nxt, str):
                outcomes: dict[str, Any] = dict.fromkeys(spec.outcomes if spec else (), nxt)
            elif isinstance(nxt, dict):
                outcomes = {str(k): v for k, v in nxt.items()}
                if spec is not None:
                    given = set(outcomes) - {"default"}
                    unknown_outcomes = given - set(spec.outcomes)
                    if unknown_outcomes:
                        problems.add(
                            f"action {run!r} has no outcome(s) "
                            f"{', '.join(sorted(unknown_outcomes))} "
                            f"(its outcomes: {', '.join(spec.outcomes)})",
                            node_id,
                        )
                    missing = set(spec.outcomes) - given
                    if missing and "default" not in outcomes:
                        problems.add(
                            f"outcome(s) {', '.join(sorted(missing))} of action {run!r} go "
                            "nowhere: add them to 'next' or add 'default'",
                            node_id,
                        )
                    default = outcomes.pop("default", None)
                    for o in missing:
                        outcomes[o] = default
            else:
                problems.add(
                    "'next' of an action is a target or a mapping outcome → target", node_id
                )
                outcomes = {}
            n["outcomes"] = outcomes
        if kind == "switch":
            var = raw.get("var")
            if not (isinstance(var, str) and IDENT.match(var)):
                problems.add("'var' names the variable to switch on", node_id)
            n["var"] = var or ""
            cases = raw.get("cases") or {}
            if not isinstance(cases, dict):
                problems.add("'cases' maps values to targets", node_id)
                cases = {}
            n["cases"] = {str(k): v for k, v in cases.items()}
            if "default" not in raw:
                problems.add("a switch needs 'default'", node_id)
            n["default"] = raw.get("default")
        if kind == "subflow":
            n["subflow"] = raw.get("flow") or ""
            if not n["subflow"]:
                problems.add("a subflow node names the 'flow' to run", node_id)
            if "next" not in raw:
                problems.add("a subflow node needs 'next' (where to go when it succeeds)", node_id)
            n["next"] = raw.get("next")
            n["on_fail"] = raw.get("on_fail", raw.get("next"))
        if kind == "return":
            outcome = raw.get("outcome")
            if outcome not in ("ok", "fail"):
                problems.add("'outcome' of a return node is ok or fail", node_id)
            n["outcome"] = outcome or "ok"
        if kind == "transfer":
            n["queue"] = str(raw.get("queue") or "")
            if not n["queue"]:
                problems.add("a transfer node names its 'queue'", node_id)
            n["reason"] = str(raw.get("reason") or "")
            if "closed" not in raw:
                problems.add(
                    "a transfer node needs 'closed': where to go when the queue is closed or full",
                    node_id,
                )
            n["closed"] = raw.get("closed")
        parsed[node_id] = n
    return {"name": name, "start": start, "on_error": data.get("on_error"),
            "description": data.get("description") or "",
            "nodes": parsed}, problems.items  # fmt: skip
