"""Training (KB-4): the question bank, daily practice, timed exams and results.

Kept apart from services.py/selectors.py because it is a sub-domain of its own; the same
rules apply (keyword-only, atomic writes, an event per state change in the audit log).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import Conflict, NotFound, ValidationFailed
from kefu.core.models import User
from kefu.core.services import audit_record
from kefu.knowledge.models import Article, Attempt, AttemptAnswer, Exam, Question, TrainingGroup
from kefu.knowledge.sanitize import html_to_text

PRACTICE_SIZE = 5
GRACE = dt.timedelta(seconds=30)  # network delay when an exam is handed in at the bell


def _first_sentence(text: str, limit: int = 80) -> str:
    sentence = re.split(r"(?<=[。！？!?])", text.strip(), maxsplit=1)[0]
    return sentence[:limit] + ("…" if len(sentence) > limit else "")


@transaction.atomic
def question_create(
    *,
    by: User | None,
    kind: str,
    text: str,
    options: Sequence[str],
    correct: Sequence[int],
    explanation: str = "",
    article: Article | None = None,
) -> Question:
    options = [o.strip() for o in options if o.strip()]
    if kind == Question.Kind.TRUE_FALSE:
        options = [_("True"), _("False")]
    errors: dict[str, list[str]] = {}
    if not text.strip():
        errors["text"] = [_("Enter the question.")]
    if len(options) < 2:
        errors["options"] = [_("Give at least two options.")]
    if not correct or any(not 0 <= c < len(options) for c in correct):
        errors["correct"] = [_("Mark the correct option(s).")]
    elif kind != Question.Kind.MULTIPLE and len(correct) != 1:
        errors["correct"] = [_("This kind of question has exactly one correct option.")]
    if errors:
        raise ValidationFailed(_("The question has errors; nothing was saved."), errors=errors)
    question = Question.objects.create(
        kind=kind,
        text=text.strip()[:500],
        options=options,
        correct=sorted(set(correct)),
        explanation=explanation,
        article=article,
        created_by=by,
    )
    audit_record(actor=by, action="knowledge.question.created", obj=question)
    return question


@transaction.atomic
def questions_generate(*, by: User | None, seed: int = 0) -> int:
    """Questions from the FAQ pairs of live articles: "which article answers this customer
    question?" (single choice, from each similar question) and "is this the right answer?"
    (true/false). Running it again adds only what is new (keyed by article and version)."""
    articles = list(
        Article.objects.live().select_related("published_version").order_by("category_id", "pk")
    )
    created = 0
    for article in articles:
        version = article.published_version
        assert version is not None
        others = [a for a in articles if a.pk != article.pk]
        if len(others) < 3:
            break
        rng = random.Random(f"{seed}:{article.pk}:{version.number}")  # noqa: S311
        same_category = [a for a in others if a.category_id == article.category_id]
        pool = same_category if len(same_category) >= 3 else others
        distractors = rng.sample(pool, 3)
        asked = version.similar_questions[0] if version.similar_questions else version.question
        options = [version.title, *(d.published_version.title for d in distractors)]  # type: ignore[union-attr]
        order = list(range(4))
        rng.shuffle(order)
        key = f"gen:{article.pk}:{version.number}:which"
        if not Question.objects.filter(source_key=key).exists():
            Question.objects.create(
                kind=Question.Kind.SINGLE,
                text=_("A customer asks: “%(q)s”. Which article answers it?") % {"q": asked},
                options=[options[i] for i in order],
                correct=[order.index(0)],
                explanation=_first_sentence(html_to_text(version.answer_html), 200),
                article=article,
                source=Question.Source.GENERATED,
                source_key=key,
                created_by=by,
            )
            created += 1
        key = f"gen:{article.pk}:{version.number}:truth"
        if not Question.objects.filter(source_key=key).exists():
            truthful = rng.random() < 0.5
            source = article if truthful else distractors[0]
            answer = _first_sentence(html_to_text(source.published_version.answer_html))  # type: ignore[union-attr]
            Question.objects.create(
                kind=Question.Kind.TRUE_FALSE,
                text=_("“%(q)s” — the answer is: %(a)s") % {"q": version.question, "a": answer},
                options=[_("True"), _("False")],
                correct=[0 if truthful else 1],
                explanation=_first_sentence(html_to_text(version.answer_html), 200),
                article=article,
                source=Question.Source.GENERATED,
                source_key=key,
                created_by=by,
            )
            created += 1
    if created:
        audit_record(actor=by, action="knowledge.questions.generated", data={"created": created})
    return created


def _fill(attempt: Attempt, questions: Sequence[Question]) -> None:
    AttemptAnswer.objects.bulk_create(
        AttemptAnswer(attempt=attempt, question=q, position=i) for i, q in enumerate(questions, 1)
    )
    attempt.question_count = len(questions)
    attempt.save(update_fields=["question_count"])


@transaction.atomic
def practice_for_day(*, agent: User, day: dt.date | None = None) -> Attempt:
    """The agent's practice set of the day, made on first request: questions they got wrong
    before come back first, then ones they have not seen, then the rest (seed 004: 逐日一练,
    滚动温习)."""
    day = day or timezone.localdate()
    existing = Attempt.objects.filter(
        agent=agent, kind=Attempt.Kind.PRACTICE, practice_date=day
    ).first()
    if existing:
        return existing
    active = list(Question.objects.filter(active=True).order_by("pk"))
    if not active:
        raise NotFound(_("The question bank is empty: ask a knowledge editor to add questions."))
    history = AttemptAnswer.objects.filter(
        attempt__agent=agent, attempt__submitted_at__isnull=False
    )
    wrong = set(history.filter(is_correct=False).values_list("question_id", flat=True))
    right = set(history.filter(is_correct=True).values_list("question_id", flat=True))
    wrong -= right  # answered right since
    seen = set(history.values_list("question_id", flat=True))
    rng = random.Random(f"{agent.pk}:{day.isoformat()}")  # noqa: S311
    rng.shuffle(active)
    ranked = sorted(active, key=lambda q: (q.pk not in wrong, q.pk in seen))
    attempt = Attempt.objects.create(agent=agent, kind=Attempt.Kind.PRACTICE, practice_date=day)
    _fill(attempt, ranked[:PRACTICE_SIZE])
    audit_record(actor=agent, action="knowledge.practice.started", obj=attempt)
    return attempt


@transaction.atomic
def exam_start(*, agent: User, exam: Exam, now: dt.datetime | None = None) -> Attempt:
    now = now or timezone.now()
    existing = Attempt.objects.filter(agent=agent, exam=exam, kind=Attempt.Kind.EXAM).first()
    if existing:
        return existing
    if now < exam.opens_at or (exam.closes_at and now >= exam.closes_at):
        raise Conflict(_("This exam is not open now."))
    attempt = Attempt.objects.create(
        agent=agent,
        kind=Attempt.Kind.EXAM,
        exam=exam,
        started_at=now,
        deadline=now + dt.timedelta(minutes=exam.duration_minutes),
    )
    _fill(attempt, list(exam.questions.order_by("pk")))
    audit_record(
        actor=agent, action="knowledge.exam.started", obj=attempt, data={"exam": exam.title}
    )
    return attempt


@transaction.atomic
def attempt_submit(
    *,
    attempt: Attempt,
    by: User,
    chosen: Mapping[int, Sequence[int]],
    now: dt.datetime | None = None,
) -> Attempt:
    """Grade the answers (question id → chosen option indexes). An exam handed in after its
    deadline is graded as empty: the time limit is the exam's."""
    now = now or timezone.now()
    attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.agent_id != by.pk:
        raise NotFound(_("No such practice set or exam."))
    if attempt.submitted_at is not None:
        raise Conflict(_("These answers were already handed in."))
    late = attempt.deadline is not None and now > attempt.deadline + GRACE
    correct = 0
    answers = list(attempt.answers.select_related("question"))
    for answer in answers:
        picked = [] if late else sorted({int(c) for c in chosen.get(answer.question_id, ())})
        answer.chosen = picked
        answer.is_correct = picked == sorted(answer.question.correct)
        correct += answer.is_correct
    AttemptAnswer.objects.bulk_update(answers, ["chosen", "is_correct"])
    attempt.correct_count = correct
    attempt.submitted_at = now
    attempt.save(update_fields=["correct_count", "submitted_at"])
    audit_record(
        actor=by,
        action="knowledge.attempt.submitted",
        obj=attempt,
        data={"kind": attempt.kind, "correct": correct, "of": attempt.question_count, "late": late},
    )
    return attempt


MAX_EXAM_QUESTIONS = 200


def _exam_errors(
    *, title: str, duration_minutes: int, pass_percent: int, opens_at, closes_at
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Enter a title for the exam.")]
    if not 1 <= duration_minutes <= 600:
        errors["duration_minutes"] = [_("Give a time limit between 1 and 600 minutes.")]
    if not 0 <= pass_percent <= 100:
        errors["pass_percent"] = [_("Give a pass mark between 0 and 100 %.")]
    if closes_at is not None and opens_at is not None and closes_at <= opens_at:
        errors["closes_at"] = [_("The exam must close after it opens.")]
    return errors


@transaction.atomic
def exam_create(
    *,
    by: User | None,
    title: str,
    duration_minutes: int,
    pass_percent: int = 80,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    question_ids: Sequence[int] = (),
    draw_count: int = 0,
    draw_category_ids: Sequence[int] | None = None,
    seed: int | None = None,
) -> Exam:
    """An exam from chosen questions, or from ``draw_count`` active questions drawn at random
    (from the articles of ``draw_category_ids`` when given), or both. Every agent sitting it
    gets the same questions; the time limit runs from when each one starts."""
    title = " ".join((title or "").split())[:100]
    opens_at = opens_at or timezone.now()
    errors = _exam_errors(
        title=title,
        duration_minutes=duration_minutes,
        pass_percent=pass_percent,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    chosen = list(Question.objects.filter(pk__in=list(question_ids), active=True))
    if len(chosen) != len(set(question_ids)):
        errors["questions"] = [_("Some chosen questions no longer exist or are inactive.")]
    drawn: list[Question] = []
    if draw_count < 0 or draw_count > MAX_EXAM_QUESTIONS:
        errors["draw_count"] = [
            _("Draw between 0 and %(n)d questions.") % {"n": MAX_EXAM_QUESTIONS}
        ]
    elif draw_count:
        pool = Question.objects.filter(active=True).exclude(pk__in=[q.pk for q in chosen])
        if draw_category_ids is not None:
            pool = pool.filter(article__category_id__in=list(draw_category_ids))
        pool_ids = list(pool.order_by("pk").values_list("pk", flat=True))
        if len(pool_ids) < draw_count:
            errors["draw_count"] = [
                _(
                    "Only %(available)d questions are available to draw from; draw fewer, "
                    "choose another category or add questions."
                )
                % {"available": len(pool_ids)}
            ]
        else:
            picked = random.Random(seed).sample(pool_ids, draw_count)  # noqa: S311 (no secret)
            drawn = list(Question.objects.filter(pk__in=picked))
    if not errors and not (chosen or drawn):
        errors["questions"] = [_("Choose questions or a number of questions to draw.")]
    if not errors and len(chosen) + len(drawn) > MAX_EXAM_QUESTIONS:
        errors["questions"] = [
            _("An exam can have at most %(n)d questions.") % {"n": MAX_EXAM_QUESTIONS}
        ]
    if errors:
        raise ValidationFailed(_("The exam has errors; nothing was saved."), errors=errors)
    exam = Exam.objects.create(
        title=title,
        duration_minutes=duration_minutes,
        pass_percent=pass_percent,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=by,
    )
    exam.questions.set([*chosen, *drawn])
    audit_record(
        actor=by,
        action="knowledge.exam.created",
        obj=exam,
        data={
            "questions": len(chosen) + len(drawn),
            "drawn": len(drawn),
            "categories": list(draw_category_ids) if draw_category_ids is not None else None,
            "duration_minutes": duration_minutes,
        },
    )
    return exam


@transaction.atomic
def exam_update(
    *,
    exam: Exam,
    by: User | None,
    title: str,
    duration_minutes: int,
    pass_percent: int,
    opens_at: dt.datetime | None,
    closes_at: dt.datetime | None,
    question_ids: Sequence[int],
) -> Exam:
    """Change an exam. Title, time limit, pass mark and dates can change at any time (a
    sitting already started keeps the time limit it started with); the questions only while
    nobody has sat the exam, so that every sitting is scored on the same questions."""
    exam = Exam.objects.select_for_update().get(pk=exam.pk)
    title = " ".join((title or "").split())[:100]
    opens_at = opens_at or exam.opens_at
    errors = _exam_errors(
        title=title,
        duration_minutes=duration_minutes,
        pass_percent=pass_percent,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    old_ids = set(exam.questions.values_list("pk", flat=True))
    new_ids = set(question_ids)
    if new_ids != old_ids:
        if exam.attempts.exists():
            errors["questions"] = [
                _(
                    "Agents have already sat this exam, so its questions can no longer "
                    "change; create a new exam instead."
                )
            ]
        elif not new_ids:
            errors["questions"] = [_("Choose questions or a number of questions to draw.")]
        elif len(new_ids) > MAX_EXAM_QUESTIONS:
            errors["questions"] = [
                _("An exam can have at most %(n)d questions.") % {"n": MAX_EXAM_QUESTIONS}
            ]
        else:
            added = new_ids - old_ids
            if Question.objects.filter(pk__in=added, active=True).count() != len(added):
                errors["questions"] = [_("Some chosen questions no longer exist or are inactive.")]
    if errors:
        raise ValidationFailed(_("The exam has errors; nothing was saved."), errors=errors)
    before = {
        "title": exam.title,
        "duration_minutes": exam.duration_minutes,
        "pass_percent": exam.pass_percent,
        "opens_at": exam.opens_at,
        "closes_at": exam.closes_at,
    }
    exam.title = title
    exam.duration_minutes = duration_minutes
    exam.pass_percent = pass_percent
    exam.opens_at = opens_at
    exam.closes_at = closes_at
    exam.save(update_fields=list(before))
    changes = {
        key: (old, getattr(exam, key)) for key, old in before.items() if old != getattr(exam, key)
    }
    if new_ids != old_ids:
        exam.questions.set(sorted(new_ids))
        changes["questions"] = (sorted(old_ids), sorted(new_ids))
    if changes:
        audit_record(actor=by, action="knowledge.exam.changed", obj=exam, changes=changes)
    return exam


@transaction.atomic
def exam_delete(*, exam: Exam, by: User | None) -> None:
    """Delete an exam nobody has sat; one with sittings keeps its scores and can only be
    closed."""
    exam = Exam.objects.select_for_update().get(pk=exam.pk)
    if exam.attempts.exists():
        raise Conflict(
            _(
                "Agents have already sat this exam; it cannot be deleted, because their "
                "scores would go with it. Close it instead."
            )
        )
    audit_record(
        actor=by,
        action="knowledge.exam.deleted",
        obj=exam,
        data={"title": exam.title, "questions": exam.questions.count()},
    )
    exam.delete()


def exam_is_open(exam: Exam, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return exam.opens_at <= now and (exam.closes_at is None or now < exam.closes_at)


@transaction.atomic
def exam_open(*, exam: Exam, by: User | None, now: dt.datetime | None = None) -> Exam:
    """Open the exam now (until closed by hand); sittings already started keep their time."""
    now = now or timezone.now()
    exam = Exam.objects.select_for_update().get(pk=exam.pk)
    if exam_is_open(exam, now):
        return exam
    old = (exam.opens_at, exam.closes_at)
    exam.opens_at = min(exam.opens_at, now)
    exam.closes_at = None
    exam.save(update_fields=["opens_at", "closes_at"])
    audit_record(
        actor=by,
        action="knowledge.exam.opened",
        obj=exam,
        changes={"opens_at": (old[0], exam.opens_at), "closes_at": (old[1], None)},
    )
    return exam


@transaction.atomic
def exam_close(*, exam: Exam, by: User | None, now: dt.datetime | None = None) -> Exam:
    """Close the exam now: nobody can start it any more; whoever is sitting it keeps their
    time limit."""
    now = now or timezone.now()
    exam = Exam.objects.select_for_update().get(pk=exam.pk)
    if not exam_is_open(exam, now) and exam.opens_at <= now:
        return exam
    old = (exam.opens_at, exam.closes_at)
    exam.opens_at = min(exam.opens_at, now)  # a scheduled exam closed early never opens
    exam.closes_at = now
    exam.save(update_fields=["opens_at", "closes_at"])
    audit_record(
        actor=by,
        action="knowledge.exam.closed",
        obj=exam,
        changes={"opens_at": (old[0], exam.opens_at), "closes_at": (old[1], now)},
    )
    return exam


def exams_for_manager():
    return Exam.objects.annotate(
        question_total=Count("questions", distinct=True),
        attempt_total=Count("attempts", distinct=True),
    ).order_by("-opens_at", "-pk")


# --- reads ------------------------------------------------------------------------------


def attempt_get_for_agent(*, agent: User, pk: int) -> Attempt:
    attempt = Attempt.objects.filter(pk=pk, agent=agent).select_related("exam").first()
    if attempt is None:
        raise NotFound(_("No such practice set or exam."))
    return attempt


def wrong_answers(*, agent: User, limit: int = 20):
    """The agent's latest wrong answers, for review with the explanation and the article."""
    return (
        AttemptAnswer.objects.filter(attempt__agent=agent, is_correct=False)
        .select_related("question", "question__article", "attempt")
        .order_by("-attempt__submitted_at")[:limit]
    )


def open_exams(*, now: dt.datetime | None = None):
    now = now or timezone.now()
    return Exam.objects.filter(opens_at__lte=now).filter(
        Q(closes_at__isnull=True) | Q(closes_at__gt=now)
    )


@dataclass
class AgentScore:
    agent: User
    attempts: int
    correct: int
    questions: int

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.questions) if self.questions else 0


@dataclass
class TeamResult:
    name: str
    agents: list[AgentScore]


def results_by_team(*, since: dt.datetime | None = None) -> list[TeamResult]:
    """Scores per agent grouped by training team; agents in no team come last."""
    attempts = Attempt.objects.filter(submitted_at__isnull=False)
    if since:
        attempts = attempts.filter(submitted_at__gte=since)
    per_agent: dict[int, AgentScore] = {}
    for a in attempts.select_related("agent"):
        score = per_agent.setdefault(a.agent_id, AgentScore(a.agent, 0, 0, 0))
        score.attempts += 1
        score.correct += a.correct_count
        score.questions += a.question_count
    teams = []
    placed: set[int] = set()
    for group in TrainingGroup.objects.prefetch_related("members"):
        members = [per_agent[m.pk] for m in group.members.all() if m.pk in per_agent]
        placed |= {m.pk for m in group.members.all()}
        teams.append(TeamResult(group.name, sorted(members, key=lambda s: -s.percent)))
    rest = [s for pk, s in per_agent.items() if pk not in placed]
    if rest:
        teams.append(TeamResult(_("No team"), sorted(rest, key=lambda s: -s.percent)))
    return teams


def results_by_question(*, limit: int = 50):
    """Questions by share of wrong answers, hardest first."""
    rows = (
        AttemptAnswer.objects.filter(is_correct__isnull=False)
        .values("question_id", "question__text")
        .annotate(total=Count("id"), wrong=Count("id", filter=Q(is_correct=False)))
        .order_by("-wrong", "question_id")[:limit]
    )
    return [dict(r, percent_wrong=round(100 * r["wrong"] / r["total"])) for r in rows]


def chosen_from_post(data, question_ids: Sequence[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for qid in question_ids:
        for value in data.getlist(f"q{qid}"):
            if value.isdigit():
                out[qid].append(int(value))
    return out
