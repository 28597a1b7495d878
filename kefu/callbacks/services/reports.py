"""CB-6: handing in the monthly report and the quarterly summary (their deadlines)."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.callbacks import rules
from kefu.callbacks.models import ReportExport, ReportFiling
from kefu.callbacks.services.events import event_record
from kefu.core.errors import Conflict, ValidationFailed
from kefu.core.services import audit_record


@transaction.atomic
def report_filing_record(*, kind: str, period: str, by) -> ReportFiling:
    """Record that the report of ``period`` (``2026-11`` or ``2026-Q4``) was handed in."""
    if kind not in ReportFiling.Kind.values:
        raise ValidationFailed(
            _("Unknown report."), errors={"kind": [_("Choose monthly or quarterly.")]}
        )
    try:
        window = rules.parse_window_key(period)
    except ValueError:
        window = None
    if window is None or (kind == ReportFiling.Kind.QUARTERLY) != ("-Q" in period.upper()):
        raise ValidationFailed(
            _("Unknown period."),
            errors={"period": [_("Write a month as 2026-11 and a quarter as 2026-Q4.")]},
        )
    try:
        with transaction.atomic():
            filing = ReportFiling.objects.create(kind=kind, period=window.key, submitted_by=by)
    except IntegrityError:
        raise Conflict(_("This report was already handed in.")) from None
    event_record(
        action="callback.report.submitted", actor=by, data={"kind": kind, "period": window.key}
    )
    audit_record(actor=by, action="callback.report.submitted", obj=filing)
    return filing


def exports_dir() -> Path:
    return Path(settings.DATA_DIR) / "exports" / "callbacks"


def report_export_queue(*, fmt: str, period: str, day: dt.date, by) -> ReportExport:
    """Queue the detail table of a period as PDF or Excel; the page shows its progress."""
    from kefu.callbacks.selectors import PERIODS, period_bounds
    from kefu.callbacks.tasks import run_report_export

    if fmt not in ReportExport.Format.values or period not in PERIODS:
        raise ValidationFailed(
            _("Unknown export."), errors={"fmt": [_("Choose PDF or Excel and a period.")]}
        )
    _start, _end, label = period_bounds(period, day)
    with transaction.atomic():
        export = ReportExport.objects.create(
            fmt=fmt, period=period, day=day, label=label, created_by=by
        )
        audit_record(actor=by, action="callback.report.export_queued", obj=export)
    run_report_export.enqueue(export_id=export.pk)
    export.refresh_from_db()
    return export


def report_export_run(*, export_id: int) -> None:
    """Make the file of a queued export, writing progress to its row (the task calls this)."""
    from kefu.callbacks import exports
    from kefu.callbacks.selectors import callback_report, period_bounds, report_detail

    export = ReportExport.objects.select_related("created_by").get(pk=export_id)
    if export.status == ReportExport.Status.FINISHED:
        return
    rows = ReportExport.objects.filter(pk=export.pk)
    start, end, label = period_bounds(export.period, export.day)
    rows.update(
        status=ReportExport.Status.RUNNING,
        rows_total=report_detail(start=start, end=end).count(),
        rows_done=0,
    )
    report = callback_report(start=start, end=end, label=label)
    last = time.monotonic()

    def progress(done: int) -> None:
        nonlocal last
        if time.monotonic() - last >= 1.0:
            last = time.monotonic()
            rows.update(rows_done=done)

    make = exports.report_pdf if export.fmt == ReportExport.Format.PDF else exports.report_xlsx
    try:
        data = make(report=report, detail=True, by=export.created_by, progress=progress)
    except exports.FontMissing as exc:
        rows.update(status=ReportExport.Status.FAILED, message=str(exc)[:500])
        return
    folder = exports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{export.pk}-{uuid.uuid4().hex[:8]}-{label}.{export.fmt}"
    (folder / stored).write_bytes(data)
    rows.update(
        status=ReportExport.Status.FINISHED,
        stored_name=stored,
        rows_done=report_detail(start=start, end=end).count(),
        finished_at=timezone.now(),
    )
