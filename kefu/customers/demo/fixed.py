"""The fixed customers of issue 10, upserted and put back into their documented scenario."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kefu.core.crypto import hash_secret, lookup_hash
from kefu.customers.demo.data import (
    FIXED_BY_KEY,
    FIXED_STATEMENTS,
    LARGE_TRANSFER_OUT,
    LIUYANG_OLD_CARD,
    MERCHANTS,
    FixedCustomer,
)
from kefu.customers.demo.numbers import (
    cents,
    due_date_for,
    due_day_for,
    last_of_month,
    local_time,
    minimum_payment,
    money,
    month_back,
    previous_trading_day,
    statement_dates,
)
from kefu.customers.models import (
    AccountManager,
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
    Statement,
    Transaction,
)


def _upsert(model, lookup: dict, values: dict):
    obj = model.objects.filter(**lookup).first() or model(**lookup)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.save()
    return obj


def _fixed_customer(spec: FixedCustomer, *, joined: dt.datetime, **profile) -> Customer:
    """Upsert a fixed customer with its document and registered mobile."""
    document = profile.pop("document", {})
    customer = _upsert(
        Customer,
        {"external_id": spec.external_id},
        {
            "name": spec.name,
            "gender": spec.gender,
            "birth_date": spec.birth_date,
            "segment": spec.segment,
            "email": "",
            "address": "",
            "preferred_channel": "phone",
            "risk_level": "",
            "account_manager": None,
            "created_at": joined,
            "mobile": spec.mobile,
            "mobile_hash": lookup_hash("mobile", spec.mobile),
            **profile,
        },
    )
    _upsert(
        IdentityDocument,
        {"number_hash": lookup_hash("document", spec.document)},
        {
            "customer": customer,
            "doc_type": spec.doc_type,
            "number": spec.document,
            "issuing_country": "CHN",
            "valid_until": None,
            "is_primary": True,
            **document,
        },
    )
    _upsert(
        CustomerPhone,
        {"customer": customer, "number_hash": lookup_hash("mobile", spec.mobile)},
        {"number": spec.mobile, "kind": CustomerPhone.Kind.MOBILE, "registered": True},
    )
    return customer


def _fixed_account(key: str, customer: Customer, *, credit: int, cash: int, usd: int, **values):
    """Upsert a fixed card account; limits in whole yuan / dollars (USD cash is half)."""
    limits = {
        "credit_limit_cny": money(credit * 100),
        "cash_limit_cny": money(cash * 100),
        "credit_limit_usd": money(usd * 100),
        "cash_limit_usd": money(usd * 50),
    }
    available = {
        "available_credit_cny": limits["credit_limit_cny"],
        "available_cash_cny": limits["cash_limit_cny"],
        "available_credit_usd": limits["credit_limit_usd"],
        "available_cash_usd": limits["cash_limit_usd"],
    }
    return _upsert(
        CardAccount,
        {"external_id": f"demo-fixed-{key}-acct"},
        {
            "customer": customer,
            "status": CardAccount.Status.ACTIVE,
            "auto_repay_enabled": False,
            "auto_repay_mode": "",
            "auto_repay_account": "",
            "due_day": due_day_for(values["statement_day"]),
            **limits,
            **available,
            **values,
        },
    )


def _fixed_card(
    number: str,
    *,
    account: CardAccount,
    holder: Customer,
    role: str,
    status: str,
    product: str,
    issued_on: dt.date,
    query_password: str = "",
    **values,
) -> Card:
    """Upsert a fixed card by its number. Argon2 runs for each password (five in all)."""
    return _upsert(
        Card,
        {"number_hash": lookup_hash("card", number)},
        {
            "account": account,
            "holder": holder,
            "role": role,
            "status": status,
            "product": product,
            "number": number,
            "first6": number[:6],
            "last4": number[-4:],
            "issued_on": issued_on,
            "expiry": last_of_month(issued_on.year + 5, issued_on.month),
            "activated_at": None
            if status == Card.Status.INACTIVE
            else local_time(issued_on + dt.timedelta(days=6), 10, 12),
            "blocked_at": None,
            "query_password_hash": hash_secret(query_password) if query_password else "",
            "transaction_password_hash": "",
            "query_password_failures": 0,
            "query_password_locked_on": None,
            "cash_advance_enabled": True,
            "swipe_password_enabled": False,
            **values,
        },
    )


@dataclass
class _History:
    """Statements and transactions of one fixed account, built in memory, saved at once."""

    account: CardAccount
    statements: list[Statement] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    installments: list[Installment] = field(default_factory=list)

    def line(self, statement, card, kind, day, posted, description, merchant, amount) -> int:
        """Add one line of ``amount`` cents; returns the amount."""
        self.transactions.append(
            Transaction(
                external_id=f"{self.account.external_id}-t{len(self.transactions) + 1:04d}",
                account=self.account,
                card=card,
                statement=statement,
                kind=kind,
                transaction_date=day,
                posting_date=posted,
                description=description,
                merchant=merchant,
                currency="CNY",
                amount=money(amount),
            )
        )
        return amount

    def save(self) -> None:
        Statement.objects.bulk_create(self.statements)
        Transaction.objects.bulk_create(self.transactions)
        Installment.objects.bulk_create(self.installments)
        account = self.account
        last = self.statements[-1]
        unbilled = sum(cents(t.amount) for t in self.transactions if t.statement is None)
        used = max(0, cents(last.amount_due) - cents(last.paid_amount) + unbilled)
        account.available_credit_cny = money(max(0, cents(account.credit_limit_cny) - used))
        account.available_cash_cny = min(account.cash_limit_cny, account.available_credit_cny)
        account.save(update_fields=["available_credit_cny", "available_cash_cny"])


def _fixed_history(
    *,
    account: CardAccount,
    cards: list[Card],
    today: dt.date,
    rng: random.Random,
    last_use: dt.date | None = None,
    installment: tuple[int, int, int] | None = None,
) -> _History:
    """FIXED_STATEMENTS statements before ``today``, then unbilled lines up to ``today``.

    What the tests check: a statement's charges add up to its new charges, its credits to
    its payments, and amount due = previous balance − payments + new charges. Each
    statement is paid in full on its due date. ``installment`` = (statements ago, principal
    cents, periods) turns that statement's large purchase into a bill installment (账单分期)
    whose monthly principal and fee appear on the statements after it. Purchases stop at
    ``last_use`` (the day the card was replaced or reported lost).
    """
    history = _History(account=account)
    # The latest statement is before today, so that today always has unbilled lines.
    dates = statement_dates(
        statement_day=account.statement_day,
        today=today - dt.timedelta(days=1),
        count=FIXED_STATEMENTS,
    )
    plan_index = len(dates) - 1 - installment[0] if installment else -1
    plan: Installment | None = None
    payment_text = "自动还款" if account.auto_repay_enabled else "网银还款"
    carried = rng.randrange(80000, 300000)
    start = month_back(dates[0], 1, account.statement_day)
    for index, day in enumerate([*dates, None]):
        end = day or today
        statement = (
            Statement(
                account=account,
                currency="CNY",
                period=f"{day.year:04d}-{day.month:02d}",
                statement_date=day,
                due_date=due_date_for(day, account.due_day),
            )
            if day
            else None
        )
        charges = credits = 0
        due = due_date_for(start, account.due_day)
        to_pay = carried
        if plan is not None and plan.statement is history.statements[-1]:
            installed = cents(plan.principal)
            credits += history.line(
                statement,
                None,
                Transaction.Kind.INSTALLMENT,
                due,
                due,
                "账单分期转出",
                "",
                -installed,
            )
            to_pay -= installed
        if to_pay > 0 and due <= end:
            credits += history.line(
                statement, None, Transaction.Kind.PAYMENT, due, due, payment_text, "", -to_pay
            )
        if plan is not None and statement is not None:
            plan.periods_paid += 1
            on = start + dt.timedelta(days=1)
            label = f"第{plan.periods_paid}/{plan.periods}期"
            charges += history.line(
                statement,
                None,
                Transaction.Kind.INSTALLMENT,
                on,
                on,
                f"账单分期本金 {label}",
                "",
                cents(plan.principal) // plan.periods,
            )
            charges += history.line(
                statement,
                None,
                Transaction.Kind.FEE,
                on,
                on,
                f"账单分期手续费 {label}",
                "",
                cents(plan.fee_per_period),
            )
        span = (min(end, last_use or end) - start).days
        for _n in range(rng.randint(3, 6) if span > 0 else 0):
            merchant, description, low, high = rng.choice(MERCHANTS)
            on = start + dt.timedelta(days=rng.randint(1, span))
            charges += history.line(
                statement,
                rng.choice(cards),
                Transaction.Kind.PURCHASE,
                on,
                min(on + dt.timedelta(days=1), end),
                description,
                merchant,
                rng.randrange(low, high),
            )
        if statement is None or day is None:
            break
        if index == plan_index:
            on = day - dt.timedelta(days=3)
            charges += history.line(
                statement,
                cards[0],
                Transaction.Kind.PURCHASE,
                on,
                on,
                "网上消费",
                "苏宁易购",
                1299900,
            )
        amount_due = carried + credits + charges
        statement.previous_balance = money(carried)
        statement.payments = money(-credits)
        statement.new_charges = money(charges)
        statement.amount_due = money(amount_due)
        statement.minimum_payment = money(minimum_payment(amount_due))
        statement.paid_amount = money(amount_due if statement.due_date <= today else 0)
        history.statements.append(statement)
        if index == plan_index and installment:
            _ago, principal, periods = installment
            plan = Installment(
                account=account,
                statement=statement,
                principal=money(principal),
                periods=periods,
                periods_paid=0,
                fee_per_period=money(principal * 6 // 1000),
                status=Installment.Status.ACTIVE,
                created_on=day + dt.timedelta(days=2),
            )
            history.installments.append(plan)
        carried, start = amount_due, day
    return history


@transaction.atomic
def fixed_customers_ensure(*, today: dt.date, managers: list[AccountManager]) -> None:
    """Put the fixed customers of the issue's table back into their documented state."""
    rng = random.Random("kefu-demo-fixed")  # noqa: S311  (demo data, the same for any seed)
    spec = FIXED_BY_KEY
    joined = local_time(month_back(today, 40, 8), 10)
    opened = month_back(today, 38, 1)
    issued = month_back(today, 26, 1)
    manager = managers[0]

    zhang = _fixed_customer(
        spec["zhangwei"],
        joined=joined,
        email="zhangwei1978@163.com",
        address="北京市朝阳区建国路88号院3号楼1502室",
    )
    li = _fixed_customer(
        spec["lina"],
        joined=joined,
        email="lina0722@qq.com",
        address="北京市朝阳区建国路88号院3号楼1502室",
        preferred_channel="wechat",
    )
    wang = _fixed_customer(
        spec["wangfang"],
        joined=joined,
        email="fang.wang@example.com",
        address="上海市静安区南京西路1266号2座3101室",
        preferred_channel="email",
        document={"issuing_country": "USA", "valid_until": dt.date(today.year + 6, 4, 11)},
    )
    liu = _fixed_customer(
        spec["liuyang"],
        joined=joined,
        address="云南省昆明市五华区人民中路17号",
        preferred_channel="sms",
    )
    chen = _fixed_customer(
        spec["chenjing"],
        joined=joined,
        email="chenjing92@126.com",
        address="江苏省南京市鼓楼区中山北路30号1单元602室",
        preferred_channel="app",
    )
    zhao = _fixed_customer(
        spec["zhaolei"],
        joined=joined,
        email="zhaolei2000@foxmail.com",
        address="北京市海淀区中关村大街27号1101室",
        preferred_channel="app",
        risk_level=Customer.RiskLevel.C4,
        account_manager=manager,
    )
    _upsert(
        CustomerPhone,
        {"customer": zhang, "number_hash": lookup_hash("mobile", "01065001234")},
        {"number": "01065001234", "kind": CustomerPhone.Kind.HOME, "registered": False},
    )

    zhang_acct = _fixed_account(
        "zhangwei",
        zhang,
        credit=50000,
        cash=25000,
        usd=7000,
        statement_day=5,
        opened_on=opened,
        statement_delivery=CardAccount.Delivery.EMAIL,
        auto_repay_enabled=True,
        auto_repay_mode=CardAccount.AutoRepayMode.FULL,
        auto_repay_account="6217001100012345678",
    )
    wang_acct = _fixed_account(
        "wangfang",
        wang,
        credit=30000,
        cash=15000,
        usd=5000,
        statement_day=12,
        opened_on=opened,
        statement_delivery=CardAccount.Delivery.EMAIL,
    )
    liu_acct = _fixed_account(
        "liuyang",
        liu,
        credit=20000,
        cash=10000,
        usd=0,
        statement_day=18,
        opened_on=opened,
        statement_delivery=CardAccount.Delivery.PAPER,
    )
    chen_acct = _fixed_account(
        "chenjing",
        chen,
        credit=20000,
        cash=10000,
        usd=0,
        statement_day=20,
        opened_on=opened,
        statement_delivery=CardAccount.Delivery.BOTH,
    )
    zhao_acct = _fixed_account(
        "zhaolei",
        zhao,
        credit=100000,
        cash=50000,
        usd=15000,
        statement_day=25,
        opened_on=opened,
        statement_delivery=CardAccount.Delivery.EMAIL,
    )

    active = Card.Status.ACTIVE
    zhang_card = _fixed_card(
        spec["zhangwei"].card,
        account=zhang_acct,
        holder=zhang,
        role=Card.Role.PRIMARY,
        status=active,
        product="金卡",
        issued_on=issued,
        query_password=spec["zhangwei"].query_password,
    )
    li_card = _fixed_card(
        spec["lina"].card,
        account=zhang_acct,
        holder=li,
        role=Card.Role.SUPPLEMENTARY,
        status=active,
        product="金卡（附属卡）",
        issued_on=issued,
        query_password=spec["lina"].query_password,
    )
    wang_card = _fixed_card(
        spec["wangfang"].card,
        account=wang_acct,
        holder=wang,
        role=Card.Role.PRIMARY,
        status=active,
        product="标准信用卡",
        issued_on=issued,
        query_password=spec["wangfang"].query_password,
    )
    # 刘洋's old card was damaged and replaced by a new number after his last statement;
    # the new card waits for activation, the old one carries the account's history.
    liu_last_statement = statement_dates(
        statement_day=18, today=today - dt.timedelta(days=1), count=1
    )[0]
    replaced_on = max(liu_last_statement + dt.timedelta(days=1), today - dt.timedelta(days=8))
    liu_old = _fixed_card(
        LIUYANG_OLD_CARD,
        account=liu_acct,
        holder=liu,
        role=Card.Role.PRIMARY,
        status=Card.Status.CLOSED,
        product="标准信用卡",
        issued_on=issued,
        blocked_at=local_time(replaced_on, 15, 40),
    )
    _fixed_card(
        spec["liuyang"].card,
        account=liu_acct,
        holder=liu,
        role=Card.Role.PRIMARY,
        status=Card.Status.INACTIVE,
        product="标准信用卡",
        issued_on=replaced_on,
    )
    chen_card = _fixed_card(
        spec["chenjing"].card,
        account=chen_acct,
        holder=chen,
        role=Card.Role.PRIMARY,
        status=active,
        product="标准信用卡",
        issued_on=issued,
        query_password=spec["chenjing"].query_password,
        query_password_failures=3,
        query_password_locked_on=today,
    )
    # reported lost this morning, or just now shortly after midnight
    lost_at = max(
        local_time(today, 0), min(timezone.now() - dt.timedelta(hours=1), local_time(today, 8, 20))
    )
    zhao_card = _fixed_card(
        spec["zhaolei"].card,
        account=zhao_acct,
        holder=zhao,
        role=Card.Role.PRIMARY,
        status=Card.Status.LOST,
        product="白金卡",
        issued_on=issued,
        query_password=spec["zhaolei"].query_password,
        blocked_at=lost_at,
    )

    accounts = [zhang_acct, wang_acct, liu_acct, chen_acct, zhao_acct]
    Transaction.objects.filter(account__in=accounts).delete()
    Installment.objects.filter(account__in=accounts).delete()
    Statement.objects.filter(account__in=accounts).delete()
    for history in (
        _fixed_history(
            account=zhang_acct,
            cards=[zhang_card, zhang_card, li_card],
            today=today,
            rng=rng,
            installment=(4, 1200000, 12),
        ),
        _fixed_history(account=wang_acct, cards=[wang_card], today=today, rng=rng),
        _fixed_history(
            account=liu_acct, cards=[liu_old], today=today, rng=rng, last_use=replaced_on
        ),
        _fixed_history(account=chen_acct, cards=[chen_card], today=today, rng=rng),
        _fixed_history(account=zhao_acct, cards=[zhao_card], today=today, rng=rng),
    ):
        history.save()

    _upsert(
        CardApplication,
        {"external_id": "demo-fixed-liuyang-app"},
        {
            "customer": liu,
            "applicant_name": liu.name,
            "applicant_id_number": spec["liuyang"].document,
            "applicant_id_hash": lookup_hash("document", spec["liuyang"].document),
            "product": "白金卡",
            "status": CardApplication.Status.REVIEWING,
            "submitted_on": today - dt.timedelta(days=6),
            "updated_on": today - dt.timedelta(days=2),
            "note": "资料审核中，预计3个工作日内完成",
        },
    )
    _fixed_brokerage(customer=zhao, manager=manager, today=today)


def _fixed_brokerage(*, customer: Customer, manager: AccountManager, today: dt.date) -> None:
    """赵磊's fund account: holdings, transfers in, and the large transfer out on the previous
    trading day that the callback team must follow up."""
    account = _upsert(
        BrokerageAccount,
        {"external_id": "demo-fixed-zhaolei-fund"},
        {
            "customer": customer,
            "kind": BrokerageAccount.Kind.FUND,
            "account_no": "318800000006",
            "opened_on": month_back(today, 26, 10),
            "status": BrokerageAccount.Status.ACTIVE,
            "account_manager": manager,
            "branch": manager.branch,
        },
    )
    account.holdings.all().delete()
    account.transfers.all().delete()
    account.logins.all().delete()
    Holding.objects.bulk_create(
        Holding(
            account=account,
            product_code=code,
            product_name=name,
            product_type=kind,
            quantity=Decimal(quantity),
            market_value=Decimal(value),
            as_of=today,
        )
        for code, name, kind, quantity, value in (
            ("KF0002", "价值精选混合", Holding.ProductType.FUND, "120000.00", "186420.00"),
            ("KF0003", "沪深300指数增强", Holding.ProductType.FUND, "80000.00", "103760.00"),
            ("KW0101", "季季红理财90天", Holding.ProductType.WEALTH, "200000.00", "201350.00"),
        )
    )
    trading_day = previous_trading_day(today)
    FundTransfer.objects.bulk_create(
        FundTransfer(
            external_id=f"demo-fixed-zhaolei-tr{n}",
            account=account,
            direction=direction,
            amount=Decimal(amount),
            occurred_at=at,
            counterpart_bank=bank,
        )
        for n, direction, amount, at, bank in (
            (
                1,
                FundTransfer.Direction.IN,
                "300000.00",
                local_time(today - dt.timedelta(days=40), 10, 5),
                "招商银行",
            ),
            (
                2,
                FundTransfer.Direction.IN,
                "450000.00",
                local_time(today - dt.timedelta(days=21), 9, 48),
                "招商银行",
            ),
            (
                3,
                FundTransfer.Direction.OUT,
                LARGE_TRANSFER_OUT,
                local_time(trading_day, 14, 32),
                "工商银行",
            ),
        )
    )
    LoginRecord.objects.bulk_create(
        LoginRecord(account=account, ip=ip, logged_in_at=at, channel=channel)
        for ip, at, channel in (
            ("203.0.113.25", local_time(today - dt.timedelta(days=21), 9, 40), "app"),
            ("203.0.113.25", local_time(trading_day, 14, 20), "app"),
            ("198.51.100.77", local_time(trading_day, 14, 29), "web"),
        )
    )
