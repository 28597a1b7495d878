"""Callback pages: who may open them, the desk form keeping what was typed, and the
supervisor's project pages."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import translation

from kefu.callbacks import services
from kefu.callbacks.models import Attempt, Project, Target
from kefu.callbacks.services.targets import Candidate
from tests.factories import CustomerFactory, callback_project, callback_questionnaire

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def target(supervisor, agent):
    project = callback_project(by=supervisor)
    services.targets_add(
        project=project,
        candidates=[
            Candidate(
                customer_id=CustomerFactory(name="赵磊", mobile="13911110006").pk,
                due=dt.date(2026, 11, 30),
            )
        ],
    )
    t = project.targets.get()
    services.target_reassign(target=t, agent=agent, by=supervisor)
    return t


MANAGER_PAGES = [
    "/callbacks/",
    "/callbacks/projects/new/",
    "/callbacks/questionnaires/",
    "/callbacks/questionnaires/new/",
    "/callbacks/follow-ups/",
]


@pytest.mark.parametrize("url", MANAGER_PAGES)
def test_supervisor_pages_open_for_the_supervisor_and_not_for_agents(url, role_users, client_for):
    assert client_for(role_users["supervisor"]).get(url).status_code == 200
    assert client_for(role_users["callback"]).get(url).status_code == 403
    assert client_for(role_users["agent"]).get(url).status_code == 403


def test_the_desk_lists_the_agents_queue_with_masked_numbers(target, agent, client_for):
    response = client_for(agent).get("/callbacks/desk/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/callbacks/desk/{target.pk}/"' in html
    assert "139****0006" in html and "13911110006" not in html


def test_the_call_page_shows_the_opening_script_with_the_agents_number(target, agent, client_for):
    agent.employee_no = "HF1024"
    agent.save(update_fields=["employee_no"])

    html = client_for(agent).get(f"/callbacks/desk/{target.pk}/").content.decode()

    assert "HF1024" in html
    assert 'id="q-Q1"' in html and "data-branches=" in html


def test_another_agent_cannot_open_a_callback(target, second_agent, client_for):
    assert client_for(second_agent).get(f"/callbacks/desk/{target.pk}/").status_code == 403


def test_saving_a_reached_call_without_required_answers_keeps_what_was_typed(
    target, agent, client_for
):
    response = client_for(agent).post(
        f"/callbacks/desk/{target.pk}/",
        {
            "outcome": "reached",
            "q_Q1": "no",
            "note": "客户正在开车",
            "fu_kind_0": "need",
            "fu_text_0": "想了解理财",
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "This question must be answered." in html
    assert "The call was not saved: please correct the fields marked." in html
    assert "客户正在开车" in html and "想了解理财" in html
    assert Attempt.objects.count() == 0


def test_saving_a_reached_call_goes_back_to_the_queue(target, agent, client_for):
    response = client_for(agent).post(
        f"/callbacks/desk/{target.pk}/", {"outcome": "reached", "q_Q1": "yes", "q_Q3": "5"}
    )

    assert response.status_code == 302 and response["Location"] == "/callbacks/desk/"
    target.refresh_from_db()
    assert target.status == Target.Status.REACHED


def test_dialing_shows_the_full_number_to_the_assigned_agent(target, agent, client_for):
    response = client_for(agent).post(f"/callbacks/desk/{target.pk}/dial/")

    assert "13911110006" in response.content.decode()


def test_a_supervisor_creates_and_starts_a_project(supervisor, client_for):
    version = callback_questionnaire(by=supervisor)
    client = client_for(supervisor)

    response = client.post(
        "/callbacks/projects/new/",
        {
            "name": "基金客户回访 2026Q4",
            "callback_type": "fund_wealth",
            "in_window": "2026-11-25",
            "questionnaire": version.questionnaire_id,
            "max_attempts": 3,
            "retry_minutes": 120,
        },
    )
    project = Project.objects.get()
    client.post(f"/callbacks/projects/{project.pk}/start/")

    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.status, project.minimum_reached, project.window_end) == (
        "running",
        30,
        dt.date(2026, 12, 31),
    )
    page = client.get(f"/callbacks/projects/{project.pk}/").content.decode()
    assert 'id="minimum"' in page


def test_a_bad_project_form_is_refused_with_field_errors(supervisor, client_for):
    response = client_for(supervisor).post("/callbacks/projects/new/", {"name": ""})

    assert response.status_code == 400
    assert Project.objects.count() == 0


def test_a_questionnaire_is_built_and_published_from_the_editor(supervisor, client_for):
    data = {
        "name": "满意度调查",
        "company_wide": "on",
        "opening_script": "您好，我是{company}客服，工号{agent_no}。",
        "q-TOTAL_FORMS": "2",
        "q-INITIAL_FORMS": "0",
        "q-MIN_NUM_FORMS": "0",
        "q-MAX_NUM_FORMS": "1000",
        "q-0-code": "q1",
        "q-0-kind": "yes_no",
        "q-0-text": "满意吗？",
        "q-0-required": "on",
        "q-0-branches": "yes -> END",
        "q-1-code": "q2",
        "q-1-kind": "text",
        "q-1-text": "哪里不满意？",
        "publish": "1",
    }

    response = client_for(supervisor).post("/callbacks/questionnaires/new/", data)

    assert response.status_code == 302
    from kefu.callbacks.models import QuestionnaireVersion

    version = QuestionnaireVersion.objects.get()
    assert version.is_published
    assert version.questions.get(code="Q1").branches == [{"when": "yes", "goto": "END"}]


def test_the_editor_refuses_to_publish_a_branch_to_nowhere(supervisor, client_for):
    data = {
        "name": "坏问卷",
        "opening_script": "您好",
        "q-TOTAL_FORMS": "1",
        "q-INITIAL_FORMS": "0",
        "q-MIN_NUM_FORMS": "0",
        "q-MAX_NUM_FORMS": "1000",
        "q-0-code": "Q1",
        "q-0-kind": "yes_no",
        "q-0-text": "满意吗？",
        "q-0-branches": "no -> Q9",
        "publish": "1",
    }

    response = client_for(supervisor).post("/callbacks/questionnaires/new/", data)

    assert response.status_code == 400
    assert "Q9" in response.content.decode()


def test_running_a_list_rule_from_the_project_page(supervisor, client_for):
    from tests.factories import FundTransferFactory

    FundTransferFactory(occurred_at=dt.datetime(2026, 11, 24, 14, 0, tzinfo=SH))
    project = callback_project(by=supervisor, callback_type="large_transfer")

    response = client_for(supervisor).post(
        f"/callbacks/projects/{project.pk}/rule/", {"rule": "large_transfers", "day": "2026-11-24"}
    )

    assert response.status_code == 302
    assert project.targets.count() == 1
    page = client_for(supervisor).get(f"/callbacks/projects/{project.pk}/").content.decode()
    batch = project.batches.get()
    assert "Large transfers out on a trading day" in page
    assert (
        "Large transfers out on a trading day"
        in (
            client_for(supervisor).get(f"/callbacks/projects/{project.pk}/batches/{batch.pk}/")
        ).content.decode()
    )


def test_the_report_page_and_its_exports(supervisor, role_users, client_for):
    client = client_for(role_users["manager"])

    page = client.get("/callbacks/reports/", {"period": "quarter", "day": "2026-11-25"})
    xlsx = client.get("/callbacks/reports/export.xlsx", {"period": "month", "detail": "1"})

    assert page.status_code == 200 and 'id="deadlines"' in page.content.decode()
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client_for(role_users["callback"]).get("/callbacks/reports/").status_code == 403


def test_the_pdf_export_embeds_a_chinese_font(supervisor, client_for):
    response = client_for(supervisor).get("/callbacks/reports/export.pdf", {"period": "month"})

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert b"FontFile" in response.content


def test_portfolio_pages_by_role(role_users, client_for):
    assert client_for(role_users["supervisor"]).get("/callbacks/portfolios/").status_code == 200
    assert (
        client_for(role_users["supervisor"]).get("/callbacks/portfolios/overdue/").status_code
        == 200
    )
    assert client_for(role_users["agent"]).get("/callbacks/portfolios/mine/").status_code == 200
    assert client_for(role_users["agent"]).get("/callbacks/portfolios/").status_code == 403
    assert client_for(role_users["qa"]).get("/callbacks/portfolios/mine/").status_code == 403


def test_a_detail_table_is_made_in_the_background_with_progress(
    supervisor, role_users, client_for, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client = client_for(role_users["manager"])

    response = client.post(
        "/callbacks/reports/exports/", {"fmt": "pdf", "period": "month", "day": "2026-11-25"}
    )

    from kefu.callbacks.models import ReportExport

    export = ReportExport.objects.get()
    assert response.status_code == 302
    assert (export.status, export.label, export.created_by) == (
        "finished",
        "2026-11",
        role_users["manager"],
    )
    page = client.get(f"/callbacks/reports/exports/{export.pk}/").content.decode()
    assert 'id="export-file"' in page
    pdf = client.get(f"/callbacks/reports/exports/{export.pk}/file/")
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    refused = client_for(role_users["callback"]).post(
        "/callbacks/reports/exports/", {"fmt": "pdf", "period": "month"}
    )
    assert refused.status_code == 403 and ReportExport.objects.count() == 1


def test_a_supervisor_sets_an_agents_quota_and_skills(supervisor, agent, client_for, role_users):
    client = client_for(supervisor)

    page = client.get("/callbacks/agents/")
    response = client.post(
        "/callbacks/agents/",
        {"user": agent.pk, "daily_quota": 25, "skills": ["vip", "brokerage"], "active": "on"},
    )
    bad = client.post("/callbacks/agents/", {"user": agent.pk, "daily_quota": -1})
    bad_html = bad.content.decode()

    from kefu.callbacks.models import AgentProfile

    profile = AgentProfile.objects.get(user=agent)
    assert page.status_code == 200 and agent.username in page.content.decode()
    assert response.status_code == 302 and bad.status_code == 400
    assert f"{agent} · Callbacks per trading day: " in bad_html
    assert 'value="-1"' in bad_html  # what was typed stays on the page
    assert "daily_quota" not in bad_html.split('id="agent-errors"')[1].split("</div>")[0]
    assert (profile.daily_quota, profile.skills, profile.active) == (25, ["brokerage", "vip"], True)
    assert client_for(agent).get("/callbacks/agents/").status_code == 403


BAD_QUESTIONNAIRE = {
    "name": "坏问卷",
    "opening_script": "您好",
    "q-TOTAL_FORMS": "1",
    "q-INITIAL_FORMS": "0",
    "q-MIN_NUM_FORMS": "0",
    "q-MAX_NUM_FORMS": "1000",
    "q-0-code": "Q1",
    "q-0-kind": "yes_no",
    "q-0-text": "满意吗？",
    "q-0-branches": "no -> Q9",
    "publish": "1",
}


def test_a_refused_save_and_publish_saves_nothing_and_keeps_what_was_typed(supervisor, client_for):
    from kefu.callbacks.models import Questionnaire

    client = client_for(supervisor)

    first = client.post("/callbacks/questionnaires/new/", BAD_QUESTIONNAIRE)
    again = client.post("/callbacks/questionnaires/new/", BAD_QUESTIONNAIRE)
    fixed = client.post(
        "/callbacks/questionnaires/new/", {**BAD_QUESTIONNAIRE, "q-0-branches": "no -> END"}
    )

    assert (first.status_code, again.status_code, fixed.status_code) == (400, 400, 302)
    assert "no -&gt; Q9" in again.content.decode() and "坏问卷" in again.content.decode()
    questionnaire = Questionnaire.objects.get()
    assert questionnaire.versions.get().is_published


def test_a_refused_publish_of_a_draft_keeps_the_draft_as_it_was(supervisor, client_for):
    draft = callback_questionnaire(by=supervisor, publish=False)
    client = client_for(supervisor)

    response = client.post(f"/callbacks/versions/{draft.pk}/edit/", BAD_QUESTIONNAIRE)

    draft.refresh_from_db()
    assert response.status_code == 400
    assert not draft.is_published
    assert list(draft.questions.values_list("code", flat=True)) == ["Q1", "Q2", "Q3", "Q4"]
    assert draft.questionnaire.name == "新客户回访问卷"


def test_editing_a_draft_can_make_it_company_wide_or_not(supervisor, client_for):
    draft = callback_questionnaire(by=supervisor, publish=False)
    data = {**BAD_QUESTIONNAIRE, "q-0-branches": "", "name": "新客户回访问卷"}
    del data["publish"]

    response = client_for(supervisor).post(f"/callbacks/versions/{draft.pk}/edit/", data)

    draft.questionnaire.refresh_from_db()
    assert response.status_code == 302
    assert draft.questionnaire.company_wide is False


def test_a_supervisor_takes_a_customer_off_the_list(target, supervisor, client_for):
    client = client_for(supervisor)
    url = f"/callbacks/projects/{target.project_id}/targets/{target.pk}/remove/"

    page = client.get(f"/callbacks/projects/{target.project_id}/").content.decode()
    refused = client.post(url, {"reason": ""}, follow=True)
    target.refresh_from_db()
    status_after_refusal = target.status
    removed = client.post(url, {"reason": "客户已销户"}, follow=True)

    target.refresh_from_db()
    assert f'action="{url}"' in page
    assert status_after_refusal == Target.Status.PENDING
    assert "enter a reason" in refused.content.decode()
    assert target.status == Target.Status.REMOVED
    assert "赵磊 was taken off the list." in removed.content.decode()
    assert f'action="{url}"' not in removed.content.decode()


def test_a_supervisor_gives_a_callback_to_another_agent(
    target, supervisor, second_agent, client_for
):
    client = client_for(supervisor)
    url = f"/callbacks/projects/{target.project_id}/targets/{target.pk}/assign/"

    page = client.get(f"/callbacks/projects/{target.project_id}/").content.decode()
    refused = client.post(url, {"agent": second_agent.pk, "day": "0001-01-01"}, follow=True)
    target.refresh_from_db()
    agent_after_refusal = target.assigned_to_id
    moved = client.post(url, {"agent": second_agent.pk, "day": "2026-11-27"}, follow=True)

    target.refresh_from_db()
    assert f'action="{url}"' in page and f'<option value="{second_agent.pk}"' in page
    assert "Choose a day between 1990-01-01 and 2999-12-31." in refused.content.decode()
    assert agent_after_refusal != second_agent.pk
    assert (target.assigned_to, target.scheduled_on) == (second_agent, dt.date(2026, 11, 27))
    assert f"赵磊 is now on {second_agent}&#x27;s queue." in moved.content.decode()


def test_the_list_of_a_project_is_filtered_by_status(target, supervisor, client_for):
    client = client_for(supervisor)
    base = f"/callbacks/projects/{target.project_id}/"

    reached = client.get(base, {"status": "reached"}).content.decode()
    pending = client.get(base, {"status": "pending"}).content.decode()
    nonsense = client.get(base, {"status": "x"})

    assert f'id="target-{target.pk}"' not in reached
    assert f'id="target-{target.pk}"' in pending
    assert nonsense.status_code == 200


def _supervisor_posts(target):
    """Every page that changes something for a supervisor, with a valid body."""
    p, t = target.project_id, target.pk
    version = target.project.questionnaire_version_id
    return [
        (f"/callbacks/projects/{p}/start/", {}),
        (f"/callbacks/projects/{p}/close/", {}),
        (f"/callbacks/projects/{p}/rule/", {"rule": "aml_flagged"}),
        (f"/callbacks/projects/{p}/distribute/", {"start": "2026-11-24"}),
        (f"/callbacks/projects/{p}/targets/{t}/remove/", {"reason": "x"}),
        (f"/callbacks/projects/{p}/targets/{t}/assign/", {"agent": target.assigned_to_id}),
        ("/callbacks/projects/new/", {"name": "x"}),
        ("/callbacks/questionnaires/new/", {"name": "x"}),
        (f"/callbacks/versions/{version}/edit/", {}),
        (f"/callbacks/versions/{version}/publish/", {}),
        ("/callbacks/reports/filings/", {"kind": "monthly", "period": "2026-10"}),
        ("/callbacks/agents/", {"user": target.assigned_to_id, "daily_quota": 1}),
        ("/callbacks/portfolios/", {"since": "2000-01-01", "limit": 10}),
    ]


def _state():
    from kefu.callbacks.models import (
        AgentProfile,
        CallbackEvent,
        FollowUp,
        PortfolioAssignment,
        PortfolioPlan,
        Questionnaire,
        QuestionnaireVersion,
        ReportFiling,
        TargetBatch,
    )
    from kefu.core.models import AuditEvent

    return (
        list(Project.objects.values_list("status", flat=True)),
        list(Target.objects.values_list("status", "assigned_to_id")),
        Questionnaire.objects.count(),
        list(QuestionnaireVersion.objects.values_list("status", flat=True)),
        TargetBatch.objects.count(),
        Attempt.objects.count(),
        FollowUp.objects.filter(status="done").count(),
        CallbackEvent.objects.count(),
        PortfolioPlan.objects.count(),
        PortfolioAssignment.objects.count(),
        ReportFiling.objects.count(),
        list(AgentProfile.objects.values_list("daily_quota", flat=True)),
        AuditEvent.objects.exclude(action__startswith="auth.").count(),
    )


@pytest.mark.parametrize("role", ["callback", "agent", "manager", "qa"])
def test_every_supervisor_action_refuses_other_roles_and_changes_nothing(
    target, role, role_users, client_for
):
    client = client_for(role_users[role])
    target.refresh_from_db()
    before = _state()

    for url, body in _supervisor_posts(target):
        response = client.post(url, body)
        assert response.status_code == 403, (role, url, response.status_code)

    assert _state() == before


def test_agents_cannot_close_a_supervisors_follow_up_or_apply_a_plan(
    target, agent, supervisor, role_users, client_for
):
    from kefu.callbacks.models import FollowUp, PortfolioPlan

    services.attempt_record(
        target=target,
        by=agent,
        outcome="reached",
        answers={"Q1": "yes", "Q3": 4},
        follow_ups=[("risk", "客户称未本人操作")],
    )
    follow_up = FollowUp.objects.get()
    plan = services.portfolio_plan_create(by=supervisor, since=dt.date(2000, 1, 1)).plan
    before = _state()

    for role in ("callback", "agent", "manager"):
        client = client_for(role_users[role])
        closing = client.post(f"/callbacks/follow-ups/{follow_up.pk}/close/", {"resolution": "x"})
        applying = client.post(f"/callbacks/portfolios/plans/{plan.pk}/apply/")
        assert (closing.status_code, applying.status_code) == (403, 403), role

    assert _state() == before
    assert PortfolioPlan.objects.get().applied_at is None


def test_another_agent_cannot_save_a_call_or_dial_on_my_callback(target, second_agent, client_for):
    client = client_for(second_agent)
    before = _state()

    saving = client.post(
        f"/callbacks/desk/{target.pk}/", {"outcome": "reached", "q_Q1": "yes", "q_Q3": "5"}
    )
    dialing = client.post(f"/callbacks/desk/{target.pk}/dial/")

    assert (saving.status_code, dialing.status_code) == (403, 403)
    assert "13911110006" not in dialing.content.decode()
    assert _state() == before


def test_an_agent_cannot_record_the_first_contact_of_another_agents_customer(
    supervisor, role_users, client_for
):
    from kefu.callbacks.models import PortfolioAssignment

    CustomerFactory()
    plan = services.portfolio_plan_create(
        by=supervisor, since=dt.date(2000, 1, 1), agent_ids=[role_users["callback"].pk]
    ).plan
    services.portfolio_plan_apply(plan=plan, by=supervisor)
    assignment = PortfolioAssignment.objects.first()
    before = _state()

    response = client_for(role_users["agent"]).post(
        f"/callbacks/portfolios/mine/{assignment.pk}/contact/", {"note": "x"}
    )

    assignment.refresh_from_db()
    assert response.status_code == 404
    assert assignment.first_contact_at is None
    assert _state() == before


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more_work(project, agent, supervisor, n):
    """n more customers on the list, assigned to the agent, each called once with a
    follow-up, and n more customers in the agent's portfolio, overdue."""
    from kefu.callbacks.models import PortfolioAssignment

    customers = [CustomerFactory() for _ in range(n)]
    services.targets_add(
        project=project,
        candidates=[Candidate(customer_id=c.pk, due=dt.date(2026, 11, 30)) for c in customers],
    )
    for t in project.targets.filter(assigned_to__isnull=True):
        services.target_reassign(target=t, agent=agent, by=supervisor)
        services.attempt_record(
            target=t, by=agent, outcome="no_answer", follow_ups=[("need", "想了解理财")]
        )
    past = dt.datetime(2026, 1, 1, tzinfo=SH)
    PortfolioAssignment.objects.bulk_create(
        PortfolioAssignment(
            customer=c, agent=agent, assigned_by=supervisor, assigned_at=past, contact_due_at=past
        )
        for c in customers
    )


def test_list_pages_make_the_same_number_of_queries_for_more_rows(
    target, agent, supervisor, client_for
):
    boss, me = client_for(supervisor), client_for(agent)
    pages = [
        (boss, "/callbacks/"),
        (boss, f"/callbacks/projects/{target.project_id}/"),
        (boss, "/callbacks/follow-ups/"),
        (boss, "/callbacks/reports/?period=month&day=2026-11-25"),
        (boss, "/callbacks/portfolios/overdue/"),
        (me, "/callbacks/desk/"),
        (me, "/callbacks/portfolios/mine/"),
    ]
    _more_work(target.project, agent, supervisor, 1)
    for client, url in pages:  # each user's permissions are then kept (one query less)
        client.get(url)
    few = [_queries(client, url) for client, url in pages]

    _more_work(target.project, agent, supervisor, 5)
    many = [_queries(client, url) for client, url in pages]

    assert many == few


NONSENSE = [
    {},
    {
        "rule": "nope",
        "start": "0001-01-01",
        "since": "0001-01-01",
        "day": "0001-01-01",
        "in_window": "9999-12-31",
        "limit": "-5",
        "reason": "x" * 500,
        "kind": "x",
        "period": "2026-13",
        "user": "abc",
        "daily_quota": "abc",
        "name": "x" * 300,
        "callback_type": "zzz",
        "fmt": "doc",
        "q-TOTAL_FORMS": "abc",
    },
    {"rule": "large_transfers", "day": "0001-01-01", "limit": "abc"},
    {"rule": "fund_holders", "limit": "9" * 25},
    {
        "name": "n",
        "opening_script": "x",
        "q-TOTAL_FORMS": "1",
        "q-INITIAL_FORMS": "0",
        "q-0-code": "Q1",
        "q-0-kind": "scale",
        "q-0-text": "x",
        "q-0-scale_min": "99999999999",
    },
]


def test_nonsense_on_any_page_is_answered_not_a_server_error(target, supervisor, agent, client_for):
    boss, me = client_for(supervisor), client_for(agent)
    boss.raise_request_exception = me.raise_request_exception = False
    target.refresh_from_db()
    posts = [url for url, _body in _supervisor_posts(target)] + ["/callbacks/reports/exports/"]
    calls = [(boss, "post", url, body) for url in posts for body in NONSENSE]
    calls += [
        (me, "post", f"/callbacks/desk/{target.pk}/", body)
        for body in (
            {"outcome": "call_back_later", "call_back_at": "0001-01-01T00:00"},
            {"outcome": "reached", "q_Q1": "yes", "q_Q3": "9" * 40},
            {"outcome": "zzz", "fu_kind_0": "zz", "fu_text_0": "x" * 600},
        )
    ]
    calls += [
        (boss, "get", url, {})
        for url in (
            "/callbacks/reports/?period=zz&day=0001-01-01",
            "/callbacks/reports/export.pdf?day=0001-01-01",
            "/callbacks/reports/export.xlsx?period=day&day=9999-12-31",
            f"/callbacks/projects/{target.project_id}/?page=abc&status=zz",
        )
    ]

    server_errors = [
        (url, body)
        for client, method, url, body in calls
        if getattr(client, method)(url, body).status_code >= 500
    ]

    assert server_errors == []


def test_numbers_typed_into_notes_follow_ups_and_answers_are_shown_masked(
    target, agent, supervisor, client_for
):
    services.attempt_record(
        target=target,
        by=agent,
        outcome="reached",
        answers={"Q1": "yes", "Q3": 4, "Q4": "请打我另一个号码13800138000"},
        note="客户说新号码 13800138000",
        follow_ups=[("need", "请用 13800138000 联系")],
    )

    follow_ups = client_for(supervisor).get("/callbacks/follow-ups/").content.decode()
    history = client_for(agent).get(f"/callbacks/desk/{target.pk}/").content.decode()

    assert "138****8000" in follow_ups and "13800138000" not in follow_ups
    assert history.count("138****8000") == 2 and "13800138000" not in history


@pytest.mark.parametrize(
    "method,url",
    [
        ("get", "/callbacks/projects/99999/"),
        ("get", "/callbacks/projects/99999/batches/1/"),
        ("get", "/callbacks/projects/99999/batches/1/errors.csv"),
        ("get", "/callbacks/questionnaires/99999/"),
        ("get", "/callbacks/versions/99999/edit/"),
        ("get", "/callbacks/reports/exports/99999/"),
        ("get", "/callbacks/reports/exports/99999/file/"),
        ("post", "/callbacks/projects/99999/start/"),
        ("post", "/callbacks/projects/99999/close/"),
        ("post", "/callbacks/projects/99999/rule/"),
        ("post", "/callbacks/projects/99999/import/"),
        ("post", "/callbacks/projects/99999/distribute/"),
        ("post", "/callbacks/projects/99999/targets/1/remove/"),
        ("post", "/callbacks/projects/99999/targets/1/assign/"),
        ("post", "/callbacks/versions/99999/publish/"),
        ("post", "/callbacks/follow-ups/99999/close/"),
        ("post", "/callbacks/portfolios/plans/99999/apply/"),
    ],
)
def test_a_page_of_something_that_does_not_exist_is_not_found(method, url, supervisor, client_for):
    client = client_for(supervisor)
    client.raise_request_exception = False

    assert getattr(client, method)(url).status_code == 404


def test_a_callback_of_another_project_is_not_found_on_this_projects_page(
    target, supervisor, client_for
):
    other = callback_project(
        by=supervisor, name="另一项目", version=target.project.questionnaire_version
    )
    client = client_for(supervisor)
    client.raise_request_exception = False

    response = client.post(
        f"/callbacks/projects/{other.pk}/targets/{target.pk}/remove/", {"reason": "x"}
    )

    target.refresh_from_db()
    assert response.status_code == 404
    assert target.status == Target.Status.PENDING
