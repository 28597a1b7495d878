"""Bulk demo customers: deterministic per seed, generated and inserted chunk by chunk."""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kefu.core.calendars import Calendar
from kefu.core.crypto import hash_secret
from kefu.core.errors import Conflict
from kefu.customers.demo.data import (
    APPLICATION_STATES,
    BANKS,
    BULK_QUERY_PASSWORDS,
    BULK_STATEMENTS,
    CARD_PRODUCTS,
    CARD_STATUSES,
    CHANNELS,
    CHUNK,
    CREDIT_LIMITS,
    DELIVERIES,
    EMAIL_DOMAINS,
    FUND_PRODUCTS,
    LOGIN_IPS,
    MERCHANTS,
    REGION_BY_CODE,
    RISK_LEVELS,
    SEGMENTS,
)
from kefu.customers.demo.numbers import (
    BulkNumbers,
    bulk_external_id,
    bulk_prefix,
    card_number_from_code,
    cents,
    due_date_for,
    due_day_for,
    last_of_month,
    local_time,
    minimum_payment,
    mobile_from_code,
    money,
    month_back,
    previous_trading_day,
    resident_id_from_code,
    statement_dates,
)
from kefu.customers.demo.rows import insert_rows, new_row
from kefu.customers.models import (
    AccountManager,
    AmlFlag,
    BrokerageAccount,
    Card,
    CardAccount,
    CardApplication,
    Customer,
    CustomerPhone,
    FundTransfer,
    Holding,
    IdentityDocument,
    Installment,
    LoginRecord,
    Segment,
    Statement,
    Transaction,
)


class _Chunk:
    """The rows of one chunk, in insertion order, each with its customer's index."""

    TABLES = (
        ("customers", Customer),
        ("documents", IdentityDocument),
        ("phones", CustomerPhone),
        ("accounts", CardAccount),
        ("cards", Card),
        ("statements", Statement),
        ("transactions", Transaction),
        ("installments", Installment),
        ("applications", CardApplication),
        ("brokerage", BrokerageAccount),
        ("holdings", Holding),
        ("transfers", FundTransfer),
        ("logins", LoginRecord),
        ("aml_flags", AmlFlag),
    )

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[int, Any]]] = {name: [] for name, _m in self.TABLES}

    def add(self, table: str, index: int, obj) -> None:
        self.rows[table].append((index, obj))

    def objects(self, table: str, skip: set[int] = frozenset()) -> list:  # type: ignore[assignment]
        return [obj for index, obj in self.rows[table] if index not in skip]


@dataclass
class _Previous:
    """The account the next customer may hold a supplementary card on."""

    account: CardAccount
    bin_: str
    product: str


class BulkGenerator:
    """Builds the bulk customers of one seed, chunk by chunk, without touching the database.

    Customer ``i`` belongs to chunk ``i // CHUNK``; each chunk has its own random generator
    and Faker seed, so a chunk can be rebuilt alone, identically.
    """

    def __init__(
        self,
        *,
        seed: int,
        today: dt.date,
        managers: list[AccountManager],
        password_hashes: list[str],
        trading_days: list[dt.date] | None = None,
    ):
        from faker import Faker

        self.seed = seed
        self.today = today
        self.numbers = BulkNumbers(seed)
        self.managers = managers
        self.password_hashes = password_hashes
        self.trading_days = trading_days or recent_trading_days(today)
        self.fake = Faker("zh_CN")

    def chunk(self, number: int, stop: int) -> _Chunk:
        """The customers from ``number * CHUNK`` up to ``stop`` (exclusive)."""
        rng = random.Random(f"kefu-demo:{self.seed}:{number}")  # noqa: S311  (demo data)
        self.fake.seed_instance(f"kefu-demo:{self.seed}:{number}")
        out = _Chunk()
        previous = None
        for index in range(number * CHUNK, stop):
            previous = self._customer(index, rng, out, previous)
        return out

    def _customer(self, index, rng: random.Random, out: _Chunk, previous: _Previous | None):
        today, fake = self.today, self.fake
        id_number, birth, gender = resident_id_from_code(self.numbers.document(index))
        mobile = mobile_from_code(self.numbers.mobile(index))
        region = REGION_BY_CODE[id_number[:6]]
        segment = SEGMENTS.pick(rng)
        brokerage = rng.random() < 0.15
        supplementary = previous is not None and rng.random() < 0.11
        status = CARD_STATUSES.pick(rng)
        # a card not yet activated is a new one; the others have a few months of history
        opened = today - dt.timedelta(
            days=rng.randint(3, 40) if status == Card.Status.INACTIVE else rng.randint(130, 3650)
        )
        roll = rng.random()
        if roll < 0.3:
            email = f"{rng.randrange(10**5, 10**10)}@qq.com"
        elif roll < 0.6:
            email = f"{fake.user_name()}{rng.randrange(100)}@{rng.choice(EMAIL_DOMAINS)}"
        else:
            email = ""
        customer = new_row(
            Customer,
            external_id=bulk_external_id(self.seed, index),
            name=fake.name_male() if gender == "M" else fake.name_female(),
            gender=gender,
            birth_date=birth,
            email=email,
            address=f"{region.name}{fake.street_name()}{rng.randint(1, 399)}号"
            f"{rng.randint(1, 30)}栋{rng.randint(1, 32)}{rng.randint(1, 4):02d}室",
            segment=segment,
            preferred_channel=CHANNELS.pick(rng),
            risk_level=rng.choice(RISK_LEVELS) if brokerage else "",
            account_manager=rng.choice(self.managers)
            if brokerage or segment == Segment.PRIVATE
            else None,
            created_at=local_time(opened, rng.randint(9, 17), rng.randrange(60)),
        )
        customer.set_mobile(mobile)
        out.add("customers", index, customer)
        document = new_row(
            IdentityDocument,
            customer=customer,
            doc_type=IdentityDocument.Type.RESIDENT_ID,
            issuing_country="CHN",
            valid_until=_id_valid_until(birth, today),
            is_primary=True,
        )
        document.set_number(id_number)
        out.add("documents", index, document)
        phone = new_row(
            CustomerPhone, customer=customer, kind=CustomerPhone.Kind.MOBILE, registered=True
        )
        phone.set_number(mobile)
        out.add("phones", index, phone)

        if supplementary:
            assert previous is not None
            bin_, product = previous.bin_, f"{previous.product}（附属卡）"
        else:
            bin_, product = CARD_PRODUCTS[segment]
        issued = opened
        while last_of_month(issued.year + 5, issued.month) < today:
            issued = dt.date(issued.year + 5, issued.month, 1)  # renewed in the expiry month
        card = new_row(
            Card,
            holder=customer,
            role=Card.Role.SUPPLEMENTARY if supplementary else Card.Role.PRIMARY,
            product=product,
            status=status,
            issued_on=issued,
            expiry=last_of_month(issued.year + 5, issued.month),
            swipe_password_enabled=rng.random() < 0.2,
            cash_advance_enabled=rng.random() < 0.9,
        )
        card.set_number(card_number_from_code(self.numbers.card(index), bin_))
        if status != Card.Status.INACTIVE:
            card.activated_at = local_time(
                min(today, issued + dt.timedelta(days=rng.randint(3, 20))), 11
            )
            if rng.random() < 0.92:
                card.query_password_hash = rng.choice(self.password_hashes)
        if status in (Card.Status.LOST, Card.Status.FROZEN, Card.Status.CLOSED):
            card.blocked_at = local_time(today - dt.timedelta(days=rng.randint(1, 90)), 16, 5)

        following = None
        if supplementary:
            assert previous is not None
            card.account = previous.account
            out.add("cards", index, card)
        else:
            account = self._account(index, rng, customer, segment, opened, status, out)
            card.account = account
            out.add("cards", index, card)
            if status != Card.Status.INACTIVE:
                self._history(index, rng, account, card, out)
            if account.status == CardAccount.Status.ACTIVE:
                following = _Previous(account, bin_, product)

        if rng.random() < 0.04:
            self._application(index, rng, customer, id_number, out)
        if brokerage:
            self._brokerage(index, rng, customer, out)
        return following

    def _account(self, index, rng, customer, segment, opened, card_status, out) -> CardAccount:
        low, high = CREDIT_LIMITS[segment]
        limit = rng.randint(low, high) * 1000_00
        cash = limit // 2 if rng.random() < 0.7 else limit * 3 // 10
        usd = 0 if segment == Segment.STANDARD and rng.random() < 0.7 else limit // 700 // 100 * 100
        statement_day = rng.randint(1, 28)
        auto = rng.random() < 0.35
        if card_status == Card.Status.CLOSED:
            status = CardAccount.Status.CLOSED
        elif card_status == Card.Status.FROZEN:
            status = CardAccount.Status.FROZEN
        else:
            status = CardAccount.Status.ACTIVE
        account = new_row(
            CardAccount,
            external_id=f"{customer.external_id}-a",
            customer=customer,
            status=status,
            credit_limit_cny=money(limit),
            available_credit_cny=money(limit),
            cash_limit_cny=money(cash),
            available_cash_cny=money(cash),
            credit_limit_usd=money(usd),
            available_credit_usd=money(usd),
            cash_limit_usd=money(usd // 2),
            available_cash_usd=money(usd // 2),
            statement_day=statement_day,
            due_day=due_day_for(statement_day),
            statement_delivery=DELIVERIES.pick(rng),
            auto_repay_enabled=auto,
            auto_repay_mode=(
                CardAccount.AutoRepayMode.FULL
                if rng.random() < 0.7
                else CardAccount.AutoRepayMode.MINIMUM
            )
            if auto
            else "",
            auto_repay_account=f"6217{rng.randrange(10**14, 10**15)}" if auto else "",
            opened_on=opened,
        )
        out.add("accounts", index, account)
        return account

    def _history(self, index, rng, account: CardAccount, card: Card, out: _Chunk) -> None:
        """BULK_STATEMENTS statements of one to three purchases each, the payments of the
        previous balance, and up to two unbilled purchases: few rows, so that a million
        customers stay feasible."""
        today = self.today
        dates = statement_dates(
            statement_day=account.statement_day, today=today, count=BULK_STATEMENTS
        )
        closed = account.status == CardAccount.Status.CLOSED
        limit = cents(account.credit_limit_cny)
        carried = rng.randrange(0, 800000) if rng.random() < 0.8 else 0
        start = month_back(dates[0], 1, account.statement_day)
        ext = account.external_id
        lines = 0

        def line(statement, kind, day, text, merchant, cents, with_card=True):
            nonlocal lines
            lines += 1
            out.add(
                "transactions",
                index,
                new_row(
                    Transaction,
                    external_id=f"{ext}-t{lines:02d}",
                    account=account,
                    card=card if with_card else None,
                    statement=statement,
                    kind=kind,
                    transaction_date=day,
                    posting_date=day,
                    description=text,
                    merchant=merchant,
                    currency="CNY",
                    amount=money(cents),
                ),
            )
            return cents

        def purchases(statement, first: dt.date, span: int, count: int) -> int:
            total = 0
            for _k in range(count):
                merchant, text, low, high = MERCHANTS[rng.randrange(len(MERCHANTS))]
                cents = min(rng.randrange(low, high), limit // 4)
                on = first + dt.timedelta(days=rng.randint(1, span))
                total += line(statement, Transaction.Kind.PURCHASE, on, text, merchant, cents)
            return total

        statement = None
        for day in dates:
            statement = new_row(
                Statement,
                account=account,
                currency="CNY",
                period=f"{day.year:04d}-{day.month:02d}",
                statement_date=day,
                due_date=due_date_for(day, account.due_day),
            )
            charges = credits = 0
            if carried > 0:
                paid = carried if rng.random() < 0.8 else minimum_payment(carried)
                due = due_date_for(start, account.due_day)
                credits -= line(statement, Transaction.Kind.PAYMENT, due, "还款", "", -paid, False)
                if paid < carried:
                    interest = (carried - paid) * 15 // 1000  # 0.05 % a day, 30 days
                    charges += line(
                        statement, Transaction.Kind.INTEREST, day, "循环利息", "", interest, False
                    )
            if not closed:
                charges += purchases(statement, start, (day - start).days, rng.randint(1, 3))
            amount_due = carried - credits + charges
            statement.previous_balance = money(carried)
            statement.payments = money(credits)
            statement.new_charges = money(charges)
            statement.amount_due = money(amount_due)
            statement.minimum_payment = money(minimum_payment(amount_due))
            statement.paid_amount = money(0)
            out.add("statements", index, statement)
            carried, start = amount_due, day
        assert statement is not None
        if statement.due_date <= today and carried > 0:
            paid = carried if rng.random() < 0.85 else minimum_payment(carried)
            statement.paid_amount = money(paid)
            line(None, Transaction.Kind.PAYMENT, statement.due_date, "还款", "", -paid, False)
            carried -= paid
        unbilled = 0
        if not closed and today > start:
            unbilled = purchases(None, start, (today - start).days, rng.randint(0, 2))
        available = max(0, limit - max(0, carried + unbilled))
        account.available_credit_cny = money(available)
        account.available_cash_cny = money(min(available, cents(account.cash_limit_cny)))
        if not closed and statement.amount_due > 3000 and rng.random() < 0.05:
            principal = cents(statement.amount_due) // 2 // 10000 * 10000
            out.add(
                "installments",
                index,
                new_row(
                    Installment,
                    account=account,
                    statement=statement,
                    principal=money(principal),
                    periods=rng.choice((3, 6, 12, 24)),
                    periods_paid=0,
                    fee_per_period=money(principal * 6 // 1000),
                    status=Installment.Status.ACTIVE,
                    created_on=statement.statement_date + dt.timedelta(days=3),
                ),
            )

    def _application(self, index, rng, customer, id_number, out: _Chunk) -> None:
        status, note = APPLICATION_STATES[rng.randrange(len(APPLICATION_STATES))]
        submitted = self.today - dt.timedelta(days=rng.randint(1, 45))
        application = new_row(
            CardApplication,
            external_id=f"{customer.external_id}-p",
            customer=customer,
            applicant_name=customer.name,
            product=rng.choice(("白金卡", "金卡", "联名信用卡")),
            status=status,
            submitted_on=submitted,
            updated_on=min(self.today, submitted + dt.timedelta(days=rng.randint(0, 10))),
            note=note,
        )
        application.set_applicant_id(id_number)
        out.add("applications", index, application)

    def _brokerage(self, index, rng, customer, out: _Chunk) -> None:
        manager = customer.account_manager or rng.choice(self.managers)
        account = new_row(
            BrokerageAccount,
            external_id=f"{customer.external_id}-b",
            customer=customer,
            kind=BrokerageAccount.Kind.FUND
            if rng.random() < 0.6
            else BrokerageAccount.Kind.SECURITIES,
            account_no=f"31{self.seed % 100:02d}{index:08d}",
            opened_on=self.today - dt.timedelta(days=rng.randint(5, 3000)),
            status=BrokerageAccount.Status.ACTIVE
            if rng.random() < 0.9
            else BrokerageAccount.Status.DORMANT,
            account_manager=manager,
            branch=manager.branch,
        )
        out.add("brokerage", index, account)
        for code, name, kind in rng.sample(FUND_PRODUCTS, rng.randint(1, 3)):
            quantity = rng.randrange(1000, 500000) * 100
            out.add(
                "holdings",
                index,
                new_row(
                    Holding,
                    account=account,
                    product_code=code,
                    product_name=name,
                    product_type=kind,
                    quantity=money(quantity),
                    as_of=self.today,
                    market_value=money(quantity * rng.randint(80, 140) // 100),
                ),
            )
        days = self.trading_days
        for k in range(rng.randint(1, 2)):
            large = rng.random() < 0.01
            cents = (
                rng.randrange(50, 200) * 10_000_00 if large else rng.randrange(100, 8000) * 10_00
            )
            out.add(
                "transfers",
                index,
                new_row(
                    FundTransfer,
                    external_id=f"{customer.external_id}-f{k + 1}",
                    account=account,
                    direction=FundTransfer.Direction.OUT
                    if large or rng.random() < 0.45
                    else FundTransfer.Direction.IN,
                    amount=money(cents),
                    occurred_at=local_time(
                        days[rng.randrange(len(days))], rng.randint(9, 14), rng.randrange(60)
                    ),
                    counterpart_bank=BANKS[rng.randrange(len(BANKS))],
                ),
            )
        on = days[rng.randrange(len(days))]
        out.add(
            "logins",
            index,
            new_row(
                LoginRecord,
                account=account,
                ip=LOGIN_IPS[rng.randrange(len(LOGIN_IPS))],
                logged_in_at=local_time(on, rng.randint(8, 21), rng.randrange(60)),
                channel=rng.choice(("app", "web", "pc")),
            ),
        )
        if rng.random() < 0.01:
            out.add(
                "aml_flags",
                index,
                new_row(
                    AmlFlag,
                    customer=customer,
                    code=rng.choice(("AML-LARGE-CASH", "AML-FREQ-TRANSFER")),
                    description=rng.choice(("短期内频繁大额转账", "资金快进快出")),
                    raised_on=on,
                ),
            )


def _id_valid_until(birth: dt.date, today: dt.date) -> dt.date | None:
    """Resident IDs are valid 10 or 20 years by age, and for life from 46 (None)."""
    age = today.year - birth.year
    if age >= 46:
        return None
    years = 10 if age < 26 else 20
    return dt.date(today.year + 1 + birth.toordinal() % years, birth.month, min(birth.day, 28))


def recent_trading_days(today: dt.date, count: int = 20) -> list[dt.date]:
    days: list[dt.date] = []
    day, calendar = today, Calendar()
    while len(days) < count:
        day = previous_trading_day(day, calendar)
        days.append(day)
    return days


def bulk_password_hashes() -> list[str]:
    """The shared query-password hashes of bulk cards (see BULK_QUERY_PASSWORDS)."""
    return [hash_secret(p) for p in BULK_QUERY_PASSWORDS]


def existing_bulk_indices(seed: int, start: int, stop: int) -> set[int]:
    """Indices in [start, stop) whose bulk customer is already in the database."""
    if stop <= start:
        return set()
    prefix = bulk_prefix(seed)
    ids = Customer.objects.filter(
        external_id__gte=bulk_external_id(seed, start),
        external_id__lte=bulk_external_id(seed, stop - 1),
    ).values_list("external_id", flat=True)
    return {int(e[len(prefix) :]) for e in ids}


def check_seed(seed: int) -> None:
    """Refuse to mix the bulk customers of two seeds (their numbers could collide)."""
    prefix = bulk_prefix(seed)
    # range look-ups on the unique index: demo-s… but not demo-s<seed>-…
    other = Customer.objects.filter(
        Q(external_id__gte="demo-s", external_id__lt=prefix)
        | Q(external_id__gt=prefix[:-1] + ".", external_id__lt="demo-t")
    ).values_list("external_id", flat=True)[:1]
    found = list(other)
    if found:
        theirs = found[0][len("demo-s") :].split("-", 1)[0]
        raise Conflict(
            _(
                "This database already holds demo customers made with seed %(theirs)s. "
                "Run the demo with --seed %(theirs)s, or start from an empty database."
            )
            % {"theirs": theirs}
        )


def bulk_customers_ensure(
    *,
    seed: int,
    count: int,
    today: dt.date,
    managers: list[AccountManager],
    progress: bool = True,
    password_hashes: list[str] | None = None,
) -> tuple[int, float]:
    """Add the missing bulk customers 0 … count−1 of ``seed``; returns (added, seconds).

    One transaction per chunk of CHUNK customers: an interrupted run keeps whole chunks and
    the next run adds what is missing. Customers beyond ``count`` are left alone.
    """
    check_seed(seed)
    if count == 0 or len(existing_bulk_indices(seed, 0, count)) == count:
        return 0, 0.0
    generator = BulkGenerator(
        seed=seed,
        today=today,
        managers=managers,
        password_hashes=password_hashes or bulk_password_hashes(),
    )
    started = time.perf_counter()
    created = 0
    bar = _progress_bar(count, progress)
    try:
        for number in range((count + CHUNK - 1) // CHUNK):
            start, stop = number * CHUNK, min(count, (number + 1) * CHUNK)
            existing = existing_bulk_indices(seed, start, stop)
            if len(existing) < stop - start:
                created += _save_chunk(generator.chunk(number, stop), existing)
            bar.update(stop - start)
    finally:
        bar.close()
    if created >= ANALYZE_AFTER:
        _analyze()
    return created, time.perf_counter() - started


ANALYZE_AFTER = 50_000


def _analyze() -> None:
    """Planner statistics for the tables just filled: until autovacuum gets to them (or
    never, where it is off), PostgreSQL plans look-ups on a million rows from guesses."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for _name, model in _Chunk.TABLES:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


@transaction.atomic
def _save_chunk(chunk: _Chunk, skip: set[int]) -> int:
    """Insert the rows of the chunk's customers not in ``skip``; returns customers added."""
    if skip:
        # a new customer's supplementary card on the account of a customer already saved
        saved = {
            a.external_id: a
            for a in CardAccount.objects.filter(
                external_id__in=[a.external_id for i, a in chunk.rows["accounts"] if i in skip]
            )
        }
        for index, card in chunk.rows["cards"]:
            if index not in skip and card.account.pk is None:
                card.account = saved.get(card.account.external_id, card.account)
    connection = transaction.get_connection()
    added = 0
    for table, model in _Chunk.TABLES:
        rows = chunk.objects(table, skip)
        if rows:
            insert_rows(connection, model, rows)
        if table == "customers":
            added = len(rows)
    return added


def _progress_bar(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(
        total=total,
        unit=" customers",
        desc="Demo customers",
        file=sys.stderr,
        disable=not enabled,
        smoothing=0.05,
    )
