"""Background jobs of the customers app."""

from __future__ import annotations

import logging
import time

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from kefu.customers.importer import (
    STORED_ERRORS,
    ImportResult,
    LineError,
    core_import_file,
    count_lines,
    imports_dir,
    write_errors_csv,
)
from kefu.customers.models import CoreImport

logger = logging.getLogger(__name__)

# How often a running import writes its progress to its CoreImport row.
PROGRESS_EVERY_SECONDS = 1.0


def _counts(result: ImportResult) -> dict[str, int]:
    return {
        "lines_done": result.lines_done,
        "created_count": result.created,
        "updated_count": result.updated,
        "unchanged_count": result.unchanged,
        "failed_count": result.failed,
        "error_count": len(result.errors),
    }


@task()
def run_core_import(*, import_id: int) -> dict[str, int]:
    """Run the core-banking import of a CoreImport row, writing its progress as it goes (NF-4).

    Safe to run again after a worker died half-way: the import is idempotent, so lines
    already written are found unchanged. A finished run is not repeated.
    """
    run = CoreImport.objects.select_related("started_by").get(pk=import_id)
    if run.status == CoreImport.Status.FINISHED:
        return {"lines": run.lines_done, "failed": run.failed_count}
    path = imports_dir() / run.stored_name
    rows = CoreImport.objects.filter(pk=run.pk)
    try:
        total = count_lines(path)
    except OSError as exc:
        rows.update(
            status=CoreImport.Status.FAILED,
            finished_at=timezone.now(),
            message=_("The import file cannot be read (%(problem)s): upload it again.")
            % {"problem": exc.strerror or exc.__class__.__name__},
        )
        return {"lines": 0, "failed": 0}
    rows.update(
        status=CoreImport.Status.RUNNING,
        started_at=timezone.now(),
        lines_total=total,
        lines_done=0,
        message="",
    )
    first_errors: list[dict] = []
    last = time.monotonic()

    def progress(result: ImportResult) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_EVERY_SECONDS:
            last = now
            rows.update(**_counts(result))

    def on_error(errors: list[LineError]) -> None:
        room = STORED_ERRORS - len(first_errors)
        first_errors.extend(e.as_dict() for e in errors[: max(room, 0)])

    try:
        result = core_import_file(
            path=path,
            by=run.started_by,
            source=run.file_name,
            progress=progress,
            on_error=on_error,
        )
    except Exception:
        logger.exception("core import %s stopped", run.pk)
        rows.update(
            status=CoreImport.Status.FAILED,
            finished_at=timezone.now(),
            message=_(
                "The import stopped on an unexpected error (see the server log); lines "
                "already imported are kept, and running it again is safe."
            ),
        )
        raise
    if result.errors:
        errors_path = path.with_name(path.name + ".errors.csv")
        with errors_path.open("w", encoding="utf-8-sig", newline="") as out:
            write_errors_csv(result.errors, out)
    rows.update(
        **_counts(result),
        status=CoreImport.Status.FINISHED,
        finished_at=timezone.now(),
        errors=first_errors,
    )
    return result.as_dict()
