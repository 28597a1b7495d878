"""IVR background jobs: statement PDFs for fax / re-mail, closing calls never hung up."""

from __future__ import annotations

import logging

from django_tasks import task

from kefu.core.periodic import periodic

logger = logging.getLogger(__name__)


@task()
def render_statement_request(*, request_id: int) -> str:
    """Render the statement of a StatementRequest as a PDF (IVR-4); marks it ready or failed."""
    from kefu.ivr.statements import statement_request_render

    return statement_request_render(request_id=request_id)


@periodic("minute")
@task()
def close_stale_calls() -> int:
    """Abandon calls the telephony platform never hung up (no key press for 30 minutes)."""
    from kefu.ivr.services import calls_close_stale

    closed = calls_close_stale()
    if closed:
        logger.info("Closed %d stale IVR calls", closed)
    return closed
