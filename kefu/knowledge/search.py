"""The knowledge search service (KB-2), consistent across web processes.

The database holds the index: one SearchDocument row per published article with its
analysed terms, and one SearchIndexState row whose ``seq`` goes up with every change
(publish, edit, expiry, archive) and whose ``lexicon_version`` goes up when the dictionary
or the synonyms change. Each process keeps a numpy copy of the postings
(``kefu.knowledge.engine``) and, before every search, reads the state row (one indexed
primary-key read): when ``seq`` moved it applies the changed rows, when the lexicon or the
generation changed it rebuilds. No process can serve results older than the last commit.

Writers take the state row's lock to number their change, so a reader that sees ``seq = n``
also sees every row numbered up to n.

Everything goes through ``SearchBackend``; ``DatabaseBackend`` is the default. A search
server (OpenSearch/Elasticsearch with a jieba analyser, or Meilisearch) would implement the
same four methods; see docs/knowledge.md, "Scaling out".
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from kefu.knowledge.analysis import Analysis, Analyzer, Lexicon, packaged_lexicon
from kefu.knowledge.engine import NEVER, Document, MemoryIndex
from kefu.knowledge.models import (
    Article,
    ArticleVersion,
    SearchDocument,
    SearchIndexState,
    SynonymGroup,
    UserWord,
)
from kefu.knowledge.sanitize import html_to_text

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RawHit:
    article_id: int
    score: float
    confidence: float


class SearchBackend(Protocol):
    """What Kefu needs from a search engine."""

    def index(self, *, article: Article) -> None:
        """Make the article's published version findable (or replace it)."""

    def remove(self, *, article: Article) -> None:
        """Make the article unfindable."""

    def rebuild(self) -> int:
        """Re-analyse every published article (after a dictionary change)."""

    def search(
        self, *, text: str, limit: int, categories: Sequence[int] | None = None, now=None
    ) -> tuple[Analysis, list[RawHit]]:
        """Analyse ``text`` and return the best live articles, best first."""


# --- the analyser of the current lexicon ---------------------------------------------------

_analyzers: dict[tuple[str, int], Analyzer] = {}
_analyzers_by_lexicon: dict[Lexicon, Analyzer] = {}
_analyzer_lock = threading.Lock()


def lexicon_from_database() -> Lexicon:
    """The packaged banking dictionary and synonyms plus the editors' additions."""
    from kefu.knowledge.analysis import parse_dictionary_line, parse_synonym_line

    words = tuple(
        (parse_dictionary_line(w)[0], f)
        for w, f in UserWord.objects.values_list("word", "frequency")
    )
    groups = tuple(
        g
        for g in (
            parse_synonym_line(w) for w in SynonymGroup.objects.values_list("words", flat=True)
        )
        if len(g) > 1
    )
    # editors' groups come first: a word they moved to another group follows their choice
    return Lexicon(words=packaged_lexicon().words + words, synonyms=groups).merged(
        Lexicon(synonyms=packaged_lexicon().synonyms)
    )


def analyzer_for(generation: str, lexicon_version: int) -> Analyzer:
    """The analyser of the lexicon stamped (generation, version), built once per process."""
    key = (generation, lexicon_version)
    with _analyzer_lock:
        analyzer = _analyzers.get(key)
        if analyzer is None:
            lexicon = lexicon_from_database()
            analyzer = _analyzers_by_lexicon.get(lexicon)
            if analyzer is None:
                segmenter = getattr(settings, "KEFU_KB_SEGMENTER", "rjieba")
                analyzer = Analyzer(lexicon, segmenter=segmenter)
                if len(_analyzers_by_lexicon) >= 4:
                    _analyzers_by_lexicon.clear()
                _analyzers_by_lexicon[lexicon] = analyzer
            _analyzers.clear()
            _analyzers[key] = analyzer
        return analyzer


def current_analyzer() -> Analyzer:
    state = (
        SearchIndexState.objects.filter(pk=1).values_list("generation", "lexicon_version").first()
    ) or ("", 0)
    return analyzer_for(*state)


def analysis_terms(analysis: Analysis) -> dict[str, list[str]]:
    return {"words": analysis.words, "chars": analysis.chars, "sounds": analysis.sounds}


def stored_terms(analysis: Analysis) -> dict[str, str]:
    """The terms of each kind joined by spaces: what a SearchDocument row keeps (a string
    per kind decodes several times faster than a JSON list when a process loads the index;
    the engine reads both forms)."""
    return {kind: " ".join(terms) for kind, terms in analysis_terms(analysis).items()}


def version_terms(version: ArticleVersion, analyzer: Analyzer) -> dict[str, dict[str, str]]:
    questions = " \n ".join([version.question, *version.similar_questions])
    return {
        "title": stored_terms(analyzer.analyze(version.title)),
        "questions": stored_terms(analyzer.analyze(questions)),
        "answer": stored_terms(analyzer.analyze(html_to_text(version.answer_html))),
    }


def _epoch(value) -> float | None:
    return value.timestamp() if value is not None else None


# --- the database backend --------------------------------------------------------------------


def _state_for_update() -> SearchIndexState:
    state = SearchIndexState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        state = SearchIndexState.objects.create(pk=1, generation=uuid.uuid4().hex)
    return state


class DatabaseBackend:
    """Index rows in the database, a numpy copy per process, refreshed before each search."""

    def __init__(self) -> None:
        self.memory = MemoryIndex()
        self.generation = ""
        self.seq = -1
        self.lexicon_version = -1
        self.lock = threading.Lock()

    # writing (inside the caller's transaction)

    @transaction.atomic
    def index(self, *, article: Article) -> None:
        version = article.published_version
        if version is None:
            self.remove(article=article)
            return
        state = _state_for_update()
        state.seq += 1
        state.updated_at = timezone.now()
        state.save(update_fields=["seq", "updated_at"])
        analyzer = analyzer_for(state.generation, state.lexicon_version)
        SearchDocument.objects.update_or_create(
            article=article,
            defaults={
                "seq": state.seq,
                "live": article.status != Article.Status.ARCHIVED,
                "category_id_value": article.category_id,
                "valid_from": article.effective_from,
                "valid_until": article.expires_at,
                "terms": version_terms(version, analyzer),
                "lexicon_version": state.lexicon_version,
            },
        )

    @transaction.atomic
    def remove(self, *, article: Article) -> None:
        state = _state_for_update()
        state.seq += 1
        state.updated_at = timezone.now()
        state.save(update_fields=["seq", "updated_at"])
        SearchDocument.objects.filter(article=article).update(live=False, seq=state.seq)

    def bump_lexicon(self) -> int:
        """Start using a changed dictionary; call rebuild() (a background task) next."""
        with transaction.atomic():
            state = _state_for_update()
            state.lexicon_version += 1
            state.seq += 1
            state.save(update_fields=["lexicon_version", "seq"])
            return state.lexicon_version

    def rebuild(self) -> int:
        """Re-analyse every indexed article with the current lexicon, in batches."""
        done = 0
        ids = list(SearchDocument.objects.filter(live=True).values_list("article_id", flat=True))
        for start in range(0, len(ids), 500):
            with transaction.atomic():
                for article in Article.objects.filter(
                    pk__in=ids[start : start + 500]
                ).select_related("published_version"):
                    self.index(article=article)
                    done += 1
        return done

    # reading

    def _document(self, row: dict) -> Document:
        return Document(
            key=row["article_id"],
            terms=row["terms"],
            category=row["category_id_value"] if row["category_id_value"] is not None else -1,
            valid_from=_epoch(row["valid_from"]) or -NEVER,
            valid_until=_epoch(row["valid_until"]) or NEVER,
        )

    _fields = ("article_id", "terms", "category_id_value", "valid_from", "valid_until", "seq")

    def _state(self) -> tuple[str, int, int]:
        """(generation, seq, lexicon version) as committed: one primary-key read before
        every search, in plain SQL because it runs on every request."""
        table = connection.ops.quote_name(SearchIndexState._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT generation, seq, lexicon_version FROM {table} WHERE id = %s",  # noqa: S608
                [1],
            )
            row = cursor.fetchone()
        return (row[0], row[1], row[2]) if row else ("", 0, 0)

    def refresh(self) -> None:
        """Bring this process's copy up to the committed state of the database."""
        generation, seq, lexicon_version = self._state()
        with self.lock:
            if (generation, seq, lexicon_version) == (
                self.generation,
                self.seq,
                self.lexicon_version,
            ):
                return
            full = (
                generation != self.generation
                or lexicon_version != self.lexicon_version
                or self.memory.needs_rebuild()
            )
            if full:
                rows = SearchDocument.objects.filter(live=True).values(*self._fields)
                started = timezone.now()
                # streamed: the rows are never all in memory at once
                self.memory.rebuild(self._document(r) for r in rows.iterator(chunk_size=2000))
                newest = seq
                logger.info(
                    "Knowledge search index loaded: %d articles in %.2f s",
                    len(self.memory),
                    (timezone.now() - started).total_seconds(),
                )
            else:
                newest = self.seq
                for row in SearchDocument.objects.filter(seq__gt=self.seq).values(
                    *self._fields, "live"
                ):
                    if row["live"]:
                        self.memory.add(self._document(row))
                    else:
                        self.memory.remove(row["article_id"])
                    newest = max(newest, row["seq"])
            self.generation = generation
            self.lexicon_version = lexicon_version
            self.seq = max(seq, newest)

    def search(
        self, *, text: str, limit: int, categories: Sequence[int] | None = None, now=None
    ) -> tuple[Analysis, list[RawHit]]:
        self.refresh()
        analysis = analyzer_for(self.generation, self.lexicon_version).analyze(text)
        terms = analysis_terms(analysis)
        now = now or timezone.now()
        hits = self.memory.search(terms, limit=limit, now=now.timestamp(), categories=categories)
        bound = self.memory.max_score(terms) or 1.0
        return analysis, [RawHit(key, score, min(score / bound, 1.0)) for key, score in hits]


DEFAULT_BACKEND = "kefu.knowledge.search.DatabaseBackend"
_backend: SearchBackend | None = None
_backend_lock = threading.Lock()


def backend() -> SearchBackend:
    """The configured backend (KEFU_KB_SEARCH_BACKEND), one per process."""
    global _backend
    with _backend_lock:
        if _backend is None:
            _backend = import_string(getattr(settings, "KEFU_KB_SEARCH_BACKEND", DEFAULT_BACKEND))()
        return _backend


def reset_backend() -> None:
    """Forget this process's copy (tests, and after a configuration change)."""
    global _backend
    with _backend_lock:
        _backend = None


def articles_by_id(ids: Iterable[int]) -> dict[int, Article]:
    return {
        a.pk: a
        for a in Article.objects.filter(pk__in=list(ids))
        .select_related("published_version", "category")
        .order_by()
    }
