"""Core background jobs: housekeeping that must happen whether or not anyone opens a page."""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks import task

from kefu.core.periodic import periodic

logger = logging.getLogger(__name__)

TASK_RESULT_RETENTION_DAYS = 30


@periodic("daily@03:10")
@task()
def purge_expired_sessions() -> int:
    """Delete expired staff sessions (SEC-1: an expired session can never be resumed)."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    logger.info("Purged %d expired sessions", deleted)
    return deleted


@periodic("daily@03:20")
@task()
def prune_job_history() -> int:
    """Drop finished task results and periodic-run markers older than 30 days."""
    from django_tasks_db.models import DBTaskResult

    from kefu.core.models import PeriodicRun

    cutoff = timezone.now() - dt.timedelta(days=TASK_RESULT_RETENTION_DAYS)
    results, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    runs, _ = PeriodicRun.objects.filter(enqueued_at__lt=cutoff).delete()
    logger.info("Pruned %d task results and %d periodic runs", results, runs)
    return results + runs


@periodic("daily@09:00")
@task()
def check_next_year_calendar() -> str:
    """From 1 December, log a warning every morning while next year's holidays are missing."""
    from kefu.core.calendars import missing_next_year_warning

    warning = missing_next_year_warning()
    if warning:
        logger.warning("%s", warning)
    return warning or ""
