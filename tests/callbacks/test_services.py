"""Callback use cases: questionnaires and versions, projects, lists with dedup, distribution,
the desk's outcomes and retries, follow-ups, report filings."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.utils import translation

from kefu.callbacks import services
from kefu.callbacks.models import (
    Answer,
    Attempt,
    CallbackEvent,
    FollowUp,
    Project,
    QuestionnaireVersion,
    Target,
)
from kefu.callbacks.rules import QuestionSpec
from kefu.callbacks.services.targets import CLOSED_COMPLAINT_SOURCES, Candidate
from kefu.core.errors import Conflict, Forbidden, ValidationFailed
from kefu.core.models import AuditEvent
from tests.factories import (
    AmlFlagFactory,
    BrokerageAccountFactory,
    CustomerFactory,
    FundTransferFactory,
    HoldingFactory,
    LoginRecordFactory,
    callback_project,
    callback_questionnaire,
)

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def add(project, *customers, due=dt.date(2026, 11, 30)):
    return services.targets_add(
        project=project, candidates=[Candidate(customer_id=c.pk, due=due) for c in customers]
    )


# --- questionnaires --------------------------------------------------------------------------


def test_a_questionnaire_whose_branch_points_nowhere_cannot_be_published(supervisor):
    version = callback_questionnaire(
        by=supervisor,
        publish=False,
        questions=[
            QuestionSpec("Q1", "yes_no", "满意吗？", branches=({"when": "no", "goto": "Q7"},)),
            QuestionSpec("Q2", "text", "建议"),
        ],
    )

    with pytest.raises(ValidationFailed) as exc:
        services.questionnaire_publish(version=version, by=supervisor)

    assert "Q7" in " ".join(exc.value.errors["questions"])
    version.refresh_from_db()
    assert version.status == QuestionnaireVersion.Status.DRAFT


def test_a_published_version_cannot_change_and_editing_makes_a_new_version(supervisor):
    v1 = callback_questionnaire(by=supervisor)

    with pytest.raises(Conflict):
        services.questionnaire_version_save(
            version=v1, by=supervisor, opening_script="x", questions=[]
        )
    v2 = services.questionnaire_new_version(questionnaire=v1.questionnaire, by=supervisor)

    assert (v2.number, v2.status) == (2, "draft")
    assert list(v2.questions.values_list("code", flat=True)) == ["Q1", "Q2", "Q3", "Q4"]


def test_a_running_project_keeps_the_version_it_started_with(supervisor):
    project = callback_project(by=supervisor)
    v2 = services.questionnaire_new_version(questionnaire=project.questionnaire, by=supervisor)
    services.questionnaire_version_save(
        version=v2,
        by=supervisor,
        opening_script="您好",
        questions=[QuestionSpec("N1", "text", "新问题")],
    )
    services.questionnaire_publish(version=v2, by=supervisor)
    later = callback_project(by=supervisor, version=v2, callback_type="fund_wealth")

    project.refresh_from_db()
    assert project.questionnaire_version.number == 1
    assert later.questionnaire_version.number == 2


def test_a_company_wide_questionnaire_serves_many_projects(supervisor):
    version = callback_questionnaire(by=supervisor)

    first = callback_project(by=supervisor, version=version)
    second = callback_project(by=supervisor, version=version, callback_type="same_ip")

    assert first.questionnaire_version == second.questionnaire_version == version


# --- projects --------------------------------------------------------------------------------


def test_a_questionnaire_that_is_not_company_wide_serves_only_its_own_project(supervisor):
    from kefu.callbacks.selectors import questionnaires_for_projects

    own = services.questionnaire_create(
        name="本项目专用问卷",
        company_wide=False,
        questions=[QuestionSpec(code="Q1", kind="yes_no", text="满意吗？")],
        publish=True,
        by=supervisor,
    ).questionnaire
    shared = callback_questionnaire(by=supervisor).questionnaire
    assert set(questionnaires_for_projects()) == {own, shared}
    first = services.project_create(
        name="专项回访",
        callback_type="service_product",
        questionnaire=own,
        in_window=dt.date(2026, 11, 25),
        by=supervisor,
    )

    with pytest.raises(ValidationFailed) as exc:
        services.project_create(
            name="另一个项目",
            callback_type="fund_wealth",
            questionnaire=own,
            in_window=dt.date(2026, 11, 25),
            by=supervisor,
        )

    assert list(exc.value.errors) == ["questionnaire"]
    assert first.name in exc.value.errors["questionnaire"][0]
    assert list(Project.objects.all()) == [first]
    assert list(questionnaires_for_projects()) == [shared]


def test_there_are_the_13_callback_types_of_seed_003_with_their_windows(supervisor):
    from kefu.callbacks.models import CallbackType

    version = callback_questionnaire(by=supervisor)
    windows = {}
    for callback_type in CallbackType.values:
        project = services.project_create(
            name=callback_type,
            callback_type=callback_type,
            questionnaire=version.questionnaire,
            in_window=dt.date(2026, 11, 25),
            by=supervisor,
        )
        windows[callback_type] = project.window_kind

    assert len(windows) == 13
    assert {t for t, kind in windows.items() if kind == "monthly"} == {
        "new_customer",
        "manager_customers",
    }


def test_project_windows_follow_the_type(supervisor):
    monthly = callback_project(by=supervisor, callback_type="new_customer", start=False)
    quarterly = callback_project(by=supervisor, callback_type="fund_wealth", start=False)
    configured = callback_project(
        by=supervisor, callback_type="fund_wealth", window_kind="monthly", start=False
    )

    assert (monthly.window_start, monthly.window_end) == (
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 30),
    )
    assert (quarterly.window_start, quarterly.window_end) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
    )
    assert quarterly.minimum_reached == 30
    assert configured.window_end == dt.date(2026, 11, 30)


def test_a_project_goes_draft_running_closed_with_events(supervisor):
    project = callback_project(by=supervisor, start=False)

    services.project_start(project=project, by=supervisor)
    with pytest.raises(Conflict):
        services.project_start(project=project, by=supervisor)
    services.project_close(project=project, by=supervisor)

    project.refresh_from_db()
    assert project.status == Project.Status.CLOSED
    assert list(
        CallbackEvent.objects.filter(project=project)
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["callback.project.created", "callback.project.started", "callback.project.closed"]


def test_a_project_cannot_start_without_a_published_questionnaire(supervisor):
    version = callback_questionnaire(by=supervisor, publish=False)
    project = services.project_create(
        name="x",
        callback_type="other",
        purpose="satisfaction",
        questionnaire=version.questionnaire,
        in_window=dt.date(2026, 11, 1),
        by=supervisor,
    )

    with pytest.raises(ValidationFailed):
        services.project_start(project=project, by=supervisor)


def test_only_other_projects_have_a_purpose(supervisor):
    version = callback_questionnaire(by=supervisor)

    with pytest.raises(ValidationFailed) as exc:
        services.project_create(
            name="x",
            callback_type="fund_wealth",
            purpose="satisfaction",
            questionnaire=version.questionnaire,
            in_window=dt.date(2026, 11, 1),
            by=supervisor,
        )

    assert "purpose" in exc.value.errors


# --- dedup (CB-4) ----------------------------------------------------------------------------


def test_no_customer_twice_in_the_same_type_and_window_across_projects(supervisor):
    a, b = CustomerFactory(), CustomerFactory()
    first = callback_project(by=supervisor, name="新客户回访 11月 A")
    second = callback_project(
        by=supervisor, name="新客户回访 11月 B", version=first.questionnaire_version
    )

    add(first, a)
    result = add(second, a, b)

    assert (result.added, result.duplicates) == (1, 1)
    assert set(second.targets.values_list("customer_id", flat=True)) == {b.pk}


def test_the_same_customer_may_be_called_in_another_window_or_for_another_type(supervisor):
    c = CustomerFactory()
    version = callback_questionnaire(by=supervisor)
    november = callback_project(by=supervisor, version=version, in_window=dt.date(2026, 11, 3))
    december = callback_project(by=supervisor, version=version, in_window=dt.date(2026, 12, 3))
    fund = callback_project(by=supervisor, version=version, callback_type="fund_wealth")

    assert add(november, c).added == 1
    assert add(december, c).added == 1
    assert add(fund, c).added == 1


def test_quarterly_windows_dedup_across_months(supervisor):
    c = CustomerFactory()
    version = callback_questionnaire(by=supervisor)
    october = callback_project(
        by=supervisor, version=version, callback_type="same_ip", in_window=dt.date(2026, 10, 5)
    )
    december = callback_project(
        by=supervisor, version=version, callback_type="same_ip", in_window=dt.date(2026, 12, 5)
    )

    add(october, c)

    assert add(december, c).duplicates == 1


def test_adding_the_same_list_again_adds_nothing(supervisor):
    customers = [CustomerFactory() for _ in range(5)]
    project = callback_project(by=supervisor)

    assert add(project, *customers).added == 5
    again = add(project, *customers)

    assert (again.added, again.duplicates) == (0, 5)
    assert project.targets.count() == 5


def test_a_removed_customer_may_be_listed_again(supervisor):
    c = CustomerFactory()
    project = callback_project(by=supervisor)
    add(project, c)
    target = project.targets.get()

    services.target_remove(target=target, by=supervisor, reason="客户要求不再来电")

    assert add(project, c).added == 1


def test_removing_a_customer_needs_a_reason_and_is_audited(supervisor):
    project = callback_project(by=supervisor)
    add(project, CustomerFactory())
    target = project.targets.get()

    with pytest.raises(ValidationFailed) as exc:
        services.target_remove(target=target, by=supervisor, reason="  ")
    target.refresh_from_db()
    assert target.status == Target.Status.PENDING
    assert list(exc.value.errors) == ["reason"]

    services.target_remove(target=target, by=supervisor, reason="客户已销户，新号码13800138000")

    target.refresh_from_db()
    audit = AuditEvent.objects.get(action="callback.target.removed")
    event = CallbackEvent.objects.get(action="callback.target.removed", target=target)
    assert target.status == Target.Status.REMOVED
    assert (audit.actor, audit.data["target"], audit.data["reason"]) == (
        supervisor,
        target.pk,
        "客户已销户，新号码138****8000",
    )
    assert event.data["reason"] == "客户已销户，新号码138****8000"
    with pytest.raises(Conflict):
        services.target_remove(target=target, by=supervisor, reason="again")


def test_a_callback_is_given_to_another_active_callback_agent(
    supervisor, agent, second_agent, role_users
):
    project = callback_project(by=supervisor)
    add(project, CustomerFactory())
    target = project.targets.get()
    services.target_reassign(target=target, agent=agent, by=supervisor)

    with pytest.raises(ValidationFailed) as not_an_agent:
        services.target_reassign(target=target, agent=role_users["qa"], by=supervisor)
    second_agent.callback_profile.active = False
    second_agent.callback_profile.save(update_fields=["active"])
    with pytest.raises(ValidationFailed) as away:
        services.target_reassign(target=target, agent=second_agent, by=supervisor)
    target.refresh_from_db()
    assert (list(not_an_agent.value.errors), list(away.value.errors)) == (["agent"], ["agent"])
    assert target.assigned_to == agent

    second_agent.callback_profile.active = True
    second_agent.callback_profile.save(update_fields=["active"])
    services.target_reassign(
        target=target, agent=second_agent, by=supervisor, day=dt.date(2026, 11, 26)
    )

    target.refresh_from_db()
    assert (target.assigned_to, target.scheduled_on) == (second_agent, dt.date(2026, 11, 26))
    audit = AuditEvent.objects.filter(action="callback.target.reassigned").latest("id")
    assert (audit.data["from"], audit.data["to"]) == (agent.pk, second_agent.pk)


def test_nobody_is_taken_off_the_list_of_a_closed_project(supervisor):
    project = callback_project(by=supervisor)
    add(project, CustomerFactory())
    target = project.targets.get()
    services.project_close(project=project, by=supervisor)

    with pytest.raises(Conflict):
        services.target_remove(target=target, by=supervisor, reason="客户已销户")

    target.refresh_from_db()
    assert target.status == Target.Status.PENDING


def test_a_closed_project_list_cannot_change(supervisor):
    project = callback_project(by=supervisor)
    services.project_close(project=project, by=supervisor)

    with pytest.raises(Conflict):
        add(project, CustomerFactory())


# --- list rules ------------------------------------------------------------------------------


def test_large_transfers_of_the_previous_trading_day_are_due_the_next_trading_day(supervisor):
    zhao = CustomerFactory(name="赵磊", mobile="13911110006")
    big = FundTransferFactory(
        account__customer=zhao, occurred_at=dt.datetime(2026, 2, 13, 14, 32, tzinfo=SH)
    )
    FundTransferFactory(amount="20000.00", occurred_at=dt.datetime(2026, 2, 13, 10, 0, tzinfo=SH))
    FundTransferFactory(occurred_at=dt.datetime(2026, 2, 12, 10, 0, tzinfo=SH))  # a day earlier
    project = callback_project(
        by=supervisor, callback_type="large_transfer", in_window=dt.date(2026, 2, 1)
    )

    # Tuesday 24 Feb 2026, the first trading day after the Spring Festival: the previous
    # trading day is Friday 13 Feb.
    batch = services.targets_from_rule(
        project=project, rule="large_transfers", by=supervisor, today=dt.date(2026, 2, 24)
    )

    target = project.targets.get()
    assert batch.added_count == 1
    assert target.customer == zhao
    assert target.source_ref == big.external_id
    assert target.due_at.astimezone(SH).date() == dt.date(2026, 2, 24)


def test_the_large_transfer_limit_is_configurable(supervisor):
    FundTransferFactory(amount="200000.00", occurred_at=dt.datetime(2026, 11, 24, 10, 0, tzinfo=SH))
    project = callback_project(by=supervisor, callback_type="large_transfer")

    low = services.targets_from_rule(
        project=project,
        rule="large_transfers",
        params={"limit": "100000", "day": "2026-11-24"},
        by=supervisor,
    )

    assert low.added_count == 1
    with pytest.raises(ValidationFailed) as exc:
        services.targets_from_rule(
            project=project, rule="large_transfers", params={"limit": "lots"}, by=supervisor
        )
    assert "limit" in exc.value.errors


def test_new_accounts_of_the_window_are_due_within_a_month(supervisor):
    opened = BrokerageAccountFactory(opened_on=dt.date(2026, 1, 16))
    BrokerageAccountFactory(opened_on=dt.date(2025, 12, 30))
    project = callback_project(by=supervisor, in_window=dt.date(2026, 1, 5))

    services.targets_from_rule(
        project=project, rule="new_accounts", by=supervisor, today=dt.date(2026, 1, 31)
    )

    target = project.targets.get()
    assert target.customer_id == opened.customer_id
    assert target.due_at.astimezone(SH).date() == dt.date(2026, 2, 13)


def test_fund_holders_same_ip_aml_and_lost_customer_rules(supervisor):
    holder = HoldingFactory().account.customer
    a1 = LoginRecordFactory(ip="198.51.100.7").account.customer
    a2 = LoginRecordFactory(ip="198.51.100.7").account.customer
    LoginRecordFactory(ip="198.51.100.8")  # alone on its IP
    flagged = AmlFlagFactory().customer
    lost = BrokerageAccountFactory(status="closed").customer
    version = callback_questionnaire(by=supervisor)

    def run(callback_type, rule):
        project = callback_project(by=supervisor, version=version, callback_type=callback_type)
        services.targets_from_rule(project=project, rule=rule, by=supervisor)
        return set(project.targets.values_list("customer_id", flat=True))

    assert run("fund_wealth", "fund_holders") == {holder.pk}
    assert run("same_ip", "same_ip") == {a1.pk, a2.pk}
    assert run("aml_risk", "aml_flagged") == {flagged.pk}
    assert run("lost_customers", "lost_customers") == {lost.pk}


def test_customers_whose_account_manager_changed_in_the_window(supervisor):
    from kefu.core.services import audit_record

    moved, earlier = CustomerFactory(), CustomerFactory()
    with time_machine.travel(dt.datetime(2026, 11, 3, 10, 0, tzinfo=SH), tick=False):
        audit_record(
            actor=None,
            action="customer.import_updated",
            obj=moved,
            changes={"account_manager_id": (1, 2)},
            actor_label="core import",
        )
    with time_machine.travel(dt.datetime(2026, 9, 20, 10, 0, tzinfo=SH), tick=False):
        audit_record(
            actor=None,
            action="customer.import_updated",
            obj=earlier,
            changes={"account_manager_id": (1, 3)},
            actor_label="core import",
        )
    project = callback_project(by=supervisor, callback_type="manager_change")

    services.targets_from_rule(project=project, rule="manager_change", by=supervisor)

    target = project.targets.get()
    assert target.customer_id == moved.pk
    # quarterly window 2026-Q4: due by its last trading day
    assert target.due_at.astimezone(SH).date() == dt.date(2026, 12, 31)


def test_closed_complaints_need_the_complaints_module(supervisor, monkeypatch):
    project = callback_project(by=supervisor, callback_type="other", purpose="post_complaint")
    monkeypatch.setattr(
        "kefu.callbacks.services.targets.CLOSED_COMPLAINT_SOURCES", [], raising=True
    )

    with pytest.raises(ValidationFailed):
        services.targets_from_rule(project=project, rule="closed_complaints", by=supervisor)

    assert project.batches.count() == 0


def test_closed_complaints_from_a_registered_source_each_get_a_callback(supervisor, monkeypatch):
    c = CustomerFactory()
    monkeypatch.setattr("kefu.callbacks.services.targets.CLOSED_COMPLAINT_SOURCES", [])

    def source(date_from, date_to):
        return [(c.pk, "TK-1", dt.date(2026, 11, 20)), (c.pk, "TK-2", dt.date(2026, 11, 23))]

    services.register_closed_complaint_source(source)
    project = callback_project(by=supervisor, callback_type="other", purpose="post_complaint")

    batch = services.targets_from_rule(
        project=project, rule="closed_complaints", by=supervisor, today=dt.date(2026, 11, 25)
    )

    assert batch.added_count == 2
    assert set(project.targets.values_list("source_ref", flat=True)) == {"TK-1", "TK-2"}
    assert CLOSED_COMPLAINT_SOURCES is not None


def test_tickets_can_request_a_post_complaint_callback(supervisor):
    c = CustomerFactory()
    project = callback_project(by=supervisor, callback_type="other", purpose="post_complaint")

    target = services.post_complaint_callback_request(
        customer=c, complaint_ref="TK-7", closed_on=dt.date(2026, 11, 20)
    )
    again = services.post_complaint_callback_request(
        customer=c, complaint_ref="TK-7", closed_on=dt.date(2026, 11, 20)
    )

    assert target is not None and target.project == project and again == target
    # closed Friday 20 Nov: the next working day is Monday 23 Nov
    assert target.due_at.astimezone(SH).date() == dt.date(2026, 11, 23)


# --- distribution ----------------------------------------------------------------------------


def test_distribution_assigns_within_quotas_and_evens_the_load(supervisor, agent, second_agent):
    project = callback_project(by=supervisor)
    add(project, *[CustomerFactory() for _ in range(70)])

    plan = services.targets_distribute(project=project, by=supervisor, start=dt.date(2026, 11, 24))

    per_day = {}
    for t in project.targets.all():
        per_day[(t.assigned_to_id, t.scheduled_on)] = (
            per_day.get((t.assigned_to_id, t.scheduled_on), 0) + 1
        )
    assert max(per_day.values()) <= 30
    assert sorted(plan.per_agent.values()) == [35, 35]
    assert project.targets.filter(assigned_to__isnull=True).count() == 0
    assert plan.days == [dt.date(2026, 11, 24), dt.date(2026, 11, 25)]


def test_a_draft_project_cannot_be_distributed(supervisor, agent):
    project = callback_project(by=supervisor, start=False)

    with pytest.raises(Conflict):
        services.targets_distribute(project=project, by=supervisor)


# --- the desk --------------------------------------------------------------------------------


@pytest.fixture
def assigned(supervisor, agent):
    project = callback_project(by=supervisor, max_attempts=2)
    add(project, CustomerFactory(name="赵磊", mobile="13911110006"))
    target = project.targets.get()
    services.target_reassign(target=target, agent=agent, by=supervisor, day=dt.date(2026, 11, 24))
    target.refresh_from_db()
    return target


NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=SH)


def test_a_reached_call_stores_the_answers_on_its_path(assigned, agent):
    attempt = services.attempt_record(
        target=assigned,
        by=agent,
        outcome="reached",
        answers={"Q1": "yes", "Q2": "off the path", "Q3": "5", "Q4": ""},
        follow_ups=[("need", "想了解基金定投"), ("", "")],
        now=NOW,
    )

    assigned.refresh_from_db()
    assert assigned.status == Target.Status.REACHED
    assert dict(Answer.objects.filter(attempt=attempt).values_list("question__code", "value")) == {
        "Q1": "yes",
        "Q3": 5,
    }
    follow_up = FollowUp.objects.get()
    assert (follow_up.kind, follow_up.owner) == ("need", assigned.project.owner)
    assert follow_up.due_on == dt.date(2026, 11, 26)


def test_an_outcome_without_required_answers_cannot_be_saved(assigned, agent):
    with pytest.raises(ValidationFailed) as exc:
        services.attempt_record(
            target=assigned, by=agent, outcome="reached", answers={"Q1": "no"}, now=NOW
        )

    assert set(exc.value.errors) == {"answers.Q2", "answers.Q3"}
    assigned.refresh_from_db()
    assert (assigned.status, assigned.attempts) == (Target.Status.PENDING, 0)
    assert Attempt.objects.count() == 0


def test_no_answer_is_retried_then_given_up_after_the_projects_attempts(assigned, agent):
    services.attempt_record(target=assigned, by=agent, outcome="no_answer", now=NOW)
    assigned.refresh_from_db()
    assert assigned.status == Target.Status.RETRY
    assert assigned.next_attempt_at == dt.datetime(2026, 11, 24, 12, 0, tzinfo=SH)

    services.attempt_record(
        target=assigned, by=agent, outcome="busy", now=NOW + dt.timedelta(hours=2)
    )

    assigned.refresh_from_db()
    assert (assigned.status, assigned.attempts) == (Target.Status.UNREACHABLE, 2)


def test_call_back_later_needs_a_time_in_the_future(assigned, agent):
    with pytest.raises(ValidationFailed) as exc:
        services.attempt_record(target=assigned, by=agent, outcome="call_back_later", now=NOW)
    assert "call_back_at" in exc.value.errors

    later = dt.datetime(2026, 11, 25, 15, 0, tzinfo=SH)
    services.attempt_record(
        target=assigned, by=agent, outcome="call_back_later", call_back_at=later, now=NOW
    )

    assigned.refresh_from_db()
    assert (assigned.status, assigned.next_attempt_at) == (Target.Status.RETRY, later)


@pytest.mark.parametrize(
    "outcome,status", [("wrong_number", "wrong_number"), ("refused", "refused")]
)
def test_wrong_number_and_refusal_close_the_callback(assigned, agent, outcome, status):
    services.attempt_record(target=assigned, by=agent, outcome=outcome, now=NOW)

    assigned.refresh_from_db()
    assert assigned.status == status
    with pytest.raises(Conflict):
        services.attempt_record(target=assigned, by=agent, outcome="reached", now=NOW)


def test_another_agent_cannot_record_a_call(assigned, second_agent):
    with pytest.raises(Forbidden):
        services.attempt_record(target=assigned, by=second_agent, outcome="no_answer", now=NOW)

    assert Attempt.objects.count() == 0


def test_dialing_reveals_the_number_to_the_assigned_agent_only_and_is_audited(
    assigned, agent, second_agent
):
    assert services.target_dial_number(target=assigned, by=agent) == "13911110006"
    with pytest.raises(Forbidden):
        services.target_dial_number(target=assigned, by=second_agent)

    event = AuditEvent.objects.get(action="customer.pii.revealed")
    assert event.actor == agent


def test_callbacks_appear_on_the_customer_360_timeline(assigned, agent):
    from kefu.customers.selectors import customer_timeline

    with time_machine.travel(NOW):
        services.attempt_record(target=assigned, by=agent, outcome="no_answer", note="无人接听")
    with time_machine.travel(NOW + dt.timedelta(hours=3)):
        services.attempt_record(
            target=assigned,
            by=agent,
            outcome="reached",
            answers={"Q1": "yes", "Q3": 5},
            note="客户留了新号码 13800138000",
            follow_ups=[("need", "想了解基金定投")],
        )

    with translation.override("en"):
        entries = [e for e in customer_timeline(customer=assigned.customer) if e.kind == "callback"]
    assert len(entries) == 2
    assert assigned.project.name in entries[0].title
    assert entries[0].url == f"/callbacks/desk/{assigned.pk}/"
    assert entries[0].detail == (
        "Reached · 客户留了新号码 138****8000 · Customer need: 想了解基金定投"
    )
    assert entries[1].detail == "No answer · 无人接听"


def test_a_follow_up_is_closed_with_what_was_done(assigned, agent, supervisor):
    services.attempt_record(
        target=assigned,
        by=agent,
        outcome="reached",
        answers={"Q1": "yes", "Q3": 4},
        follow_ups=[("risk", "客户称未本人操作转账")],
        now=NOW,
    )
    follow_up = FollowUp.objects.get()

    with pytest.raises(ValidationFailed):
        services.follow_up_close(follow_up=follow_up, by=supervisor, resolution=" ")
    services.follow_up_close(follow_up=follow_up, by=supervisor, resolution="已转风控核实")

    follow_up.refresh_from_db()
    assert follow_up.status == "done"
    assert AuditEvent.objects.filter(
        action="callback.follow_up.done", actor=supervisor, data__follow_up=follow_up.pk
    ).exists()


# --- report filings --------------------------------------------------------------------------


def test_a_report_is_handed_in_once_per_period(supervisor):
    services.report_filing_record(kind="monthly", period="2026-10", by=supervisor)

    with pytest.raises(Conflict):
        services.report_filing_record(kind="monthly", period="2026-10", by=supervisor)
    with pytest.raises(ValidationFailed):
        services.report_filing_record(kind="quarterly", period="2026-10", by=supervisor)


# --- progress --------------------------------------------------------------------------------


def test_a_fund_project_must_reach_30_or_all_when_fewer_are_listed(supervisor):
    from kefu.callbacks.selectors import project_progress

    project = callback_project(by=supervisor, callback_type="fund_wealth")
    add(project, *[CustomerFactory() for _ in range(12)])
    Target.objects.filter(pk__in=project.targets.values("pk")[:11]).update(status="reached")

    fewer = project_progress(project=project)
    Target.objects.filter(project=project, status="pending").update(status="reached")
    all_reached = project_progress(project=project)
    add(project, *[CustomerFactory() for _ in range(30)])
    more = project_progress(project=project)

    assert (fewer.minimum, fewer.required, fewer.minimum_met) == (30, 12, False)
    assert (all_reached.required, all_reached.minimum_met) == (12, True)
    assert (more.listed, more.required, more.reached, more.minimum_met) == (42, 30, 12, False)
