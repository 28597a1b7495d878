"""CB-6 reports: counts per project, type and agent, quota attainment, the deadlines with
their status, the printable tables; the daily large-transfer list after the close."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.utils import translation

from kefu.callbacks import exports, selectors, services
from kefu.callbacks.models import Project
from kefu.callbacks.services.targets import Candidate
from tests.factories import CustomerFactory, FundTransferFactory, callback_project

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def calls(supervisor, agent):
    """Three customers on the agent's desk: reached, no answer then reached, refused."""
    project = callback_project(by=supervisor, name="新客户回访 11月")
    customers = [CustomerFactory() for _ in range(3)]
    services.targets_add(
        project=project,
        candidates=[Candidate(customer_id=c.pk, due=dt.date(2026, 11, 30)) for c in customers],
    )
    targets = list(project.targets.order_by("id"))
    for t in targets:
        services.target_reassign(target=t, agent=agent, by=supervisor, day=dt.date(2026, 11, 24))
    at = dt.datetime(2026, 11, 24, 10, 0, tzinfo=SH)
    answers = {"Q1": "yes", "Q3": 5}
    services.attempt_record(target=targets[0], by=agent, outcome="reached", answers=answers, now=at)
    services.attempt_record(target=targets[1], by=agent, outcome="no_answer", now=at)
    services.attempt_record(
        target=targets[1],
        by=agent,
        outcome="reached",
        answers=answers,
        now=at + dt.timedelta(hours=3),
    )
    services.attempt_record(target=targets[2], by=agent, outcome="refused", now=at)
    return project


def test_the_report_counts_per_project_type_and_agent(calls, agent):
    report = selectors.callback_report(start=dt.date(2026, 11, 24), end=dt.date(2026, 11, 24))

    (project,) = report.by_project
    assert (project.planned, project.attempted, project.calls, project.reached) == (3, 3, 4, 2)
    assert project.success_rate == pytest.approx(2 / 3)
    (kind,) = report.by_type
    assert kind.key == "new_customer" and kind.calls == 4
    (person,) = report.by_agent
    assert person.label == str(agent)
    # quota 30 on one trading day, 4 calls
    assert person.capacity == 30 and person.quota_attainment == pytest.approx(4 / 30)


def test_periods_and_their_trading_days():
    assert selectors.period_bounds("week", dt.date(2026, 10, 1))[:2] == (
        dt.date(2026, 9, 28),
        dt.date(2026, 10, 4),
    )
    report = selectors.callback_report(start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))
    # October 2026: 22 weekdays, 5 of them in the National Day holiday; Saturday 10 Oct works
    # but does not trade
    assert report.trading_days == 17


def test_deadlines_show_on_time_late_open_and_overdue(supervisor):
    with time_machine.travel(dt.datetime(2026, 10, 9, 12, 0, tzinfo=SH)):
        services.report_filing_record(kind="monthly", period="2026-08", by=supervisor)
    with time_machine.travel(dt.datetime(2026, 9, 20, 12, 0, tzinfo=SH)):
        services.report_filing_record(kind="monthly", period="2026-07", by=supervisor)

    deadlines = {
        (d.kind, d.period): d for d in selectors.report_deadlines(today=dt.date(2026, 10, 12))
    }

    september = deadlines[("monthly", "2026-09")]
    assert (september.due, september.status, september.days_left) == (
        dt.date(2026, 10, 13),
        "open",
        1,
    )
    # August's report was due on the 5th working day of September (7 Sep), handed in on 9 Oct
    assert deadlines[("monthly", "2026-08")].status == "late"
    assert deadlines[("monthly", "2026-07")].status == "late"
    q3 = deadlines[("quarterly", "2026-Q3")]
    assert (q3.due, q3.status) == (dt.date(2026, 10, 13), "open")
    assert deadlines[("quarterly", "2026-Q2")].status == "overdue"


def test_the_pdf_has_page_numbers_and_signature_lines_on_every_page(calls):
    import io

    from pypdf import PdfReader

    report = selectors.callback_report(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))
    with translation.override("en"):
        data = exports.report_pdf(report=report, detail=True)

    pages = PdfReader(io.BytesIO(data)).pages
    # the embedded CJK font maps characters through 2-byte codes: drop the zero bytes
    texts = [page.extract_text().replace("\x00", "") for page in pages]
    assert "Callback detail table" in texts[0] and "Period 2026-11-01 to 2026-11-30" in texts[0]
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "Agent signature" in text and "Supervisor signature" in text


def test_the_pdf_is_made_with_a_chinese_font(calls):
    report = selectors.callback_report(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))

    data = exports.report_pdf(report=report, detail=True)

    assert data.startswith(b"%PDF")
    assert b"NotoSansCJK" in data or b"FontFile" in data


def test_a_missing_chinese_font_is_a_clear_error(monkeypatch, calls):
    exports.cjk_font.cache_clear()
    monkeypatch.setattr(exports, "FONT_PATTERNS", ())
    monkeypatch.setenv("KEFU_CJK_FONT", "/nonexistent/font.ttf")
    report = selectors.callback_report(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))

    try:
        with pytest.raises(exports.FontMissing, match="fonts-noto-cjk"):
            exports.report_pdf(report=report)
    finally:
        exports.cjk_font.cache_clear()


def test_the_excel_tables(calls):
    import io

    from openpyxl import load_workbook

    report = selectors.callback_report(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))

    with translation.override("en"):
        data = exports.report_xlsx(report=report, detail=True)

    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Summary", "Detail"]
    detail = list(book["Detail"].iter_rows(values_only=True))
    assert detail[0][0] == "Project"
    assert len([r for r in detail[1:] if r and r[0] == "新客户回访 11月"]) == 4
    assert book["Summary"].oddFooter.center.text == "Page &P of &N"


def test_the_detail_table_masks_numbers_typed_into_notes(supervisor, agent):
    import io

    from openpyxl import load_workbook

    project = callback_project(by=supervisor)
    services.targets_add(
        project=project,
        candidates=[Candidate(customer_id=CustomerFactory().pk, due=dt.date(2026, 11, 30))],
    )
    target = project.targets.get()
    services.target_reassign(target=target, agent=agent, by=supervisor)
    services.attempt_record(
        target=target,
        by=agent,
        outcome="no_answer",
        note="客户说改打 13800138000",
        now=dt.datetime(2026, 11, 24, 10, 0, tzinfo=SH),
    )
    report = selectors.callback_report(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))

    data = exports.report_xlsx(report=report, detail=True)

    detail = load_workbook(io.BytesIO(data)).worksheets[1]
    notes = [r[-1] for r in detail.iter_rows(values_only=True)]
    assert "客户说改打 138****8000" in notes
    assert not any("13800138000" in str(n) for n in notes)


def test_the_daily_job_lists_the_days_large_transfers_after_the_close(supervisor):
    from kefu.callbacks.tasks import fill_large_transfer_lists

    zhao = CustomerFactory(name="赵磊")
    FundTransferFactory(
        account__customer=zhao, occurred_at=dt.datetime(2026, 11, 24, 14, 32, tzinfo=SH)
    )
    project = callback_project(by=supervisor, callback_type="large_transfer")

    with time_machine.travel(dt.datetime(2026, 11, 24, 16, 0, tzinfo=SH)):
        added = fill_large_transfer_lists.call()
        again = fill_large_transfer_lists.call()

    target = project.targets.get()
    assert (added, again) == (1, 0)
    assert target.due_at.astimezone(SH).date() == dt.date(2026, 11, 25)
    assert Project.objects.count() == 1


def test_the_yearly_coverage_of_existing_brokerage_customers(supervisor, agent):
    """REG-3: at least 10 % of existing customers a year; dormant accounts do not count."""
    from tests.factories import BrokerageAccountFactory

    active = [BrokerageAccountFactory(status="active").customer for _ in range(11)]
    BrokerageAccountFactory(status="dormant")
    BrokerageAccountFactory(status="closed")
    project = callback_project(by=supervisor)
    services.targets_add(
        project=project,
        candidates=[Candidate(customer_id=c.pk, due=dt.date(2026, 11, 30)) for c in active[:2]],
    )
    first, second = project.targets.order_by("id")
    for t in (first, second):
        services.target_reassign(target=t, agent=agent, by=supervisor)
    at = dt.datetime(2026, 11, 24, 10, 0, tzinfo=SH)
    services.attempt_record(
        target=first, by=agent, outcome="reached", answers={"Q1": "yes", "Q3": 5}, now=at
    )
    services.attempt_record(target=second, by=agent, outcome="no_answer", now=at)

    this_year = selectors.annual_coverage(year=2026)
    last_year = selectors.annual_coverage(year=2025)

    assert (this_year.existing, this_year.reached, this_year.required) == (11, 1, 2)
    assert not this_year.met and this_year.rate == pytest.approx(1 / 11)
    assert (last_year.reached, last_year.met) == (0, False)


def test_the_report_page_shows_the_yearly_coverage(supervisor, role_users, client_for):
    from tests.factories import BrokerageAccountFactory

    BrokerageAccountFactory(status="active")

    page = client_for(role_users["manager"]).get(
        "/callbacks/reports/", {"period": "quarter", "day": "2026-11-25"}
    )

    html = page.content.decode()
    assert 'id="coverage"' in html
    assert "Customers called back in 2026" in html
    assert "0 of 1 existing brokerage customers reached; at least 1 (10 %) a year" in html


def test_the_daily_job_uses_the_configured_limit(supervisor, settings):
    from kefu.callbacks.tasks import fill_large_transfer_lists

    at = dt.datetime(2026, 11, 24, 14, 32, tzinfo=SH)
    small = FundTransferFactory(amount="300000.00", occurred_at=at)
    FundTransferFactory(amount="100000.00", occurred_at=at)
    project = callback_project(by=supervisor, callback_type="large_transfer")
    settings.KEFU_CALLBACK_LARGE_TRANSFER_LIMIT = "200000"

    with time_machine.travel(dt.datetime(2026, 11, 24, 16, 0, tzinfo=SH)):
        added = fill_large_transfer_lists.call()

    assert added == 1
    assert project.targets.get().customer_id == small.account.customer_id
