"""Knowledge reads: search with highlighting (KB-2), suggestions and the bot's answer (KB-3).

Other apps call these three functions; nothing else of this app is their business:

- ``search_articles(q=..., category_id=None, limit=10)`` → SearchResults
- ``suggest_articles(text=..., limit=5)`` → list[Hit] (empty for text too short to mean much)
- ``bot_answer(text=...)`` → BotAnswer (``confident`` False means "hand over to an agent")

See docs/knowledge.md for the htmx partial that any form can embed.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kefu.core.errors import NotFound
from kefu.knowledge.analysis import MAX_QUERY_CHARS, Analysis, clean_query
from kefu.knowledge.models import Article, ArticleVersion, Category
from kefu.knowledge.sanitize import html_to_text
from kefu.knowledge.search import articles_by_id, backend

SNIPPET_CHARS = 90
# A bot answer needs this share of the best score a document could reach for the question.
BOT_CONFIDENCE = 0.45
# ... and this lead over the second article (otherwise two answers fit equally well).
BOT_MARGIN = 1.15
SUGGEST_MIN_CHARS = 2


@dataclass
class Hit:
    article: Article
    version: ArticleVersion
    score: float
    confidence: float
    title_html: SafeString
    snippet_html: SafeString

    @property
    def external_id(self) -> str | None:
        return self.article.external_id


@dataclass
class SearchResults:
    query: str
    hits: list[Hit] = field(default_factory=list)
    notice: str = ""  # shown above the results: truncated, nothing to search for, …
    error: str = ""  # the query cannot be searched (empty): say what to do


@dataclass
class BotAnswer:
    confident: bool
    confidence: float
    article: Article | None = None
    title: str = ""
    answer_text: str = ""
    message: str = ""


def category_descendants(category_id: int) -> list[int]:
    """The category and every category below it."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    out, stack = [], [category_id]
    while stack:
        pk = stack.pop()
        out.append(pk)
        stack.extend(children.get(pk, ()))
    return out


def category_choices() -> list[tuple[int, str]]:
    """(id, "信用卡 › 还款") for every category, tree order."""
    rows = list(Category.objects.values_list("pk", "parent_id", "name", "position"))
    by_parent: dict[int | None, list[tuple]] = {}
    for row in rows:
        by_parent.setdefault(row[1], []).append(row)
    out: list[tuple[int, str]] = []

    def walk(parent: int | None, prefix: str) -> None:
        for pk, _parent, name, _pos in sorted(
            by_parent.get(parent, ()), key=lambda r: (r[3], r[2])
        ):
            label = f"{prefix} › {name}" if prefix else name
            out.append((pk, label))
            walk(pk, label)

    walk(None, "")
    return out


# --- highlighting --------------------------------------------------------------------------


def highlight_terms(analysis: Analysis) -> list[str]:
    """Words to mark in results: what the customer said and the synonyms it was read as."""
    terms: set[str] = set()
    for w in (*analysis.surface, *analysis.words, *analysis.related):
        if len(w) >= 2 or (w.isascii() and w.isalnum()):
            terms.add(w)
    if not terms:  # a one-character question: mark that character
        terms = {w for w in analysis.surface if w.strip()}
    return sorted(terms, key=len, reverse=True)


def _pattern(terms: Sequence[str]) -> re.Pattern | None:
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)


def mark(text: str, pattern: re.Pattern | None) -> SafeString:
    """HTML-escaped ``text`` with <mark> around every match of ``pattern``."""
    if pattern is None:
        return mark_safe(html.escape(text))  # noqa: S308  (escaped)
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(html.escape(text[last : m.start()]))
        out.append(f"<mark>{html.escape(m.group(0))}</mark>")
        last = m.end()
    out.append(html.escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308  (every piece is escaped)


def snippet(text: str, pattern: re.Pattern | None, width: int = SNIPPET_CHARS) -> SafeString:
    """The window of ``text`` with the most matches, marked."""
    text = " ".join(text.split())
    if len(text) <= width or pattern is None:
        cut = text[:width] + ("…" if len(text) > width else "")
        return mark(cut, pattern)
    starts = [m.start() for m in pattern.finditer(text)]
    best, best_count = 0, -1
    for s in starts:
        begin = max(0, s - 10)
        count = sum(1 for x in starts if begin <= x < begin + width)
        if count > best_count:
            best, best_count = begin, count
    piece = text[best : best + width]
    prefix = "…" if best > 0 else ""
    suffix = "…" if best + width < len(text) else ""
    return mark_safe(f"{prefix}{mark(piece, pattern)}{suffix}")  # noqa: S308


# --- search, suggestions, bot ------------------------------------------------------------


def _hits(analysis: Analysis, raw: Iterable) -> list[Hit]:
    raw = list(raw)
    articles = articles_by_id(r.article_id for r in raw)
    pattern = _pattern(highlight_terms(analysis))
    hits = []
    for r in raw:
        article = articles.get(r.article_id)
        if article is None or article.published_version is None:
            continue  # removed between the index read and this one
        version = article.published_version
        body = " ".join(
            [version.question, *version.similar_questions[:3], html_to_text(version.answer_html)]
        )
        hits.append(
            Hit(
                article=article,
                version=version,
                score=round(r.score, 4),
                confidence=round(r.confidence, 3),
                title_html=mark(version.title, pattern),
                snippet_html=snippet(body, pattern),
            )
        )
    return hits


def search_articles(
    *, q: str | None, category_id: int | None = None, limit: int = 10, now=None
) -> SearchResults:
    """Published, valid articles best first for a question as a customer put it.

    Never raises for odd input: an empty query gets ``error``; a query over 200 characters
    is searched by its first 200 with a ``notice``; a query with nothing searchable
    (punctuation only) gets a notice and no hits.
    """
    text, truncated = clean_query(q)
    results = SearchResults(query=text)
    if not text:
        results.error = _("Type a question or a few words to search for.")
        return results
    if truncated:
        results.notice = _("Only the first %(n)d characters of the question were searched.") % {
            "n": MAX_QUERY_CHARS
        }
    categories = category_descendants(category_id) if category_id else None
    analysis, raw = backend().search(
        text=text, limit=max(1, min(limit, 50)), categories=categories, now=now
    )
    if not analysis.chars and not analysis.words:
        results.notice = _("The question has no words to search for; try a few key words.")
        return results
    results.hits = _hits(analysis, raw)
    return results


def suggest_articles(*, text: str | None, limit: int = 5) -> list[Hit]:
    """Articles that answer what is being typed (KB-3); empty while it is too short."""
    query, _truncated = clean_query(text)
    if len(query) < SUGGEST_MIN_CHARS:
        return []
    return search_articles(q=query, limit=limit).hits


def bot_answer(*, text: str | None, now=None) -> BotAnswer:
    """The chat bot's answer: the best article's text when its confidence reaches
    BOT_CONFIDENCE and it clearly beats the next one; otherwise "no confident answer", and
    the bot hands the customer over to an agent."""
    query, _truncated = clean_query(text)
    no_answer = BotAnswer(
        confident=False, confidence=0.0, message=_("No confident answer: hand over to an agent.")
    )
    if not query:
        return no_answer
    results = search_articles(q=query, limit=2, now=now)
    if not results.hits:
        return no_answer
    best = results.hits[0]
    runner_up = results.hits[1].score if len(results.hits) > 1 else 0.0
    confident = best.confidence >= BOT_CONFIDENCE and best.score >= BOT_MARGIN * runner_up
    if not confident:
        no_answer.confidence = best.confidence
        return no_answer
    return BotAnswer(
        confident=True,
        confidence=best.confidence,
        article=best.article,
        title=best.version.title,
        answer_text=html_to_text(best.version.answer_html),
    )


# --- articles ----------------------------------------------------------------------------


def article_get_live(*, pk: int, now=None) -> Article:
    """A published article valid now (agents, the bot); NotFound otherwise."""
    article = (
        Article.objects.live(now=now)
        .select_related("published_version", "category")
        .prefetch_related("tags", "attachments")
        .filter(pk=pk)
        .first()
    )
    if article is None:
        raise NotFound(_("No published article with this number is valid now."))
    return article


def article_get_for_editor(*, pk: int) -> Article:
    article = (
        Article.objects.select_related("current_version", "published_version", "category")
        .prefetch_related("tags", "attachments")
        .filter(pk=pk)
        .first()
    )
    if article is None:
        raise NotFound(_("No article with this number."))
    return article


def articles_for_editor(*, status: str | None = None, text: str = "") -> QuerySet[Article]:
    qs = Article.objects.select_related("current_version", "published_version", "category")
    if status:
        qs = qs.filter(status=status)
    if text:
        qs = qs.filter(current_version__title__icontains=text)
    return qs.order_by("-updated_at", "-id")


def version_diff(old: ArticleVersion | None, new: ArticleVersion) -> list[tuple[str, str]]:
    """Line diff of two versions as (kind, line), kind in "same", "add", "del"."""

    def lines(v: ArticleVersion | None) -> list[str]:
        if v is None:
            return []
        return [
            f"{_('Title')}: {v.title}",
            f"{_('Standard question')}: {v.question}",
            *(f"{_('Similar question')}: {q}" for q in v.similar_questions),
            *html_to_text(v.answer_html).splitlines(),
        ]

    out = []
    for line in difflib.ndiff(lines(old), lines(new)):
        code, text = line[:2], line[2:]
        if code == "  ":
            out.append(("same", text))
        elif code == "+ ":
            out.append(("add", text))
        elif code == "- ":
            out.append(("del", text))
    return out


def now_valid(article: Article) -> bool:
    return article.is_valid_at(timezone.now())
