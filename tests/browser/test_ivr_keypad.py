"""A trainer places a test call on the keypad page, verifies as 张伟 and hears his limits."""

import pytest

from kefu.ivr.models import Call
from tests.browser.test_customer_360 import sign_in
from tests.ivr.conftest import demo  # noqa: F401  (the demo customers fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def press(page, keys: str) -> None:
    for key in keys:
        page.click(f"#keypad .key[data-key='{key}']")


def wait_for_node(page, node: str) -> None:
    page.wait_for_function("node => document.getElementById('node').textContent === node", arg=node)


def test_a_trainer_calls_the_hotline_on_the_keypad(page, role_users, demo, screenshot):  # noqa: F811
    sign_in(page, "supervisor")
    page.wait_for_url("**/")

    page.goto("/ivr/phone/")
    page.fill("#id_caller", "13911110001")
    page.click("#dial")
    wait_for_node(page, "main:identify")
    assert "欢迎致电" in page.inner_text("#prompt")
    assert "12378" in page.inner_text("#prompt")

    # typed on the keyboard (it works as a keypad too): a loaded machine can leave more than
    # the keypad's five-second pause between clicks, which a phone takes as the end of entry
    page.keyboard.type("110105197803150315#")
    wait_for_node(page, "verify:password")
    press(page, "135")
    assert page.inner_text("#entry") == "•••"  # a password is never shown
    press(page, "790#")
    wait_for_node(page, "services:menu")
    assert page.inner_text("#entry") == ""

    press(page, "2")
    wait_for_node(page, "limits:after")
    assert "人民币可用额度为人民币42,000.00元" in page.inner_text("#prompt")
    screenshot("ivr-keypad")

    page.click("#no-input")
    page.wait_for_function("document.getElementById('prompt').textContent.startsWith('您没有按键')")
    page.click("#hangup")
    page.wait_for_function("document.getElementById('phone').dataset.state === 'done'")

    call = Call.objects.get()
    assert (call.channel, call.started_by, call.status) == (
        "keypad",
        role_users["supervisor"],
        "abandoned",
    )
    assert call.verification == "verified"


def test_a_bad_caller_number_is_explained_on_the_keypad(page, role_users, demo, screenshot):  # noqa: F811
    sign_in(page, "supervisor")
    page.wait_for_url("**/")
    page.goto("/ivr/phone/")

    page.fill("#id_caller", "call me")
    page.click("#dial")
    page.wait_for_function("document.getElementById('phone-status').textContent.length > 12")

    status = page.inner_text("#phone-status")
    assert "3" in status and "20" in status  # the field's own message: 3 to 20 digits
    assert page.is_disabled("#keypad .key[data-key='1']")
    assert "error" in page.get_attribute("#phone-status", "class")
    assert page.get_attribute("#id_caller", "aria-invalid") == "true"
    screenshot("ivr-keypad-bad-caller")
    assert Call.objects.count() == 0
