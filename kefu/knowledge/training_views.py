"""Training pages (KB-4): today's practice, exams, wrong-answer review, results, questions."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.core.errors import KefuError, NotFound
from kefu.core.permissions import has_perms, require_perms
from kefu.core.roles import MANAGE_TRAINING, TAKE_TRAINING, VIEW_TRAINING_RESULTS
from kefu.knowledge import selectors, training
from kefu.knowledge.forms import ExamEditForm, ExamForm
from kefu.knowledge.models import Exam, Question


def _or_404(getter, **kwargs):
    """A scoped selector's NotFound as the page's 404."""
    try:
        return getter(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from None


@require_GET
@require_perms(TAKE_TRAINING)
def practice_today(request):
    practice, problem = None, ""
    try:
        practice = training.practice_for_day(agent=request.user)
    except KefuError as exc:
        problem = exc.message
    return render(
        request,
        "knowledge/training_home.html",
        {
            "practice": practice,
            "problem": problem,
            "exams": training.open_exams(),
            "wrong": training.wrong_answers(agent=request.user),
            "can_see_results": has_perms(request.user, VIEW_TRAINING_RESULTS),
            "can_manage": has_perms(request.user, MANAGE_TRAINING),
        },
    )


@require_GET
@require_perms(TAKE_TRAINING)
def attempt_detail(request, attempt_id: int):
    attempt = _or_404(training.attempt_get_for_agent, agent=request.user, pk=attempt_id)
    answers = list(attempt.answers.select_related("question", "question__article"))
    return render(
        request, "knowledge/training_attempt.html", {"attempt": attempt, "answers": answers}
    )


@require_POST
@require_perms(TAKE_TRAINING)
def attempt_answer(request, attempt_id: int):
    attempt = _or_404(training.attempt_get_for_agent, agent=request.user, pk=attempt_id)
    ids = list(attempt.answers.values_list("question_id", flat=True))
    try:
        training.attempt_submit(
            attempt=attempt, by=request.user, chosen=training.chosen_from_post(request.POST, ids)
        )
    except KefuError as exc:
        messages.error(request, exc.message)
    return redirect("knowledge:attempt", attempt_id=attempt.pk)


@require_POST
@require_perms(TAKE_TRAINING)
def exam_start(request, exam_id: int):
    exam = Exam.objects.filter(pk=exam_id).first()
    if exam is None:
        messages.error(request, _("No such exam."))
        return redirect("knowledge:practice")
    try:
        attempt = training.exam_start(agent=request.user, exam=exam)
    except KefuError as exc:
        messages.error(request, exc.message)
        return redirect("knowledge:practice")
    return redirect("knowledge:attempt", attempt_id=attempt.pk)


@require_GET
@require_perms(VIEW_TRAINING_RESULTS)
def results(request):
    return render(
        request,
        "knowledge/training_results.html",
        {"teams": training.results_by_team(), "questions": training.results_by_question()},
    )


@require_http_methods(["GET", "POST"])
@require_perms(MANAGE_TRAINING)
def question_bank(request):
    if request.method == "POST":
        try:
            if "generate" in request.POST:
                count = training.questions_generate(by=request.user)
                messages.success(
                    request, _("%(n)d questions generated from articles.") % {"n": count}
                )
            else:
                kind = request.POST.get("kind", Question.Kind.SINGLE)
                if kind not in Question.Kind.values:
                    kind = Question.Kind.SINGLE
                training.question_create(
                    by=request.user,
                    kind=kind,
                    text=request.POST.get("text", ""),
                    options=request.POST.get("options", "").splitlines(),
                    correct=[int(c) - 1 for c in request.POST.getlist("correct") if c.isdigit()],
                    explanation=request.POST.get("explanation", ""),
                )
                messages.success(request, _("Question saved."))
        except KefuError as exc:
            messages.error(request, exc.message)
            for field, errors in exc.errors.items():
                for e in errors:
                    messages.error(request, f"{field}: {e}")
        return redirect("knowledge:questions")
    return render(
        request,
        "knowledge/training_questions.html",
        {
            "questions": Question.objects.select_related("article").order_by("-pk")[:200],
            "kinds": Question.Kind.choices,
        },
    )


def _exam_form(data=None) -> ExamForm:
    questions = Question.objects.filter(active=True).select_related("article").order_by("-pk")
    return ExamForm(
        data,
        categories=selectors.category_choices(),
        questions=[(q.pk, f"{q.text[:80]} ({q.get_kind_display()})") for q in questions[:300]],
    )


@require_http_methods(["GET", "POST"])
@require_perms(MANAGE_TRAINING)
def exams(request):
    """Exams: create one from chosen questions and/or a random draw, open and close them."""
    form = _exam_form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            exam = training.exam_create(
                by=request.user,
                title=data["title"],
                duration_minutes=data["duration_minutes"],
                pass_percent=data["pass_percent"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                question_ids=data["questions"],
                draw_count=data["draw_count"] or 0,
                draw_category_ids=selectors.category_descendants(data["draw_category"])
                if data["draw_category"]
                else None,
            )
        except KefuError as exc:
            if not exc.errors:
                form.add_error(None, exc.message)
            for field, errors in exc.errors.items():
                for e in errors:
                    form.add_error(field if field in form.fields else None, e)
        else:
            messages.success(
                request,
                _("Exam “%(title)s” created with %(n)d questions.")
                % {"title": exam.title, "n": exam.questions.count()},
            )
            return redirect("knowledge:exams")
    exam_rows = [
        {"exam": e, "open": training.exam_is_open(e)} for e in training.exams_for_manager()[:100]
    ]
    return render(
        request,
        "knowledge/training_exams.html",
        {"form": form, "exams": exam_rows},
        status=400 if form.errors else 200,
    )


def _exam_action(request, exam_id: int, action):
    exam = Exam.objects.filter(pk=exam_id).first()
    if exam is None:
        raise Http404(_("No such exam."))
    action(exam=exam, by=request.user)
    return redirect("knowledge:exams")


@require_POST
@require_perms(MANAGE_TRAINING)
def exam_open(request, exam_id: int):
    return _exam_action(request, exam_id, training.exam_open)


@require_POST
@require_perms(MANAGE_TRAINING)
def exam_close(request, exam_id: int):
    return _exam_action(request, exam_id, training.exam_close)


@require_http_methods(["GET", "POST"])
@require_perms(MANAGE_TRAINING)
def exam_edit(request, exam_id: int):
    """Change an exam's title, time limit, pass mark, dates and (before anyone sits it) its
    questions."""
    exam = Exam.objects.filter(pk=exam_id).first()
    if exam is None:
        raise Http404(_("No such exam."))
    current = list(exam.questions.select_related("article").order_by("pk"))
    current_ids = {q.pk for q in current}
    others = (
        Question.objects.filter(active=True)
        .exclude(pk__in=current_ids)
        .select_related("article")
        .order_by("-pk")[:300]
    )
    sat = exam.attempts.exists()
    form = ExamEditForm(
        request.POST if request.method == "POST" else None,
        initial={
            "title": exam.title,
            "duration_minutes": exam.duration_minutes,
            "pass_percent": exam.pass_percent,
            "opens_at": timezone.localtime(exam.opens_at).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": timezone.localtime(exam.closes_at).strftime("%Y-%m-%dT%H:%M")
            if exam.closes_at
            else None,
            "questions": sorted(current_ids),
        },
        questions=[
            (q.pk, f"{q.text[:80]} ({q.get_kind_display()})")
            for q in [*current, *([] if sat else others)]
        ],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            training.exam_update(
                exam=exam,
                by=request.user,
                title=data["title"],
                duration_minutes=data["duration_minutes"],
                pass_percent=data["pass_percent"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                question_ids=data["questions"],
            )
        except KefuError as exc:
            if not exc.errors:
                form.add_error(None, exc.message)
            for field, errors in exc.errors.items():
                for e in errors:
                    form.add_error(field if field in form.fields else None, e)
        else:
            messages.success(request, _("Exam “%(title)s” saved.") % {"title": exam.title})
            return redirect("knowledge:exams")
    return render(
        request,
        "knowledge/training_exam_edit.html",
        {"form": form, "exam": exam, "sat": sat},
        status=400 if form.errors else 200,
    )


@require_POST
@require_perms(MANAGE_TRAINING)
def exam_delete(request, exam_id: int):
    exam = Exam.objects.filter(pk=exam_id).first()
    if exam is None:
        raise Http404(_("No such exam."))
    title = exam.title
    try:
        training.exam_delete(exam=exam, by=request.user)
    except KefuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Exam “%(title)s” deleted.") % {"title": title})
    return redirect("knowledge:exams")
