"""A supervisor builds a branching questionnaire in the editor: adds question rows without
a round trip, is refused a branch to nowhere (nothing saved, nothing typed lost), fixes it
and publishes."""

from __future__ import annotations

import pytest

from kefu.callbacks.models import Questionnaire, QuestionnaireVersion
from tests.browser.test_customer_360 import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def fill_question(page, index, code, kind, text, branches=""):
    page.fill(f"input[name='q-{index}-code']", code)
    page.select_option(f"select[name='q-{index}-kind']", kind)
    page.fill(f"input[name='q-{index}-text']", text)
    if branches:
        page.fill(f"textarea[name='q-{index}-branches']", branches)


def test_a_supervisor_builds_and_publishes_a_branching_questionnaire(page, role_users, screenshot):
    sign_in(page, "supervisor")
    page.wait_for_url("**/")
    page.goto("/callbacks/questionnaires/new/")

    page.fill("#id_name", "基金客户回访问卷")
    fill_question(page, 0, "Q1", "yes_no", "您是否本人购买了该基金？", "no -> Q9")
    fill_question(page, 1, "Q2", "scale", "请为服务打分")
    page.click("#add-question")
    fill_question(page, 2, "Q3", "text", "还有什么建议？")
    page.click("#publish")

    page.wait_for_selector("#questionnaire-form .error")
    assert "Q9" in page.inner_text("#questionnaire-form")
    assert page.input_value("input[name='q-2-text']") == "还有什么建议？"
    assert Questionnaire.objects.count() == 0
    screenshot("callback-questionnaire-refused")

    page.fill("textarea[name='q-0-branches']", "no -> Q3")
    page.click("#publish")

    page.wait_for_url("**/callbacks/questionnaires/*/")
    version = QuestionnaireVersion.objects.get()
    assert version.is_published
    assert list(version.questions.values_list("code", "kind")) == [
        ("Q1", "yes_no"),
        ("Q2", "scale"),
        ("Q3", "text"),
    ]
    assert version.questions.get(code="Q1").branches == [{"when": "no", "goto": "Q3"}]
    screenshot("callback-questionnaire-published")
