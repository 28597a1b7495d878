"""The demo data (issue 10): fixed customers, demo staff, deterministic bulk customers."""

import datetime as dt
import hashlib
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kefu.core.crypto import lookup_hash, verify_secret
from kefu.core.errors import Conflict, ValidationFailed
from kefu.core.models import ApiToken, User
from kefu.core.validators import (
    luhn_check_digit,
    luhn_checksum_ok,
    resident_id_birth_date,
    validate_card_number,
    validate_mobile,
    validate_resident_id,
)
from kefu.customers import demo, selectors
from kefu.customers.demo import bulk as demo_bulk
from kefu.customers.demo import numbers as demo_numbers
from kefu.customers.demo.numbers import luhn_digit
from kefu.customers.models import (
    AccountManager,
    BrokerageAccount,
    Card,
    CardAccount,
    CardApplication,
    Customer,
    CustomerPhone,
    FundTransfer,
    IdentityDocument,
    Installment,
    Statement,
    Transaction,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday after the 2026 National Day holiday: Saturday 10 October was a make-up working day
# but not a trading day, so the previous trading day is Friday 9 October.
TODAY = dt.date(2026, 10, 12)
PREVIOUS_TRADING_DAY = dt.date(2026, 10, 9)

# The table, written out again so that the data is checked against it.
FIXED = [
    # name, mobile, document, card, role, status, query password
    (
        "张伟",
        "13911110001",
        "110105197803150315",
        "6288880000000013",
        "primary",
        "active",
        "135790",
    ),
    (
        "李娜",
        "13911110002",
        "440304198007220429",
        "6288880000000021",
        "supplementary",
        "active",
        "246802",
    ),
    ("王芳", "13911110003", "E12345678", "6288880000000039", "primary", "active", "907531"),
    ("刘洋", "13911110004", "530102199511300172", "6288880000000047", "primary", "inactive", ""),
    (
        "陈静",
        "13911110005",
        "320106199202291029",
        "6288880000000054",
        "primary",
        "active",
        "112358",
    ),
    ("赵磊", "13911110006", "110108200001010015", "6288880000000062", "primary", "lost", "314159"),
]
STAFF_ROLES = ["agent", "callback", "complaint", "tech", "supervisor", "qa", "manager", "admin"]


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2026, 10, 12, 10, 30, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def loaded(frozen):
    return demo.demo_load(seed=1, customers=50, progress=False)


def customer(name: str) -> Customer:
    return Customer.objects.get(external_id__startswith="demo-fixed-", name=name)


@pytest.mark.parametrize(("name", "mobile", "document", "card", "role", "status", "pw"), FIXED)
def test_it_finds_each_fixed_customer_by_mobile_document_and_card(
    loaded, name, mobile, document, card, role, status, pw
):
    for q in (mobile, document, card):
        assert [c.name for c in selectors.customer_search(q=q)] == [name]

    found = Card.objects.with_number(card).get()
    assert (found.holder.name, found.role, found.status) == (name, role, status)
    assert found.holder.phones.get(registered=True).number == mobile
    if pw:
        assert verify_secret(found.query_password_hash, pw)
        assert not verify_secret(found.query_password_hash, "000000")
    else:
        assert found.query_password_hash == ""


def test_every_fixed_number_is_valid(loaded):
    for _name, mobile, document, card, *_rest in FIXED:
        assert validate_mobile(mobile) == mobile
        assert validate_card_number(card) == card
        if document[0].isdigit():
            assert validate_resident_id(document) == document
            assert customer(_name).birth_date == resident_id_birth_date(document)


def test_zhang_wei_has_a_gold_account_with_lina_s_supplementary_card(loaded):
    zhang = customer("张伟")
    account = CardAccount.objects.get(customer=zhang)

    assert zhang.segment == "gold"
    assert (account.auto_repay_enabled, account.auto_repay_mode) == (True, "full")
    assert account.auto_repay_account_masked == "6217***********5678"
    assert account.statement_delivery == "email"
    assert (account.credit_limit_cny, account.cash_limit_cny) == (Decimal(50000), Decimal(25000))
    assert (account.credit_limit_usd, account.cash_limit_usd) == (Decimal(7000), Decimal(3500))
    assert (account.statement_day, account.due_day) == (5, 23)
    assert sorted((c.holder.name, c.role) for c in account.cards.all()) == [
        ("张伟", "primary"),
        ("李娜", "supplementary"),
    ]
    plan = Installment.objects.get(account=account)
    assert (plan.principal, plan.periods, plan.periods_paid) == (Decimal(12000), 12, 4)
    assert Transaction.objects.filter(account=account, card__holder__name="李娜").exists()


@pytest.mark.parametrize("name", [row[0] for row in FIXED])
def test_each_fixed_account_has_13_statements_whose_lines_add_up(loaded, name):
    account = Card.objects.filter(holder=customer(name)).first().account
    statements = list(Statement.objects.filter(account=account).order_by("statement_date"))

    assert len(statements) == 13
    assert statements[-1].statement_date < TODAY
    for s in statements:
        lines = list(s.transactions.all())
        assert len(lines) >= 3
        assert sum(t.amount for t in lines if t.amount > 0) == s.new_charges
        assert -sum(t.amount for t in lines if t.amount < 0) == s.payments
        assert s.amount_due == s.previous_balance - s.payments + s.new_charges
        assert s.minimum_payment <= s.amount_due
    for older, newer in zip(statements, statements[1:], strict=False):
        assert newer.previous_balance == older.amount_due
    unbilled = Transaction.objects.filter(account=account, statement__isnull=True)
    assert unbilled.filter(kind="purchase").exists()
    assert all(statements[-1].statement_date < t.transaction_date <= TODAY for t in unbilled)


def test_chen_jing_is_locked_out_of_her_query_password_today(loaded):
    card = Card.objects.with_number("6288880000000054").get()

    assert (card.query_password_failures, card.query_password_locked_on) == (3, TODAY)


def test_zhao_lei_reported_his_card_lost_and_moved_money_out_the_previous_trading_day(loaded):
    zhao = customer("赵磊")
    card = Card.objects.with_number("6288880000000062").get()
    fund = BrokerageAccount.objects.get(customer=zhao)
    large = FundTransfer.objects.get(account=fund, direction="out")

    assert card.status == "lost"
    assert card.blocked_at.astimezone(SHANGHAI).date() == TODAY
    assert fund.kind == "fund"
    assert fund.account_manager is not None
    assert fund.account_manager == zhao.account_manager
    assert fund.holdings.count() == 3
    assert large.amount >= Decimal(500000)
    assert large.occurred_at.astimezone(SHANGHAI).date() == PREVIOUS_TRADING_DAY


def test_liu_yang_waits_for_activation_and_has_an_application_under_review(loaded):
    liu = customer("刘洋")
    card = Card.objects.with_number("6288880000000047").get()
    application = CardApplication.objects.get(
        applicant_id_hash=lookup_hash("document", "530102199511300172")
    )

    assert (card.status, card.activated_at, card.query_password_hash) == ("inactive", None, "")
    assert (application.status, application.customer) == ("reviewing", liu)


def test_wang_fang_holds_a_foreign_passport(loaded):
    document = customer("王芳").documents.get()

    assert (document.doc_type, document.issuing_country) == ("passport", "USA")


def test_demo_staff_hold_one_role_each_with_the_demo_password(loaded):
    for role in STAFF_ROLES:
        user = User.objects.get(username=role)
        assert user.check_password("Kefu#2026")
        assert (user.is_demo, user.is_active, user.kind) == (True, True, "staff")
        assert [g.name for g in user.groups.all()] == [role]
        assert user.is_staff is (role == "admin")
    telephony = User.objects.get(username="telephony")
    assert (telephony.kind, telephony.is_demo, telephony.has_usable_password()) == (
        "service",
        True,
        False,
    )
    assert [g.name for g in telephony.groups.all()] == ["telephony"]


def test_the_telephony_token_works_on_the_api(loaded):
    response = Client(headers={"Authorization": f"Bearer {loaded.telephony_token}"}).get(
        "/api/core/me"
    )

    assert response.status_code == 200
    assert response.json()["username"] == "telephony"
    assert response.json()["kind"] == "service"


def counts() -> dict[str, int]:
    models = (
        Customer,
        IdentityDocument,
        CustomerPhone,
        CardAccount,
        Card,
        Statement,
        Transaction,
        Installment,
        CardApplication,
        BrokerageAccount,
        FundTransfer,
        User,
    )
    return {m.__name__: m.objects.count() for m in models}


def test_running_it_again_duplicates_nothing_and_restores_the_scenario(loaded):
    before = counts()
    chen = Card.objects.with_number("6288880000000054").get()
    Card.objects.filter(pk=chen.pk).update(query_password_failures=0, query_password_locked_on=None)
    agent = User.objects.get(username="agent")
    agent.set_password("changed-by-someone")
    agent.save()

    again = demo.demo_load(seed=1, customers=50, progress=False)

    assert counts() == before
    assert again.bulk_created == 0
    chen.refresh_from_db()
    assert (chen.query_password_failures, chen.query_password_locked_on) == (3, TODAY)
    assert User.objects.get(username="agent").check_password("Kefu#2026")
    assert Card.objects.with_number("6288880000000054").get().pk == chen.pk
    old = Client(headers={"Authorization": f"Bearer {loaded.telephony_token}"})
    assert old.get("/api/core/me").status_code == 401
    assert ApiToken.objects.filter(user__username="telephony", revoked_at=None).count() == 1


def test_a_larger_count_adds_only_the_missing_customers(frozen):
    demo.demo_load(seed=1, customers=30, progress=False)
    first = bulk_digest(limit=30)

    result = demo.demo_load(seed=1, customers=50, progress=False)

    assert result.bulk_created == 20
    assert Customer.objects.filter(external_id__startswith="demo-s1-").count() == 50
    assert bulk_digest(limit=30) == first


def test_a_later_run_puts_a_new_supplementary_card_on_the_account_saved_earlier(frozen):
    managers = [AccountManager(pk=1, employee_no="AM", name="经理", branch="营业部")]
    generator = demo.BulkGenerator(
        seed=1, today=TODAY, managers=managers, password_hashes=["h"], trading_days=[TODAY]
    )
    plan = generator.chunk(0, 50).rows["cards"]
    index = next(i for i, card in plan if card.role == "supplementary")
    demo.demo_load(seed=1, customers=index, progress=False)

    demo.demo_load(seed=1, customers=index + 1, progress=False)

    card = Card.objects.get(holder__external_id=demo.bulk_external_id(1, index))
    assert card.role == "supplementary"
    assert card.account.customer.external_id == demo.bulk_external_id(1, index - 1)


def bulk_digest(limit: int | None = None) -> str:
    """Names, numbers and amounts of the bulk customers, in a stable order."""
    people = Customer.objects.filter(external_id__startswith="demo-s").order_by("external_id")
    h = hashlib.sha256()
    for c in people.prefetch_related("documents", "cards", "card_accounts")[:limit]:
        h.update(
            repr(
                (
                    c.external_id,
                    c.name,
                    c.mobile,
                    c.gender,
                    c.birth_date,
                    c.segment,
                    c.email,
                    c.address,
                    [d.number for d in c.documents.all()],
                    sorted((k.number, k.status, k.role) for k in c.cards.all()),
                    [(a.credit_limit_cny, a.available_credit_cny) for a in c.card_accounts.all()],
                )
            ).encode()
        )
    external_ids = [c.external_id for c in people[:limit]]
    for row in (
        Transaction.objects.filter(account__customer__external_id__in=external_ids)
        .order_by("external_id")
        .values_list("external_id", "transaction_date", "merchant", "amount")
    ):
        h.update(repr(row).encode())
    return h.hexdigest()


def load_into_fresh_database(seed: int) -> str:
    """Load into the empty test database, digest the bulk data, and roll it all back."""
    with transaction.atomic():
        demo.demo_load(seed=seed, customers=50, progress=False)
        digest = bulk_digest()
        transaction.set_rollback(True)
    return digest


def test_the_same_seed_makes_the_same_bulk_customers_and_another_seed_others(frozen):
    first = load_into_fresh_database(seed=7)
    second = load_into_fresh_database(seed=7)
    other = load_into_fresh_database(seed=8)

    assert Customer.objects.count() == 0
    assert first == second
    assert other != first


def test_bulk_numbers_are_valid_unique_and_apart_from_the_fixed_ones(loaded):
    bulk = Customer.objects.filter(external_id__startswith="demo-s1-")
    mobiles = [c.mobile for c in bulk]
    documents = IdentityDocument.objects.filter(customer__in=bulk)
    cards = [k.number for k in Card.objects.filter(holder__in=bulk)]
    fixed_cards = {row[3] for row in FIXED} | {demo.LIUYANG_OLD_CARD}

    assert len(mobiles) == len(set(mobiles)) == 50
    assert all(validate_mobile(m) and not m.startswith("1391111") for m in mobiles)
    for d in documents:
        assert validate_resident_id(d.number) == d.number
        assert d.customer.birth_date == resident_id_birth_date(d.number)
        assert d.customer.gender == ("M" if int(d.number[16]) % 2 else "F")
    assert len(cards) == len(set(cards)) == 50
    assert all(luhn_checksum_ok(k) and k[:6] in {"628888", "628886", "628889"} for k in cards)
    assert not fixed_cards & set(cards)


def test_bulk_customers_are_a_mix(loaded):
    bulk = Customer.objects.filter(external_id__startswith="demo-s1-")

    assert set(bulk.values_list("segment", flat=True)) >= {"standard", "gold"}
    assert Card.objects.filter(holder__in=bulk, role="supplementary").exists()
    assert BrokerageAccount.objects.filter(customer__in=bulk).exists()
    assert Statement.objects.filter(account__customer__in=bulk).count() >= 100


def test_bulk_statement_lines_add_up(loaded):
    for s in Statement.objects.filter(account__external_id__startswith="demo-s1-"):
        lines = list(s.transactions.all())
        assert sum(t.amount for t in lines if t.amount > 0) == s.new_charges
        assert -sum(t.amount for t in lines if t.amount < 0) == s.payments
        assert s.amount_due == s.previous_balance - s.payments + s.new_charges


def test_a_large_load_refreshes_planner_statistics_on_postgresql(frozen, monkeypatch):
    monkeypatch.setattr(demo_bulk, "ANALYZE_AFTER", 10)

    with CaptureQueriesContext(connection) as queries:
        result = demo.demo_load(seed=1, customers=10, progress=False)

    analyzed = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]
    assert result.bulk_created == 10
    if connection.vendor == "postgresql":
        assert 'ANALYZE "customers_transaction"' in analyzed
    else:
        assert analyzed == []


def test_another_seed_is_refused_before_anything_is_written(loaded):
    before = counts()

    with pytest.raises(Conflict) as caught:
        demo.demo_load(seed=2, customers=50, progress=False)

    assert "--seed 1" in caught.value.message
    assert counts() == before


def test_a_count_out_of_range_is_refused(frozen):
    with pytest.raises(ValidationFailed) as caught:
        demo.demo_load(customers=-1, progress=False)

    assert list(caught.value.errors) == ["customers"]
    assert Customer.objects.count() == 0


def test_the_keyed_permutation_is_a_bijection():
    permutation = demo.KeyedPermutation(1000, seed=3, label="t")

    outputs = [permutation(i) for i in range(1000)]

    assert sorted(outputs) == list(range(1000))
    assert outputs[:5] != [0, 1, 2, 3, 4]
    with pytest.raises(ValueError):
        permutation(1000)


def test_the_keyed_permutation_walks_past_forbidden_values():
    forbidden = frozenset(range(990, 1000))
    permutation = demo.KeyedPermutation(1000, seed=3, label="t", forbidden=forbidden)

    outputs = [permutation(i) for i in range(990)]

    assert sorted(outputs) == list(range(990))


def test_the_fast_luhn_digit_agrees_with_the_validator():
    for partial in ("628888000000001", "628886123456789", "628889999999999", "4"):
        assert luhn_digit(partial) == luhn_check_digit(partial)


def test_resident_id_codes_round_trip():
    for code in (0, 1, 998, 999, 123_456_789, demo_numbers.ID_SPACE - 1):
        number, birth, gender = demo_numbers.resident_id_from_code(code)
        assert validate_resident_id(number) == number
        assert resident_id_birth_date(number) == birth
        assert demo_numbers.resident_id_code(number) == code
    assert demo_numbers.resident_id_code("E12345678") is None
    assert demo_numbers.resident_id_code("110105197802300315") is None  # 30 February
    assert demo_numbers.resident_id_code("990105197803150315") is None  # unknown region


def test_bulk_indices_can_never_reach_the_fixed_numbers():
    assert min(demo.FIXED_ID_CODES) >= demo.MAX_BULK_CUSTOMERS
    assert len(demo.FIXED_ID_CODES) == 5
    assert min(demo.RESERVED_MOBILE_CODES) >= demo.MAX_BULK_CUSTOMERS


def test_the_command_prints_the_accounts_and_a_working_token(frozen):
    out = StringIO()

    call_command("demo", customers=20, stdout=out, stderr=StringIO())

    lines = out.getvalue().splitlines()
    for role in STAFF_ROLES:
        assert any(line.startswith(f"{role} ") and "Kefu#2026" in line for line in lines)
    assert any("客服专员" in line for line in lines)
    token = lines[-1]
    assert token.startswith("kefu_") and " " not in token
    response = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/core/me")
    assert response.status_code == 200
    assert Customer.objects.filter(external_id__startswith="demo-s1-").count() == 20


def test_the_command_refuses_a_bad_count(frozen):
    with pytest.raises(CommandError, match="--customers must be between 0 and"):
        call_command("demo", customers=-5, stdout=StringIO())

    assert Customer.objects.count() == 0
