"""Periodic jobs (every minute, hourly, daily at a time) that are safe with several workers.

Each app's tasks.py registers its jobs with ``@periodic(...)`` on a django-tasks Task. Every
worker runs ``tick()`` in a scheduler thread; for each job that is due, it inserts a
PeriodicRun(job, slot) row and enqueues the task in the same transaction. The unique
(job, slot) key means that of N workers exactly one enqueues a given run; the others get an
IntegrityError and move on. A daily job missed while no worker ran is caught up the same day.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from dataclasses import dataclass

from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django_tasks.base import Task

logger = logging.getLogger(__name__)

_DAILY = re.compile(r"^daily@(\d{2}):(\d{2})$")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Task  # a django_tasks Task
    schedule: str  # "minute" | "hourly" | "daily@HH:MM" (Asia/Shanghai)

    def slot(self, now: dt.datetime) -> str | None:
        """The run slot that is due at ``now``, or None when nothing is due yet."""
        local = timezone.localtime(now)
        if self.schedule == "minute":
            return local.strftime("%Y-%m-%dT%H:%M")
        if self.schedule == "hourly":
            return local.strftime("%Y-%m-%dT%H")
        m = _DAILY.match(self.schedule)
        if m:
            at = local.replace(hour=int(m[1]), minute=int(m[2]), second=0, microsecond=0)
            return local.date().isoformat() if local >= at else None
        raise ValueError(f"Unknown schedule {self.schedule!r} for periodic job {self.name}")


REGISTRY: dict[str, PeriodicJob] = {}


def periodic(schedule: str, *, name: str | None = None):
    """Register a django-tasks Task to run on ``schedule``."""

    def register(task_obj):
        job_name = name or task_obj.module_path
        job = PeriodicJob(name=job_name, task=task_obj, schedule=schedule)
        job.slot(timezone.now())  # validates the schedule at import time
        REGISTRY[job_name] = job
        return task_obj

    return register


def discover() -> dict[str, PeriodicJob]:
    autodiscover_modules("tasks")
    return REGISTRY


def tick(*, now: dt.datetime | None = None) -> list[str]:
    """Enqueue every due job that no other worker has enqueued for its slot yet."""
    from kefu.core.models import PeriodicRun

    now = now or timezone.now()
    enqueued = []
    for job in list(REGISTRY.values()):
        slot = job.slot(now)
        if slot is None:
            continue
        try:
            with transaction.atomic():
                run = PeriodicRun.objects.create(job=job.name, slot=slot)
                result = job.task.enqueue()
                run.task_result_id = str(getattr(result, "id", ""))[:64]
                run.save(update_fields=["task_result_id"])
        except IntegrityError:
            continue  # another worker has it
        enqueued.append(f"{job.name}@{slot}")
        logger.info("Enqueued periodic job %s for slot %s", job.name, slot)
    return enqueued


class SchedulerThread(threading.Thread):
    """Calls tick() every ``interval`` seconds until stopped."""

    def __init__(self, interval: float = 15.0):
        super().__init__(name="kefu-scheduler", daemon=True)
        self.interval = interval
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        while not self._stop_event.is_set():
            close_old_connections()
            try:
                tick()
            except Exception:  # a failing tick must not stop the scheduler
                logger.exception("Periodic scheduler tick failed")
            finally:
                close_old_connections()
            self._stop_event.wait(self.interval)
