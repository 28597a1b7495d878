"""The core-banking import (CUS-6, NF-3): docs/core-import.md and its sample file."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kefu.core.crypto import lookup_hash
from kefu.core.models import AuditEvent
from kefu.core.validators import validate_card_number, validate_mobile, validate_resident_id
from kefu.customers import models as m
from kefu.customers.importer import LineError, core_import_run
from kefu.customers.selectors import customer_search
from tests.factories import CardAccountFactory, CardFactory, IdentityDocumentFactory

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "core-import-sample.jsonl"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _english():
    # Messages are compared with their English msgids, whatever the translations say.
    with translation.override("en"):
        yield


def sample() -> list[dict]:
    """The documented sample, one dict per line: 王建国, 李秀英 (supplementary card on his
    account), 陈志强 (brokerage), 黄嘉欣 (Hong Kong permit), 刘洋 (required fields only)."""
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]


def run(*rows, **kwargs):
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows]
    return core_import_run(lines=[line + "\n" for line in lines], **kwargs)


def message_of(validator, value: str):
    """The validator's own message for ``value``, read when the test runs (in English)."""

    def message() -> str:
        with pytest.raises(ValidationError) as exc:
            validator(value)
        return " ".join(exc.value.messages)

    return message


def write_statements(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


# --- happy path ------------------------------------------------------------------------------


def test_it_imports_every_nested_object_of_the_sample():
    result = run(*sample())

    assert result.as_dict() == {
        "lines": 5,
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "failed": 0,
    }
    assert result.errors == []
    counts = {
        model.__name__: model.objects.count()
        for model in (
            m.Customer,
            m.IdentityDocument,
            m.CustomerPhone,
            m.CardAccount,
            m.Card,
            m.Statement,
            m.Transaction,
            m.Installment,
            m.CardApplication,
            m.BrokerageAccount,
            m.Holding,
            m.FundTransfer,
            m.LoginRecord,
            m.AmlFlag,
            m.AccountManager,
        )
    }
    assert counts == {
        "Customer": 5,
        "IdentityDocument": 5,
        "CustomerPhone": 3,
        "CardAccount": 2,
        "Card": 3,
        "Statement": 2,
        "Transaction": 4,
        "Installment": 1,
        "CardApplication": 2,
        "BrokerageAccount": 2,
        "Holding": 3,
        "FundTransfer": 2,
        "LoginRecord": 2,
        "AmlFlag": 1,
        "AccountManager": 1,
    }


def test_it_links_the_nested_objects_as_the_file_says():
    run(*sample())

    wang = m.Customer.objects.get(external_id="KH20260001")
    li = m.Customer.objects.get(external_id="KH20260002")
    account = m.CardAccount.objects.get(external_id="ZH20260001")
    assert account.customer == wang
    assert (account.auto_repay_enabled, account.auto_repay_mode) == (True, "full")
    assert account.auto_repay_account == "6217000000000000012"
    assert account.available_credit_cny == Decimal("43055.82")
    supplementary = m.Card.objects.with_number("6288881000000029").get()
    assert (supplementary.holder, supplementary.account, supplementary.role) == (
        li,
        account,
        "supplementary",
    )
    assert supplementary.expiry == dt.date(2029, 4, 30)
    assert supplementary.activated_at == dt.datetime(2024, 4, 10, 19, 2, tzinfo=SHANGHAI)
    assert supplementary.cash_advance_enabled is False
    assert supplementary.query_password_hash == ""
    october = m.Statement.objects.get(account=account, period="2026-10")
    txn = m.Transaction.objects.get(external_id="JY202609250004")
    assert (txn.account, txn.card, txn.statement, txn.amount) == (
        account,
        supplementary,
        october,
        Decimal("2900.00"),
    )
    unbilled = m.Transaction.objects.get(external_id="JY202610080003")
    assert unbilled.statement is None
    assert m.Installment.objects.get(account=account).statement == october
    chen = m.Customer.objects.get(external_id="KH20260003")
    assert chen.account_manager.employee_no == "KJ0012"
    assert sorted(chen.brokerage_accounts.values_list("external_id", flat=True)) == [
        "JJ20260003",
        "ZQ20260003",
    ]
    transfer = m.FundTransfer.objects.get(external_id="YZ202611180001")
    assert transfer.occurred_at == dt.datetime(2026, 11, 18, 14, 32, 10, tzinfo=SHANGHAI)
    assert transfer.account.account_manager == chen.account_manager


def test_gender_and_birth_date_come_from_the_resident_id_when_left_out():
    run(sample()[4])

    liu = m.Customer.objects.get(external_id="KH20260005")
    assert (liu.gender, liu.birth_date) == ("M", dt.date(1988, 11, 30))
    assert (liu.segment, liu.preferred_channel, liu.email) == ("standard", "phone", "")
    doc = liu.documents.get()
    assert (doc.doc_type, doc.is_primary, doc.issuing_country) == ("resident_id", True, "CHN")


def test_numbers_are_stored_encrypted_with_keyed_hashes():
    run(*sample())

    wang = m.Customer.objects.get(external_id="KH20260001")
    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile FROM customers_customer WHERE id = %s", [wang.pk])
        stored_mobile = cursor.fetchone()[0]
        cursor.execute("SELECT number FROM customers_card")
        stored_cards = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT number FROM customers_identitydocument")
        stored_docs = [row[0] for row in cursor.fetchall()]
    assert "13700001001" not in stored_mobile
    assert not any(s.startswith("628888") for s in stored_cards)
    assert not any("110105197803150016" in s for s in stored_docs)
    assert wang.mobile == "13700001001"
    assert wang.mobile_hash == lookup_hash("mobile", "13700001001")
    card = m.Card.objects.get(holder=wang)
    assert (card.number_hash, card.first6, card.last4) == (
        lookup_hash("card", "6288881000000011"),
        "628888",
        "0011",
    )
    doc = wang.documents.get()
    assert doc.number_hash == lookup_hash("document", "110105197803150016")
    phone = wang.phones.get()
    assert (phone.number, phone.number_hash, phone.registered) == (
        "01065000001",
        lookup_hash("mobile", "01065000001"),
        True,
    )


@pytest.mark.parametrize(
    ("q", "external_id"),
    [
        ("13700001001", "KH20260001"),
        ("110105197803150016", "KH20260001"),
        ("6288 8810 0000 0011", "KH20260001"),
        ("6288881000000029", "KH20260002"),
        ("13700001013", "KH20260003"),
        ("H00000004", "KH20260004"),
    ],
)
def test_search_finds_an_imported_customer(q, external_id):
    run(*sample())

    found = list(customer_search(q=q).values_list("external_id", flat=True))

    assert found == [external_id]


# --- idempotency and updates -------------------------------------------------------------------


@pytest.mark.parametrize("chunk_size", [1, 200])
def test_a_second_import_of_the_same_file_writes_nothing(chunk_size):
    run(*sample(), chunk_size=chunk_size)
    events = AuditEvent.objects.count()

    with CaptureQueriesContext(connection) as ctx:
        result = run(*sample(), chunk_size=chunk_size)

    assert result.as_dict() == {
        "lines": 5,
        "created": 0,
        "updated": 0,
        "unchanged": 5,
        "failed": 0,
    }
    assert write_statements(ctx.captured_queries) == []
    assert AuditEvent.objects.count() == events


def test_a_reimport_reads_a_chunk_of_lines_in_a_fixed_number_of_queries():
    rows = sample()
    run(*rows)

    with CaptureQueriesContext(connection) as five:
        run(*rows)
    with CaptureQueriesContext(connection) as fifteen:
        run(*rows, *rows, *rows)

    # Transactions, savepoints and look-ups per chunk; nothing grows with the lines but
    # the (empty) per-line transactions.
    selects = [q for q in fifteen.captured_queries if q["sql"].upper().startswith("SELECT")]
    assert len(selects) == len(
        [q for q in five.captured_queries if q["sql"].upper().startswith("SELECT")]
    )


def test_it_updates_a_changed_field_and_audits_the_change_masked():
    rows = sample()
    run(*rows)
    rows[0]["mobile"] = "13700002001"
    rows[0]["card_accounts"][0]["available_credit_cny"] = "40000.00"

    result = run(*rows)

    assert result.as_dict() == {
        "lines": 5,
        "created": 0,
        "updated": 1,
        "unchanged": 4,
        "failed": 0,
    }
    wang = m.Customer.objects.get(external_id="KH20260001")
    assert wang.mobile == "13700002001"
    assert list(customer_search(q="13700002001")) == [wang]
    assert list(customer_search(q="13700001001")) == []
    account = m.CardAccount.objects.get(external_id="ZH20260001")
    assert account.available_credit_cny == Decimal("40000.00")
    event = AuditEvent.objects.get(action="customer.import_updated")
    assert (event.actor, event.actor_label, event.object_id) == (None, "import", str(wang.pk))
    assert event.changes == {
        "mobile": {"old": "137****1001", "new": "137****2001"},
        "card_accounts[ZH20260001].available_credit_cny": {"old": "43055.82", "new": "40000.00"},
    }
    assert event.data == {
        "source": "",
        "line": 1,
        "created": {},
        "updated": {"customer": 1, "cardaccount": 1},
    }


def test_a_new_transaction_is_an_update_of_its_customer():
    rows = sample()
    run(*rows)
    rows[0]["card_accounts"][0]["transactions"].append(
        {
            "external_id": "JY202610150009",
            "kind": "fee",
            "transaction_date": "2026-10-15",
            "posting_date": "2026-10-15",
            "description": "年费",
            "amount": 600,
        }
    )

    result = run(rows[0])

    assert (result.updated, result.created) == (1, 0)
    fee = m.Transaction.objects.get(external_id="JY202610150009")
    assert (fee.amount, fee.currency, fee.card, fee.statement) == (
        Decimal("600.00"),
        "CNY",
        None,
        None,
    )
    event = AuditEvent.objects.get(action="customer.import_updated")
    assert (event.changes, event.data["created"]) == ({}, {"transaction": 1})


def test_each_new_customer_is_audited_once_under_the_importing_user(make_user):
    admin = make_user("importer", "admin")

    run(*sample(), by=admin, source="core-2026-11-25.jsonl")

    events = AuditEvent.objects.filter(action="customer.imported").order_by("id")
    assert [(e.actor, e.actor_label) for e in events] == [(admin, "importer")] * 5
    first = events[0]
    assert first.data["source"] == "core-2026-11-25.jsonl"
    assert first.data["line"] == 1
    assert first.changes["mobile"] == {"old": None, "new": "137****1001"}
    assert first.changes["name"] == {"old": None, "new": "王建国"}
    assert "13700001001" not in json.dumps(first.changes)


def test_an_activation_time_left_out_keeps_the_one_kefu_recorded():
    rows = sample()
    run(*rows)
    card = m.Card.objects.with_number("6288881000000011").get()
    del rows[0]["cards"][0]["activated_at"]

    result = run(rows[0])

    assert result.unchanged == 1
    card.refresh_from_db()
    assert card.activated_at == dt.datetime(2024, 4, 8, 10, 15, tzinfo=SHANGHAI)


# --- bad lines ---------------------------------------------------------------------------------


def _set(path: list, value):
    def change(row: dict) -> None:
        target = row
        for key in path[:-1]:
            target = target[key]
        if value is DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return change


DELETE = object()

BAD_LINES = {
    "missing field": (
        _set(["name"], DELETE),
        "name",
        "This field is required.",
    ),
    "bad ID check digit": (
        _set(["documents", 0, "number"], "110105197803150017"),
        "documents[0].number",
        message_of(validate_resident_id, "110105197803150017"),
    ),
    "non-Luhn card": (
        _set(["cards", 0, "number"], "6288881000000012"),
        "cards[0].number",
        message_of(validate_card_number, "6288881000000012"),
    ),
    "card number as a JSON number": (
        _set(["cards", 0, "number"], 6288881000000011),
        "cards[0].number",
        "Give the number as a JSON string in double quotes, so no digit is lost.",
    ),
    "bad mobile": (
        _set(["mobile"], "23700001001"),
        "mobile",
        message_of(validate_mobile, "23700001001"),
    ),
    "date that does not exist": (
        _set(["card_accounts", 0, "opened_on"], "2019-02-30"),
        "card_accounts[0].opened_on",
        "2019-02-30 is not a real date.",
    ),
    "date in another format": (
        _set(["cards", 0, "issued_on"], "2024/04/01"),
        "cards[0].issued_on",
        "Give a date as YYYY-MM-DD, for example 2026-09-05.",
    ),
    "bad month": (
        _set(["cards", 0, "expiry"], "2029-13"),
        "cards[0].expiry",
        "Give a month as YYYY-MM, for example 2026-09.",
    ),
    "bad time": (
        _set(["cards", 0, "activated_at"], "yesterday"),
        "cards[0].activated_at",
        "Give a time as YYYY-MM-DDTHH:MM:SS with an optional offset, for example "
        "2026-09-05T14:30:00+08:00 (without an offset, Beijing time is meant).",
    ),
    "amount with 3 decimals": (
        _set(["card_accounts", 0, "statements", 0, "amount_due"], "4125.605"),
        "card_accounts[0].statements[0].amount_due",
        'Give an amount as a decimal number with at most 2 decimal places, for example "1234.50".',
    ),
    "amount in exponent notation": (
        _set(["card_accounts", 0, "credit_limit_cny"], "5e4"),
        "card_accounts[0].credit_limit_cny",
        'Give an amount as a decimal number with at most 2 decimal places, for example "1234.50".',
    ),
    "negative limit": (
        _set(["card_accounts", 0, "credit_limit_cny"], "-1.00"),
        "card_accounts[0].credit_limit_cny",
        "This amount cannot be below 0.",
    ),
    "available cash above the limit": (
        _set(["card_accounts", 0, "available_cash_cny"], "25000.01"),
        "card_accounts[0].available_cash_cny",
        "The available cash cannot be above the cash advance limit.",
    ),
    "minimum payment above the amount due": (
        _set(["card_accounts", 0, "statements", 1, "minimum_payment"], "9999.00"),
        "card_accounts[0].statements[1].minimum_payment",
        "The minimum payment cannot be above the amount due.",
    ),
    "statement day out of range": (
        _set(["card_accounts", 0, "statement_day"], 31),
        "card_accounts[0].statement_day",
        "Give a whole number from 1 to 28.",
    ),
    "unknown enum": (
        _set(["segment"], "diamond"),
        "segment",
        'Unknown value "diamond": use one of standard, gold, platinum, private.',
    ),
    "unknown card status": (
        _set(["cards", 0, "status"], "stolen"),
        "cards[0].status",
        'Unknown value "stolen": use one of inactive, active, lost, frozen, closed.',
    ),
    "boolean as text": (
        _set(["cards", 0, "cash_advance_enabled"], "yes"),
        "cards[0].cash_advance_enabled",
        "Give true or false.",
    ),
    "unknown field": (
        _set(["nickname"], "老王"),
        "nickname",
        "Unknown field: check its spelling against the import format.",
    ),
    "a card password": (
        _set(["cards", 0, "query_password"], "135790"),
        "cards[0].query_password",
        "Passwords and card security codes are never imported: cardholders set their "
        "passwords on the hotline. Remove this field.",
    ),
    "the same statement twice": (
        _set(["card_accounts", 0, "statements", 1, "period"], "2026-09"),
        "card_accounts[0].statements[1].period",
        "Listed twice in this line: card_accounts[0].statements[0] has the same currency "
        "and period.",
    ),
    "birth date that contradicts the resident ID": (
        _set(["birth_date"], "1978-03-16"),
        "birth_date",
        "The birth date differs from the one in the resident ID at documents[0].",
    ),
    "card referring to an unknown account": (
        _set(["cards", 0, "account"], "ZH99999999"),
        "cards[0].account",
        "No card account with external id ZH99999999: list it under card_accounts on this "
        "line or on an earlier line (its primary cardholder's).",
    ),
    "transaction in a statement the account does not have": (
        _set(["card_accounts", 0, "transactions", 0, "statement_period"], "2026-08"),
        "card_accounts[0].transactions[0].statement_period",
        "Account ZH20260001 has no CNY statement for 2026-08: list that statement, or leave "
        "this field out for unbilled transactions.",
    ),
    "transaction with a card of another account": (
        _set(["card_accounts", 0, "transactions", 0, "card"], "6288881000000037"),
        "card_accounts[0].transactions[0].card",
        "No card with this number on account ZH20260001: list the card under cards first, "
        "or put the transaction under that card.",
    ),
}


@pytest.mark.parametrize(("change", "field", "message"), BAD_LINES.values(), ids=BAD_LINES)
def test_a_bad_line_is_reported_with_its_line_number_and_the_good_lines_are_kept(
    change, field, message
):
    rows = sample()
    bad = rows[0]
    change(bad)

    result = run(rows[3], bad, rows[4])

    expected = message() if callable(message) else message
    assert result.errors == [LineError(2, field, expected)]
    assert result.as_dict() == {
        "lines": 3,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "failed": 1,
    }
    assert sorted(m.Customer.objects.values_list("external_id", flat=True)) == [
        "KH20260004",
        "KH20260005",
    ]
    assert not m.CardAccount.objects.filter(external_id="ZH20260001").exists()
    assert not m.Transaction.objects.exists()
    assert AuditEvent.objects.filter(action="customer.imported").count() == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"external_id": "KH1", "name": "坏"',
            "This line is not valid JSON (Expecting ',' delimiter at character 35): each line "
            "must be one JSON object.",
        ),
        (
            '{"external_id": "KH1", "external_id": "KH2"}',
            "This line is not valid JSON (the key 'external_id' appears twice in one object): "
            "each line must be one JSON object.",
        ),
        (
            '{"external_id": "KH1", "amount": NaN}',
            "This line is not valid JSON (NaN is not a number): each line must be one JSON object.",
        ),
        ('["KH1", "坏"]', "Each line must be one JSON object in braces { }."),
    ],
)
def test_a_line_that_is_not_a_json_object_is_reported(text, message):
    result = run(sample()[4], text)

    assert result.errors == [LineError(2, "", message)]
    assert (result.created, result.failed) == (1, 1)


def test_every_problem_of_a_line_is_reported_at_once():
    row = sample()[4]
    row["mobile"] = "12345"
    row["segment"] = "vip"
    del row["name"]

    result = run(row)

    assert [(e.line_no, e.field) for e in result.errors] == [
        (1, "name"),
        (1, "mobile"),
        (1, "segment"),
    ]


def test_blank_lines_are_skipped_a_bom_is_ignored_and_non_utf8_is_reported():
    good = json.dumps(sample()[4], ensure_ascii=False).encode()

    result = core_import_run(
        lines=[b"\xef\xbb\xbf" + good + b"\n", b"\n", b"\xff\xfe{}\n", b"   \n"]
    )

    assert result.as_dict() == {
        "lines": 4,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "failed": 1,
    }
    assert result.errors == [
        LineError(3, "", "This line is not UTF-8 text: save the file as UTF-8."),
    ]


def test_a_bad_line_leaves_an_existing_customer_as_it_was():
    rows = sample()
    run(*rows)
    events = AuditEvent.objects.count()
    rows[0]["name"] = "王建军"
    rows[0]["card_accounts"][0]["status"] = "frozen"
    rows[0]["cards"][0]["account"] = "ZH99999999"

    result = run(rows[0])

    assert [(e.line_no, e.field) for e in result.errors] == [(1, "cards[0].account")]
    assert m.Customer.objects.get(external_id="KH20260001").name == "王建国"
    assert m.CardAccount.objects.get(external_id="ZH20260001").status == "active"
    assert AuditEvent.objects.count() == events


def test_rows_of_a_failed_line_are_not_seen_by_later_lines():
    rows = sample()
    wang, li = rows[0], rows[1]
    wang["cards"][0]["account"] = "ZH99999999"

    # Both lines sit in one chunk: line 1 creates account ZH20260001 before it fails, and
    # line 2 must not find that rolled-back account.
    result = run(wang, li)

    assert [(e.line_no, e.field) for e in result.errors] == [
        (1, "cards[0].account"),
        (2, "cards[0].account"),
    ]
    assert not m.CardAccount.objects.exists()


def test_a_supplementary_card_may_join_an_account_already_in_the_database():
    account = CardAccountFactory(external_id="ZH-EXISTING-1")
    li = sample()[1]
    li["cards"][0]["account"] = "ZH-EXISTING-1"
    del li["cards"][0]["transactions"][0]["statement_period"]

    result = run(li)

    assert result.errors == []
    card = m.Card.objects.with_number("6288881000000029").get()
    assert (card.account, card.holder.external_id) == (account, "KH20260002")
    assert m.Transaction.objects.get(external_id="JY202609250004").account == account


def test_a_primary_card_on_another_customers_account_is_refused():
    CardAccountFactory(external_id="ZH-EXISTING-1")
    li = sample()[1]
    li["cards"][0]["account"] = "ZH-EXISTING-1"
    li["cards"][0]["role"] = "primary"

    result = run(li)

    assert result.errors == [
        LineError(
            1,
            "cards[0].role",
            "A primary card must be on its holder's own account; account ZH-EXISTING-1 "
            "belongs to another customer, so this card is a supplementary card.",
        )
    ]


def test_a_card_number_of_another_cardholder_is_refused():
    other = CardFactory(number="6288881000000011", account__customer__external_id="KH-OTHER")

    result = run(sample()[0])

    assert result.errors == [
        LineError(
            1,
            "cards[0].number",
            "This card number already belongs to another cardholder (external id KH-OTHER); "
            "a card keeps its holder, a new holder gets a new card.",
        )
    ]
    other.refresh_from_db()
    assert other.holder.external_id == "KH-OTHER"


def test_a_document_of_another_customer_is_refused():
    IdentityDocumentFactory(number="110105197803150016", customer__external_id="KH-OTHER")

    result = run(sample()[0])

    assert result.errors == [
        LineError(
            1,
            "documents[0].number",
            "This document number already belongs to another customer (external id "
            "KH-OTHER); one document identifies one person.",
        )
    ]


def test_an_account_of_another_customer_is_refused():
    CardAccountFactory(external_id="ZH20260001", customer__external_id="KH-OTHER")

    result = run(sample()[0])

    assert result.errors == [
        LineError(
            1,
            "card_accounts[0].external_id",
            "This card account belongs to another customer (external id KH-OTHER): list an "
            "account only on its primary cardholder's line.",
        )
    ]


def test_amounts_may_be_json_numbers_and_times_without_offset_are_beijing_time():
    chen = sample()[2]
    transfer = chen["brokerage_accounts"][0]["transfers"][0]
    transfer["amount"] = 500000.5
    transfer["occurred_at"] = "2026-11-18T14:32:10"

    result = run(chen)

    assert result.errors == []
    row = m.FundTransfer.objects.get(external_id="YZ202611180001")
    assert row.amount == Decimal("500000.50")
    assert row.occurred_at == dt.datetime(2026, 11, 18, 6, 32, 10, tzinfo=dt.UTC)


def test_progress_is_reported_after_every_line():
    seen = []

    run(*sample(), progress=lambda result: seen.append((result.lines_done, result.created)))

    assert seen == [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5)]
