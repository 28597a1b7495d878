"""An agent signs in, finds 张伟 by mobile and opens his 360 page with masked numbers."""

from __future__ import annotations

import pytest

from tests.factories import (
    CardFactory,
    IdentityDocumentFactory,
    StatementFactory,
    TransactionFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def zhang_wei():
    card = CardFactory(
        account__customer__name="张伟",
        account__customer__mobile="13911110001",
        number="6288880000000013",
    )
    IdentityDocumentFactory(customer=card.holder, number="110105197803150315")
    statement = StatementFactory(account=card.account, period="2026-10")
    TransactionFactory(
        account=card.account,
        card=card,
        statement=statement,
        description="网上消费",
        amount="3256.18",
    )
    return card.holder


def sign_in(page, username, password="Kefu#2026-test"):  # noqa: S107
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def test_agent_finds_a_customer_by_mobile_and_sees_masked_numbers(
    page, role_users, zhang_wei, screenshot
):
    sign_in(page, "agent")
    page.wait_for_url("**/")

    page.goto("/customers/")
    page.fill("#id_q", "13911110001")
    page.click("#customer-search button[type=submit]")
    page.wait_for_selector("#search-results table")
    assert "139****0001" in page.inner_text("#search-results")
    screenshot("customer-search")
    page.click("#search-results a:has-text('张伟')")

    page.wait_for_selector("#cards")
    cards = page.inner_text("#cards")
    assert "628888******0013" in cards
    assert "6288880000000013" not in page.content()
    assert "1101**********0315" in page.inner_text("#documents")
    assert "3,256.18" in page.inner_text(".account")
    screenshot("customer-360")


def test_a_search_for_text_shows_a_chinese_error(page, role_users):
    sign_in(page, "agent")
    page.wait_for_url("**/")

    page.goto("/customers/")
    page.fill("#id_q", "张伟")
    page.click("#customer-search button[type=submit]")

    error = page.wait_for_selector("#search-results .error")
    assert "手机号" in error.inner_text()


def test_a_supervisor_reveals_a_card_number_after_confirming(page, role_users, zhang_wei):
    sign_in(page, "supervisor")
    page.wait_for_url("**/")
    page.goto(f"/customers/{zhang_wei.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())

    page.click("#cards button:has-text('查看')")

    page.wait_for_selector("#cards .revealed")
    assert "6288880000000013" in page.inner_text("#cards")
