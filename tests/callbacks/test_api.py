"""The callback API: each endpoint does its job for the right role, and refuses the wrong
role without changing anything."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.callbacks import services
from kefu.callbacks.models import (
    Attempt,
    CallbackEvent,
    PortfolioAssignment,
    PortfolioPlan,
    Project,
    Questionnaire,
    ReportFiling,
    Target,
    TargetBatch,
)
from kefu.callbacks.services.targets import Candidate
from kefu.core.models import AuditEvent
from tests.factories import CustomerFactory, callback_project

pytestmark = pytest.mark.django_db


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def world(supervisor, agent):
    project = callback_project(by=supervisor)
    services.targets_add(
        project=project,
        candidates=[
            Candidate(
                customer_id=CustomerFactory(mobile="13911110006").pk, due=dt.date(2026, 11, 30)
            )
        ],
    )
    target = project.targets.get()
    services.target_reassign(target=target, agent=agent, by=supervisor)
    plan = services.portfolio_plan_create(by=supervisor, since=dt.date(2000, 1, 1)).plan
    batch = services.targets_from_rule(project=project, rule="aml_flagged", by=supervisor)
    draft = callback_project(by=supervisor, start=False, version=project.questionnaire_version)
    return {
        "project": project,
        "target": target,
        "plan": plan,
        "batch": batch,
        "draft": draft,
    }


def counts():
    return (
        Project.objects.count(),
        Questionnaire.objects.count(),
        Target.objects.exclude(status="removed").count(),
        TargetBatch.objects.count(),
        Attempt.objects.count(),
        CallbackEvent.objects.count(),
        PortfolioPlan.objects.filter(applied_at__isnull=False).count(),
        PortfolioAssignment.objects.count(),
        ReportFiling.objects.count(),
        AuditEvent.objects.exclude(action__startswith="auth.").count(),
    )


FILE = object()  # a multipart upload of a small list


def calls(world):
    p, t, plan = world["project"].pk, world["target"].pk, world["plan"].pk
    batch, draft = world["batch"].pk, world["draft"].pk
    version = world["project"].questionnaire_version_id
    return [
        ("POST", f"/api/callbacks/projects/{draft}/start", None),
        ("POST", f"/api/callbacks/versions/{version}/publish", None),
        ("POST", f"/api/callbacks/projects/{p}/imports", FILE),
        ("GET", f"/api/callbacks/projects/{p}/batches/{batch}", None),
        ("POST", f"/api/callbacks/targets/{t}/remove", {"reason": "x"}),
        ("POST", f"/api/callbacks/targets/{t}/assign", {"agent_id": world["target"].pk}),
        ("GET", "/api/callbacks/queue", None),
        ("GET", "/api/callbacks/projects", None),
        (
            "POST",
            "/api/callbacks/projects",
            {
                "name": "x",
                "callback_type": "fund_wealth",
                "questionnaire_id": world["project"].questionnaire_id,
                "in_window": "2026-11-25",
            },
        ),
        ("POST", f"/api/callbacks/projects/{p}/close", None),
        ("GET", "/api/callbacks/questionnaires", None),
        ("POST", "/api/callbacks/questionnaires", {"name": "x", "questions": []}),
        ("POST", f"/api/callbacks/projects/{p}/rules", {"rule": "aml_flagged"}),
        ("POST", f"/api/callbacks/projects/{p}/distribute", {}),
        ("POST", f"/api/callbacks/targets/{t}/attempts", {"outcome": "no_answer"}),
        ("GET", "/api/callbacks/reports", None),
        ("GET", "/api/callbacks/reports/deadlines", None),
        ("POST", "/api/callbacks/portfolios/plans", {"since": "2000-01-01"}),
        ("POST", f"/api/callbacks/portfolios/plans/{plan}/apply", None),
        ("GET", "/api/callbacks/portfolios/overdue", None),
    ]


@pytest.mark.parametrize("role", ["agent", "qa", "tech", "partner", "telephony"])
def test_every_callback_endpoint_refuses_roles_without_the_permission(
    world, role, role_users, api_client_for
):
    client = api_client_for(role_users[role])
    before = counts()

    for method, url, body in calls(world):
        if method == "GET":
            response = client.get(url)
        elif body is FILE:
            upload = SimpleUploadedFile("l.csv", "手机号码\n13911110006\n".encode())
            response = client.post(url, {"file": upload})
        else:
            response = post(client, url, body)
        assert response.status_code == 403, (role, url, response.status_code)

    assert counts() == before


def test_a_callback_agent_cannot_manage_projects_or_see_reports(world, agent, api_client_for):
    client = api_client_for(agent)
    before = counts()

    assert client.get("/api/callbacks/projects").status_code == 403
    assert post(client, f"/api/callbacks/projects/{world['project'].pk}/close").status_code == 403
    assert client.get("/api/callbacks/reports").status_code == 403

    assert counts() == before


def test_another_agent_cannot_record_a_call_on_my_callback(world, second_agent, api_client_for):
    before = counts()

    response = post(
        api_client_for(second_agent),
        f"/api/callbacks/targets/{world['target'].pk}/attempts",
        {"outcome": "no_answer"},
    )

    assert response.status_code == 403
    assert counts() == before


def test_the_queue_and_recording_a_call(world, agent, api_client_for):
    client = api_client_for(agent)

    queue = client.get("/api/callbacks/queue").json()["results"]
    response = post(
        client,
        f"/api/callbacks/targets/{world['target'].pk}/attempts",
        {
            "outcome": "reached",
            "answers": {"Q1": "yes", "Q3": 4},
            "follow_ups": [{"kind": "need", "text": "基金定投"}],
        },
    )

    assert [q["mobile"] for q in queue] == ["139****0006"]
    assert response.status_code == 201
    assert response.json()["target_status"] == "reached"


def test_a_call_without_required_answers_is_a_problem_with_field_names(
    world, agent, api_client_for
):
    response = post(
        api_client_for(agent),
        f"/api/callbacks/targets/{world['target'].pk}/attempts",
        {"outcome": "reached", "answers": {"Q1": "no"}},
    )

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert {e["field"] for e in response.json()["errors"]} == {"answers.Q2", "answers.Q3"}
    assert Attempt.objects.count() == 0


def test_a_supervisor_builds_a_project_through_the_api(supervisor, api_client_for):
    client = api_client_for(supervisor)

    q = post(
        client,
        "/api/callbacks/questionnaires",
        {
            "name": "满意度",
            "questions": [
                {
                    "code": "q1",
                    "kind": "yes_no",
                    "text": "满意吗？",
                    "branches": [{"when": "yes", "goto": "END"}],
                },
                {"code": "q2", "kind": "text", "text": "哪里不满意？"},
            ],
            "publish": True,
        },
    )
    p = post(
        client,
        "/api/callbacks/projects",
        {
            "name": "满意度调查",
            "callback_type": "other",
            "purpose": "satisfaction",
            "questionnaire_id": q.json()["questionnaire_id"],
            "in_window": "2026-11-25",
        },
    )
    started = post(client, f"/api/callbacks/projects/{p.json()['id']}/start")

    assert q.status_code == 201 and q.json()["status"] == "published"
    assert p.status_code == 201 and p.json()["window_kind"] == "quarterly"
    assert started.json()["status"] == "running" and started.json()["questionnaire_version"] == 1


def test_publishing_a_branch_to_nowhere_is_refused(supervisor, api_client_for):
    response = post(
        api_client_for(supervisor),
        "/api/callbacks/questionnaires",
        {
            "name": "坏",
            "questions": [
                {
                    "code": "Q1",
                    "kind": "yes_no",
                    "text": "?",
                    "branches": [{"when": "no", "goto": "Q5"}],
                }
            ],
            "publish": True,
        },
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "questions"
    assert Questionnaire.objects.count() == 0  # the whole create is one transaction


def test_an_import_through_the_api(world, supervisor, api_client_for, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    CustomerFactory(mobile="13911110002")

    response = api_client_for(supervisor).post(
        f"/api/callbacks/projects/{world['project'].pk}/imports",
        {"file": SimpleUploadedFile("l.csv", "手机号码\n13911110002\n12345\n".encode())},
    )

    assert response.status_code == 202
    batch = TargetBatch.objects.get(kind="import")
    assert (batch.status, batch.added_count, batch.failed_count) == ("finished", 1, 1)


def test_an_import_with_wrong_columns_is_a_problem_naming_the_mapping(
    world, supervisor, api_client_for, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    before = counts()

    response = api_client_for(supervisor).post(
        f"/api/callbacks/projects/{world['project'].pk}/imports",
        {"file": SimpleUploadedFile("l.csv", "客户,电话号\n赵磊,13911110006\n".encode())},
    )

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert {e["field"] for e in response.json()["errors"]} == {"mapping"}
    assert counts() == before
    assert list((tmp_path / "imports" / "callbacks").iterdir()) == []


def test_a_supervisor_takes_a_customer_off_a_list_through_the_api(
    world, supervisor, api_client_for
):
    client = api_client_for(supervisor)
    url = f"/api/callbacks/targets/{world['target'].pk}/remove"
    before = counts()

    refused = post(client, url, {"reason": ""})
    unchanged = counts()
    removed = post(client, url, {"reason": "客户已销户"})
    again = post(client, url, {"reason": "客户已销户"})

    assert refused.status_code == 422 and unchanged == before
    assert [e["field"] for e in refused.json()["errors"]] == ["reason"]
    assert removed.status_code == 200 and removed.json()["status"] == "removed"
    assert again.status_code == 409
    assert AuditEvent.objects.filter(action="callback.target.removed").count() == 1


def test_a_supervisor_gives_a_callback_to_another_agent_through_the_api(
    world, supervisor, second_agent, role_users, api_client_for
):
    client = api_client_for(supervisor)
    url = f"/api/callbacks/targets/{world['target'].pk}/assign"
    before = counts()

    nobody = post(client, url, {"agent_id": 999999})
    not_an_agent = post(client, url, {"agent_id": role_users["qa"].pk})
    unchanged = counts()
    moved = post(client, url, {"agent_id": second_agent.pk, "day": "2026-11-27"})

    assert [r.status_code for r in (nobody, not_an_agent)] == [422, 422]
    assert [r.json()["errors"][0]["field"] for r in (nobody, not_an_agent)] == ["agent", "agent"]
    assert unchanged == before
    assert moved.status_code == 200
    assert (moved.json()["agent_id"], moved.json()["scheduled_on"]) == (
        second_agent.pk,
        "2026-11-27",
    )


def test_reports_and_deadlines_for_a_manager(world, role_users, api_client_for):
    client = api_client_for(role_users["manager"])

    report = client.get("/api/callbacks/reports", {"period": "quarter", "day": "2026-11-25"})
    deadlines = client.get("/api/callbacks/reports/deadlines")

    assert report.status_code == 200 and report.json()["label"] == "2026-Q4"
    assert {d["kind"] for d in deadlines.json()["results"]} == {"monthly", "quarterly"}


def test_portfolio_plan_apply_and_first_contact(world, supervisor, role_users, api_client_for):
    client = api_client_for(supervisor)

    plan = post(client, "/api/callbacks/portfolios/plans", {"since": "2000-01-01", "limit": 10})
    applied = post(client, f"/api/callbacks/portfolios/plans/{plan.json()['id']}/apply")
    assignment = PortfolioAssignment.objects.first()
    owner_client = api_client_for(assignment.agent)
    contact = post(
        owner_client,
        f"/api/callbacks/portfolios/assignments/{assignment.pk}/first-contact",
        {"note": "电话联系，介绍服务"},
    )
    other = next(
        u
        for u in role_users.values()
        if u.pk != assignment.agent_id and u.has_perm("callbacks.work_portfolio")
    )
    refused = post(
        api_client_for(other),
        f"/api/callbacks/portfolios/assignments/{assignment.pk}/first-contact",
        {"note": "x"},
    )

    assert plan.status_code == 201 and applied.json()["assigned"] == plan.json()["customers"]
    assert contact.status_code == 200 and contact.json()["first_contact_at"]
    assert refused.status_code == 404


@pytest.mark.parametrize("role", ["qa", "tech", "partner", "telephony", "manager"])
def test_roles_without_a_portfolio_cannot_record_a_first_contact(
    world, role, supervisor, role_users, api_client_for
):
    services.portfolio_plan_apply(plan=world["plan"], by=supervisor)
    assignment = PortfolioAssignment.objects.first()
    before = counts()

    response = post(
        api_client_for(role_users[role]),
        f"/api/callbacks/portfolios/assignments/{assignment.pk}/first-contact",
        {"note": "电话联系"},
    )

    assignment.refresh_from_db()
    assert response.status_code == 403
    assert assignment.first_contact_at is None
    assert counts() == before


def test_a_bad_project_is_a_problem_naming_each_field(world, supervisor, api_client_for):
    before = counts()

    response = post(
        api_client_for(supervisor),
        "/api/callbacks/projects",
        {
            "name": " ",
            "callback_type": "fund_wealth",
            "questionnaire_id": world["project"].questionnaire_id,
            "in_window": "2026-11-25",
            "max_attempts": 0,
            "window_kind": "yearly",
        },
    )

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert {e["field"] for e in response.json()["errors"]} == {
        "name",
        "max_attempts",
        "window_kind",
    }
    assert counts() == before

    response = post(
        api_client_for(supervisor),
        "/api/callbacks/projects",
        {
            "name": " ",
            "callback_type": "fund_wealth",
            "questionnaire_id": world["project"].questionnaire_id,
            "in_window": "2026-11-25",
            "max_attempts": 0,
        },
    )

    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"name", "max_attempts"}
    assert counts() == before


def test_a_call_back_time_without_an_offset_is_the_centres_local_time(world, agent, api_client_for):
    response = post(
        api_client_for(agent),
        f"/api/callbacks/targets/{world['target'].pk}/attempts",
        {"outcome": "call_back_later", "call_back_at": "2030-01-02T10:00"},
    )

    assert response.status_code == 201
    assert response.json()["next_attempt_at"] == "2030-01-02T02:00:00Z"  # 10:00 in Shanghai


def test_days_far_outside_the_calendar_and_huge_limits_are_problems_not_errors(
    world, supervisor, role_users, api_client_for
):
    boss, manager = api_client_for(supervisor), api_client_for(role_users["manager"])
    p = world["project"]
    project = {"name": "x", "callback_type": "fund_wealth", "questionnaire_id": p.questionnaire_id}
    rules_url = f"/api/callbacks/projects/{p.pk}/rules"
    before = counts()

    answers = [
        (manager.get("/api/callbacks/reports", {"day": "0001-01-01"}), "day"),
        (manager.get("/api/callbacks/reports", {"period": "quarter", "day": "9999-12-31"}), "day"),
        (
            post(boss, "/api/callbacks/projects", {**project, "in_window": "9999-12-31"}),
            "in_window",
        ),
        (
            post(boss, rules_url, {"rule": "new_accounts", "params": {"date_from": "0001-01-01"}}),
            "date_from",
        ),
        (post(boss, rules_url, {"rule": "fund_holders", "params": {"limit": "9" * 20}}), "limit"),
        (
            post(boss, f"/api/callbacks/projects/{p.pk}/distribute", {"start": "0001-01-01"}),
            "start",
        ),
        (post(boss, "/api/callbacks/portfolios/plans", {"since": "0001-01-01"}), "since"),
    ]

    assert [(r.status_code, r.json()["errors"][0]["field"]) for r, _f in answers] == [
        (422, field) for _r, field in answers
    ]
    assert counts() == before


def test_projects_filter_by_status_and_refuse_an_unknown_status_naming_it(
    world, supervisor, api_client_for
):
    client = api_client_for(supervisor)

    drafts = client.get("/api/callbacks/projects?status=draft")
    bad = client.get("/api/callbacks/projects", {"status": "runn\x00ing"})

    assert drafts.status_code == 200
    assert [p["id"] for p in drafts.json()["results"]] == [world["draft"].pk]
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "status"
