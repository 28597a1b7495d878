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

Models whose rows are kept are registered with ``watch``: saving or deleting one replaces
the token. Writes that send no signals (``QuerySet.update``, ``bulk_create``) must call
``bump`` themselves.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection
from django.db.models.signals import post_delete, post_save

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


def snapshot() -> Snapshot:
    """The current configuration generation (one statement)."""
    from kefu.core.models import ConfigGeneration

    table = connection.ops.quote_name(ConfigGeneration._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {table} WHERE id = 1")  # noqa: S608 (a table name)
        row = cursor.fetchone()
    return Snapshot(row[0] if row else "")


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


def watch(*models) -> None:
    """Replace the generation whenever a row of one of ``models`` is saved or deleted."""
    for model in models:
        uid = f"kefu.generations.{model._meta.label}"
        post_save.connect(bump, sender=model, dispatch_uid=uid + ".save", weak=False)
        post_delete.connect(bump, sender=model, dispatch_uid=uid + ".delete", weak=False)
