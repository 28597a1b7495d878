"""CB-4 / REG-3 / CB-6 rules on the 2026 calendar: due dates in trading days across the
Spring Festival and National Day, report deadlines in working days, retries, quotas."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import translation

from kefu.callbacks import rules
from kefu.callbacks.rules import AgentCapacity, QuestionSpec
from kefu.core.calendars import Calendar, CalendarUnknownYear

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
D = dt.date

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def cal():
    return Calendar()


# --- windows ---------------------------------------------------------------------------------


def test_new_customer_and_account_manager_projects_are_monthly_the_others_quarterly():
    assert rules.default_window_kind("new_customer") == "monthly"
    assert rules.default_window_kind("manager_customers") == "monthly"
    for other in ("fund_wealth", "large_transfer", "same_ip", "aml_risk", "manager_change"):
        assert rules.default_window_kind(other) == "quarterly"


def test_windows_and_their_keys():
    month = rules.window_for("monthly", D(2026, 2, 14))
    quarter = rules.window_for("quarterly", D(2026, 11, 25))

    assert (month.start, month.end, month.key) == (D(2026, 2, 1), D(2026, 2, 28), "2026-02")
    assert (quarter.start, quarter.end, quarter.key) == (D(2026, 10, 1), D(2026, 12, 31), "2026-Q4")
    assert rules.parse_window_key("2026-Q4") == quarter
    assert rules.parse_window_key("2026-02") == month


def test_fund_projects_must_reach_30_a_quarter():
    assert rules.default_minimum("fund_wealth") == 30
    assert rules.default_minimum("new_customer") == 0


def test_dedup_keys_separate_other_purposes_and_each_complaint():
    window = rules.window_for("quarterly", D(2026, 11, 1))

    assert rules.dedup_type("other", "satisfaction") == "other:satisfaction"
    assert rules.dedup_type("fund_wealth") == "fund_wealth"
    assert rules.dedup_window_key(window=window, purpose="post_complaint", source_ref="TK-9") == (
        "complaint:TK-9"
    )
    assert rules.dedup_window_key(window=window) == "2026-Q4"


# --- due dates in trading days ----------------------------------------------------------------


@pytest.mark.parametrize(
    "transfer_day,due",
    [
        # Friday before the Spring Festival: Saturday 14 Feb is a make-up working day but the
        # exchanges are closed, then the holiday runs to Monday 23 Feb.
        (D(2026, 2, 13), D(2026, 2, 24)),
        # The day before National Day: holidays 1–7 Oct, trading again on Thursday 8 Oct.
        (D(2026, 9, 30), D(2026, 10, 8)),
        # Friday 9 Oct: Saturday 10 Oct is a make-up working day, not a trading day.
        (D(2026, 10, 9), D(2026, 10, 12)),
        # Mid-autumn Friday 25 Sep is a holiday.
        (D(2026, 9, 24), D(2026, 9, 28)),
        # an ordinary Tuesday
        (D(2026, 11, 24), D(2026, 11, 25)),
    ],
)
def test_large_transfer_callbacks_are_due_the_next_trading_day(cal, transfer_day, due):
    assert rules.large_transfer_due(transfer_day, cal) == due


@pytest.mark.parametrize(
    "opened,due",
    [
        # one month later is 16 Feb, inside the Spring Festival: the last trading day before
        # it is Friday 13 Feb (Saturday 14 Feb works but does not trade)
        (D(2026, 1, 16), D(2026, 2, 13)),
        # one month later is 7 Oct, a National Day holiday: Wednesday 30 Sep
        (D(2026, 9, 7), D(2026, 9, 30)),
        # 31 Jan → 28 Feb, a make-up Saturday: Friday 27 Feb
        (D(2026, 1, 31), D(2026, 2, 27)),
        (D(2026, 11, 2), D(2026, 12, 2)),
    ],
)
def test_new_accounts_are_called_within_one_month_of_opening(cal, opened, due):
    assert rules.new_account_due(opened, cal) == due


def test_due_dates_outside_the_known_calendar_are_an_explicit_error(cal):
    with pytest.raises(CalendarUnknownYear):
        rules.large_transfer_due(D(2031, 12, 31), cal)


def test_a_retry_later_the_same_trading_day(cal):
    now = dt.datetime(2026, 11, 24, 10, 0, tzinfo=SH)

    assert rules.next_attempt_after(now, 120, cal) == dt.datetime(2026, 11, 24, 12, 0, tzinfo=SH)


def test_a_retry_after_the_close_moves_past_the_spring_festival(cal):
    now = dt.datetime(2026, 2, 13, 16, 30, tzinfo=SH)

    assert rules.next_attempt_after(now, 120, cal) == dt.datetime(2026, 2, 24, 9, 0, tzinfo=SH)


def test_a_retry_on_a_make_up_saturday_waits_for_a_trading_day(cal):
    now = dt.datetime(2026, 10, 10, 10, 0, tzinfo=SH)

    assert rules.next_attempt_after(now, 30, cal) == dt.datetime(2026, 10, 12, 9, 0, tzinfo=SH)


# --- report deadlines (working days) ---------------------------------------------------------


@pytest.mark.parametrize(
    "year,month,due",
    [
        (2026, 1, D(2026, 2, 6)),
        # September's report: October starts with the National Day holiday; the make-up
        # Saturday 10 Oct is a working day and counts.
        (2026, 9, D(2026, 10, 13)),
        # January's report: February, 5th working day before the Spring Festival
        (2026, 2, D(2026, 3, 6)),
    ],
)
def test_the_monthly_report_is_due_by_the_5th_working_day_of_the_next_month(cal, year, month, due):
    assert rules.monthly_report_deadline(year, month, cal) == due


@pytest.mark.parametrize(
    "year,quarter,due",
    [
        # Q3 ends 30 Sep; 8, 9, 10 (make-up Saturday), 12, 13 Oct
        (2026, 3, D(2026, 10, 13)),
        # Q4 2025 ends 31 Dec; New Year 1–3 Jan, Sunday 4 Jan is a make-up working day
        (2025, 4, D(2026, 1, 8)),
        (2026, 1, D(2026, 4, 8)),
    ],
)
def test_the_quarterly_summary_is_due_within_5_working_days_after_the_quarter(
    cal, year, quarter, due
):
    assert rules.quarterly_summary_deadline(year, quarter, cal) == due


# --- distribution within quotas --------------------------------------------------------------


def test_distribution_respects_the_daily_quota_and_evens_the_load(cal):
    targets = [(i, D(2026, 11, 30)) for i in range(100)]
    agents = [AgentCapacity(1, 30), AgentCapacity(2, 30)]

    plan = rules.distribute(
        targets=targets, agents=agents, planned={}, start=D(2026, 11, 24), calendar=cal
    )

    per_day: dict[tuple[int, dt.date], int] = {}
    for _t, agent, day in plan.assignments:
        per_day[(agent, day)] = per_day.get((agent, day), 0) + 1
    assert max(per_day.values()) == 30
    assert plan.per_agent == {1: 50, 2: 50}
    assert plan.days == [D(2026, 11, 24), D(2026, 11, 25)]
    assert plan.late == [] and plan.unplaced == []


def test_distribution_counts_callbacks_already_planned_and_existing_load(cal):
    targets = [(i, D(2026, 11, 30)) for i in range(10)]
    agents = [AgentCapacity(1, 30, load=20), AgentCapacity(2, 30, load=0)]
    planned = {(2, D(2026, 11, 24)): 25}

    plan = rules.distribute(
        targets=targets, agents=agents, planned=planned, start=D(2026, 11, 24), calendar=cal
    )

    day_one = [a for _t, a, d in plan.assignments if d == D(2026, 11, 24)]
    assert day_one.count(2) == 5  # 25 already planned, quota 30
    assert plan.per_agent == {1: 5, 2: 5}


def test_distribution_skips_holidays_and_make_up_saturdays_and_flags_late_callbacks(cal):
    targets = [(i, D(2026, 2, 13)) for i in range(5)]
    agents = [AgentCapacity(1, 3)]

    plan = rules.distribute(
        targets=targets, agents=agents, planned={}, start=D(2026, 2, 13), calendar=cal
    )

    assert plan.days == [D(2026, 2, 13), D(2026, 2, 24)]
    assert sorted(plan.late) == [3, 4]


def test_distribution_without_agents_places_nothing(cal):
    plan = rules.distribute(
        targets=[(1, D(2026, 11, 30))], agents=[], planned={}, start=D(2026, 11, 24), calendar=cal
    )

    assert plan.unplaced == [1] and plan.assignments == []


# --- questionnaire branching -----------------------------------------------------------------

QUESTIONS = [
    QuestionSpec("Q1", "yes_no", "满意吗？", branches=({"when": "yes", "goto": "Q3"},)),
    QuestionSpec("Q2", "text", "哪里不满意？"),
    QuestionSpec("Q3", "scale", "打分", branches=({"min": 1, "max": 2, "goto": "Q5"},)),
    QuestionSpec(
        "Q4",
        "multiple",
        "感兴趣的产品",
        options=(("fund", "基金"), ("bond", "债券")),
        required=False,
    ),
    QuestionSpec("Q5", "single", "是否愿意推荐", options=(("y", "愿意"), ("n", "不愿意"))),
]


def test_a_well_formed_questionnaire_has_no_problems():
    assert rules.questionnaire_problems(QUESTIONS) == []


def test_a_branch_that_points_nowhere_or_backwards_is_a_problem():
    broken = [
        QuestionSpec("Q1", "yes_no", "满意吗？", branches=({"when": "yes", "goto": "Q9"},)),
        QuestionSpec(
            "Q2",
            "single",
            "?",
            options=(("a", "A"), ("b", "B")),
            branches=({"when": "a", "goto": "Q1"},),
        ),
        QuestionSpec(
            "Q3", "single", "?", options=(("a", "A"),), branches=({"when": "z", "goto": "END"},)
        ),
    ]

    problems = rules.questionnaire_problems(broken)

    assert any("Q9" in p for p in problems)
    assert any("back" in p for p in problems)
    assert any("two options" in p for p in problems)
    assert any("not an option" in p for p in problems)


def test_the_path_follows_the_answers():
    assert rules.question_path(QUESTIONS, {}) == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    assert rules.question_path(QUESTIONS, {"Q1": "yes", "Q3": 5}) == ["Q1", "Q3", "Q4", "Q5"]
    assert rules.question_path(QUESTIONS, {"Q1": "yes", "Q3": 1}) == ["Q1", "Q3", "Q5"]
    assert rules.question_path(QUESTIONS, {"Q1": "no"}) == ["Q1", "Q2", "Q3", "Q4", "Q5"]


def test_required_answers_on_the_path_are_checked_and_answers_off_the_path_dropped():
    values, errors = rules.check_answers(QUESTIONS, {"Q1": "yes", "Q2": "ignored", "Q3": "1"})

    assert values == {"Q1": "yes", "Q3": 1}
    assert list(errors) == ["Q5"]


def test_bad_answers_are_reported_per_question():
    values, errors = rules.check_answers(
        QUESTIONS, {"Q1": "maybe", "Q3": "9", "Q4": ["fund", "gold"], "Q5": "y"}
    )

    # Q1 has no valid answer, so the path runs on through Q2, which is required
    assert set(errors) == {"Q1", "Q2", "Q3", "Q4"}


def test_a_bad_answer_to_a_skipped_question_does_not_stop_the_call():
    # Q1 yes → Q3; a low score → Q5: Q4 is skipped, its (bad) answer left in a hidden field
    values, errors = rules.check_answers(
        QUESTIONS, {"Q1": "yes", "Q3": "1", "Q4": ["gold"], "Q5": "y"}
    )

    assert errors == {}
    assert values == {"Q1": "yes", "Q3": 1, "Q5": "y"}


def test_the_opening_script_fills_its_variables_and_keeps_unknown_ones():
    text = rules.render_script(
        "我是{company}{department}，工号{agent_no}。{unknown}",
        {"company": "某证券", "department": "客服中心", "agent_no": "1024"},
    )

    assert text == "我是某证券客服中心，工号1024。{unknown}"


def test_the_default_daily_quota_is_configurable(settings):
    assert rules.daily_quota_default() == 30
    settings.KEFU_CALLBACK_DAILY_QUOTA = 25

    assert rules.daily_quota_default() == 25
