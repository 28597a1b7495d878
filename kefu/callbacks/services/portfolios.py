"""Customer portfolios (PF-1, PF-2): distribute new and imported customers to agents by count
and skills (previewed, then applied as previewed), and record each first contact."""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.callbacks.models import AgentProfile, PortfolioAssignment, PortfolioPlan
from kefu.callbacks.services.events import event_record
from kefu.core.errors import Conflict, Forbidden, ValidationFailed
from kefu.core.services import audit_record

FIRST_CONTACT_WITHIN = dt.timedelta(days=7)  # PF-2: "within one week"
MAX_PLAN = 5000
WORK_PORTFOLIO = "callbacks.work_portfolio"
VIP_SEGMENTS = ("platinum", "private")


def portfolio_agents():
    """Active staff who take portfolio customers: agents and callback agents."""
    from django.contrib.auth.models import Permission

    from kefu.core.models import User

    perm = Permission.objects.filter(
        content_type__app_label="callbacks", codename="work_portfolio"
    ).first()
    return (
        User.objects.filter(is_active=True, kind=User.Kind.STAFF, groups__permissions=perm)
        .exclude(callback_profile__active=False)
        .select_related("callback_profile")
        .distinct()
        .order_by("id")
    )


def _skills(user) -> set[str]:
    try:
        profile = user.callback_profile
    except AgentProfile.DoesNotExist:
        return set()
    return set(profile.skills or ())


def unassigned_customers(*, since: dt.date):
    """Customers created on or after ``since`` who are in nobody's portfolio."""
    from kefu.customers.models import Customer

    tz = timezone.get_current_timezone()
    return (
        Customer.objects.filter(created_at__gte=dt.datetime.combine(since, dt.time.min, tzinfo=tz))
        .filter(
            ~Exists(
                PortfolioAssignment.objects.filter(customer=OuterRef("pk"), ended_at__isnull=True)
            )
        )
        .order_by("created_at", "id")
    )


def required_skills(customer_ids: list[int]) -> dict[int, set[str]]:
    """The skills each customer needs: vip for platinum and private banking, brokerage for
    holders of a brokerage account, cards for holders of a card account."""
    from kefu.customers.models import BrokerageAccount, CardAccount, Customer

    needs: dict[int, set[str]] = {pk: set() for pk in customer_ids}
    for start in range(0, len(customer_ids), 900):
        part = customer_ids[start : start + 900]
        for pk in Customer.objects.filter(pk__in=part, segment__in=VIP_SEGMENTS).values_list(
            "pk", flat=True
        ):
            needs[pk].add(AgentProfile.Skill.VIP)
        for pk in BrokerageAccount.objects.filter(customer_id__in=part).values_list(
            "customer_id", flat=True
        ):
            needs[pk].add(AgentProfile.Skill.BROKERAGE)
        for pk in CardAccount.objects.filter(customer_id__in=part).values_list(
            "customer_id", flat=True
        ):
            needs[pk].add(AgentProfile.Skill.CARDS)
    return needs


@dataclass
class PlanPreview:
    plan: PortfolioPlan
    before: dict[int, int]
    added: Counter
    skill_misses: int
    agents: list = field(default_factory=list)


def plan_pairs(
    *,
    customers: list[int],
    needs: dict[int, set[str]],
    agents: list[tuple[int, set[str]]],
    current: dict[int, int],
) -> tuple[list[tuple[int, int]], int]:
    """Give each customer to the least-loaded agent who has every skill the customer needs;
    when nobody has them all, to the least-loaded of those who have the most. Returns the
    (customer, agent) pairs and how many customers got an agent without every skill."""
    load = {agent_id: current.get(agent_id, 0) for agent_id, _skills in agents}
    skills_of = dict(agents)
    eligible: dict[frozenset, list[int]] = {}
    for customer_id in customers:
        need = frozenset(needs.get(customer_id, set()))
        if need not in eligible:
            best = max(len(need & skills) for _a, skills in agents)
            eligible[need] = [a for a, skills in agents if len(need & skills) == best]
    # The customers only a few agents can take go first; the others then even out the load.
    order = sorted(
        customers,
        key=lambda c: len(eligible[frozenset(needs.get(c, set()))]),
    )
    # One heap per distinct skill need keeps this O(n log a).
    heaps: dict[frozenset, list[tuple[int, int]]] = {}
    misses = 0
    pairs = []
    for customer_id in order:
        need = frozenset(needs.get(customer_id, set()))
        if need not in heaps:
            heaps[need] = [(load[a], a) for a in eligible[need]]
            heapq.heapify(heaps[need])
        heap = heaps[need]
        while True:
            stale_load, agent_id = heapq.heappop(heap)
            if stale_load == load[agent_id]:
                break
            heapq.heappush(heap, (load[agent_id], agent_id))
        pairs.append((customer_id, agent_id))
        load[agent_id] += 1
        heapq.heappush(heap, (load[agent_id], agent_id))
        if not need <= skills_of[agent_id]:
            misses += 1
    return pairs, misses


@transaction.atomic
def portfolio_plan_create(
    *, by, since: dt.date, limit: int = 500, agent_ids: list[int] | None = None
) -> PlanPreview:
    """PF-1 preview: which unassigned customer goes to which agent. Nothing is assigned until
    the plan is applied."""
    errors: dict[str, list[str]] = {}
    if not 1 <= limit <= MAX_PLAN:
        errors["limit"] = [_("Choose from 1 to %(max)d customers.") % {"max": MAX_PLAN}]
    if not dt.date(1900, 1, 1) <= since <= timezone.localdate():
        errors["since"] = [_("Choose a day between 1900-01-01 and today.")]
    if errors:
        raise ValidationFailed(_("Please correct the fields marked."), errors=errors)
    agents = list(portfolio_agents())
    if agent_ids:
        agents = [a for a in agents if a.pk in set(agent_ids)]
    if not agents:
        raise ValidationFailed(
            _("There is no agent to give customers to."),
            errors={"agents": [_("Choose at least one active agent.")]},
        )
    customers = list(unassigned_customers(since=since).values_list("pk", flat=True)[:limit])
    current = dict(
        PortfolioAssignment.objects.filter(
            ended_at__isnull=True, agent_id__in=[a.pk for a in agents]
        )
        .values("agent_id")
        .annotate(n=Count("id"))
        .values_list("agent_id", "n")
    )
    pairs, misses = plan_pairs(
        customers=customers,
        needs=required_skills(customers),
        agents=[(a.pk, _skills(a)) for a in agents],
        current=current,
    )
    plan = PortfolioPlan.objects.create(
        created_by=by,
        params={"since": since.isoformat(), "limit": limit, "agents": [a.pk for a in agents]},
        pairs=[list(p) for p in pairs],
    )
    return PlanPreview(
        plan=plan,
        before={a.pk: current.get(a.pk, 0) for a in agents},
        added=Counter(agent for _c, agent in pairs),
        skill_misses=misses,
        agents=agents,
    )


@transaction.atomic
def portfolio_plan_apply(*, plan: PortfolioPlan, by, now: dt.datetime | None = None) -> int:
    """Assign the previewed pairs; a customer given to someone meanwhile is skipped.
    Returns how many customers were assigned."""
    now = now or timezone.now()
    plan = PortfolioPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.applied_at is not None:
        raise Conflict(_("This distribution was already applied."))
    customer_ids = [c for c, _a in plan.pairs]
    taken: set[int] = set()
    for start in range(0, len(customer_ids), 900):
        taken.update(
            PortfolioAssignment.objects.filter(
                customer_id__in=customer_ids[start : start + 900], ended_at__isnull=True
            ).values_list("customer_id", flat=True)
        )
    rows = [
        PortfolioAssignment(
            customer_id=customer_id,
            agent_id=agent_id,
            plan=plan,
            assigned_at=now,
            assigned_by=by,
            contact_due_at=now + FIRST_CONTACT_WITHIN,
        )
        for customer_id, agent_id in plan.pairs
        if customer_id not in taken
    ]
    PortfolioAssignment.objects.bulk_create(rows, batch_size=500)
    plan.applied_at = now
    plan.save(update_fields=["applied_at"])
    data = {"plan": plan.pk, "assigned": len(rows), "skipped": len(taken)}
    event_record(action="portfolio.plan.applied", actor=by, data=data)
    audit_record(actor=by, action="portfolio.plan.applied", obj=plan, data=data)
    return len(rows)


@transaction.atomic
def portfolio_first_contact_record(
    *, assignment: PortfolioAssignment, by, note: str, at: dt.datetime | None = None
) -> PortfolioAssignment:
    """PF-2: the agent contacted a newly assigned customer."""
    assignment = PortfolioAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.agent_id != by.pk:
        raise Forbidden(_("This customer is in another agent's portfolio."))
    if assignment.first_contact_at is not None:
        raise Conflict(_("The first contact is already recorded."))
    if assignment.ended_at is not None:
        raise Conflict(_("This customer is no longer in your portfolio."))
    note = note.strip()
    if not note:
        raise ValidationFailed(
            _("Say how the customer was contacted."),
            errors={"note": [_("Enter a short note of the contact.")]},
        )
    assignment.first_contact_at = at or timezone.now()
    assignment.first_contact_note = note[:500]
    assignment.save(update_fields=["first_contact_at", "first_contact_note"])
    event_record(
        action="portfolio.first_contact.recorded",
        actor=by,
        data={"assignment": assignment.pk, "customer": assignment.customer_id},
    )
    return assignment


def first_contact_from_callback(*, customer_id: int, agent, at: dt.datetime) -> None:
    """A reached callback by the customer's own agent counts as the first contact."""
    assignment = (
        PortfolioAssignment.objects.select_for_update()
        .filter(
            customer_id=customer_id,
            agent=agent,
            ended_at__isnull=True,
            first_contact_at__isnull=True,
        )
        .first()
    )
    if assignment is None:
        return
    assignment.first_contact_at = at
    assignment.first_contact_note = _("Reached by a callback")
    assignment.save(update_fields=["first_contact_at", "first_contact_note"])
    event_record(
        action="portfolio.first_contact.recorded",
        actor=agent,
        data={"assignment": assignment.pk, "customer": customer_id, "by_callback": True},
    )
