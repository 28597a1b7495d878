"""PF-1 / PF-2: new customers distributed to agents by count and skills (previewed, then
applied as previewed); first contacts within a week; the overdue list."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from kefu.callbacks import selectors, services
from kefu.callbacks.models import AgentProfile, PortfolioAssignment
from kefu.core.errors import Conflict, Forbidden, ValidationFailed
from tests.factories import BrokerageAccountFactory, CustomerFactory

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
SINCE = dt.date(2000, 1, 1)


@pytest.fixture
def agents(make_user):
    plain = make_user("agent-a", "agent")
    vip = make_user("agent-vip", "agent")
    AgentProfile.objects.create(user=vip, skills=["vip", "brokerage"])
    return plain, vip


def test_customers_are_balanced_over_agents_and_vips_go_to_an_agent_with_the_skill(
    supervisor, agents
):
    plain, vip = agents
    regular = [CustomerFactory() for _ in range(6)]
    platinum = [CustomerFactory(segment="platinum") for _ in range(2)]
    for c in platinum:
        BrokerageAccountFactory(customer=c)

    preview = services.portfolio_plan_create(
        by=supervisor, since=SINCE, agent_ids=[plain.pk, vip.pk]
    )

    pairs = dict(preview.plan.pairs)
    assert all(pairs[c.pk] == vip.pk for c in platinum)
    assert preview.added == {plain.pk: 4, vip.pk: 4}
    assert preview.skill_misses == 0
    assert PortfolioAssignment.objects.count() == 0  # a preview assigns nothing
    assert {pairs[c.pk] for c in regular} == {plain.pk, vip.pk}


def test_an_agent_with_customers_already_gets_fewer(supervisor, agents):
    plain, vip = agents
    for _ in range(4):
        CustomerFactory()
    services.portfolio_plan_apply(
        plan=services.portfolio_plan_create(by=supervisor, since=SINCE, agent_ids=[plain.pk]).plan,
        by=supervisor,
    )
    for _ in range(4):
        CustomerFactory()

    preview = services.portfolio_plan_create(
        by=supervisor, since=SINCE, agent_ids=[plain.pk, vip.pk]
    )

    assert preview.added == {vip.pk: 4}


def test_a_plan_is_applied_once_as_previewed(supervisor, agents):
    plain, _vip = agents
    customers = [CustomerFactory() for _ in range(3)]
    preview = services.portfolio_plan_create(by=supervisor, since=SINCE, agent_ids=[plain.pk])
    # meanwhile one of them is given to someone else
    other = services.portfolio_plan_create(by=supervisor, since=SINCE, agent_ids=[plain.pk])
    other.plan.pairs = other.plan.pairs[:1]
    other.plan.save()
    services.portfolio_plan_apply(plan=other.plan, by=supervisor)

    assigned = services.portfolio_plan_apply(plan=preview.plan, by=supervisor)

    assert assigned == 2
    assert PortfolioAssignment.objects.filter(customer__in=customers).count() == 3
    with pytest.raises(Conflict):
        services.portfolio_plan_apply(plan=preview.plan, by=supervisor)


def test_a_plan_needs_an_agent_and_a_sane_size(supervisor):
    with pytest.raises(ValidationFailed) as exc:
        services.portfolio_plan_create(by=supervisor, since=SINCE, limit=0)
    assert "limit" in exc.value.errors


def test_first_contacts_within_a_week_and_the_overdue_list(supervisor, agents):
    plain, vip = agents
    for _ in range(2):
        CustomerFactory()
    assigned_at = dt.datetime(2026, 11, 2, 9, 0, tzinfo=SH)
    plan = services.portfolio_plan_create(by=supervisor, since=SINCE, agent_ids=[plain.pk]).plan
    services.portfolio_plan_apply(plan=plan, by=supervisor, now=assigned_at)
    first, second = PortfolioAssignment.objects.order_by("id")

    with pytest.raises(Forbidden):
        services.portfolio_first_contact_record(assignment=first, by=vip, note="电话")
    with pytest.raises(ValidationFailed):
        services.portfolio_first_contact_record(assignment=first, by=plain, note=" ")
    services.portfolio_first_contact_record(
        assignment=first,
        by=plain,
        note="电话联系，已介绍服务",
        at=assigned_at + dt.timedelta(days=2),
    )

    assert first.contact_due_at == assigned_at + dt.timedelta(days=7)
    on_day_6 = list(selectors.portfolio_overdue(now=assigned_at + dt.timedelta(days=6)))
    on_day_8 = list(selectors.portfolio_overdue(now=assigned_at + dt.timedelta(days=8)))
    assert on_day_6 == [] and on_day_8 == [second]
    by_agent = selectors.portfolio_overdue_by_agent(now=assigned_at + dt.timedelta(days=8))
    assert [(r["agent_id"], r["n"]) for r in by_agent] == [(plain.pk, 1)]
