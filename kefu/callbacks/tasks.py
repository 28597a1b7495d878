"""Background jobs of the callbacks app: list imports (NF-4)."""

from __future__ import annotations

import logging

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from kefu.callbacks.models import TargetBatch

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
