"""GET /api/knowledge/search and the bot's answer: contract, permissions, bad input."""

from __future__ import annotations

import pytest

from kefu.core.models import AuditEvent
from kefu.knowledge.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(publish):
    lost = publish("信用卡挂失办理", similar=["卡丢了怎么办"], answer="<p>请立即<b>挂失</b>。</p>")
    fee = publish("年费收取标准", answer="<p>首年免年费。</p>")
    Article.objects.filter(pk=lost.pk).update(external_id="FAQ-LOST")
    return lost, fee


def test_search_returns_the_contract_best_first(articles, role_users, api_client_for):
    lost, _fee = articles
    response = api_client_for(role_users["agent"]).get(
        "/api/knowledge/search", {"q": "卡丢了咋办", "limit": 10}
    )

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["results"]
    first = body["results"][0]
    assert set(first) == {"id", "external_id", "title", "score", "snippet"}
    assert (first["id"], first["external_id"], first["title"]) == (
        lost.pk,
        "FAQ-LOST",
        "信用卡挂失办理",
    )
    assert "<mark>" in first["snippet"]
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)


def test_service_accounts_may_search(articles, role_users, api_client_for):
    response = api_client_for(role_users["telephony"]).get("/api/knowledge/search", {"q": "年费"})

    assert response.status_code == 200
    assert response.json()["results"][0]["title"] == "年费收取标准"


def test_a_role_without_the_permission_is_refused(articles, role_users, api_client_for):
    before = AuditEvent.objects.count()

    response = api_client_for(role_users["partner"]).get("/api/knowledge/search", {"q": "年费"})

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert AuditEvent.objects.exclude(action__startswith="auth.").count() == before


def test_an_empty_query_is_a_problem_naming_q(role_users, api_client_for):
    response = api_client_for(role_users["agent"]).get("/api/knowledge/search", {"q": "  "})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "q"


@pytest.mark.parametrize("q", ["a" * 5000, "hello world", "😀😀", "<script>"])
def test_odd_queries_never_fail(articles, role_users, api_client_for, q):
    response = api_client_for(role_users["agent"]).get("/api/knowledge/search", {"q": q})

    assert response.status_code == 200


def test_limit_is_bounded(articles, role_users, api_client_for):
    client = api_client_for(role_users["agent"])

    assert client.get("/api/knowledge/search", {"q": "年费", "limit": 0}).status_code == 422
    assert client.get("/api/knowledge/search", {"q": "年费", "limit": 51}).status_code == 422
    assert (
        len(client.get("/api/knowledge/search", {"q": "卡 年费", "limit": 1}).json()["results"])
        == 1
    )


def test_bot_answers_with_confidence_or_hands_over(articles, role_users, api_client_for):
    client = api_client_for(role_users["telephony"])

    sure = client.get("/api/knowledge/bot-answer", {"q": "信用卡挂失怎么办理"}).json()
    unsure = client.get("/api/knowledge/bot-answer", {"q": "今天天气怎么样"}).json()

    assert sure["confident"] is True and sure["title"] == "信用卡挂失办理"
    assert sure["answer"] == "请立即挂失。"
    assert unsure["confident"] is False and unsure["article_id"] is None
    assert Article.objects.get(pk=sure["article_id"]).bot_answer_count == 1


def test_an_article_in_draft_is_not_served(role_users, api_client_for):
    from kefu.knowledge import services

    draft = services.article_create(by=None, title="草稿", question="草稿", answer_html="x")

    response = api_client_for(role_users["agent"]).get(f"/api/knowledge/articles/{draft.pk}")

    assert response.status_code == 404
