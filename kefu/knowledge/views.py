"""Knowledge pages: agent search and reading, suggestions partial, editing and review."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.core.errors import KefuError, NotFound
from kefu.core.permissions import has_perms, require_perms
from kefu.core.roles import EDIT_ARTICLE, MANAGE_LEXICON, REVIEW_ARTICLE, VIEW_ARTICLE
from kefu.knowledge import selectors, services
from kefu.knowledge.forms import (
    ArticleForm,
    AttachmentForm,
    CategoryForm,
    FeedbackForm,
    ReasonForm,
    SearchForm,
    SynonymForm,
    WordForm,
)
from kefu.knowledge.models import (
    Article,
    ArticleAttachment,
    Category,
    SynonymGroup,
    UserWord,
)


def _or_404(getter, **kwargs):
    """A scoped selector's NotFound as the page's 404."""
    try:
        return getter(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from None


@require_GET
@require_perms(VIEW_ARTICLE)
def article_search(request):
    """The agent's search page (KB-2); htmx requests get only the results."""
    form = SearchForm(request.GET or None, categories=selectors.category_choices())
    results = None
    if form.is_bound and form.is_valid() and "q" in request.GET:
        results = selectors.search_articles(
            q=form.cleaned_data["q"], category_id=form.cleaned_data["category"], limit=20
        )
    template = (
        "knowledge/partials/search_results.html"
        if request.htmx
        else "knowledge/article_search.html"
    )
    return render(request, template, {"form": form, "results": results})


@require_GET
@require_perms(VIEW_ARTICLE)
def article_suggest(request):
    """htmx partial: the top articles for the text being typed in any form (KB-3).

    Embed with ``hx-get="{% url 'knowledge:suggest' %}" hx-trigger="input changed delay:400ms"
    hx-vals='js:{text: this.value}'``; see docs/knowledge.md.
    """
    text = request.GET.get("text") or request.GET.get("q") or ""
    try:
        limit = max(1, min(int(request.GET.get("limit", 5)), 10))
    except ValueError:
        limit = 5
    hits = selectors.suggest_articles(text=text, limit=limit)
    return render(request, "knowledge/partials/suggestions.html", {"hits": hits, "text": text})


@require_GET
@require_perms(VIEW_ARTICLE)
def article_detail(request, article_id: int):
    article = _or_404(selectors.article_get_live, pk=article_id)
    services.article_record_view(article=article, by=request.user)
    mine = article.feedback.filter(user=request.user).first()
    return render(
        request,
        "knowledge/article_detail.html",
        {"article": article, "version": article.published_version, "my_feedback": mine},
    )


@require_POST
@require_perms(VIEW_ARTICLE)
def article_feedback(request, article_id: int):
    article = _or_404(selectors.article_get_live, pk=article_id)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Choose helpful or not helpful."), status=400)
    feedback = services.article_feedback_give(
        article=article,
        by=request.user,
        helpful=form.cleaned_data["helpful"],
        comment=form.cleaned_data["comment"],
    )
    return render(
        request, "knowledge/partials/feedback.html", {"article": article, "my_feedback": feedback}
    )


# --- editors and reviewers ----------------------------------------------------------------


@require_GET
@require_perms(VIEW_ARTICLE)
def article_manage_list(request):
    if not (has_perms(request.user, *EDIT_ARTICLE) or has_perms(request.user, REVIEW_ARTICLE)):
        raise PermissionDenied(_("You do not have permission to open this page."))
    status = request.GET.get("status") or ""
    if status not in Article.Status.values:
        status = ""
    articles = list(
        selectors.articles_for_editor(status=status or None, text=request.GET.get("text", ""))[:200]
    )
    return render(
        request,
        "knowledge/article_manage_list.html",
        {"articles": articles, "status": status, "statuses": Article.Status.choices},
    )


def _article_form_initial(article: Article) -> dict:
    v = article.current_version
    assert v is not None
    return {
        "title": v.title,
        "question": v.question,
        "similar_questions": "\n".join(v.similar_questions),
        "answer_html": v.answer_html,
        "category": article.category_id,
        "tags": ", ".join(t.name for t in article.tags.all()),
        "effective_from": article.effective_from,
        "expires_at": article.expires_at,
    }


def _save_article(request, form: ArticleForm, article: Article | None):
    data = form.cleaned_data
    category = Category.objects.filter(pk=data["category"]).first() if data["category"] else None
    kwargs = dict(
        by=request.user,
        title=data["title"],
        question=data["question"],
        answer_html=data["answer_html"],
        similar_questions=form.similar_list(),
        category=category,
        tags=form.tag_list(),
        effective_from=data["effective_from"],
        expires_at=data["expires_at"],
        note=data["note"],
    )
    if article is None:
        return services.article_create(**kwargs)
    return services.article_update(article=article, **kwargs)


@require_http_methods(["GET", "POST"])
@require_perms(*EDIT_ARTICLE)
def article_edit(request, article_id: int | None = None):
    article = _or_404(selectors.article_get_for_editor, pk=article_id) if article_id else None
    categories = selectors.category_choices()
    if request.method == "POST":
        form = ArticleForm(request.POST, categories=categories)
        if form.is_valid():
            try:
                article = _save_article(request, form, article)
            except KefuError as exc:
                form.add_error(None, exc.message)
                for field, errors in exc.errors.items():
                    for e in errors:
                        form.add_error(field if field in form.fields else None, e)
            else:
                messages.success(request, _("Saved as a draft."))
                return redirect("knowledge:manage", article_id=article.pk)
    else:
        form = ArticleForm(
            initial=_article_form_initial(article) if article else None, categories=categories
        )
    return _edit_page(request, form, article, AttachmentForm())


def _edit_page(request, form: ArticleForm, article: Article | None, attachment_form):
    status = 400 if (form.errors or attachment_form.errors) else 200
    return render(
        request,
        "knowledge/article_form.html",
        {
            "form": form,
            "article": article,
            "attachment_form": attachment_form,
            "attachments": article.draft_attachments if article else [],
            "max_attachment_mb": services.MAX_ATTACHMENT_BYTES // 1024 // 1024,
            "attachment_types": ", ".join(sorted(services.ATTACHMENT_TYPES)),
        },
        status=status,
    )


@require_POST
@require_perms(*EDIT_ARTICLE)
def attachment_upload(request, article_id: int):
    """Attach a file to the article (KB-1); errors come back on the edit page, which keeps
    everything already saved."""
    article = _or_404(selectors.article_get_for_editor, pk=article_id)
    attachment_form = AttachmentForm(request.POST, request.FILES)
    if attachment_form.is_valid():
        try:
            attachment = services.attachment_add(
                article=article,
                by=request.user,
                upload=attachment_form.cleaned_data["file"],
                name=attachment_form.cleaned_data["name"],
            )
        except KefuError as exc:
            for errors in exc.errors.values():
                for e in errors:
                    attachment_form.add_error("file", e)
            if not exc.errors:
                attachment_form.add_error("file", exc.message)
        else:
            messages.success(request, _("Attached “%(name)s”.") % {"name": attachment.name})
            return redirect("knowledge:edit", article_id=article.pk)
    form = ArticleForm(
        initial=_article_form_initial(article), categories=selectors.category_choices()
    )
    return _edit_page(request, form, article, attachment_form)


@require_POST
@require_perms(*EDIT_ARTICLE)
def attachment_remove(request, attachment_id: int):
    attachment = (
        ArticleAttachment.objects.select_related("article").filter(pk=attachment_id).first()
    )
    if attachment is None:
        raise Http404(_("No attachment with this number."))
    article_id = attachment.article_id
    try:
        services.attachment_remove(attachment=attachment, by=request.user)
    except KefuError as exc:  # in review, or already taken off the draft: nothing changed
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Attachment removed."))
    return redirect("knowledge:edit", article_id=article_id)


@require_GET
@require_perms(VIEW_ARTICLE)
def attachment_download(request, attachment_id: int):
    """The file, for agents only while its article is published and valid; editors and
    reviewers may also fetch the files of drafts. Every download is audited."""
    attachment = (
        ArticleAttachment.objects.select_related("article").filter(pk=attachment_id).first()
    )
    if attachment is None:
        raise Http404(_("No attachment with this number."))
    is_staff_editor = has_perms(request.user, *EDIT_ARTICLE) or has_perms(
        request.user, REVIEW_ARTICLE
    )
    if not is_staff_editor:
        # an agent may only reach the reviewed files of an article they could open
        article = _or_404(selectors.article_get_live, pk=attachment.article_id)
        if attachment not in article.published_attachments:
            raise Http404(_("No attachment with this number."))
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(
            _("The file is missing from the storage; ask an editor to attach it again.")
        ) from None
    services.attachment_record_download(attachment=attachment, by=request.user)
    ext = services.attachment_extension(attachment.file.name or "")
    name = (
        attachment.name
        if attachment.name.lower().endswith(f".{ext}")
        else f"{attachment.name}.{ext}"
    )
    return FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=services.ATTACHMENT_TYPES.get(ext, "application/octet-stream"),
    )


@require_GET
@require_perms(VIEW_ARTICLE)
def article_manage(request, article_id: int):
    if not (has_perms(request.user, *EDIT_ARTICLE) or has_perms(request.user, REVIEW_ARTICLE)):
        raise PermissionDenied(_("You do not have permission to open this page."))
    article = _or_404(selectors.article_get_for_editor, pk=article_id)
    versions = list(article.versions.all())
    diff = None
    if article.current_version and article.current_version != article.published_version:
        diff = selectors.version_diff(article.published_version, article.current_version)
    return render(
        request,
        "knowledge/article_manage.html",
        {
            "article": article,
            "versions": versions,
            "diff": diff,
            "events": article.events.select_related("actor")[:50],
            "can_edit": has_perms(request.user, *EDIT_ARTICLE),
            "can_review": has_perms(request.user, REVIEW_ARTICLE),
        },
    )


def _workflow(request, article_id: int, action):
    article = _or_404(selectors.article_get_for_editor, pk=article_id)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        action(article=article, by=request.user, reason=reason)
    except KefuError as exc:
        messages.error(request, exc.message)
    return redirect("knowledge:manage", article_id=article.pk)


@require_POST
@require_perms(*EDIT_ARTICLE)
def article_submit(request, article_id: int):
    return _workflow(
        request,
        article_id,
        lambda article, by, reason: services.article_submit(article=article, by=by),
    )


@require_POST
@require_perms(REVIEW_ARTICLE)
def article_publish(request, article_id: int):
    return _workflow(
        request,
        article_id,
        lambda article, by, reason: services.article_publish(
            article=article, by=by, comment=reason
        ),
    )


@require_POST
@require_perms(REVIEW_ARTICLE)
def article_reject(request, article_id: int):
    return _workflow(request, article_id, services.article_reject)


@require_POST
@require_perms(REVIEW_ARTICLE)
def article_archive(request, article_id: int):
    return _workflow(request, article_id, services.article_archive)


@require_http_methods(["GET", "POST"])
@require_perms(MANAGE_LEXICON)
def lexicon(request):
    """The banking dictionary and synonym table that editors maintain (KB-2)."""
    synonym_form, word_form = SynonymForm(prefix="syn"), WordForm(prefix="word")
    if request.method == "POST":
        try:
            if "delete_group" in request.POST:
                group = SynonymGroup.objects.filter(pk=request.POST["delete_group"]).first()
                if group:
                    services.synonym_group_delete(group=group, by=request.user)
            elif "delete_word" in request.POST:
                entry = UserWord.objects.filter(pk=request.POST["delete_word"]).first()
                if entry:
                    services.user_word_delete(entry=entry, by=request.user)
            elif "syn-words" in request.POST:
                synonym_form = SynonymForm(request.POST, prefix="syn")
                if synonym_form.is_valid():
                    services.synonym_group_save(
                        words=synonym_form.cleaned_data["words"], by=request.user
                    )
                    return redirect("knowledge:lexicon")
            elif "word-word" in request.POST:
                word_form = WordForm(request.POST, prefix="word")
                if word_form.is_valid():
                    services.user_word_save(
                        word=word_form.cleaned_data["word"],
                        frequency=word_form.cleaned_data["frequency"],
                        by=request.user,
                    )
                    return redirect("knowledge:lexicon")
            else:
                return redirect("knowledge:lexicon")
        except KefuError as exc:
            messages.error(request, exc.message)
        if not (synonym_form.errors or word_form.errors):
            return redirect("knowledge:lexicon")
    from kefu.knowledge.analysis import packaged_lexicon

    return render(
        request,
        "knowledge/lexicon.html",
        {
            "synonym_form": synonym_form,
            "word_form": word_form,
            "groups": SynonymGroup.objects.all(),
            "words": UserWord.objects.all(),
            "packaged": packaged_lexicon(),
        },
        status=400 if (synonym_form.errors or word_form.errors) else 200,
    )


# --- the category tree ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require_perms(*EDIT_ARTICLE)
def categories(request):
    """The category tree: add a category anywhere in it (editors)."""
    choices = selectors.category_choices()
    form = CategoryForm(request.POST or None, categories=choices, prefix="new")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            category = services.category_create(
                by=request.user,
                name=data["name"],
                parent=Category.objects.filter(pk=data["parent"]).first()
                if data["parent"]
                else None,
                position=data["position"] or 0,
            )
        except KefuError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Category “%(name)s” added.") % {"name": category.name})
            return redirect("knowledge:categories")
    return _categories_page(request, form, None)


def _form_errors(form, exc: KefuError) -> None:
    if not exc.errors:
        form.add_error(None, exc.message)
    for field, errors in exc.errors.items():
        for e in errors:
            form.add_error(field if field in form.fields else None, e)


def _categories_page(request, new_form, edit_form, editing: Category | None = None):
    counts = dict(
        Article.objects.exclude(category=None)
        .values_list("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    tree = [
        {"pk": pk, "label": label, "depth": label.count(" › "), "articles": counts.get(pk, 0)}
        for pk, label in selectors.category_choices()
    ]
    return render(
        request,
        "knowledge/categories.html",
        {"tree": tree, "form": new_form, "edit_form": edit_form, "editing": editing},
        status=400 if (new_form.errors or (edit_form and edit_form.errors)) else 200,
    )


@require_http_methods(["GET", "POST"])
@require_perms(*EDIT_ARTICLE)
def category_edit(request, category_id: int):
    """Rename a category or move it (with everything below it) elsewhere in the tree."""
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise Http404(_("No category with this number."))
    choices = selectors.category_choices()
    below = set(selectors.category_descendants(category.pk))
    choices = [(pk, label) for pk, label in choices if pk not in below]
    initial = {"name": category.name, "parent": category.parent_id, "position": category.position}
    form = CategoryForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        categories=choices,
        prefix="edit",
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.category_update(
                category=category,
                by=request.user,
                name=data["name"],
                parent=Category.objects.filter(pk=data["parent"]).first()
                if data["parent"]
                else None,
                position=data["position"],
            )
        except KefuError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Category saved."))
            return redirect("knowledge:categories")
    new_form = CategoryForm(categories=selectors.category_choices(), prefix="new")
    return _categories_page(request, new_form, form, category)


@require_POST
@require_perms(*EDIT_ARTICLE)
def category_delete(request, category_id: int):
    """Delete an empty category (no articles, nothing below it)."""
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise Http404(_("No category with this number."))
    name = category.name
    try:
        services.category_delete(category=category, by=request.user)
    except KefuError as exc:
        messages.error(request, exc.message)
        return redirect("knowledge:category_edit", category_id=category_id)
    messages.success(request, _("Category “%(name)s” deleted.") % {"name": name})
    return redirect("knowledge:categories")
