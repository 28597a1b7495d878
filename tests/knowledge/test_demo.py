"""The demo knowledge base loads with ``kefu demo`` content and is searchable."""

from __future__ import annotations

import pytest

from kefu.knowledge import selectors
from kefu.knowledge.demo import demo_knowledge_load
from kefu.knowledge.models import Article, Question

pytestmark = pytest.mark.django_db


def test_the_demo_base_has_150_articles_and_loads_idempotently(roles):
    first = demo_knowledge_load(password="Kefu#2026-test")
    again = demo_knowledge_load(password="Kefu#2026-test")

    assert first.created >= 150 and not first.errors
    assert (again.created, again.updated) == (0, 0)
    assert Article.objects.filter(status="published").count() == first.created
    assert Question.objects.count() >= 300


@pytest.mark.parametrize(
    ("question", "external_id"),
    [
        ("卡丢了咋办", "KB-CARD-001"),
        ("我还款银行怎么更换", "KB-PAY-003"),
        ("账单能分期吗", "KB-INST-001"),
        ("取现要多少手续费", "KB-CASH-001"),
        ("怎么开户炒股", "KB-SEC-001"),
        ("基金卖了多久到账", "KB-FUND-002"),
        ("我要投诉", "KB-SVC-001"),
    ],
)
def test_colloquial_questions_find_the_demo_article_first(roles, question, external_id):
    demo_knowledge_load(password="Kefu#2026-test")

    hits = selectors.search_articles(q=question).hits

    assert hits[0].article.external_id == external_id
