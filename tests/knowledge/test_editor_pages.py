"""Editor pages: the category tree (create, rename, move, delete) and exams (create, edit,
open, close, delete)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kefu.core.errors import ValidationFailed
from kefu.core.models import AuditEvent
from kefu.knowledge import selectors, services, training
from kefu.knowledge.models import Category, Exam, Question

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    card = services.category_create(by=None, name="信用卡")
    repay = services.category_create(by=None, name="还款", parent=card)
    fund = services.category_create(by=None, name="基金")
    return {"card": card, "repay": repay, "fund": fund}


def _snapshot():
    return sorted(Category.objects.values_list("pk", "name", "parent_id", "position"))


# --- categories ------------------------------------------------------------------------------


def test_an_editor_adds_a_category_under_another(tree, role_users, client_for):
    client = client_for(role_users["editor"])

    page = client.get(reverse("knowledge:categories"))
    response = client.post(
        reverse("knowledge:categories"),
        {"new-name": " 自动 还款 ", "new-parent": tree["repay"].pk, "new-position": "2"},
    )

    assert page.status_code == 200 and f'data-category="{tree["repay"].pk}"' in page.text
    assert response.status_code == 302
    created = Category.objects.get(name="自动 还款")
    assert (created.parent, created.position) == (tree["repay"], 2)
    assert (created.pk, "信用卡 › 还款 › 自动 还款") in selectors.category_choices()
    assert AuditEvent.objects.filter(action="knowledge.category.created").count() == 4


def test_an_editor_renames_and_moves_a_category(tree, role_users, client_for, publish):
    article = publish("提前还款", category=tree["repay"])
    client = client_for(role_users["editor"])
    url = reverse("knowledge:category_edit", args=[tree["repay"].pk])

    page = client.get(url)
    response = client.post(url, {"edit-name": "还款方式", "edit-parent": tree["fund"].pk})

    assert page.status_code == 200 and 'id="kb-category-edit"' in page.text
    assert response.status_code == 302
    tree["repay"].refresh_from_db()
    assert (tree["repay"].name, tree["repay"].parent) == ("还款方式", tree["fund"])
    # a search filtered by the new parent finds the article that moved with its category
    hits = selectors.search_articles(q="提前还款", category_id=tree["fund"].pk).hits
    assert [h.article.pk for h in hits] == [article.pk]
    event = AuditEvent.objects.get(action="knowledge.category.changed")
    assert set(event.changes) == {"name", "parent"}


def test_moving_a_category_below_itself_is_refused(tree, role_users, client_for):
    before = _snapshot()
    child = services.category_create(by=None, name="分期", parent=tree["repay"])

    response = client_for(role_users["editor"]).post(
        reverse("knowledge:category_edit", args=[tree["card"].pk]),
        {"edit-name": "信用卡", "edit-parent": child.pk},
    )

    assert response.status_code == 400
    assert _snapshot() == sorted([*before, (child.pk, "分期", tree["repay"].pk, 0)])
    with translation.override("en"), pytest.raises(ValidationFailed) as exc:
        services.category_update(category=tree["card"], by=None, name="信用卡", parent=child)
    assert "below itself" in exc.value.errors["parent"][0]


@pytest.mark.parametrize("name", ["", "   ", "基金"])
def test_empty_or_duplicate_names_are_refused(tree, role_users, client_for, name):
    before = _snapshot()

    response = client_for(role_users["editor"]).post(
        reverse("knowledge:categories"), {"new-name": name, "new-parent": ""}
    )

    assert response.status_code == 400 and 'role="alert"' in response.text
    assert _snapshot() == before


def test_a_missing_category_is_404(role_users, client_for):
    client = client_for(role_users["editor"])

    assert client.get(reverse("knowledge:category_edit", args=[999])).status_code == 404


@pytest.mark.parametrize("role", ["agent", "supervisor", "manager", "qa", "admin"])
def test_other_roles_cannot_change_categories(tree, role_users, client_for, role):
    before = _snapshot()
    client = client_for(role_users[role])

    assert client.get(reverse("knowledge:categories")).status_code == 403
    assert client.post(reverse("knowledge:categories"), {"new-name": "新类"}).status_code == 403
    assert (
        client.post(
            reverse("knowledge:category_edit", args=[tree["repay"].pk]),
            {"edit-name": "改名", "edit-parent": ""},
        ).status_code
        == 403
    )
    assert _snapshot() == before


def test_an_editor_deletes_an_empty_category(tree, role_users, client_for):
    client = client_for(role_users["editor"])
    edit_page = client.get(reverse("knowledge:category_edit", args=[tree["fund"].pk]))

    response = client.post(reverse("knowledge:category_delete", args=[tree["fund"].pk]))

    assert 'id="kb-category-delete"' in edit_page.text
    assert response.status_code == 302
    assert not Category.objects.filter(pk=tree["fund"].pk).exists()
    event = AuditEvent.objects.get(action="knowledge.category.deleted")
    assert event.data["name"] == "基金"


def test_a_category_with_articles_or_children_is_not_deleted(tree, role_users, client_for, publish):
    publish("提前还款", category=tree["repay"])
    client = client_for(role_users["editor"])
    before = _snapshot()

    with translation.override("zh-hans"):
        with_children = client.post(
            reverse("knowledge:category_delete", args=[tree["card"].pk]), follow=True
        )
        with_articles = client.post(
            reverse("knowledge:category_delete", args=[tree["repay"].pk]), follow=True
        )

    assert _snapshot() == before
    assert "信用卡" in with_children.text and with_children.status_code == 200
    messages = [str(m) for m in with_articles.context["messages"]]
    assert any("还款" in m and "1" in m for m in messages), messages
    assert not AuditEvent.objects.filter(action="knowledge.category.deleted").exists()
    assert client.post(reverse("knowledge:category_delete", args=[999])).status_code == 404


@pytest.mark.parametrize("role", ["agent", "supervisor", "qa"])
def test_other_roles_cannot_delete_categories(tree, role_users, client_for, role):
    before = _snapshot()

    response = client_for(role_users[role]).post(
        reverse("knowledge:category_delete", args=[tree["fund"].pk])
    )

    assert response.status_code == 403
    assert _snapshot() == before


# --- exams -----------------------------------------------------------------------------------


@pytest.fixture
def bank(tree, publish):
    """Four questions on credit-card repayment articles, two on fund articles."""
    questions = []
    for i, (category, text) in enumerate(
        [
            (tree["repay"], "最低还款额是多少？"),
            (tree["repay"], "还款日可以改吗？"),
            (tree["card"], "挂失后多久补卡？"),
            (tree["card"], "年费怎么免？"),
            (tree["fund"], "基金赎回几天到账？"),
            (tree["fund"], "定投可以暂停吗？"),
        ]
    ):
        article = publish(f"文章{i}", category=category)
        questions.append(
            training.question_create(
                by=None,
                kind=Question.Kind.SINGLE,
                text=text,
                options=["对", "错"],
                correct=[0],
                article=article,
            )
        )
    return questions


def test_an_editor_creates_an_exam_from_chosen_questions(bank, role_users, client_for):
    client = client_for(role_users["editor"])

    page = client.get(reverse("knowledge:exams"))
    response = client.post(
        reverse("knowledge:exams"),
        {
            "title": "新员工结业考试",
            "duration_minutes": "30",
            "pass_percent": "80",
            "questions": [bank[0].pk, bank[4].pk],
        },
    )

    assert page.status_code == 200 and 'id="kb-exam-form"' in page.text
    assert response.status_code == 302
    exam = Exam.objects.get()
    assert (exam.title, exam.duration_minutes, exam.created_by) == (
        "新员工结业考试",
        30,
        role_users["editor"],
    )
    assert set(exam.questions.values_list("pk", flat=True)) == {bank[0].pk, bank[4].pk}
    assert training.exam_is_open(exam)
    assert AuditEvent.objects.filter(action="knowledge.exam.created").exists()


def test_a_random_draw_comes_from_the_category_and_everything_below(
    bank, tree, role_users, client_for
):
    response = client_for(role_users["supervisor"]).post(
        reverse("knowledge:exams"),
        {
            "title": "信用卡抽考",
            "duration_minutes": "10",
            "pass_percent": "60",
            "draw_count": "3",
            "draw_category": tree["card"].pk,
        },
    )

    assert response.status_code == 302
    drawn = set(Exam.objects.get().questions.values_list("pk", flat=True))
    assert len(drawn) == 3
    assert drawn <= {q.pk for q in bank[:4]}  # credit card and its repayment sub-category


def test_drawing_more_than_there_are_is_refused(bank, tree, role_users, client_for):
    response = client_for(role_users["editor"]).post(
        reverse("knowledge:exams"),
        {
            "title": "基金考试",
            "duration_minutes": "10",
            "pass_percent": "60",
            "draw_count": "5",
            "draw_category": tree["fund"].pk,
        },
    )

    assert response.status_code == 400 and 'role="alert"' in response.text
    assert not Exam.objects.exists()
    with translation.override("en"), pytest.raises(ValidationFailed) as exc:
        training.exam_create(
            by=None,
            title="基金考试",
            duration_minutes=10,
            draw_count=5,
            draw_category_ids=[tree["fund"].pk],
        )
    assert "Only 2 questions" in exc.value.errors["draw_count"][0]


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"title": "", "duration_minutes": "10"}, "title"),
        ({"title": "考试", "duration_minutes": "0"}, "duration_minutes"),
        ({"title": "考试", "duration_minutes": "10"}, "questions"),  # nothing chosen or drawn
    ],
)
def test_bad_exam_forms_save_nothing(bank, role_users, client_for, fields, error_field):
    response = client_for(role_users["editor"]).post(
        reverse("knowledge:exams"), {"pass_percent": "80", **fields}
    )

    assert response.status_code == 400
    assert not Exam.objects.exists()


def test_an_exam_must_close_after_it_opens(bank):
    now = timezone.now()
    with pytest.raises(ValidationFailed) as exc:
        training.exam_create(
            by=None,
            title="考试",
            duration_minutes=10,
            question_ids=[bank[0].pk],
            opens_at=now,
            closes_at=now - dt.timedelta(hours=1),
        )
    assert "closes_at" in exc.value.errors


def test_closing_and_opening_an_exam(bank, role_users, client_for):
    exam = training.exam_create(
        by=None, title="考试", duration_minutes=10, question_ids=[bank[0].pk]
    )
    client = client_for(role_users["editor"])

    assert client.post(reverse("knowledge:exam_close", args=[exam.pk])).status_code == 302
    exam.refresh_from_db()
    assert not training.exam_is_open(exam)
    with pytest.raises(training.Conflict):
        training.exam_start(agent=role_users["agent"], exam=exam)
    list_page = client.get(reverse("knowledge:exams"))
    assert reverse("knowledge:exam_open", args=[exam.pk]) in list_page.text

    assert client.post(reverse("knowledge:exam_open", args=[exam.pk])).status_code == 302
    exam.refresh_from_db()
    assert training.exam_is_open(exam)
    attempt = training.exam_start(agent=role_users["agent"], exam=exam)
    assert attempt.deadline - attempt.started_at == dt.timedelta(minutes=10)
    assert (
        AuditEvent.objects.filter(
            action__in=["knowledge.exam.closed", "knowledge.exam.opened"]
        ).count()
        == 2
    )


def test_an_exam_scheduled_for_later_is_not_open_until_then(bank):
    later = timezone.now() + dt.timedelta(days=1)
    exam = training.exam_create(
        by=None, title="明天的考试", duration_minutes=10, question_ids=[bank[0].pk], opens_at=later
    )

    assert not training.exam_is_open(exam)
    assert training.exam_is_open(exam, later + dt.timedelta(minutes=1))


@pytest.mark.parametrize("role", ["agent", "manager", "qa", "admin"])
def test_other_roles_cannot_create_open_or_close_exams(bank, role_users, client_for, role):
    exam = training.exam_create(
        by=None, title="考试", duration_minutes=10, question_ids=[bank[0].pk]
    )
    before = list(Exam.objects.values_list("pk", "opens_at", "closes_at"))
    client = client_for(role_users[role])

    assert client.get(reverse("knowledge:exams")).status_code == 403
    assert (
        client.post(
            reverse("knowledge:exams"),
            {"title": "X", "duration_minutes": "5", "pass_percent": "50", "draw_count": "1"},
        ).status_code
        == 403
    )
    assert client.post(reverse("knowledge:exam_close", args=[exam.pk])).status_code == 403
    assert client.post(reverse("knowledge:exam_open", args=[exam.pk])).status_code == 403
    assert list(Exam.objects.values_list("pk", "opens_at", "closes_at")) == before
    assert client.get(reverse("knowledge:exam_edit", args=[exam.pk])).status_code == 403
    assert (
        client.post(
            reverse("knowledge:exam_edit", args=[exam.pk]),
            {"title": "改", "duration_minutes": "5", "pass_percent": "50"},
        ).status_code
        == 403
    )
    assert client.post(reverse("knowledge:exam_delete", args=[exam.pk])).status_code == 403
    assert list(Exam.objects.values_list("pk", "title", "opens_at", "closes_at")) == [
        (exam.pk, "考试", *before[0][1:])
    ]


def _exam_post(exam, **changes):
    data = {
        "title": exam.title,
        "duration_minutes": str(exam.duration_minutes),
        "pass_percent": str(exam.pass_percent),
        "opens_at": timezone.localtime(exam.opens_at).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": "",
        "questions": [str(pk) for pk in exam.questions.values_list("pk", flat=True)],
    }
    data.update(changes)
    return data


def test_an_editor_edits_an_exam_nobody_has_sat(bank, role_users, client_for):
    exam = training.exam_create(
        by=None, title="考试", duration_minutes=10, question_ids=[bank[0].pk]
    )
    client = client_for(role_users["editor"])
    url = reverse("knowledge:exam_edit", args=[exam.pk])

    page = client.get(url)
    response = client.post(
        url,
        _exam_post(
            exam,
            title="还款知识考试",
            duration_minutes="15",
            questions=[str(bank[1].pk), str(bank[2].pk)],
        ),
    )

    assert page.status_code == 200 and 'id="kb-exam-edit"' in page.text
    assert response.status_code == 302
    exam.refresh_from_db()
    assert (exam.title, exam.duration_minutes) == ("还款知识考试", 15)
    assert set(exam.questions.values_list("pk", flat=True)) == {bank[1].pk, bank[2].pk}
    event = AuditEvent.objects.get(action="knowledge.exam.changed")
    assert set(event.changes) >= {"title", "duration_minutes", "questions"}


def test_the_questions_of_an_exam_already_sat_cannot_change(bank, role_users, client_for):
    exam = training.exam_create(
        by=None, title="考试", duration_minutes=10, question_ids=[bank[0].pk]
    )
    training.exam_start(agent=role_users["agent"], exam=exam)
    client = client_for(role_users["editor"])
    url = reverse("knowledge:exam_edit", args=[exam.pk])

    with pytest.raises(ValidationFailed) as exc:
        training.exam_update(
            exam=exam,
            by=None,
            title="考试",
            duration_minutes=10,
            pass_percent=80,
            opens_at=None,
            closes_at=None,
            question_ids=[bank[1].pk],
        )
    renamed = client.post(url, _exam_post(exam, title="改名后的考试", duration_minutes="30"))

    assert "questions" in exc.value.errors
    assert renamed.status_code == 302
    exam.refresh_from_db()
    assert (exam.title, exam.duration_minutes) == ("改名后的考试", 30)
    assert list(exam.questions.values_list("pk", flat=True)) == [bank[0].pk]


def test_bad_exam_edits_change_nothing(bank, role_users, client_for):
    exam = training.exam_create(
        by=None, title="考试", duration_minutes=10, question_ids=[bank[0].pk]
    )
    client = client_for(role_users["editor"])
    url = reverse("knowledge:exam_edit", args=[exam.pk])

    with translation.override("zh-hans"):
        no_questions = client.post(url, _exam_post(exam, questions=[]))
        bad_time = client.post(url, _exam_post(exam, duration_minutes="0", title="新名字"))

    assert no_questions.status_code == 400 and 'role="alert"' in no_questions.text
    assert bad_time.status_code == 400
    exam.refresh_from_db()
    assert (exam.title, exam.duration_minutes) == ("考试", 10)
    assert not AuditEvent.objects.filter(action="knowledge.exam.changed").exists()
    assert client.get(reverse("knowledge:exam_edit", args=[999])).status_code == 404


def test_an_exam_is_deleted_only_while_nobody_has_sat_it(bank, role_users, client_for):
    unused = training.exam_create(
        by=None, title="没人考", duration_minutes=10, question_ids=[bank[0].pk]
    )
    sat = training.exam_create(
        by=None, title="有人考", duration_minutes=10, question_ids=[bank[0].pk]
    )
    training.exam_start(agent=role_users["agent"], exam=sat)
    client = client_for(role_users["editor"])

    deleted = client.post(reverse("knowledge:exam_delete", args=[unused.pk]))
    refused = client.post(reverse("knowledge:exam_delete", args=[sat.pk]), follow=True)

    assert deleted.status_code == 302
    assert list(Exam.objects.values_list("title", flat=True)) == ["有人考"]
    assert sat.attempts.count() == 1
    assert any("Close it" in str(m) or "关闭" in str(m) for m in refused.context["messages"])
    assert AuditEvent.objects.filter(action="knowledge.exam.deleted").count() == 1
