"""Knowledge test helpers: published articles made through the services."""

from __future__ import annotations

import pytest

from kefu.knowledge import search, services


@pytest.fixture(autouse=True)
def _fresh_search_backend():
    # each test's database starts empty: forget the copy an earlier test loaded
    search.reset_backend()
    yield
    search.reset_backend()


@pytest.fixture
def publish():
    """Create and publish an article in one step (as the import does)."""

    def make(title, *, question=None, similar=(), answer=None, category=None, **extra):
        article = services.article_create(
            by=None,
            title=title,
            question=question or title,
            similar_questions=list(similar),
            answer_html=answer or f"<p>{title}的答案。</p>",
            category=category,
            **extra,
        )
        return services.article_publish(article=article, by=None, skip_review=True)

    return make
