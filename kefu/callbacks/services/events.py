"""The append-only callback history (STYLE 7)."""

from __future__ import annotations

from typing import Any

from kefu.callbacks.models import CallbackEvent, Project, Target


def event_record(
    *,
    action: str,
    actor=None,
    project: Project | None = None,
    target: Target | None = None,
    data: dict[str, Any] | None = None,
) -> CallbackEvent:
    """Append one event; call it inside the transaction of the change it records."""
    if target is not None and project is None:
        project = target.project
    return CallbackEvent.objects.create(
        action=action, actor=actor, project=project, target=target, data=dict(data or {})
    )
