"""CB-6: handing in the monthly report and the quarterly summary (their deadlines)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kefu.callbacks import rules
from kefu.callbacks.models import ReportFiling
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
