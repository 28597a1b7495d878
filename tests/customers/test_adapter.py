"""The built-in core-banking adapter (CUS-6): every read and change, with its audit event."""

import datetime as dt
from decimal import Decimal

import pytest

from kefu.core.crypto import verify_secret
from kefu.core.errors import Conflict, NotFound, ValidationFailed
from kefu.core.models import AuditEvent
from kefu.customers.adapter import (
    CoreBankingAdapter,
    CoreBankingError,
    LocalCoreBanking,
    get_adapter,
)
from kefu.customers.models import Card, CardAccount, Transaction
from tests.factories import CardFactory, StatementFactory, TransactionFactory

pytestmark = pytest.mark.django_db

adapter = LocalCoreBanking()


@pytest.fixture
def card():
    return CardFactory(number="6288880000000013", with_query_password="135790")


def test_the_configured_adapter_is_the_local_one_by_default():
    assert isinstance(get_adapter(), LocalCoreBanking)


def test_find_card_by_number_returns_plain_data_without_secrets(card):
    info = adapter.find_card(number="6288 8800 0000 0013")

    assert info.ref == str(card.pk)
    assert (info.first6, info.last4, info.role, info.status) == (
        "628888",
        "0013",
        "primary",
        "active",
    )
    assert info.has_query_password is True
    assert not hasattr(info, "query_password_hash")


def test_find_card_with_an_unknown_number_is_none(card):
    assert adapter.find_card(number="6288880000000021") is None


def test_an_unknown_reference_is_not_found():
    with pytest.raises(NotFound):
        adapter.get_card(card_ref="999999")
    with pytest.raises(NotFound):
        adapter.get_card(card_ref="not-a-number")


def test_limits_are_given_in_cny_and_usd(card):
    limits = adapter.limits(account_ref=str(card.account_id))

    assert [(x.currency, x.available_credit, x.available_cash) for x in limits] == [
        ("CNY", Decimal("42000.00"), Decimal("20000.00")),
        ("USD", Decimal("7000.00"), Decimal("3500.00")),
    ]


def test_statements_newest_first_with_lines_and_unbilled(card):
    old = StatementFactory(
        account=card.account, period="2026-09", statement_date=dt.date(2026, 9, 5)
    )
    new = StatementFactory(
        account=card.account, period="2026-10", statement_date=dt.date(2026, 10, 5)
    )
    TransactionFactory(account=card.account, card=card, statement=new, amount="12.30")
    TransactionFactory(account=card.account, card=card, statement=None, amount="45.60")

    periods = [s.period for s in adapter.statements(account_ref=str(card.account_id))]
    detail = adapter.statement(account_ref=str(card.account_id), period="2026-10")
    unbilled = adapter.unbilled(account_ref=str(card.account_id))

    assert periods == ["2026-10", "2026-09"]
    assert [line.amount for line in detail.lines] == [Decimal("12.30")]
    assert [t.amount for t in unbilled] == [Decimal("45.60")]
    assert old.pk != new.pk


def test_a_missing_statement_period_is_not_found(card):
    with pytest.raises(NotFound):
        adapter.statement(account_ref=str(card.account_id), period="2020-01")


def test_query_password_verification_and_change_are_audited_without_the_secret(card):
    assert adapter.verify_query_password(card_ref=str(card.pk), password="135790")
    assert not adapter.verify_query_password(card_ref=str(card.pk), password="000000")

    adapter.set_query_password(card_ref=str(card.pk), password="802461", by=None, channel="ivr")

    card.refresh_from_db()
    assert verify_secret(card.query_password_hash, "802461")
    event = AuditEvent.objects.get(action="card.query_password.changed")
    assert "802461" not in str(event.changes) + str(event.data) + event.object_repr


def test_a_password_hashed_with_older_parameters_is_rehashed_on_a_good_check(card, settings):
    settings.KEFU_CARD_PASSWORD_MEMORY_KIB = 16  # the card's hash was made with 8 KiB
    old_hash = card.query_password_hash

    assert not adapter.verify_query_password(card_ref=str(card.pk), password="000000")
    card.refresh_from_db()
    assert card.query_password_hash == old_hash  # a wrong password changes nothing
    assert not AuditEvent.objects.filter(action="card.query_password.rehashed").exists()

    assert adapter.verify_query_password(card_ref=str(card.pk), password="135790")
    card.refresh_from_db()
    assert card.query_password_hash != old_hash
    assert "m=16," in card.query_password_hash
    assert verify_secret(card.query_password_hash, "135790")
    event = AuditEvent.objects.get(action="card.query_password.rehashed")
    assert "135790" not in str(event.changes) + str(event.data) + event.object_repr

    # Now current: the next good check writes nothing.
    current = card.query_password_hash
    assert adapter.verify_query_password(card_ref=str(card.pk), password="135790")
    card.refresh_from_db()
    assert card.query_password_hash == current
    assert AuditEvent.objects.filter(action="card.query_password.rehashed").count() == 1


def test_a_transaction_password_with_older_parameters_is_rehashed_too(card, settings):
    adapter.set_transaction_password(
        card_ref=str(card.pk), password="246810", by=None, channel="ivr"
    )
    settings.KEFU_CARD_PASSWORD_TIME_COST = 2

    assert adapter.verify_transaction_password(card_ref=str(card.pk), password="246810")
    card.refresh_from_db()
    assert "t=2," in card.transaction_password_hash
    assert AuditEvent.objects.filter(action="card.transaction_password.rehashed").exists()


# The built-in adapter checks a keyed-in query password in one read of the card; the
# adapter base class composes the same answer from the single calls, for other adapters.
CHECKS = {
    "one read": LocalCoreBanking.check_query_password,
    "composed": CoreBankingAdapter.check_query_password,
}


@pytest.mark.parametrize("check", CHECKS.values(), ids=CHECKS.keys())
def test_a_keyed_in_query_password_wrong_twice_then_right_then_locked(card, check):
    today = dt.date(2026, 11, 25)

    def key(password, day=today):
        result = check(
            adapter,
            card_ref=str(card.pk),
            password=password,
            max_failures=3,
            today=day,
            by=None,
            channel="ivr",
        )
        return (result.result, result.failures, result.card.last4)

    assert key("000000") == ("wrong", 1, "0013")
    assert key("111111") == ("wrong", 2, "0013")
    assert key("135790") == ("ok", 0, "0013")
    card.refresh_from_db()
    assert card.query_password_failures == 0  # a right password clears the wrong tries
    assert [key(p)[:2] for p in ("1", "2", "3")] == [("wrong", 1), ("wrong", 2), ("locked_now", 3)]
    # locked for the day: even the right password is refused, and not counted
    assert key("135790")[0] == "locked"
    card.refresh_from_db()
    assert (card.query_password_failures, card.query_password_locked_on) == (3, today)
    # the next day it is open again
    assert key("135790", today + dt.timedelta(days=1))[0] == "ok"


def test_a_right_query_password_is_one_read_and_no_write(card):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        result = adapter.check_query_password(
            card_ref=str(card.pk),
            password="135790",
            max_failures=3,
            today=dt.date(2026, 11, 25),
            by=None,
            channel="ivr",
        )

    assert result.result == "ok"
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["SELECT"]


def test_three_failures_lock_the_query_password_for_the_day(card):
    today = dt.date(2026, 11, 25)
    counts = [
        adapter.record_query_password_failure(
            card_ref=str(card.pk), max_failures=3, today=today, by=None, channel="ivr"
        )
        for _ in range(3)
    ]

    card.refresh_from_db()
    assert counts == [1, 2, 3]
    assert card.query_password_locked_on == today
    assert AuditEvent.objects.filter(action="card.query_password.locked").count() == 1


def test_a_lock_from_yesterday_is_forgotten_today(card):
    card.query_password_failures = 3
    card.query_password_locked_on = dt.date(2026, 11, 24)
    card.save()

    count = adapter.record_query_password_failure(
        card_ref=str(card.pk), max_failures=3, today=dt.date(2026, 11, 25), by=None, channel="ivr"
    )

    card.refresh_from_db()
    assert count == 1
    assert card.query_password_locked_on is None


def _statements(context) -> list[str]:
    return [
        q["sql"]
        for q in context.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def test_a_good_password_clears_the_failures_counted_in_one_statement(card):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    adapter.record_query_password_failure(
        card_ref=str(card.pk), max_failures=3, today=dt.date(2026, 11, 25), by=None, channel="ivr"
    )

    with CaptureQueriesContext(connection) as clearing:
        adapter.reset_query_password_failures(card_ref=str(card.pk))
    card.refresh_from_db()
    with CaptureQueriesContext(connection) as nothing_to_clear:
        adapter.reset_query_password_failures(card_ref=str(card.pk))

    assert card.query_password_failures == 0
    assert [s.split()[0] for s in _statements(clearing)] == ["UPDATE"]
    assert [s.split()[0] for s in _statements(nothing_to_clear)] == ["UPDATE"]
    with pytest.raises(NotFound):
        adapter.reset_query_password_failures(card_ref="not-a-card")


def test_block_card_marks_it_lost_once(card):
    adapter.block_card(card_ref=str(card.pk), reason="lost", by=None, channel="ivr")
    again = adapter.block_card(card_ref=str(card.pk), reason="lost", by=None, channel="ivr")

    card.refresh_from_db()
    assert card.status == Card.Status.LOST
    assert card.blocked_at is not None
    assert again.status == "lost"
    assert AuditEvent.objects.filter(action="card.blocked").count() == 1


def test_a_closed_card_cannot_be_blocked(card):
    card.status = Card.Status.CLOSED
    card.save()

    with pytest.raises(CoreBankingError):
        adapter.block_card(card_ref=str(card.pk), reason="lost", by=None, channel="ivr")


def test_activation_only_of_an_inactive_card(card):
    with pytest.raises(Conflict):
        adapter.activate_card(card_ref=str(card.pk), by=None, channel="ivr")
    card.status = Card.Status.INACTIVE
    card.save()

    info = adapter.activate_card(card_ref=str(card.pk), by=None, channel="ivr")

    assert info.status == "active"
    assert AuditEvent.objects.filter(action="card.activated").count() == 1


def test_switches_change_only_what_is_asked_and_audit_old_and_new(card):
    adapter.set_card_switches(
        card_ref=str(card.pk), by=None, channel="ivr", swipe_password_enabled=True
    )

    card.refresh_from_db()
    assert (card.cash_advance_enabled, card.swipe_password_enabled) == (True, True)
    event = AuditEvent.objects.get(action="card.switches.changed")
    assert event.changes == {"swipe_password_enabled": {"old": False, "new": True}}


def test_statement_delivery_rejects_an_unknown_method(card):
    with pytest.raises(ValidationFailed) as exc:
        adapter.set_statement_delivery(
            account_ref=str(card.account_id), method="fax", by=None, channel="ivr"
        )

    assert "method" in exc.value.errors


def test_auto_repayment_apply_modify_cancel(card):
    ref = str(card.account_id)
    adapter.set_auto_repayment(
        account_ref=ref,
        enabled=True,
        mode="full",
        debit_account="6222020000001234567",
        by=None,
        channel="ivr",
    )
    adapter.set_auto_repayment(
        account_ref=ref, enabled=True, mode="minimum", by=None, channel="ivr"
    )
    info = adapter.set_auto_repayment(account_ref=ref, enabled=False, by=None, channel="ivr")

    assert info.auto_repay_enabled is False
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == [
        "account.auto_repay.applied",
        "account.auto_repay.modified",
        "account.auto_repay.cancelled",
    ]
    applied = AuditEvent.objects.get(action="account.auto_repay.applied")
    assert "6222020000001234567" not in str(applied.changes)


def test_auto_repayment_needs_a_valid_debit_account(card):
    with pytest.raises(ValidationFailed) as exc:
        adapter.set_auto_repayment(
            account_ref=str(card.account_id),
            enabled=True,
            mode="full",
            debit_account="12ab",
            by=None,
            channel="ivr",
        )

    assert "debit_account" in exc.value.errors
    assert CardAccount.objects.get(pk=card.account_id).auto_repay_enabled is False


def test_cash_advance_posts_amount_and_fee_once_per_key(card):
    first = adapter.cash_advance(
        card_ref=str(card.pk),
        amount=Decimal("1000"),
        fee=Decimal("10"),
        idempotency_key="call-1",
        by=None,
        channel="ivr",
    )
    second = adapter.cash_advance(
        card_ref=str(card.pk),
        amount=Decimal("1000"),
        fee=Decimal("10"),
        idempotency_key="call-1",
        by=None,
        channel="ivr",
    )

    account = CardAccount.objects.get(pk=card.account_id)
    assert (first.duplicate, second.duplicate) == (False, True)
    assert account.available_cash_cny == Decimal("18990.00")
    assert Transaction.objects.filter(account=account).count() == 2


def test_cash_advance_beyond_the_available_cash_is_refused_and_changes_nothing(card):
    with pytest.raises(CoreBankingError):
        adapter.cash_advance(
            card_ref=str(card.pk),
            amount=Decimal("19995"),
            fee=Decimal("10"),
            idempotency_key="call-2",
            by=None,
            channel="ivr",
        )

    assert CardAccount.objects.get(pk=card.account_id).available_cash_cny == Decimal("20000.00")
    assert not Transaction.objects.exists()


def test_cash_advance_on_a_card_with_the_switch_off_is_refused(card):
    card.cash_advance_enabled = False
    card.save()

    with pytest.raises(CoreBankingError):
        adapter.cash_advance(
            card_ref=str(card.pk),
            amount=Decimal("100"),
            fee=Decimal("10"),
            idempotency_key="call-3",
            by=None,
            channel="ivr",
        )


# --- added for the IVR (issue 3): replacement cards, application progress ---------------------


def test_a_replacement_is_a_new_inactive_card_on_the_same_account(card):
    adapter.block_card(card_ref=str(card.pk), reason="lost", by=None, channel="ivr")

    new = adapter.request_replacement(card_ref=str(card.pk), reason="lost", by=None, channel="ivr")

    replacement = Card.objects.get(pk=int(new.ref))
    assert replacement.pk != card.pk
    assert (replacement.account_id, replacement.holder_id, replacement.role) == (
        card.account_id,
        card.holder_id,
        card.role,
    )
    assert replacement.status == Card.Status.INACTIVE
    assert replacement.number[:6] == card.number[:6] and replacement.number != card.number
    assert new.first6 == "628888" and new.last4 == replacement.number[-4:]
    event = AuditEvent.objects.get(action="card.replacement.requested")
    assert event.object_id == str(card.pk)
    assert event.data["replacement_card_id"] == replacement.pk


def test_a_closed_card_is_not_replaced(card):
    Card.objects.filter(pk=card.pk).update(status=Card.Status.CLOSED)

    with pytest.raises(CoreBankingError):
        adapter.request_replacement(card_ref=str(card.pk), reason="lost", by=None, channel="ivr")

    assert Card.objects.count() == 1


def test_applications_by_applicant_id_number_newest_first():
    from kefu.core.crypto import lookup_hash
    from tests.factories import CardApplicationFactory

    def application(product, day):
        return CardApplicationFactory(
            applicant_id_number="530102199511300172",
            applicant_id_hash=lookup_hash("document", "530102199511300172"),
            product=product,
            submitted_on=dt.date(2026, 11, day),
        )

    application("金卡", 1)
    application("白金卡", 20)
    CardApplicationFactory()  # someone else

    found = adapter.applications_by_applicant(id_number="530102199511300172")

    assert [a.product for a in found] == ["白金卡", "金卡"]
    assert adapter.applications_by_applicant(id_number="110105197803150315") == []
