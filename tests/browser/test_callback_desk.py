"""A callback agent works a callback: opens it from the queue, reads the opening script,
answers the questions (the branching hides a question that does not apply) and saves the
outcome; the queue is then empty and the answers are stored."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.callbacks import services
from kefu.callbacks.models import Answer, Target
from kefu.callbacks.services.targets import Candidate
from tests.browser.test_customer_360 import sign_in
from tests.factories import CustomerFactory, callback_project

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def callback_for_agent(role_users):
    supervisor, agent = role_users["supervisor"], role_users["callback"]
    agent.employee_no = "HF1024"
    agent.save(update_fields=["employee_no"])
    project = callback_project(by=supervisor, name="大额转出回访", callback_type="large_transfer")
    zhao = CustomerFactory(name="赵磊", mobile="13911110006", gender="M")
    services.targets_add(
        project=project,
        candidates=[
            Candidate(
                customer_id=zhao.pk,
                due=dt.date.today(),
                reason="转出 ¥680,000.00",
            )
        ],
    )
    target = project.targets.get()
    services.target_reassign(target=target, agent=agent, by=supervisor)
    return target


def test_an_agent_completes_a_callback(page, callback_for_agent, screenshot):
    target = callback_for_agent
    sign_in(page, "callback")
    page.wait_for_url("**/")

    page.goto("/callbacks/desk/")
    assert "139****0006" in page.inner_text("#queue")
    page.click(f"#queue a[href='/callbacks/desk/{target.pk}/']")

    page.wait_for_selector("#opening-script")
    assert "HF1024" in page.inner_text("#opening-script")
    # Q1 "yes" branches to Q3: the question "why not satisfied" (Q2) is hidden
    page.check("#q-Q1 input[value=no]")
    assert page.is_visible("#q-Q2")
    page.check("#q-Q1 input[value=yes]")
    assert page.is_hidden("#q-Q2")
    page.fill("#q-Q3 input", "5")
    page.fill("#q-Q4 textarea", "希望多推送基金资讯")
    page.check("#outcome input[value=reached]")
    page.select_option("select[name=fu_kind_0]", "need")
    page.fill("input[name=fu_text_0]", "想了解基金定投")
    screenshot("callback-desk-call")
    page.click("#save-call")

    page.wait_for_url("**/callbacks/desk/")
    assert page.locator("#queue a.button").count() == 0
    target.refresh_from_db()
    assert target.status == Target.Status.REACHED
    assert dict(Answer.objects.values_list("question__code", "value")) == {
        "Q1": "yes",
        "Q3": 5,
        "Q4": "希望多推送基金资讯",
    }
