"""CB-4 / REG-3 / CB-6 rules as plain functions: windows, due dates, retries, report
deadlines, the distribution of callbacks over agents within their quotas, and questionnaire
branching. Trading and working days come only from kefu.core.calendars.Calendar.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.callbacks.models import CallbackType, OtherPurpose, WindowKind
from kefu.core.calendars import Calendar

MONTHLY_TYPES = frozenset({CallbackType.NEW_CUSTOMER, CallbackType.MANAGER_CUSTOMERS})
FUND_MINIMUM_PER_QUARTER = 30
END = "END"

# When in a trading day callbacks are made: a target due on a day is due by its end, a retry
# that would fall after it moves to the start of the next trading day.
DAY_STARTS = dt.time(9, 0)
DAY_ENDS = dt.time(17, 30)


# Days a project window, a report or a list rule may be about: far outside them a date is a
# typing error (and the first and last days Python knows cannot be turned into times).
EARLIEST_DAY = dt.date(1990, 1, 1)
LATEST_DAY = dt.date(2999, 12, 31)


def day_problem(day: dt.date) -> str | None:
    """Why ``day`` cannot be used, or None."""
    if EARLIEST_DAY <= day <= LATEST_DAY:
        return None
    return _("Choose a day between %(first)s and %(last)s.") % {
        "first": EARLIEST_DAY.isoformat(),
        "last": LATEST_DAY.isoformat(),
    }


def daily_quota_default() -> int:
    """CB-4: callbacks per agent and trading day (30 unless configured)."""
    return int(getattr(settings, "KEFU_CALLBACK_DAILY_QUOTA", 30))


# --- windows ---------------------------------------------------------------------------------


def default_window_kind(callback_type: str) -> str:
    """Monthly for new-customer and account-manager projects, quarterly for the others."""
    return WindowKind.MONTHLY if callback_type in MONTHLY_TYPES else WindowKind.QUARTERLY


def default_minimum(callback_type: str) -> int:
    return FUND_MINIMUM_PER_QUARTER if callback_type == CallbackType.FUND_WEALTH else 0


@dataclass(frozen=True)
class Window:
    kind: str
    start: dt.date
    end: dt.date

    @cached_property
    def key(self) -> str:
        if self.kind == WindowKind.MONTHLY:
            return f"{self.start:%Y-%m}"
        return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"


def window_for(kind: str, day: dt.date) -> Window:
    """The month or quarter that contains ``day``."""
    if kind == WindowKind.MONTHLY:
        first_month = day.month
        months = 1
    elif kind == WindowKind.QUARTERLY:
        first_month = (day.month - 1) // 3 * 3 + 1
        months = 3
    else:
        raise ValueError(f"unknown window kind {kind!r}")
    start = dt.date(day.year, first_month, 1)
    last_month = first_month + months - 1
    end = dt.date(day.year, last_month, month_calendar.monthrange(day.year, last_month)[1])
    return Window(kind=kind, start=start, end=end)


def parse_window_key(key: str) -> Window:
    """``2026-11`` (a month) or ``2026-Q4`` (a quarter); ValueError otherwise."""
    key = key.strip().upper()
    if "-Q" in key:
        year_text, quarter_text = key.split("-Q", 1)
        quarter = int(quarter_text)
        if not 1 <= quarter <= 4:
            raise ValueError(key)
        return window_for(WindowKind.QUARTERLY, dt.date(int(year_text), quarter * 3 - 2, 1))
    year_text, month_text = key.split("-", 1)
    return window_for(WindowKind.MONTHLY, dt.date(int(year_text), int(month_text), 1))


def dedup_type(callback_type: str, purpose: str = "") -> str:
    """CB-4 dedup key: the type, and for "other" projects also their purpose."""
    if callback_type == CallbackType.OTHER and purpose:
        return f"{callback_type}:{purpose}"
    return callback_type


def dedup_window_key(*, window: Window, purpose: str = "", source_ref: str = "") -> str:
    """The window part of the dedup key. A post-complaint callback belongs to its complaint,
    not to a calendar window: every closed complaint gets its own callback."""
    if purpose == OtherPurpose.POST_COMPLAINT and source_ref:
        return f"complaint:{source_ref}"
    return window.key


# --- due dates -------------------------------------------------------------------------------


def at_day_end(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, DAY_ENDS, tzinfo=timezone.get_current_timezone())


def at_day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, DAY_STARTS, tzinfo=timezone.get_current_timezone())


def last_trading_day_on_or_before(day: dt.date, calendar: Calendar) -> dt.date:
    return day if calendar.is_trading_day(day) else calendar.previous_trading_day(day)


def first_trading_day_on_or_after(day: dt.date, calendar: Calendar) -> dt.date:
    return day if calendar.is_trading_day(day) else calendar.next_trading_day(day)


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def large_transfer_due(transfer_day: dt.date, calendar: Calendar) -> dt.date:
    """Seed 003: transfers out are looked up after the close and called the next trading day."""
    return calendar.next_trading_day(transfer_day)


def new_account_due(opened_on: dt.date, calendar: Calendar) -> dt.date:
    """REG-3: called within one month of opening: the last trading day on or before the day
    one month later."""
    return last_trading_day_on_or_before(add_months(opened_on, 1), calendar)


def window_due(window: Window, calendar: Calendar) -> dt.date:
    """Other callbacks are due by the last trading day of their window."""
    return last_trading_day_on_or_before(window.end, calendar)


def next_attempt_after(now: dt.datetime, minutes: int, calendar: Calendar) -> dt.datetime:
    """When to call again after no answer or busy: ``minutes`` later the same trading day,
    else at the start of the next trading day."""
    local = timezone.localtime(now)
    candidate = local + dt.timedelta(minutes=minutes)
    if (
        calendar.is_trading_day(candidate.date())
        and candidate.date() == local.date()
        and DAY_STARTS <= candidate.time() <= DAY_ENDS
    ):
        return candidate
    if calendar.is_trading_day(local.date()) and local.time() < DAY_STARTS:
        return at_day_start(local.date())
    return at_day_start(calendar.next_trading_day(local.date()))


# --- report deadlines (CB-6) -----------------------------------------------------------------


def monthly_report_deadline(year: int, month: int, calendar: Calendar) -> dt.date:
    """The monthly report of ``year-month`` is due by the 5th working day of the next month."""
    next_month = add_months(dt.date(year, month, 1), 1)
    return calendar.nth_working_day(next_month.year, next_month.month, 5)


def quarterly_summary_deadline(year: int, quarter: int, calendar: Calendar) -> dt.date:
    """The quarterly summary is due within 5 working days after the quarter ends."""
    end = window_for(WindowKind.QUARTERLY, dt.date(year, quarter * 3, 1)).end
    return calendar.add_working_days(end, 5)


# --- distribution (CB-4) ---------------------------------------------------------------------


@dataclass(frozen=True)
class AgentCapacity:
    agent_id: int
    quota: int
    load: int = 0  # open callbacks the agent already has (evens the load)


@dataclass
class DistributionPlan:
    # (target id, agent id, planned day)
    assignments: list[tuple[int, int, dt.date]] = field(default_factory=list)
    # targets whose planned day falls after their due day (quotas too small)
    late: list[int] = field(default_factory=list)
    # targets that found no capacity within the horizon
    unplaced: list[int] = field(default_factory=list)
    per_agent: dict[int, int] = field(default_factory=dict)
    days: list[dt.date] = field(default_factory=list)


def distribute(
    *,
    targets: Sequence[tuple[int, dt.date]],
    agents: Sequence[AgentCapacity],
    planned: Mapping[tuple[int, dt.date], int],
    start: dt.date,
    calendar: Calendar,
    horizon_days: int = 250,
) -> DistributionPlan:
    """Spread ``targets`` (id, due day) over ``agents`` from ``start`` on, trading days only.

    Each agent takes at most its quota per trading day, counting ``planned`` (callbacks
    already planned for (agent, day)). Earliest due targets go first, each to the agent with
    the lowest load so far, so the load evens out. Deterministic for the same input.
    """
    plan = DistributionPlan(per_agent={a.agent_id: 0 for a in agents})
    if not targets:
        return plan
    active = [a for a in agents if a.quota > 0]
    if not active:
        plan.unplaced = [t for t, _due in targets]
        return plan
    queue = sorted(targets, key=lambda t: (t[1], t[0]))
    index = 0
    load = {a.agent_id: a.load for a in active}
    day = first_trading_day_on_or_after(start, calendar)
    for _step in range(horizon_days):
        heap = []
        for a in active:
            free = a.quota - planned.get((a.agent_id, day), 0)
            if free > 0:
                heap.append((load[a.agent_id], a.agent_id, free))
        heapq.heapify(heap)
        used_day = False
        while heap and index < len(queue):
            agent_load, agent_id, free = heapq.heappop(heap)
            target_id, due = queue[index]
            index += 1
            plan.assignments.append((target_id, agent_id, day))
            plan.per_agent[agent_id] += 1
            if day > due:
                plan.late.append(target_id)
            load[agent_id] = agent_load + 1
            used_day = True
            if free > 1:
                heapq.heappush(heap, (agent_load + 1, agent_id, free - 1))
        if used_day:
            plan.days.append(day)
        if index >= len(queue):
            break
        day = calendar.next_trading_day(day)
    plan.unplaced = [t for t, _due in queue[index:]]
    return plan


# --- questionnaire branching (CB-2) ----------------------------------------------------------


@dataclass(frozen=True)
class QuestionSpec:
    """What branching needs of a question, from a model row or a form."""

    code: str
    kind: str
    text: str = ""
    required: bool = True
    options: tuple[tuple[str, str], ...] = ()  # (value, label)
    scale_min: int = 1
    scale_max: int = 5
    branches: tuple[Mapping, ...] = ()


YES_NO_OPTIONS = (("yes", "yes"), ("no", "no"))


def option_values(q: QuestionSpec) -> list[str]:
    if q.kind == "yes_no":
        return [v for v, _label in YES_NO_OPTIONS]
    return [v for v, _label in q.options]


def spec_from_question(question) -> QuestionSpec:
    return QuestionSpec(
        code=question.code,
        kind=question.kind,
        text=question.text,
        required=question.required,
        options=tuple((str(o.get("value", "")), str(o.get("label", ""))) for o in question.options),
        scale_min=question.scale_min,
        scale_max=question.scale_max,
        branches=tuple(question.branches or ()),
    )


def questionnaire_problems(questions: Sequence[QuestionSpec]) -> list[str]:
    """Everything that stops a questionnaire from being published; empty when it is fine.

    Codes unique and present, choice questions with options, scales in order, every branch
    on a known answer and to a later question (or END): a branch that points nowhere or
    backwards could never finish a call.
    """
    problems: list[str] = []
    if not questions:
        problems.append(_("A questionnaire needs at least one question."))
    position = {}
    for i, q in enumerate(questions):
        if not q.code:
            problems.append(_("Question %(n)d has no code.") % {"n": i + 1})
        elif q.code == END:
            problems.append(_("Question %(n)d: the code END is reserved.") % {"n": i + 1})
        elif q.code in position:
            problems.append(
                _("Question %(n)d: the code %(code)s is used twice.") % {"n": i + 1, "code": q.code}
            )
        else:
            position[q.code] = i
    for i, q in enumerate(questions):
        where = {"code": q.code or str(i + 1)}
        if not q.text.strip():
            problems.append(_("Question %(code)s has no text.") % where)
        if q.kind in ("single", "multiple"):
            values = [v for v, _label in q.options]
            if len(values) < 2:
                problems.append(_("Question %(code)s needs at least two options.") % where)
            if len(set(values)) != len(values) or any(not v for v in values):
                problems.append(_("Question %(code)s: each option needs its own value.") % where)
        if q.kind == "scale" and q.scale_min >= q.scale_max:
            problems.append(_("Question %(code)s: the scale must go from low to high.") % where)
        for branch in q.branches:
            goto = str(branch.get("goto", ""))
            if goto != END and goto not in position:
                problems.append(
                    _("Question %(code)s: a branch goes to %(goto)s, which is no question.")
                    % {**where, "goto": goto or "—"}
                )
            elif goto != END and position[goto] <= i:
                problems.append(
                    _("Question %(code)s: a branch goes back to %(goto)s; branches go forward.")
                    % {**where, "goto": goto}
                )
            if q.kind == "scale":
                low, high = branch.get("min"), branch.get("max")
                if not isinstance(low, int) or not isinstance(high, int) or low > high:
                    problems.append(
                        _("Question %(code)s: a scale branch needs a range from min to max.")
                        % where
                    )
            elif q.kind in ("single", "multiple", "yes_no"):
                if str(branch.get("when", "")) not in option_values(q):
                    problems.append(
                        _("Question %(code)s: a branch is on %(when)s, which is not an option.")
                        % {**where, "when": branch.get("when", "—")}
                    )
            else:
                problems.append(_("Question %(code)s: free text cannot branch.") % where)
    return problems


def _branch_target(q: QuestionSpec, value) -> str | None:
    for branch in q.branches:
        goto = str(branch.get("goto", ""))
        if q.kind == "scale":
            if isinstance(value, int) and branch.get("min", 0) <= value <= branch.get("max", -1):
                return goto
        elif q.kind == "multiple":
            if isinstance(value, list) and str(branch.get("when")) in value:
                return goto
        elif value is not None and str(branch.get("when")) == str(value):
            return goto
    return None


def question_path(questions: Sequence[QuestionSpec], answers: Mapping[str, object]) -> list[str]:
    """The codes of the questions asked, in order, given the answers so far.

    The walk follows the first matching branch of each answered question; after a question
    without an answer (or without a matching branch) comes the next one in order.
    """
    index = {q.code: i for i, q in enumerate(questions)}
    path: list[str] = []
    i = 0
    while 0 <= i < len(questions) and len(path) <= len(questions):
        q = questions[i]
        path.append(q.code)
        value = answers.get(q.code)
        goto = _branch_target(q, value) if value not in (None, "", []) else None
        if goto == END:
            break
        i = index[goto] if goto in index else i + 1
    return path


def clean_answer(q: QuestionSpec, raw: object) -> tuple[object, str | None]:
    """The stored value of a raw form/API answer, or an error message. Empty → (None, None)."""
    if raw is None or raw == "" or raw == []:
        return None, None
    if q.kind == "multiple":
        items: list = raw if isinstance(raw, list) else [raw]
        values = [str(v) for v in items if str(v) != ""]
        bad = [v for v in values if v not in option_values(q)]
        if bad:
            return None, _("%(value)s is not one of the options.") % {"value": ", ".join(bad)}
        return values or None, None
    if isinstance(raw, list):
        raw = raw[0] if raw else ""
    if q.kind == "scale":
        try:
            number = int(str(raw))
        except ValueError:
            return None, _("Enter a whole number.")
        if not q.scale_min <= number <= q.scale_max:
            return None, _("Choose from %(low)d to %(high)d.") % {
                "low": q.scale_min,
                "high": q.scale_max,
            }
        return number, None
    text = str(raw).strip()
    if q.kind in ("single", "yes_no"):
        if text not in option_values(q):
            return None, _("%(value)s is not one of the options.") % {"value": text}
        return text, None
    if len(text) > 1000:
        return None, _("At most 1000 characters.")
    return text or None, None


def check_answers(
    questions: Sequence[QuestionSpec], raw: Mapping[str, object]
) -> tuple[dict[str, object], dict[str, list[str]]]:
    """Clean the answers on the path the answers take; (values, errors per question code).

    Answers to questions off the path are dropped; a required question on the path without
    an answer is an error.
    """
    cleaned: dict[str, object] = {}
    errors: dict[str, list[str]] = {}
    by_code = {q.code: q for q in questions}
    for code, value in raw.items():
        q = by_code.get(code)
        if q is None:
            continue
        clean, error = clean_answer(q, value)
        if error:
            errors[code] = [error]
        elif clean is not None:
            cleaned[code] = clean
    path = question_path(questions, cleaned)
    on_path = set(path)
    # A bad answer to a question the answers skipped is not asked, so it cannot stop the call
    # (the desk hides such a question, and its error could not be seen).
    errors = {code: msgs for code, msgs in errors.items() if code in on_path}
    for code in path:
        if by_code[code].required and code not in cleaned and code not in errors:
            errors[code] = [_("This question must be answered.")]
    return {c: v for c, v in cleaned.items() if c in on_path}, errors


def render_script(template: str, variables: Mapping[str, str]) -> str:
    """The opening script with its {variables} filled; unknown ones are left as written."""

    class _Keep(dict):
        def __missing__(self, key):
            return "{" + key + "}"

    try:
        return template.format_map(_Keep(variables))
    except (ValueError, IndexError):
        return template


def trading_days_between(start: dt.date, end: dt.date, calendar: Calendar) -> int:
    """Trading days in [start, end]."""
    count, day = 0, start
    while day <= end:
        if calendar.is_trading_day(day):
            count += 1
        day += dt.timedelta(days=1)
    return count


def iter_days(start: dt.date, end: dt.date) -> Iterable[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)
