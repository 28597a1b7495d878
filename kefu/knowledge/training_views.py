"""Training pages (KB-4): today's practice, exams, wrong-answer review, results, questions."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.core.errors import KefuError, NotFound
from kefu.core.permissions import has_perms, require_perms
from kefu.core.roles import MANAGE_TRAINING, TAKE_TRAINING, VIEW_TRAINING_RESULTS
from kefu.knowledge import training
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
