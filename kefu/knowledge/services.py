"""Knowledge base use cases (KB-1, KB-2): articles and their workflow, feedback, lexicon.

Workflow: draft → review → published (→ a new draft version while the published one stays
live) → archived. Editors write and submit; a reviewer (supervisor, manager) publishes or
sends back, and never their own version (four eyes). Every state change writes an
ArticleEvent in the same transaction; publishing, expiry and archiving update the search
index in that transaction too, so a search after the commit sees the change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import Conflict, Forbidden, ValidationFailed, field_errors_from_django
from kefu.core.models import User
from kefu.core.services import audit_record
from kefu.knowledge.analysis import parse_synonym_line
from kefu.knowledge.models import (
    Article,
    ArticleAttachment,
    ArticleEvent,
    ArticleFeedback,
    ArticleVersion,
    Category,
    SearchDocument,
    SynonymGroup,
    Tag,
    UserWord,
)
from kefu.knowledge.sanitize import html_to_text, sanitize_html
from kefu.knowledge.search import backend

MAX_SIMILAR = 50


def _event(*, article: Article, action: str, by: User | None, **data: Any) -> ArticleEvent:
    return ArticleEvent.objects.create(article=article, action=action, actor=by, data=data)


def _clean_similar(similar: Sequence[str] | None, question: str) -> list[str]:
    seen: list[str] = []
    for s in similar or ():
        s = " ".join(str(s).split())[:200]
        if s and s != question and s not in seen:
            seen.append(s)
    return seen[:MAX_SIMILAR]


def _check_dates(effective_from, expires_at) -> None:
    if effective_from and expires_at and expires_at <= effective_from:
        raise ValidationFailed(
            _("The expiry date must be after the effective date."),
            errors={"expires_at": [_("Choose a date after the effective date.")]},
        )


def _full_clean(obj, **kwargs) -> None:
    try:
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        raise ValidationFailed(
            _("The article has errors; nothing was saved."), errors=field_errors_from_django(exc)
        ) from None


def _content_errors(*, title: str, question: str, answer_html: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Enter a title.")]
    if not question.strip():
        errors["question"] = [_("Enter the standard question.")]
    if not html_to_text(answer_html):
        errors["answer"] = [_("Enter the answer.")]
    return errors


@transaction.atomic
def category_ensure(*, path: Sequence[str]) -> Category | None:
    """The category at ``path`` (信用卡 › 还款), created where missing."""
    parent = None
    for name in path:
        name = name.strip()[:64]
        if not name:
            continue
        parent, _created = Category.objects.get_or_create(parent=parent, name=name)
    return parent


def _category_errors(*, name: str, parent: Category | None, exclude: int | None) -> list[str]:
    if not name:
        return [_("Enter a name for the category.")]
    if len(name) > 64:
        return [_("Use at most 64 characters.")]
    siblings = Category.objects.filter(parent=parent, name=name)
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude)
    if siblings.exists():
        return [_("There is already a category with this name at this place in the tree.")]
    return []


@transaction.atomic
def category_create(
    *, by: User | None, name: str, parent: Category | None = None, position: int = 0
) -> Category:
    """A new node of the category tree (editors)."""
    name = " ".join((name or "").split())
    errors = _category_errors(name=name, parent=parent, exclude=None)
    if errors:
        raise ValidationFailed(_("The category was not created."), errors={"name": errors})
    category = Category.objects.create(name=name, parent=parent, position=max(0, position))
    audit_record(
        actor=by,
        action="knowledge.category.created",
        obj=category,
        data={"parent": parent.pk if parent else None},
    )
    return category


@transaction.atomic
def category_update(
    *,
    category: Category,
    by: User | None,
    name: str,
    parent: Category | None,
    position: int | None = None,
) -> Category:
    """Rename and/or move a category (with everything below it). A category cannot move
    below itself. Articles keep their category; searches filtered by a category include
    whatever is below it at the time of the search."""
    category = Category.objects.select_for_update().get(pk=category.pk)
    name = " ".join((name or "").split())
    errors: dict[str, list[str]] = {}
    if parent is not None:
        node: Category | None = parent
        while node is not None:
            if node.pk == category.pk:
                errors["parent"] = [_("A category cannot be moved below itself.")]
                break
            node = node.parent
    name_errors = _category_errors(name=name, parent=parent, exclude=category.pk)
    if name_errors:
        errors["name"] = name_errors
    if errors:
        raise ValidationFailed(_("The category was not changed."), errors=errors)
    old = (category.name, category.parent_id, category.position)
    category.name = name
    category.parent = parent
    if position is not None:
        category.position = max(0, position)
    category.save(update_fields=["name", "parent", "position"])
    changes = {
        key: (before, after)
        for key, before, after in zip(
            ("name", "parent", "position"),
            old,
            (category.name, category.parent_id, category.position),
            strict=True,
        )
        if before != after
    }
    if changes:
        audit_record(actor=by, action="knowledge.category.changed", obj=category, changes=changes)
    return category


@transaction.atomic
def category_delete(*, category: Category, by: User | None) -> None:
    """Delete an empty category. One that still holds articles (in any state, archived
    included) or categories below it is refused: move or re-file them first."""
    category = Category.objects.select_for_update().get(pk=category.pk)
    if category.children.exists():
        raise Conflict(
            _("“%(name)s” has categories below it; move or delete them first.")
            % {"name": category.name}
        )
    articles = category.articles.count()
    if articles:
        raise Conflict(
            _(
                "“%(name)s” still holds %(n)d articles (archived ones included); move them to "
                "another category first."
            )
            % {"name": category.name, "n": articles}
        )
    audit_record(
        actor=by,
        action="knowledge.category.deleted",
        obj=category,
        data={"name": category.name, "parent": category.parent_id},
    )
    category.delete()


def _tags(names: Sequence[str]) -> list[Tag]:
    return [Tag.objects.get_or_create(name=n.strip()[:32])[0] for n in names if n.strip()]


@transaction.atomic
def article_create(
    *,
    by: User | None,
    title: str,
    question: str,
    answer_html: str,
    similar_questions: Sequence[str] = (),
    category: Category | None = None,
    tags: Sequence[str] = (),
    effective_from: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
    external_id: str | None = None,
    note: str = "",
) -> Article:
    """A new draft article (version 1)."""
    title, question = " ".join(title.split()), " ".join(question.split())
    answer_html = sanitize_html(answer_html)
    errors = _content_errors(title=title, question=question, answer_html=answer_html)
    if errors:
        raise ValidationFailed(_("The article has errors; nothing was saved."), errors=errors)
    _check_dates(effective_from, expires_at)
    article = Article(
        external_id=external_id or None,
        category=category,
        effective_from=effective_from,
        expires_at=expires_at,
        created_by=by,
    )
    _full_clean(article)
    article.save()
    version = ArticleVersion(
        article=article,
        number=1,
        title=title,
        question=question,
        similar_questions=_clean_similar(similar_questions, question),
        answer_html=answer_html,
        note=note[:200],
        created_by=by,
    )
    _full_clean(version, exclude=["article"])
    version.save()
    article.current_version = version
    article.save(update_fields=["current_version"])
    article.tags.set(_tags(tags))
    _event(article=article, action="knowledge.article.created", by=by, version=1)
    return article


@transaction.atomic
def article_update(
    *,
    article: Article,
    by: User | None,
    title: str,
    question: str,
    answer_html: str,
    similar_questions: Sequence[str] = (),
    category: Category | None = None,
    tags: Sequence[str] | None = None,
    effective_from: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
    note: str = "",
) -> Article:
    """Change the text (a new version unless the current one is an unsubmitted draft) and
    the article's category, tags and validity dates.

    Text changes wait for review; category and validity apply at once (and to the index)
    because they decide who may see the published text, not what it says.
    """
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status == Article.Status.REVIEW:
        raise Conflict(
            _("The article is in review: wait for the reviewer, or ask them to send it back.")
        )
    title, question = " ".join(title.split()), " ".join(question.split())
    answer_html = sanitize_html(answer_html)
    errors = _content_errors(title=title, question=question, answer_html=answer_html)
    if errors:
        raise ValidationFailed(_("The article has errors; nothing was saved."), errors=errors)
    _check_dates(effective_from, expires_at)
    similar = _clean_similar(similar_questions, question)
    current = article.current_version
    assert current is not None
    changed_text = (
        current.title,
        current.question,
        current.similar_questions,
        current.answer_html,
    ) != (
        title,
        question,
        similar,
        answer_html,
    )
    old = {
        "category": article.category_id,
        "effective_from": article.effective_from,
        "expires_at": article.expires_at,
    }
    if changed_text:
        editable_in_place = (
            article.status == Article.Status.DRAFT and current.pk != article.published_version_id
        )
        if editable_in_place:
            version = current
        else:
            version = ArticleVersion(article=article, number=current.number + 1, created_by=by)
        version.title, version.question = title, question
        version.similar_questions, version.answer_html = similar, answer_html
        version.note = note[:200]
        _full_clean(version, exclude=["article"])
        version.save()
        article.current_version = version
        if article.status != Article.Status.DRAFT:
            article.status = Article.Status.DRAFT
    article.category = category
    article.effective_from, article.expires_at = effective_from, expires_at
    article.updated_at = timezone.now()
    _full_clean(article)
    article.save()
    if tags is not None:
        article.tags.set(_tags(tags))
    new = {"category": category.pk if category else None, "effective_from": effective_from}
    new["expires_at"] = expires_at
    changes = {k: [_iso(old[k]), _iso(new[k])] for k in old if old[k] != new[k]}
    _event(
        article=article,
        action="knowledge.article.edited",
        by=by,
        version=article.current_version.number if article.current_version else None,
        text_changed=changed_text,
        changes=changes,
    )
    if changes and article.published_version_id:
        backend().index(article=article)
    return article


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


@transaction.atomic
def article_submit(*, article: Article, by: User | None) -> Article:
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status != Article.Status.DRAFT or (
        article.current_version_id == article.published_version_id
    ):
        raise Conflict(_("Only a draft with changes can be submitted for review."))
    article.status = Article.Status.REVIEW
    article.updated_at = timezone.now()
    article.save(update_fields=["status", "updated_at"])
    _event(
        article=article,
        action="knowledge.article.submitted",
        by=by,
        version=article.current_version.number if article.current_version else None,
    )
    return article


@transaction.atomic
def article_publish(
    *, article: Article, by: User | None, comment: str = "", skip_review: bool = False
) -> Article:
    """Publish the version in review. ``skip_review`` is for trusted imports only (the
    command line and the demo loader), which publish what an editor prepared elsewhere."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    version = article.current_version
    if version is None:
        raise Conflict(_("The article has no text to publish."))
    if not skip_review:
        if article.status != Article.Status.REVIEW:
            raise Conflict(_("Only an article in review can be published."))
        if by is not None and version.created_by_id == by.pk:
            raise Forbidden(_("Another person must review your own changes (four eyes)."))
    previous = article.published_version.number if article.published_version else None
    files = list(article.attachments.all())
    added = [a.name for a in files if a.in_version(version.number) and not a.in_version(previous)]
    gone = [a for a in files if a.in_version(previous) and not a.in_version(version.number)]
    article.published_version = version
    article.status = Article.Status.PUBLISHED
    article.updated_at = timezone.now()
    article.save(update_fields=["published_version", "status", "updated_at"])
    _event(
        article=article,
        action="knowledge.article.published",
        by=by,
        version=version.number,
        previous_version=previous,
        comment=comment[:300],
        attachments_added=added,
        attachments_removed=[a.name for a in gone],
    )
    # files taken off in this version are never shown again
    _delete_attachments(gone)
    backend().index(article=article)
    return article


@transaction.atomic
def article_reject(*, article: Article, by: User | None, reason: str) -> Article:
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status != Article.Status.REVIEW:
        raise Conflict(_("Only an article in review can be sent back."))
    if not reason.strip():
        raise ValidationFailed(
            _("Say what to change."), errors={"reason": [_("Enter a reason for the editor.")]}
        )
    article.status = Article.Status.DRAFT
    article.updated_at = timezone.now()
    article.save(update_fields=["status", "updated_at"])
    _event(article=article, action="knowledge.article.sent_back", by=by, reason=reason[:300])
    return article


@transaction.atomic
def article_archive(*, article: Article, by: User | None, reason: str = "") -> Article:
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status == Article.Status.ARCHIVED:
        return article
    old = article.status
    article.status = Article.Status.ARCHIVED
    article.updated_at = timezone.now()
    article.save(update_fields=["status", "updated_at"])
    _event(article=article, action="knowledge.article.archived", by=by, old=old, reason=reason)
    backend().remove(article=article)
    return article


@transaction.atomic
def articles_expire_due(*, now: dt.datetime | None = None) -> int:
    """Take every article whose expiry has passed out of the index (a periodic job; the
    search already hides them by date, this records the event and frees the index)."""
    now = now or timezone.now()
    due = SearchDocument.objects.filter(live=True, valid_until__lte=now).select_related("article")
    count = 0
    for doc in due:
        backend().remove(article=doc.article)
        _event(
            article=doc.article,
            action="knowledge.article.expired",
            by=None,
            expires_at=_iso(doc.valid_until),
        )
        count += 1
    return count


def article_record_view(*, article: Article, by: User | None) -> None:
    """Count an agent opening an article (usage). Not audited: it changes no data."""
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)


def article_record_bot_answer(*, article: Article) -> None:
    Article.objects.filter(pk=article.pk).update(bot_answer_count=F("bot_answer_count") + 1)


@transaction.atomic
def article_feedback_give(
    *, article: Article, by: User, helpful: bool, comment: str = ""
) -> ArticleFeedback:
    """Record "was this helpful?"; an agent's second answer replaces the first."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    existing = ArticleFeedback.objects.filter(article=article, user=by).first()
    if existing is not None:
        field = "helpful_count" if existing.helpful else "unhelpful_count"
        setattr(article, field, max(getattr(article, field) - 1, 0))
        existing.helpful, existing.comment, existing.at = helpful, comment[:300], timezone.now()
        existing.save(update_fields=["helpful", "comment", "at"])
        feedback = existing
    else:
        feedback = ArticleFeedback.objects.create(
            article=article, user=by, helpful=helpful, comment=comment[:300]
        )
    field = "helpful_count" if helpful else "unhelpful_count"
    setattr(article, field, getattr(article, field) + 1)
    article.save(update_fields=["helpful_count", "unhelpful_count"])
    _event(article=article, action="knowledge.article.feedback", by=by, helpful=helpful)
    return feedback


# Attachments (KB-1): forms, fee schedules, screenshots an agent may send or read out.
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 20
# extension → content type served on download; the leading bytes must match where a
# format has a signature (an .exe renamed to .pdf is refused)
ATTACHMENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "txt": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
}


def attachment_extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _attachment_errors(*, article: Article, upload, name: str) -> list[str]:
    ext = attachment_extension(upload.name or "")
    if ext not in ATTACHMENT_TYPES:
        return [
            _(
                "Files of type “%(ext)s” cannot be attached. Allowed: PDF, PNG, JPG, GIF, TXT, "
                "CSV, DOCX, XLSX, PPTX."
            )
            % {"ext": ext or _("without extension")}
        ]
    if not upload.size:
        return [_("The file is empty: choose the file again.")]
    if upload.size > MAX_ATTACHMENT_BYTES:
        return [
            _("The file is %(size).1f MB; attachments may be at most %(max)d MB.")
            % {"size": upload.size / 1024 / 1024, "max": MAX_ATTACHMENT_BYTES // 1024 // 1024}
        ]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    signatures = _SIGNATURES.get(ext)
    if signatures and not head.startswith(signatures):
        return [
            _("The file's content is not a %(ext)s file; save it again as %(ext)s.")
            % {"ext": ext.upper()}
        ]
    if ext in ("txt", "csv") and b"\x00" in head:
        return [_("The file's content is not text; save it again as %(ext)s.") % {"ext": ext}]
    draft = article.current_version.number if article.current_version else 0
    if sum(a.in_version(draft) for a in article.attachments.all()) >= MAX_ATTACHMENTS:
        return [
            _("An article can have at most %(n)d attachments; remove one first.")
            % {"n": MAX_ATTACHMENTS}
        ]
    if not name.strip():
        return [_("Give the attachment a name.")]
    return []


def _attachment_draft(article: Article, by: User | None) -> ArticleVersion:
    """The draft version an attachment change goes into (KB-1: files are reviewed like the
    text): the unsubmitted draft, else a new version with the same text. Conflict while the
    article is in review. ``article`` must be locked."""
    if article.status == Article.Status.REVIEW:
        raise Conflict(
            _("The article is in review: wait for the reviewer, or ask them to send it back.")
        )
    current = article.current_version
    assert current is not None
    if article.status == Article.Status.DRAFT and current.pk != article.published_version_id:
        return current
    version = ArticleVersion(
        article=article,
        number=current.number + 1,
        title=current.title,
        question=current.question,
        similar_questions=list(current.similar_questions or []),
        answer_html=current.answer_html,
        note=_("Attachments changed")[:200],
        created_by=by,
    )
    version.save()
    article.current_version = version
    article.status = Article.Status.DRAFT
    article.updated_at = timezone.now()
    article.save(update_fields=["current_version", "status", "updated_at"])
    _event(
        article=article,
        action="knowledge.article.edited",
        by=by,
        version=version.number,
        text_changed=False,
        changes={},
        attachments_changed=True,
    )
    return version


@transaction.atomic
def attachment_add(
    *, article: Article, by: User | None, upload, name: str = ""
) -> ArticleAttachment:
    """Store an uploaded file with the article's draft (media storage): agents see it once a
    reviewer publishes that version. ValidationFailed with a ``file`` error that says what
    to do, Conflict while the article is in review; nothing is stored then."""
    article = (
        Article.objects.select_for_update(of=("self",))
        .select_related("current_version")
        .get(pk=article.pk)
    )
    name = " ".join((name or upload.name or "").split())[:120]
    errors = _attachment_errors(article=article, upload=upload, name=name)
    if errors:
        raise ValidationFailed(_("The file was not attached."), errors={"file": errors})
    version = _attachment_draft(article, by)
    attachment = ArticleAttachment(
        article=article, file=upload, name=name, uploaded_by=by, added_in=version.number
    )
    attachment.save()
    _event(
        article=article,
        action="knowledge.attachment.added",
        by=by,
        name=attachment.name,
        attachment=attachment.pk,
        size=upload.size,
        version=version.number,
    )
    audit_record(
        actor=by,
        action="knowledge.attachment.added",
        obj=attachment,
        data={
            "article": article.pk,
            "name": attachment.name,
            "size": upload.size,
            "version": version.number,
        },
    )
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: ArticleAttachment, by: User | None) -> None:
    """Take the file off the article's draft. A file no published version has is deleted at
    once; a published one stays with agents until a reviewer publishes the draft without
    it (then its stored file is deleted). Conflict while the article is in review."""
    article = (
        Article.objects.select_for_update(of=("self",))
        .select_related("current_version")
        .get(pk=attachment.article_id)
    )
    attachment = ArticleAttachment.objects.select_for_update().get(pk=attachment.pk)
    version = _attachment_draft(article, by)
    if not attachment.in_version(version.number):
        raise Conflict(_("The attachment is already removed from the draft."))
    name, pk = attachment.name, attachment.pk
    published = article.published_version.number if article.published_version else None
    pending = attachment.in_version(published)
    _event(
        article=article,
        action="knowledge.attachment.removed",
        by=by,
        name=name,
        attachment=pk,
        version=version.number,
        pending_review=pending,
    )
    audit_record(
        actor=by,
        action="knowledge.attachment.removed",
        obj=attachment,
        data={"article": article.pk, "name": name, "version": version.number},
    )
    if pending:
        attachment.removed_in = version.number
        attachment.save(update_fields=["removed_in"])
    else:
        _delete_attachments([attachment])


def _delete_attachments(attachments: Sequence[ArticleAttachment]) -> None:
    """Delete the rows now and their stored files once the transaction commits."""
    for attachment in attachments:
        stored = attachment.file.name or ""
        attachment.delete()
        if stored:
            transaction.on_commit(partial(attachment.file.storage.delete, stored))


def attachment_record_download(*, attachment: ArticleAttachment, by: User | None) -> None:
    audit_record(
        actor=by,
        action="knowledge.attachment.downloaded",
        obj=attachment,
        data={"article": attachment.article_id, "name": attachment.name},
    )


# --- dictionary and synonyms ------------------------------------------------------------------


def _lexicon_changed(*, by: User | None, action: str, value: str) -> None:
    """Audit the change, switch every process to the new lexicon, re-index in the background."""
    from kefu.knowledge.tasks import rebuild_search_index

    audit_record(actor=by, action=action, object_type="knowledge.lexicon", data={"value": value})
    bump = getattr(backend(), "bump_lexicon", None)
    if bump is not None:
        bump()
    transaction.on_commit(rebuild_search_index.enqueue)


@transaction.atomic
def synonym_group_save(
    *, words: str, by: User | None, group: SynonymGroup | None = None
) -> SynonymGroup:
    """Create or change a synonym group; the whole index is re-analysed in the background."""
    parsed = parse_synonym_line(words)
    if len(parsed) < 2:
        raise ValidationFailed(
            _("A synonym group needs at least two different words."),
            errors={"words": [_("Enter two or more words separated by commas.")]},
        )
    if any(len(w) > 20 for w in parsed):
        raise ValidationFailed(
            _("A synonym is at most 20 characters long."),
            errors={"words": [_("Shorten the long words.")]},
        )
    group = group or SynonymGroup()
    group.words = ",".join(parsed)[:300]
    group.updated_by, group.updated_at = by, timezone.now()
    group.save()
    _lexicon_changed(by=by, action="knowledge.synonyms.saved", value=group.words)
    return group


@transaction.atomic
def synonym_group_delete(*, group: SynonymGroup, by: User | None) -> None:
    value = group.words
    group.delete()
    _lexicon_changed(by=by, action="knowledge.synonyms.deleted", value=value)


@transaction.atomic
def user_word_save(*, word: str, by: User | None, frequency: int | None = None) -> UserWord:
    from kefu.knowledge.analysis import normalize

    word = normalize(word)
    if not word or " " in word or len(word) > 32:
        raise ValidationFailed(
            _("Enter one word without spaces, at most 32 characters."),
            errors={"word": [_("Enter one word without spaces, at most 32 characters.")]},
        )
    entry, _created = UserWord.objects.update_or_create(
        word=word, defaults={"frequency": frequency, "updated_by": by, "updated_at": timezone.now()}
    )
    _lexicon_changed(by=by, action="knowledge.word.saved", value=word)
    return entry


@transaction.atomic
def user_word_delete(*, entry: UserWord, by: User | None) -> None:
    value = entry.word
    entry.delete()
    _lexicon_changed(by=by, action="knowledge.word.deleted", value=value)
