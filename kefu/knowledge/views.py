"""Knowledge pages: agent search and reading, suggestions partial, editing and review."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.core.errors import KefuError, NotFound
from kefu.core.permissions import has_perms, require_perms
from kefu.core.roles import EDIT_ARTICLE, MANAGE_LEXICON, REVIEW_ARTICLE, VIEW_ARTICLE
from kefu.knowledge import selectors, services
from kefu.knowledge.forms import (
    ArticleForm,
    FeedbackForm,
    ReasonForm,
    SearchForm,
    SynonymForm,
    WordForm,
)
from kefu.knowledge.models import Article, Category, SynonymGroup, UserWord


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
    status = 400 if form.errors else 200
    return render(
        request, "knowledge/article_form.html", {"form": form, "article": article}, status=status
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
