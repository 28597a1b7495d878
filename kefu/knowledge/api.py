"""Knowledge API: search (KB-2), the bot's answer (KB-3) and one article."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from kefu.core.errors import ValidationFailed
from kefu.core.permissions import check_perms
from kefu.core.roles import VIEW_ARTICLE
from kefu.knowledge import selectors, services
from kefu.knowledge.sanitize import html_to_text

router = Router(tags=["knowledge"])


class SearchHitOut(Schema):
    id: int
    external_id: str | None
    title: str
    score: float
    snippet: str = Field(description="Plain text, HTML-escaped, with <mark> around matches.")


class SearchOut(Schema):
    results: list[SearchHitOut]


class SearchParams(Schema):
    q: str = ""
    limit: int = Field(10, ge=1, le=50)
    category: int | None = None


@router.get("/search", response=SearchOut, summary="Search published articles")
def search(request: HttpRequest, params: Query[SearchParams]):
    """Articles best first for a question in the customer's words (KB-2)."""
    check_perms(request.user, VIEW_ARTICLE)
    results = selectors.search_articles(q=params.q, category_id=params.category, limit=params.limit)
    if results.error:
        raise ValidationFailed(results.error, errors={"q": [results.error]})
    return {
        "results": [
            SearchHitOut(
                id=h.article.pk,
                external_id=h.article.external_id,
                title=h.version.title,
                score=h.score,
                snippet=str(h.snippet_html),
            )
            for h in results.hits
        ]
    }


class BotAnswerOut(Schema):
    confident: bool
    confidence: float
    article_id: int | None
    title: str
    answer: str
    message: str


@router.get("/bot-answer", response=BotAnswerOut, summary="The chat bot's answer or a hand-over")
def bot_answer(request: HttpRequest, q: str = ""):
    """The best answer with a confidence, or ``confident: false`` (hand over to an agent)."""
    check_perms(request.user, VIEW_ARTICLE)
    answer = selectors.bot_answer(text=q)
    if answer.article is not None:
        services.article_record_bot_answer(article=answer.article)
    return BotAnswerOut(
        confident=answer.confident,
        confidence=answer.confidence,
        article_id=answer.article.pk if answer.article else None,
        title=answer.title,
        answer=answer.answer_text,
        message=answer.message,
    )


class ArticleOut(Schema):
    id: int
    external_id: str | None
    title: str
    question: str
    similar_questions: list[str]
    answer_html: str
    answer_text: str
    category: str
    version: int


@router.get("/articles/{int:article_id}", response=ArticleOut, summary="One published article")
def article_detail(request: HttpRequest, article_id: int):
    check_perms(request.user, VIEW_ARTICLE)
    article = selectors.article_get_live(pk=article_id)
    version = article.published_version
    assert version is not None
    return ArticleOut(
        id=article.pk,
        external_id=article.external_id,
        title=version.title,
        question=version.question,
        similar_questions=version.similar_questions,
        answer_html=version.answer_html,
        answer_text=html_to_text(version.answer_html),
        category=article.category.name if article.category else "",
        version=version.number,
    )
