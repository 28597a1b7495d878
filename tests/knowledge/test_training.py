"""KB-4 training: generated questions, daily practice, timed exams, results by team."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kefu.core.errors import Conflict, ValidationFailed
from kefu.knowledge import training
from kefu.knowledge.models import Attempt, Exam, Question, TrainingGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(publish):
    for title, similar in [
        ("信用卡挂失", "卡丢了怎么办"),
        ("年费标准", "年费多少"),
        ("账单分期", "账单能分期吗"),
        ("自动还款", "怎么设置自动还款"),
        ("积分兑换", "积分怎么换"),
    ]:
        publish(title, similar=[similar], answer=f"<p>{title}的办理方法。详见手机银行。</p>")
    return training.questions_generate(by=None)


def test_questions_are_generated_from_faq_pairs_once(bank):
    assert bank == 10
    which = Question.objects.filter(kind="single").first()
    assert which.options[which.correct[0]] == which.article.published_version.title
    assert len(set(which.options)) == 4
    assert training.questions_generate(by=None) == 0


def test_a_question_needs_a_correct_option(role_users):
    with pytest.raises(ValidationFailed) as caught:
        training.question_create(
            by=role_users["editor"], kind="single", text="q", options=["a", "b"], correct=[]
        )
    assert list(caught.value.errors) == ["correct"]


def test_the_daily_practice_is_one_set_per_day_and_wrong_answers_come_back(bank, role_users):
    agent = role_users["agent"]
    day = dt.date(2026, 11, 2)
    first = training.practice_for_day(agent=agent, day=day)
    assert training.practice_for_day(agent=agent, day=day) == first
    assert first.question_count == training.PRACTICE_SIZE

    training.attempt_submit(attempt=first, by=agent, chosen={})
    wrong = set(first.answers.values_list("question_id", flat=True))
    next_day = training.practice_for_day(agent=agent, day=day + dt.timedelta(days=1))

    assert set(next_day.answers.values_list("question_id", flat=True)) == wrong


def test_grading_counts_exact_answers(bank, role_users):
    agent = role_users["agent"]
    attempt = training.practice_for_day(agent=agent, day=dt.date(2026, 11, 2))
    answers = list(attempt.answers.select_related("question"))
    chosen = {a.question_id: a.question.correct for a in answers[:3]}

    training.attempt_submit(attempt=attempt, by=agent, chosen=chosen)

    attempt.refresh_from_db()
    assert (attempt.correct_count, attempt.score_percent) == (3, 60)
    with pytest.raises(Conflict):
        training.attempt_submit(attempt=attempt, by=agent, chosen=chosen)


def test_an_exam_handed_in_after_the_deadline_scores_nothing(bank, role_users):
    agent = role_users["agent"]
    exam = Exam.objects.create(title="入职考试", duration_minutes=10)
    exam.questions.set(Question.objects.all()[:4])
    start = timezone.now()
    attempt = training.exam_start(agent=agent, exam=exam, now=start)
    chosen = {a.question_id: a.question.correct for a in attempt.answers.select_related("question")}

    training.attempt_submit(
        attempt=attempt, by=agent, chosen=chosen, now=start + dt.timedelta(minutes=11)
    )

    attempt.refresh_from_db()
    assert (attempt.correct_count, attempt.question_count) == (0, 4)


def test_results_by_team(bank, role_users):
    agent = role_users["agent"]
    team = TrainingGroup.objects.create(name="十一月新员工班", supervisor=role_users["supervisor"])
    team.members.add(agent)
    attempt = training.practice_for_day(agent=agent, day=dt.date(2026, 11, 2))
    training.attempt_submit(
        attempt=attempt,
        by=agent,
        chosen={a.question_id: a.question.correct for a in attempt.answers.all()},
    )

    teams = training.results_by_team()

    assert [(t.name, [(s.agent.username, s.percent) for s in t.agents]) for t in teams] == [
        ("十一月新员工班", [("agent", 100)])
    ]


def test_training_pages_and_permissions(bank, role_users, client_for):
    agent = client_for(role_users["agent"])
    home = agent.get(reverse("knowledge:practice"))
    attempt = Attempt.objects.get(agent=role_users["agent"])
    answered = agent.post(
        reverse("knowledge:answer", args=[attempt.pk]),
        {f"q{attempt.answers.first().question_id}": "0"},
    )

    assert home.status_code == 200 and answered.status_code == 302
    assert agent.get(reverse("knowledge:attempt", args=[attempt.pk])).status_code == 200
    assert agent.get(reverse("knowledge:results")).status_code == 403
    assert agent.post(reverse("knowledge:questions"), {"generate": "1"}).status_code == 403
    assert client_for(role_users["supervisor"]).get(reverse("knowledge:results")).status_code == 200
    other = client_for(role_users["tech"])
    assert other.get(reverse("knowledge:attempt", args=[attempt.pk])).status_code == 404
    assert client_for(role_users["editor"]).get(reverse("knowledge:questions")).status_code == 200
