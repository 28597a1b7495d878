"""A staff member turns on two-step verification in the browser and signs in with a code."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from kefu.core import totp

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_an_agent_turns_on_two_step_verification_and_signs_in_with_a_code(
    page, make_user, screenshot
):
    user = make_user("zhao", "agent")
    page.goto("/login/")
    page.fill("#id_username", "zhao")
    page.fill("#id_password", "Kefu#2026-test")
    page.click("button[type=submit]")
    page.click("a.who")
    page.get_by_role("button", name="设置两步验证").click()
    page.wait_for_selector("#totp-qr svg")
    secret = re.sub(r"\s", "", page.inner_text("#totp-secret"))
    page.fill("#id_code", "000000")
    page.get_by_role("button", name="开启").click()
    page.wait_for_selector("[role=alert]")
    screenshot("two-step-setup")
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.get_by_role("button", name="开启").click()
    page.wait_for_selector("text=两步验证已开启")
    assert totp.is_enabled(user)

    page.get_by_role("button", name="退出").click()
    page.fill("#id_username", "zhao")
    page.fill("#id_password", "Kefu#2026-test")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/login/code/$"))
    screenshot("two-step-sign-in")
    # the code of the set-up was used up; the next 30-second step's code is accepted too
    page.fill("#id_code", pyotp.TOTP(secret).at(time.time() + 30))
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^http://[^/]+/$"))
    assert page.locator("a.who").inner_text().startswith("zhao")
