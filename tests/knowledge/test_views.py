"""Knowledge pages: agent search, article, suggestions partial, workflow permissions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kefu.knowledge import services
from kefu.knowledge.models import Article, ArticleFeedback

pytestmark = pytest.mark.django_db


@pytest.fixture
def lost(publish):
    return publish("信用卡挂失办理", similar=["卡丢了怎么办"], answer="<p>请立即挂失。</p>")


def test_an_agent_searches_and_sees_highlighted_results(lost, role_users, client_for):
    response = client_for(role_users["agent"]).get(reverse("knowledge:search"), {"q": "卡丢了咋办"})

    assert response.status_code == 200
    assert f'data-article="{lost.pk}"' in response.text
    assert "<mark>挂失</mark>" in response.text


def test_the_htmx_search_returns_only_the_results(lost, role_users, client_for):
    response = client_for(role_users["agent"]).get(
        reverse("knowledge:search"), {"q": "挂失"}, headers={"HX-Request": "true"}
    )

    assert "<html" not in response.text and "kb-hit-list" in response.text


def test_bad_queries_show_a_message(lost, role_users, client_for):
    client = client_for(role_users["agent"])

    assert "error" in client.get(reverse("knowledge:search"), {"q": ""}).text
    assert client.get(reverse("knowledge:search"), {"q": "x" * 3000}).status_code == 200


def test_the_suggestion_partial_lists_articles_for_typed_text(lost, role_users, client_for):
    response = client_for(role_users["complaint"]).get(
        reverse("knowledge:suggest"), {"text": "客户说卡丢了"}
    )

    assert response.status_code == 200
    assert reverse("knowledge:article", args=[lost.pk]) in response.text
    short = client_for(role_users["agent"]).get(reverse("knowledge:suggest"), {"text": "卡"})
    assert "<li>" not in short.text


def test_opening_an_article_counts_a_view_and_feedback_is_recorded(lost, role_users, client_for):
    client = client_for(role_users["agent"])

    assert client.get(reverse("knowledge:article", args=[lost.pk])).status_code == 200
    response = client.post(reverse("knowledge:feedback", args=[lost.pk]), {"helpful": "1"})

    lost.refresh_from_db()
    assert (lost.view_count, lost.helpful_count, response.status_code) == (1, 1, 200)


def test_a_draft_article_page_is_not_found_for_agents(role_users, client_for):
    draft = services.article_create(by=None, title="草稿", question="草稿", answer_html="x")

    assert (
        client_for(role_users["agent"])
        .get(reverse("knowledge:article", args=[draft.pk]))
        .status_code
        == 404
    )


def test_partner_department_cannot_search_or_give_feedback(lost, role_users, client_for):
    client = client_for(role_users["partner"])

    assert client.get(reverse("knowledge:search"), {"q": "挂失"}).status_code == 403
    assert (
        client.post(reverse("knowledge:feedback", args=[lost.pk]), {"helpful": "1"}).status_code
        == 403
    )
    assert ArticleFeedback.objects.count() == 0


def test_an_editor_writes_and_submits_but_cannot_publish(role_users, client_for):
    client = client_for(role_users["editor"])
    response = client.post(
        reverse("knowledge:new"),
        {
            "title": "附属卡",
            "question": "怎么办附属卡",
            "similar_questions": "副卡\n家人卡",
            "answer_html": "<p>可以</p>",
            "tags": "卡, 申请",
        },
    )
    article = Article.objects.get()
    assert response.status_code == 302

    client.post(reverse("knowledge:submit", args=[article.pk]))
    refused = client.post(reverse("knowledge:publish", args=[article.pk]))

    article.refresh_from_db()
    assert refused.status_code == 403
    assert (article.status, article.published_version) == ("review", None)


def test_a_supervisor_publishes_what_the_editor_submitted(role_users, client_for):
    article = services.article_create(
        by=role_users["editor"], title="附属卡", question="怎么办附属卡", answer_html="可以"
    )
    services.article_submit(article=article, by=role_users["editor"])

    client_for(role_users["supervisor"]).post(reverse("knowledge:publish", args=[article.pk]))

    article.refresh_from_db()
    assert article.status == "published"


def test_an_agent_cannot_edit_or_open_the_review_pages(lost, role_users, client_for):
    client = client_for(role_users["agent"])

    assert client.get(reverse("knowledge:edit", args=[lost.pk])).status_code == 403
    assert client.get(reverse("knowledge:manage_list")).status_code == 403
    assert client.post(reverse("knowledge:archive", args=[lost.pk])).status_code == 403
    lost.refresh_from_db()
    assert lost.status == "published"


def test_the_article_form_shows_field_errors(role_users, client_for):
    response = client_for(role_users["editor"]).post(
        reverse("knowledge:new"), {"title": "", "question": "", "answer_html": ""}
    )

    assert response.status_code == 400
    assert Article.objects.count() == 0


def test_editors_manage_synonyms_agents_cannot(
    role_users, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        ok = client_for(role_users["editor"]).post(
            reverse("knowledge:lexicon"), {"syn-words": "宽限期,容时期"}
        )
    refused = client_for(role_users["agent"]).post(
        reverse("knowledge:lexicon"), {"syn-words": "a,b"}
    )

    assert (ok.status_code, refused.status_code) == (302, 403)
    from kefu.knowledge.models import SynonymGroup

    assert list(SynonymGroup.objects.values_list("words", flat=True)) == ["宽限期,容时期"]


def test_manage_pages_render_for_editors_and_reviewers(lost, role_users, client_for):
    for role in ("editor", "supervisor"):
        client = client_for(role_users[role])
        assert client.get(reverse("knowledge:manage_list")).status_code == 200
        assert client.get(reverse("knowledge:manage", args=[lost.pk])).status_code == 200
    assert (
        client_for(role_users["editor"]).get(reverse("knowledge:edit", args=[lost.pk])).status_code
        == 200
    )
    assert client_for(role_users["editor"]).get(reverse("knowledge:lexicon")).status_code == 200
