"""Reading a flows directory: YAML with line numbers, targets resolved across files,
queues.yaml, and every problem collected into one FlowError."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kefu.ivr import prompts
from kefu.ivr.flowset.model import (
    HOURS,
    IDENT,
    QUEUE_KEYS,
    QUEUES_FILE,
    Flow,
    FlowError,
    FlowSet,
    Node,
    Queue,
)
from kefu.ivr.flowset.nodes import _int, _parse_flow, _Problems, _prompt

# --- YAML with line numbers and duplicate-key detection -------------------------------------


class _Loader(yaml.SafeLoader):
    """Safe YAML that refuses a key given twice in one mapping (PyYAML keeps the last)."""

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, int] = {}
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"the key {key!r} appears twice (first on line {seen[key]})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def _node_lines(text: str) -> dict[str, int]:
    """Line of each node id under ``nodes:`` (or queue under ``queues:``), for messages."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[str, int] = {}
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key, value in root.value:
        if key.value in ("nodes", "queues") and isinstance(value, yaml.MappingNode):
            for node_key, _node_value in value.value:
                lines[str(node_key.value)] = node_key.start_mark.line + 1
    return lines


def _read_yaml(path: Path) -> tuple[Any, dict[str, int]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FlowError([f"{path.name}: cannot be read ({exc})."]) from None
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506  (_Loader is a SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise FlowError([f"{path.name}{where}: not valid YAML: {problem}."]) from None
    return data, _node_lines(text)


def _leads_to_action(target: str | None, flows: dict[str, dict]) -> bool:
    """Whether running from ``target`` reaches an action before a node that waits for keys
    (following say nodes and sub-flow entries)."""
    for _hop in range(20):
        if not target or ":" not in target:
            return False
        f, _sep, n = target.partition(":")
        node = flows.get(f, {}).get("nodes", {}).get(n)
        if node is None:
            return False
        if node["type"] == "action":
            return True
        if node["type"] == "say":
            target = _resolve(node.get("next"), f, flows)[0]
        elif node["type"] == "subflow" and node.get("subflow"):
            entry = node["subflow"] if ":" in node["subflow"] else f"{node['subflow']}:"
            target = _resolve(entry, f, flows)[0]
        else:
            return False
    return False


_TARGET_FIELDS = ("next", "default", "on_fail", "closed", "on_exhausted")


def _resolve(target: Any, flow: str, flows: dict[str, dict]) -> tuple[str | None, str]:
    """("flow:node", "") or (None, problem)."""
    if not isinstance(target, str) or not target:
        return None, f"a target must be a node name, not {target!r}"
    if ":" in target:
        f, _sep, n = target.partition(":")
    else:
        f, n = flow, target
    if f not in flows:
        return None, f"target {target!r} names flow {f!r}, which does not exist"
    if not n:
        n = flows[f]["start"]
    if n not in flows[f]["nodes"]:
        where = "" if f == flow else f" of flow {f!r}"
        return None, f"target {target!r} names node {n!r}{where}, which does not exist"
    return f"{f}:{n}", ""


def _build(raw_flows: dict[str, dict], paths: dict[str, Path], lines: dict[str, dict],
           queues: dict[str, Queue]) -> tuple[dict[str, Flow], list[str]]:  # fmt: skip
    from kefu.ivr.actions import registry

    problems: list[str] = []
    flows: dict[str, Flow] = {}
    referenced: set[str] = set()
    known_vars = prompts.ENGINE_VARS | registry.all_vars()
    for raw in raw_flows.values():
        for n in raw["nodes"].values():
            if n.get("into"):
                known_vars.add(n["into"])
    for name, raw in raw_flows.items():
        p = _Problems(paths[name].name, lines[name])
        nodes: dict[str, Node] = {}
        for node_id, n in raw["nodes"].items():

            def res(
                target: Any,
                what: str,
                node_id: str = node_id,
                flow: str = name,
                problems: _Problems = p,
            ) -> str | None:
                ref, problem = _resolve(target, flow, raw_flows)
                if problem:
                    problems.add(f"{what}: {problem}", node_id)
                elif ref:
                    referenced.add(ref)
                return ref

            values = dict(n)
            for key in _TARGET_FIELDS:
                if values.get(key) is not None:
                    values[key] = res(values[key], key)
            for mapping in ("options", "keys", "cases", "outcomes"):
                values[mapping] = {
                    k: res(t, f"{mapping} {k!r}") if t is not None else None
                    for k, t in (values.get(mapping) or {}).items()
                }
                for k, t in values[mapping].items():
                    if t is None and mapping == "outcomes":
                        p.add(f"outcome {k!r} goes nowhere", node_id)
            if n["type"] == "subflow" and n.get("subflow"):
                entry = n["subflow"] if ":" in n["subflow"] else f"{n['subflow']}:"
                values["subflow"] = res(entry, "flow")
            if n["type"] == "transfer" and n.get("queue") and n["queue"] not in queues:
                p.add(
                    f"queue {n['queue']!r} is not declared in {QUEUES_FILE} "
                    f"(declared: {', '.join(sorted(queues)) or 'none'})",
                    node_id,
                )
            if n["type"] == "input" and n.get("record") in ("masked", "secret"):
                if not _leads_to_action(values.get("next"), raw_flows):
                    p.add(
                        f"a {n['record']} input is kept only while its request runs: its "
                        "'next' must lead to an action that uses it before any other prompt "
                        "collects keys",
                        node_id,
                    )
            for key in ("prompt", "invalid_prompt", "timeout_prompt", "exhausted_prompt"):
                for var in prompts.template_vars(n.get(key) or ""):
                    if var not in known_vars:
                        p.add(
                            f"{key} uses the variable {{{var}}}, which no action or input sets",
                            node_id,
                        )
            if n["type"] == "switch" and n.get("var") and n["var"] not in known_vars:
                p.add(f"switch on {n['var']!r}, which no action or input sets", node_id)
            fields = {k: v for k, v in values.items() if k in Node.__dataclass_fields__}
            try:
                nodes[node_id] = Node(**fields)
            except TypeError as exc:  # pragma: no cover - a shape problem reported above
                p.add(str(exc), node_id)
        on_error = None
        if raw.get("on_error") is not None:
            on_error, problem = _resolve(raw["on_error"], name, raw_flows)
            if problem:
                p.add(f"on_error: {problem}")
            elif on_error:
                referenced.add(on_error)
        problems.extend(p.items)
        flows[name] = Flow(
            name=name,
            path=paths[name],
            start=raw["start"],
            description=raw["description"],
            nodes=nodes,
            on_error=on_error,
        )
    for name, flow in flows.items():
        p = _Problems(paths[name].name, lines[name])
        for node_id in flow.nodes:
            ref = f"{name}:{node_id}"
            if node_id != flow.start and ref not in referenced:
                p.add("no other node leads here: remove it or add a way to reach it", node_id)
        problems.extend(p.items)
    problems.extend(_endless_loops(flows, paths, lines))
    return flows, problems


def _passes_to(node: Node) -> list[str]:
    """Where the engine goes from ``node`` without waiting for keys or running an action
    (whose outcome may change from one pass to the next)."""
    if node.type == "say":
        return [node.next] if node.next else []
    if node.type == "switch":  # its variable cannot change without an action
        return [t for t in (*node.cases.values(), node.default) if t]
    if node.type == "subflow":
        return [node.subflow] if node.subflow else []
    if node.type == "transfer":  # a closed queue stays closed within one request
        return [node.closed] if node.closed else []
    return []


def _endless_loops(flows: dict[str, Flow], paths: dict[str, Path],
                   lines: dict[str, dict]) -> list[str]:  # fmt: skip
    """Nodes that lead back to themselves with no menu, input or action between: a caller
    would go round until the engine gives up (MAX_HOPS), so such a file is refused."""
    nodes = {n.ref: n for f in flows.values() for n in f.nodes.values()}
    problems: list[str] = []
    reported: set[str] = set()
    done: set[str] = set()

    def visit(ref: str, trail: list[str]) -> None:
        if ref in trail:
            cycle = trail[trail.index(ref) :]
            if not reported & set(cycle):
                reported.update(cycle)
                first = nodes[cycle[0]]
                route = " → ".join([*cycle, ref])
                found = _Problems(paths[first.flow].name, lines[first.flow])
                found.add(
                    f"these nodes lead to each other without waiting for keys: {route}; a "
                    "caller would go round forever (add a menu or input to the loop)",
                    first.id,
                )
                problems.extend(found.items)
            return
        if ref in done or ref not in nodes:
            return
        trail.append(ref)
        for target in _passes_to(nodes[ref]):
            visit(target, trail)
        trail.pop()
        done.add(ref)

    for ref in sorted(nodes):
        visit(ref, [])
    return problems


# --- queues.yaml ------------------------------------------------------------------------------


def _minutes(hours: str) -> tuple[int, int] | None:
    m = HOURS.match(hours.strip()) if isinstance(hours, str) else None
    if not m:
        return None
    start = int(m[1]) * 60 + int(m[2])
    end = int(m[3]) * 60 + int(m[4])
    if start > 24 * 60 or end > 24 * 60 or start >= end:
        return None
    return start, end


def _parse_queues(path: Path) -> tuple[dict[str, Queue], list[str]]:
    if not path.exists():
        return {}, [f"{QUEUES_FILE}: missing; declare the agent queues there."]
    try:
        data, lines = _read_yaml(path)
    except FlowError as exc:
        return {}, exc.problems
    p = _Problems(path.name, lines)
    if not isinstance(data, dict) or not isinstance(data.get("queues"), dict):
        p.add("must be a mapping with 'queues': code → settings")
        return {}, p.items
    queues: dict[str, Queue] = {}
    for code, raw in data["queues"].items():
        code = str(code)
        if not IDENT.match(code):
            p.add("a queue code uses lower-case letters, digits and _ only", code)
        if not isinstance(raw, dict):
            p.add("a queue is a mapping of label, hours, holidays, max_waiting, prompts", code)
            continue
        extra = set(raw) - QUEUE_KEYS
        if extra:
            p.add(f"unknown key(s) {', '.join(sorted(map(str, extra)))}", code)
        hours = _minutes(raw.get("hours", "00:00-24:00"))
        if hours is None:
            p.add("'hours' is HH:MM-HH:MM, opening before closing (00:00-24:00 for 24×7)", code)
            hours = (0, 24 * 60)
        holidays = raw.get("holidays", "open")
        holiday_hours = None
        if holidays not in ("open", "closed"):
            holiday_hours = _minutes(holidays)
            if holiday_hours is None:
                p.add("'holidays' is open, closed or HH:MM-HH:MM", code)
            holidays = "hours"
        max_waiting = _int(raw.get("max_waiting", 100), 1, 100_000)
        if max_waiting is None:
            p.add("'max_waiting' is a whole number from 1 to 100000", code)
            max_waiting = 100
        queues[code] = Queue(
            code=code,
            label=str(raw.get("label") or code),
            hours=hours,
            holidays=holidays,
            holiday_hours=holiday_hours,
            max_waiting=max_waiting,
            closed_prompt=_prompt(raw.get("closed_prompt"), p, code, "closed_prompt"),
            holiday_prompt=_prompt(raw.get("holiday_prompt"), p, code, "holiday_prompt"),
            overflow_prompt=_prompt(raw.get("overflow_prompt"), p, code, "overflow_prompt"),
        )
        for key in ("closed_prompt", "overflow_prompt"):
            if not raw.get(key):
                p.add(f"needs '{key}' (what the caller hears)", code)
    return queues, p.items


# --- loading a directory ---------------------------------------------------------------------


def flow_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if p.name != QUEUES_FILE)


def load_flows(directory: Path | str) -> FlowSet:
    """Read and check every flow file in ``directory``; FlowError lists every problem."""
    directory = Path(directory)
    if not directory.is_dir():
        raise FlowError([f"{directory}: the flows directory does not exist."])
    problems: list[str] = []
    queues, queue_problems = _parse_queues(directory / QUEUES_FILE)
    problems.extend(queue_problems)
    raw_flows: dict[str, dict] = {}
    paths: dict[str, Path] = {}
    lines: dict[str, dict] = {}
    for path in flow_files(directory):
        try:
            data, node_lines = _read_yaml(path)
        except FlowError as exc:
            problems.extend(exc.problems)
            continue
        raw, found = _parse_flow(path, data, node_lines)
        problems.extend(found)
        if raw:
            raw_flows[raw["name"]] = raw
            paths[raw["name"]] = path
            lines[raw["name"]] = node_lines
    if "main" not in raw_flows and not problems:
        problems.append("main.yaml: missing; every call starts in the flow 'main'.")
    if problems:
        raise FlowError(problems)
    flows, build_problems = _build(raw_flows, paths, lines, queues)
    if build_problems:
        raise FlowError(build_problems)
    return FlowSet(flows=flows, queues=queues, directory=directory)
