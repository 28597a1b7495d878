"""The flows the running system uses, reloaded when an operator edits a file."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

from kefu.ivr.flowset.loading import load_flows
from kefu.ivr.flowset.model import FlowError, FlowSet

logger = logging.getLogger(__name__)

# --- the flows the running system uses -------------------------------------------------------


def flows_dir() -> Path:
    return Path(settings.KEFU_IVR_FLOWS_DIR)


def _signature(directory: Path) -> tuple:
    try:
        return tuple(
            (p.name, p.stat().st_mtime_ns, p.stat().st_size)
            for p in sorted(directory.glob("*.yaml"))
        )
    except OSError:
        return ()


class _Registry:
    """The loaded flows, reloaded when a file changes (checked at most once a second).

    An edited file that does not pass the checks is refused: calls keep running on the
    last good flows, and the problem is logged (``kefu ivr check`` shows it first).
    """

    CHECK_EVERY = 1.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: FlowSet | None = None
        self._signature: tuple = ()
        self._directory: Path | None = None
        self._checked_at = 0.0

    def get(self) -> FlowSet:
        directory = flows_dir()
        now = time.monotonic()
        if (
            self._current is not None
            and directory == self._directory
            and now - self._checked_at < self.CHECK_EVERY
        ):
            return self._current
        with self._lock:
            self._checked_at = now
            signature = _signature(directory)
            if (
                self._current is not None
                and directory == self._directory
                and signature == self._signature
            ):
                return self._current
            try:
                loaded = load_flows(directory)
            except FlowError as exc:
                if self._current is None or directory != self._directory:
                    raise
                logger.error("IVR flows not reloaded, keeping the previous ones:\n%s", exc)
                self._signature = signature
                return self._current
            self._current, self._signature, self._directory = loaded, signature, directory
            return loaded

    def clear(self) -> None:
        with self._lock:
            self._current = None
            self._signature = ()
            self._directory = None
            self._checked_at = 0.0


registry = _Registry()


def current_flows() -> FlowSet:
    return registry.get()


def describe(flowset: FlowSet) -> Iterable[str]:
    for _name, flow in sorted(flowset.flows.items()):
        yield f"{flow.path.name}: {len(flow.nodes)} nodes, starts at '{flow.start}'"
