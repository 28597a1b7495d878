"""Demo callbacks (``kefu demo``): the company-wide questionnaires, this quarter's
large-transfer project with 赵磊's transfer of the previous trading day on the ``callback``
agent's desk, this month's new-customer project, and a first distribution of new customers
to agents. Safe to run again: lists are deduplicated and projects found by name."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from kefu.callbacks import rules, services
from kefu.callbacks.models import AgentProfile, Project, Questionnaire
from kefu.callbacks.rules import QuestionSpec
from kefu.core.calendars import CalendarUnknownYear
from kefu.core.models import User

TRANSFER_QUESTIONS = [
    QuestionSpec(
        "Q1",
        "yes_no",
        "请问昨日从证券账户转出的资金是您本人操作的吗？",
        branches=({"when": "no", "goto": "Q4"},),
    ),
    QuestionSpec(
        "Q2",
        "single",
        "请问资金转出的用途是？",
        options=(("invest", "其他投资"), ("spend", "消费或还款"), ("other", "其他")),
    ),
    QuestionSpec(
        "Q3",
        "scale",
        "您对我们的服务满意吗？（1–5分）",
        branches=({"min": 1, "max": 5, "goto": "END"},),
    ),
    QuestionSpec("Q4", "text", "请描述情况，我们将立即转交风控部门核实。"),
]
NEW_CUSTOMER_QUESTIONS = [
    QuestionSpec(
        "Q1", "yes_no", "请问开户是您本人办理的吗？", branches=({"when": "no", "goto": "Q4"},)
    ),
    QuestionSpec("Q2", "yes_no", "开户时工作人员是否向您揭示了投资风险？"),
    QuestionSpec(
        "Q3",
        "multiple",
        "您对哪些产品感兴趣？",
        required=False,
        options=(("fund", "基金"), ("wealth", "理财产品"), ("bond", "国债")),
        branches=({"when": "fund", "goto": "END"},),
    ),
    QuestionSpec("Q4", "text", "请问还有什么意见或建议？", required=False),
]


@dataclass
class CallbackDemo:
    projects: int
    listed: int


def _questionnaire(name: str, questions, by) -> Questionnaire:
    existing = Questionnaire.objects.filter(name=name).first()
    if existing is not None:
        return existing
    return services.questionnaire_create(
        name=name, questions=questions, publish=True, by=by
    ).questionnaire


def _project(name: str, callback_type: str, questionnaire, today: dt.date, by) -> Project:
    project = Project.objects.filter(name=name).first()
    if project is None:
        project = services.project_create(
            name=name,
            callback_type=callback_type,
            questionnaire=questionnaire,
            in_window=today,
            by=by,
        )
    if project.status == Project.Status.DRAFT:
        project = services.project_start(project=project, by=by)
    return project


def demo_callbacks_load(*, today: dt.date | None = None) -> CallbackDemo:
    """Expects the demo staff and customers (kefu.customers.demo.demo_load)."""
    today = today or timezone.localdate()
    supervisor = User.objects.get(username="supervisor")
    agent = User.objects.get(username="callback")
    with transaction.atomic():
        AgentProfile.objects.get_or_create(
            user=agent, defaults={"daily_quota": 30, "skills": ["brokerage", "vip"]}
        )
    transfer_q = _questionnaire("大额转出回访话术", TRANSFER_QUESTIONS, supervisor)
    new_q = _questionnaire("新客户回访问卷", NEW_CUSTOMER_QUESTIONS, supervisor)
    quarter = rules.window_for("quarterly", today).key
    month = rules.window_for("monthly", today).key
    transfers = _project(f"大额转出回访 {quarter}", "large_transfer", transfer_q, today, supervisor)
    new = _project(f"新客户回访 {month}", "new_customer", new_q, today, supervisor)
    try:
        _fill(transfers, new, today=today, supervisor=supervisor, agent=agent)
    except CalendarUnknownYear:
        # Around New Year, before next year's holidays are entered: projects without lists.
        pass
    listed = sum(p.targets.count() for p in (transfers, new))
    return CallbackDemo(projects=2, listed=listed)


def _fill(transfers: Project, new: Project, *, today: dt.date, supervisor, agent) -> None:
    services.targets_from_rule(
        project=transfers, rule="large_transfers", by=supervisor, today=today
    )
    services.targets_from_rule(
        project=new,
        rule="new_accounts",
        params={"date_from": rules.window_for("monthly", today).start.isoformat()},
        by=supervisor,
        today=today,
    )
    for project in (transfers, new):
        services.targets_distribute(
            project=project, by=supervisor, agent_ids=[agent.pk], start=today
        )
