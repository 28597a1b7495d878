"""KB-1 workflow: draft → review → published, versions, four eyes, events, sanitising."""

from __future__ import annotations

import pytest

from kefu.core.errors import Conflict, Forbidden, ValidationFailed
from kefu.knowledge import selectors, services
from kefu.knowledge.models import Article, ArticleEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(role_users):
    return services.article_create(
        by=role_users["editor"],
        title="附属卡申请",
        question="怎么申请附属卡",
        similar_questions=["给家人办副卡", "怎么申请附属卡", ""],
        answer_html="<p>主卡持卡人可为家人申请附属卡。</p>",
        tags=["附属卡", "申请"],
    )


def test_a_new_article_is_a_draft_with_version_1_and_is_not_searchable(draft):
    assert draft.status == Article.Status.DRAFT
    assert draft.current_version.number == 1
    assert draft.current_version.similar_questions == ["给家人办副卡"]
    assert sorted(t.name for t in draft.tags.all()) == ["申请", "附属卡"]
    assert selectors.search_articles(q="附属卡").hits == []


def test_submit_then_publish_by_a_reviewer_makes_it_searchable(draft, role_users):
    services.article_submit(article=draft, by=role_users["editor"])
    services.article_publish(article=draft, by=role_users["supervisor"])

    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert draft.published_version == draft.current_version
    assert [h.article.pk for h in selectors.search_articles(q="副卡").hits] == [draft.pk]
    assert list(draft.events.order_by("id").values_list("action", flat=True)) == [
        "knowledge.article.created",
        "knowledge.article.submitted",
        "knowledge.article.published",
    ]


def test_nobody_publishes_their_own_version(role_users):
    article = services.article_create(
        by=role_users["supervisor"], title="标题", question="问题", answer_html="<p>答</p>"
    )
    services.article_submit(article=article, by=role_users["supervisor"])

    with pytest.raises(Forbidden):
        services.article_publish(article=article, by=role_users["supervisor"])

    article.refresh_from_db()
    assert (article.status, article.published_version) == (Article.Status.REVIEW, None)


def test_a_draft_cannot_be_published_without_review(draft, role_users):
    with pytest.raises(Conflict):
        services.article_publish(article=draft, by=role_users["supervisor"])


def test_editing_a_published_article_makes_version_2_and_keeps_version_1_live(draft, role_users):
    services.article_submit(article=draft, by=role_users["editor"])
    services.article_publish(article=draft, by=role_users["supervisor"])

    services.article_update(
        article=draft,
        by=role_users["editor"],
        title="附属卡申请与额度",
        question="怎么申请附属卡",
        similar_questions=["副卡额度"],
        answer_html="<p>附属卡与主卡共享额度。</p>",
    )

    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
    assert (draft.current_version.number, draft.published_version.number) == (2, 1)
    assert selectors.search_articles(q="附属卡").hits[0].version.title == "附属卡申请"
    diff = selectors.version_diff(draft.published_version, draft.current_version)
    assert ("add", "附属卡与主卡共享额度。") in diff
    assert ("del", "主卡持卡人可为家人申请附属卡。") in diff


def test_sending_back_needs_a_reason_and_returns_to_draft(draft, role_users):
    services.article_submit(article=draft, by=role_users["editor"])

    with pytest.raises(ValidationFailed) as caught:
        services.article_reject(article=draft, by=role_users["supervisor"], reason=" ")
    assert list(caught.value.errors) == ["reason"]

    services.article_reject(article=draft, by=role_users["supervisor"], reason="补充年费说明")
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_an_article_in_review_cannot_be_edited(draft, role_users):
    services.article_submit(article=draft, by=role_users["editor"])

    with pytest.raises(Conflict):
        services.article_update(
            article=draft, by=role_users["editor"], title="x", question="y", answer_html="z"
        )


def test_html_is_sanitised(role_users):
    article = services.article_create(
        by=role_users["editor"],
        title="t",
        question="q",
        answer_html='<p onclick="steal()">拨打<script>alert(1)</script>'
        '<a href="javascript:alert(1)">这里</a></p><img src=x onerror=alert(1)>',
    )

    html = article.current_version.answer_html
    assert "script" not in html and "onclick" not in html and "onerror" not in html
    assert "javascript" not in html
    assert html.startswith("<p>拨打")


def test_missing_fields_are_named_and_nothing_is_saved(role_users):
    with pytest.raises(ValidationFailed) as caught:
        services.article_create(
            by=role_users["editor"], title=" ", question="", answer_html="<p></p>"
        )

    assert set(caught.value.errors) == {"title", "question", "answer"}
    assert Article.objects.count() == 0


def test_expiry_before_effective_date_is_refused(role_users):
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    with pytest.raises(ValidationFailed) as caught:
        services.article_create(
            by=None,
            title="t",
            question="q",
            answer_html="a",
            effective_from=now,
            expires_at=now - dt.timedelta(days=1),
        )
    assert list(caught.value.errors) == ["expires_at"]


def test_feedback_counts_one_answer_per_agent(draft, role_users):
    services.article_feedback_give(article=draft, by=role_users["agent"], helpful=True)
    services.article_feedback_give(article=draft, by=role_users["agent"], helpful=False)
    services.article_feedback_give(article=draft, by=role_users["tech"], helpful=True)

    draft.refresh_from_db()
    assert (draft.helpful_count, draft.unhelpful_count) == (1, 1)


def test_events_are_append_only(draft):
    event = ArticleEvent.objects.first()
    event.action = "changed"
    with pytest.raises(PermissionError):
        event.save()


def test_a_synonym_group_changes_search_after_the_rebuild(
    publish, role_users, django_capture_on_commit_callbacks
):
    article = publish("信用卡还款宽限期", answer="<p>到期还款日后有3天宽限期。</p>")
    before = selectors.search_articles(q="容时期").hits
    assert before[0].confidence < 0.2  # only the character 期 matched

    with django_capture_on_commit_callbacks(execute=False):
        services.synonym_group_save(words="宽限期, 容时期", by=role_users["editor"])
    from kefu.knowledge.search import backend

    backend().rebuild()

    after = selectors.search_articles(q="容时期").hits
    assert [h.article.pk for h in after] == [article.pk]
    assert after[0].confidence > 0.5
    assert "<mark>宽限期</mark>" in after[0].snippet_html


def test_a_synonym_group_needs_two_words(role_users):
    with pytest.raises(ValidationFailed) as caught:
        services.synonym_group_save(words="宽限期", by=role_users["editor"])
    assert list(caught.value.errors) == ["words"]
