"""Configuration kept in memory by each process, and still exact across processes.

Some configuration is read by nearly every write and changes a few times a year: the SLA
policies and the calendar's entered years for every new ticket, the team of the agent who
records it. Each process keeps what it read, stamped with the *configuration generation*: a
token in one database row (``ConfigGeneration``) that every change of such configuration
replaces, in the transaction of the change itself. A reader takes a snapshot (one short
statement reading the token) and uses what the process keeps only while the token is the
same, so a change committed by any process is seen by the next snapshot everywhere, as if
nothing were kept; a change not yet committed is seen only by its own transaction.

The token is random, never a counter: a transaction that changed configuration and was
rolled back must not leave values kept under a token that a later change would bring back.

Models whose rows are kept are registered with ``watch`` (and many-to-many tables with
``watch_m2m``): saving or deleting one replaces the token. Writes that send no signals
(``QuerySet.update``, ``bulk_create``) must call ``bump`` themselves.

Inside ``pinned()`` (every web request, by ``ConfigSnapshotMiddleware``) the first snapshot
is reused until the end: one request reads the token once, for its permissions and for the
ticket it records, and sees one generation throughout, as if it had run at that instant;
a change the request makes itself ends the pin, so it reads its own change.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save

T = TypeVar("T")

_lock = threading.Lock()
_seen: str | None = None
_kept: dict[Hashable, Any] = {}


@dataclass(frozen=True)
class Snapshot:
    """The configuration generation at one moment; ``get`` answers from memory while the
    process has values of that generation, else loads them."""

    token: str

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        """The value kept under ``key`` for this generation, or ``load()`` kept. What
        ``load`` returns is shared between threads: it must not be changed afterwards."""
        global _seen
        with _lock:
            if _seen != self.token:
                _kept.clear()
                _seen = self.token
            elif key in _kept:
                return _kept[key]
        value = load()
        with _lock:
            if _seen == self.token:
                _kept[key] = value
        return value


class _Pin:
    __slots__ = ("snapshot",)

    def __init__(self) -> None:
        self.snapshot: Snapshot | None = None


_pin: ContextVar[_Pin | None] = ContextVar("kefu_config_pin", default=None)


@contextmanager
def pinned() -> Iterator[None]:
    """Inside: the first snapshot is taken when needed and reused (see the module's text)."""
    token = _pin.set(_Pin())
    try:
        yield
    finally:
        _pin.reset(token)


def snapshot() -> Snapshot:
    """The current configuration generation (one statement; none when pinned and taken)."""
    from kefu.core.models import ConfigGeneration

    pin = _pin.get()
    if pin is not None and pin.snapshot is not None:
        return pin.snapshot
    table = connection.ops.quote_name(ConfigGeneration._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {table} WHERE id = 1")  # noqa: S608 (a table name)
        row = cursor.fetchone()
    taken = Snapshot(row[0] if row else "")
    if pin is not None:
        pin.snapshot = taken
    return taken


def bump(**_signal) -> None:
    """Start a new configuration generation: every process reloads what it kept. Runs in
    the caller's transaction; usable as a signal receiver."""
    from kefu.core.models import ConfigGeneration

    ConfigGeneration.objects.update_or_create(pk=1, defaults={"token": secrets.token_hex(16)})
    forget()


def forget() -> None:
    """Drop what this process keeps (the next snapshot loads again)."""
    global _seen
    with _lock:
        _kept.clear()
        _seen = None
    pin = _pin.get()
    if pin is not None:
        pin.snapshot = None


def watch(*models) -> None:
    """Replace the generation whenever a row of one of ``models`` is saved or deleted."""
    for model in models:
        uid = f"kefu.generations.{model._meta.label}"
        post_save.connect(bump, sender=model, dispatch_uid=uid + ".save", weak=False)
        post_delete.connect(bump, sender=model, dispatch_uid=uid + ".delete", weak=False)


def _bump_on_change(action: str = "", **_signal) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        bump()


def watch_m2m(*through_models) -> None:
    """Replace the generation whenever rows are added to or removed from one of these
    many-to-many tables (``User.groups.through``, …)."""
    for through in through_models:
        uid = f"kefu.generations.{through._meta.label}.m2m"
        m2m_changed.connect(_bump_on_change, sender=through, dispatch_uid=uid, weak=False)
