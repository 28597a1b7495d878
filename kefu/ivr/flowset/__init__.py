"""IVR-1: flows are data. Each ``<name>.yaml`` under the flows directory declares one flow as
a state machine: named nodes, each a state with its transitions, as telephony platforms
model call flows (VoiceXML forms and menus, Twilio Studio widgets, Amazon Connect blocks).

Node types:

- ``say``      play a prompt, go on to ``next``
- ``menu``     play a prompt, collect keys, go to ``options[keys]``
- ``input``    play a prompt, collect digits (checked by ``check``), keep them as ``into``,
               go to ``next``; ``keys`` maps exact entries to other targets (shortcuts)
- ``action``   run a named self-service action (``run``) and go to ``next[outcome]``
- ``switch``   go to ``cases[value of var]`` or ``default``
- ``subflow``  run another flow; when it returns "ok" go to ``next``, on "fail" to ``on_fail``
- ``return``   end a sub-flow with ``outcome`` ok or fail
- ``transfer`` join an agent queue (``queue``, ``reason``); ``closed`` when it is not open
- ``hangup``   play a goodbye prompt and end the call

A target is ``node`` (same flow), ``flow:node``, or ``flow:`` (the start of a flow). Prompts
may hold variables, ``{name}`` or ``{name|filter}`` (filters in ``prompts.py``).

Every file is checked when loaded; a problem names the file, the line and the node. Agent
queues (opening hours, holiday and overflow messages) are declared in ``queues.yaml``.
"""

from kefu.ivr.flowset.loading import flow_files, load_flows
from kefu.ivr.flowset.model import (
    QUEUES_FILE,
    Collect,
    Flow,
    FlowError,
    FlowSet,
    Node,
    Queue,
)
from kefu.ivr.flowset.registry import current_flows, describe, flows_dir, registry

__all__ = [
    "QUEUES_FILE",
    "Collect",
    "Flow",
    "FlowError",
    "FlowSet",
    "Node",
    "Queue",
    "current_flows",
    "describe",
    "flow_files",
    "flows_dir",
    "load_flows",
    "registry",
]
