"""An agent watches the call queue fill by itself and answers: 张伟's 360 page opens (screen
pop); a supervisor then finds the call in the call records and reads its path."""

import pytest

from kefu.ivr.models import QueueEntry
from tests.browser.test_customer_360 import sign_in
from tests.ivr.conftest import Phone, demo  # noqa: F401  (the demo customers fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_agent_sees_a_transferred_call_arrive_and_answers_it(page, role_users, demo, screenshot):  # noqa: F811
    sign_in(page, "agent")
    page.wait_for_url("**/")
    page.goto("/ivr/queue/")
    assert page.locator(".queue-entry").count() == 0

    caller = Phone("13911110001")
    caller.keys("110105197803150315#", "135790#", "2", "*", "0")  # limits, then an agent

    row = page.locator(".queue-entry").first
    row.wait_for(timeout=8_000)  # the list refreshes every two seconds
    text = row.inner_text()
    assert "139****0001" in text and "张伟" in text and "0013" in text
    assert "13911110001" not in page.content()
    screenshot("ivr-queue")

    row.locator("button[type=submit]").click()
    page.wait_for_url(f"**/customers/{demo['zhang'].pk}/")
    assert "张伟" in page.inner_text("h1")
    banner = page.inner_text(".messages")
    assert "139****0001" in banner and "0013" in banner and "额度查询" in banner
    screenshot("ivr-screen-pop")
    assert QueueEntry.objects.get().status == QueueEntry.Status.ANSWERED


def test_a_supervisor_finds_the_call_and_reads_its_path(page, role_users, demo, screenshot):  # noqa: F811
    caller = Phone("13911110001")
    caller.keys("110105197803150315#", "135790#", "2")
    caller.hang_up()
    Phone("13911110003").hang_up()
    sign_in(page, "supervisor")
    page.wait_for_url("**/")

    page.goto("/ivr/calls/")
    page.fill("#id_caller", "13911110001")
    page.click("#call-search button[type=submit]")
    page.wait_for_function(
        "document.querySelectorAll('#call-table tbody tr').length === 1"
        " && !document.getElementById('call-table').textContent.includes('0003')"
    )
    screenshot("ivr-call-records")
    page.click("#call-table tbody a")

    page.wait_for_selector("#call-events")
    events = page.inner_text("#call-events")
    assert "verify:password" in events and "limits:read" in events
    assert "******" in events and "135790" not in events
    assert "1101**********0315" in events and "110105197803150315" not in page.content()
    screenshot("ivr-call-detail")
