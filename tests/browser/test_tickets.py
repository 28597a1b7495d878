"""An agent opens a customer's 360 page, records a complaint with the suggested type, and
lands on the ticket page with its regulatory clock running."""

from __future__ import annotations

import re

import pytest

from kefu.tickets.models import Ticket
from tests.browser.test_customer_360 import sign_in
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def in_the_known_calendar():
    """A complaint's 15-day limit must fall in a year the calendar knows (2026)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    import time_machine

    when = dt.datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(when, tick=True):
        yield


def test_an_agent_records_a_complaint_from_the_customer_360(page, role_users, screenshot):
    customer = CustomerFactory(name="李娜", mobile="13911110002")
    sign_in(page, "agent")
    page.wait_for_url("**/")

    page.goto(f"/customers/{customer.pk}/")
    page.click("#new-ticket")
    page.wait_for_selector("#ticket-form")
    page.fill("#id_content", "我要投诉，你们乱收年费，还不给解决")
    page.wait_for_selector("#suggestion [data-kind='complaint']")
    assert "年费" in page.inner_text("#suggestion")
    screenshot("ticket-new")
    page.click("#create-ticket")

    page.wait_for_url(re.compile(r".*/tickets/\d+/$"))
    assert page.get_attribute("#ticket-status", "data-status") == "registered"
    assert page.locator("#ticket-clocks [data-clock='resolution']").count() == 1
    screenshot("ticket-detail")
    ticket = Ticket.objects.get()
    assert (ticket.kind, ticket.category, ticket.owner.username) == ("complaint", "fees", "agent")
    assert ticket.customer == customer

    page.click("#action-add_note summary")
    page.fill("#id_add_note-note", "客户情绪激动，已安抚")
    page.click("#action-add_note button[type=submit]")
    page.wait_for_selector("#ticket-history >> text=客户情绪激动")


def test_a_refused_action_shows_its_error_and_keeps_what_was_typed(page, role_users, screenshot):
    from kefu.tickets.services import ticket_create

    customer = CustomerFactory(name="王芳", mobile="13911110003")
    ticket, _created = ticket_create(
        by=role_users["agent"], customer=customer, channel="hotline", content="请问账单日是哪天"
    )
    sign_in(page, "agent")
    page.wait_for_url("**/")
    page.goto(f"/tickets/{ticket.pk}/")

    page.click("#action-make_case summary")
    page.fill("#id_make_case-case_place", "电话")
    page.click("#action-make_case button[type=submit]")  # what happened is missing

    page.wait_for_selector("#action-make_case[open] .errorlist")
    assert page.input_value("#id_make_case-case_place") == "电话"
    assert page.get_attribute("#ticket-status", "data-status") == "registered"
    screenshot("ticket-action-error")
    page.fill("#id_make_case-case_event", "客户称账单日与约定不符")
    page.fill("#id_make_case-case_phone", "13911110003")
    page.click("#action-make_case button[type=submit]")
    page.wait_for_selector("#ticket-status[data-status='in_handling']")
    assert page.locator("#ticket-clocks [data-clock='customer_reply']").count() == 1
