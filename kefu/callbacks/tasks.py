"""Background jobs of the callbacks app: list imports (NF-4) and the daily large-transfer
list after the close."""

from __future__ import annotations

import logging

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from kefu.callbacks.models import TargetBatch
from kefu.core.periodic import periodic

logger = logging.getLogger(__name__)


@task()
def run_target_import(*, batch_id: int) -> dict[str, int]:
    """Import a queued callback list. Safe to run again after a worker died half-way: rows
    already added are found as already listed."""
    from kefu.callbacks.services.imports import target_import_run

    try:
        result = target_import_run(batch_id=batch_id)
    except Exception:
        logger.exception("callback list import %s stopped", batch_id)
        TargetBatch.objects.filter(pk=batch_id).update(
            status=TargetBatch.Status.FAILED,
            finished_at=timezone.now(),
            message=_(
                "The import stopped on an unexpected error (see the server log); rows already "
                "added are kept, and importing the file again is safe."
            ),
        )
        raise
    if result is None:
        return {}
    return {"rows": result.rows, "added": result.added, "failed": result.failed}


@task()
def run_report_export(*, export_id: int) -> str:
    """Print a queued detail table (PDF or Excel) in the background."""
    from kefu.callbacks.models import ReportExport
    from kefu.callbacks.services.reports import report_export_run

    try:
        report_export_run(export_id=export_id)
    except Exception:
        logger.exception("callback report export %s stopped", export_id)
        ReportExport.objects.filter(pk=export_id).update(
            status=ReportExport.Status.FAILED,
            message=_("The export stopped on an unexpected error (see the server log)."),
        )
        raise
    return str(export_id)


@periodic("daily@16:00")
@task()
def fill_large_transfer_lists() -> int:
    """Seed 003: "每天收市后查询，次日回访" — after the close of each trading day, add the day's
    large transfers out to the running large-transfer projects (due the next trading day).
    Adding again changes nothing, so a rerun or a second worker is harmless."""
    from django.utils import timezone as tz

    from kefu.callbacks.models import CallbackType, Project
    from kefu.callbacks.services.targets import targets_from_rule
    from kefu.core.calendars import Calendar, CalendarUnknownYear

    today = tz.localdate()
    try:
        if not Calendar().is_trading_day(today):
            return 0
    except CalendarUnknownYear:
        logger.warning("large-transfer lists not filled: the %d calendar is unknown", today.year)
        return 0
    added = 0
    for project in Project.objects.running().filter(
        callback_type=CallbackType.LARGE_TRANSFER, window_start__lte=today, window_end__gte=today
    ):
        batch = targets_from_rule(
            project=project,
            rule="large_transfers",
            params={"day": today.isoformat()},
            by=project.owner,
            today=today,
        )
        added += batch.added_count
    return added
