"""Knowledge background jobs: expiry and re-indexing after a dictionary change."""

from __future__ import annotations

import logging

from django_tasks import task

from kefu.core.periodic import periodic

logger = logging.getLogger(__name__)


@periodic("minute")
@task()
def expire_articles() -> int:
    """Take articles past their expiry out of the search index (KB-1)."""
    from kefu.knowledge.services import articles_expire_due

    count = articles_expire_due()
    if count:
        logger.info("Expired %d knowledge articles", count)
    return count


@task()
def rebuild_search_index() -> int:
    """Re-analyse every published article with the current dictionary and synonyms."""
    from kefu.knowledge.search import backend

    count = backend().rebuild()
    logger.info("Re-indexed %d knowledge articles", count)
    return count
