"""``kefu kb import``: FAQ pairs from CSV or JSON Lines (KB-1).

Fields: ``question`` and ``answer`` (required), ``similar`` (a list in JSON Lines; in CSV
separated by ``|`` or newlines), ``category`` (a path, ``信用卡/还款``), ``id`` (an external id:
importing the same id again updates the article instead of adding one). Imported articles
are published at once (the file is the reviewed source). A bad row is reported with its line
number and skipped; the good rows are kept.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from kefu.core.errors import KefuError
from kefu.core.models import User
from kefu.knowledge import services
from kefu.knowledge.models import Article
from kefu.knowledge.sanitize import sanitize_html, text_to_html

MAX_QUESTION = 200


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return _("line %(line)d, %(field)s: %(message)s") % {
            "line": self.line,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len({e.line for e in self.errors})


def detect_format(name: str, head: bytes) -> str:
    lowered = name.lower()
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lowered.endswith(".csv"):
        return "csv"
    return "jsonl" if head.lstrip().startswith(b"{") else "csv"


def read_rows(stream: IO[bytes], fmt: str) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """(line number, row or None, problem) for each row of the file."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    if fmt == "csv":
        reader = csv.DictReader(text)
        fields = {f.strip().lower() for f in reader.fieldnames or []}
        missing = {"question", "answer"} - fields
        if missing:
            yield 1, None, _("The header needs the columns question and answer.")
            return
        for row in reader:
            clean = {(k or "").strip().lower(): v for k, v in row.items()}
            similar = clean.get("similar") or ""
            clean["similar"] = [s for s in similar.replace("\n", "|").split("|") if s.strip()]
            yield reader.line_num, clean, ""
        return
    for number, line in enumerate(text, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, None, _("not valid JSON (%(problem)s)") % {"problem": exc.msg}
            continue
        if not isinstance(value, dict):
            yield number, None, _("a line must be a JSON object")
            continue
        yield number, value, ""


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _row_errors(line: int, row: dict[str, Any]) -> list[RowError]:
    errors = []
    question, answer = _text(row.get("question")), _text(row.get("answer"))
    if not question:
        errors.append(RowError(line, "question", _("the question is missing")))
    elif len(question) > MAX_QUESTION:
        errors.append(RowError(line, "question", _("the question is longer than 200 characters")))
    if not answer:
        errors.append(RowError(line, "answer", _("the answer is missing")))
    similar = row.get("similar", [])
    if similar is not None and not isinstance(similar, list):
        errors.append(RowError(line, "similar", _("similar must be a list of questions")))
    if len(_text(row.get("id"))) > 64:
        errors.append(RowError(line, "id", _("the id is longer than 64 characters")))
    return errors


def _answer_html(answer: str) -> str:
    return sanitize_html(answer) if "<" in answer and ">" in answer else text_to_html(answer)


@transaction.atomic
def import_row(*, row: dict[str, Any], by: User | None) -> str:
    """Create or update one article from a row; "created", "updated" or "unchanged"."""
    question = _text(row.get("question"))
    answer_html = _answer_html(_text(row.get("answer")))
    similar = [_text(s) for s in row.get("similar") or [] if _text(s)]
    path = [p for p in _text(row.get("category")).replace("›", "/").split("/") if p.strip()]
    category = services.category_ensure(path=path) if path else None
    external_id = _text(row.get("id")) or None
    title = _text(row.get("title")) or question
    existing = (
        Article.objects.select_related("current_version").filter(external_id=external_id).first()
        if external_id
        else None
    )
    if existing is None:
        article = services.article_create(
            by=by,
            title=title,
            question=question,
            answer_html=answer_html,
            similar_questions=similar,
            category=category,
            external_id=external_id,
            note=_("imported"),
        )
        services.article_publish(article=article, by=by, skip_review=True)
        return "created"
    version = existing.current_version
    same = (
        version is not None
        and (version.title, version.question, version.similar_questions, version.answer_html)
        == (title, question, similar, sanitize_html(answer_html))
        and existing.category_id == (category.pk if category else None)
        and existing.published_version_id == version.pk
    )
    if same:
        return "unchanged"
    if existing.status == Article.Status.REVIEW:
        services.article_reject(article=existing, by=by, reason=_("replaced by an import"))
    article = services.article_update(
        article=existing,
        by=by,
        title=title,
        question=question,
        answer_html=answer_html,
        similar_questions=similar,
        category=category,
        effective_from=existing.effective_from,
        expires_at=existing.expires_at,
        note=_("imported"),
    )
    if article.published_version_id != article.current_version_id:
        services.article_publish(article=article, by=by, skip_review=True)
    return "updated"


def import_rows(
    rows: Iterable[tuple[int, dict[str, Any] | None, str]],
    *,
    by: User | None,
    progress: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    result = ImportResult()
    seen: dict[str, int] = {}
    for line, row, problem in rows:
        result.rows += 1
        if row is None:
            result.errors.append(RowError(line, "line", problem))
        else:
            errors = _row_errors(line, row)
            external_id = _text(row.get("id"))
            if not errors and external_id and external_id in seen:
                errors = [
                    RowError(
                        line,
                        "id",
                        _("the id %(id)s was already on line %(first)d")
                        % {"id": external_id, "first": seen[external_id]},
                    )
                ]
            if errors:
                result.errors.extend(errors)
            else:
                if external_id:
                    seen[external_id] = line
                try:
                    outcome = import_row(row=row, by=by)
                except KefuError as exc:
                    fields = list(exc.errors) or ["row"]
                    result.errors.append(RowError(line, fields[0], exc.message))
                else:
                    setattr(result, outcome, getattr(result, outcome) + 1)
        if progress is not None:
            progress(result)
    return result
