"""factory_boy factories for Kefu models (no JSON fixtures)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from kefu.core.crypto import hash_secret, lookup_hash
from kefu.core.validators import luhn_check_digit, resident_id_check_char
from kefu.customers import models as m


def resident_id(seq: int, birth: dt.date = dt.date(1985, 6, 15)) -> str:
    first17 = f"110105{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def card_number(seq: int, bin_: str = "628888") -> str:
    partial = f"{bin_}{seq:09d}"
    return partial + luhn_check_digit(partial)


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = m.Customer

    external_id = factory.Sequence(lambda n: f"CUST-T{n:06d}")
    name = factory.Sequence(lambda n: f"测试客户{n}")
    gender = m.Customer.Gender.MALE
    birth_date = dt.date(1985, 6, 15)
    mobile = factory.Sequence(lambda n: f"138{n:08d}")
    mobile_hash = factory.LazyAttribute(lambda o: lookup_hash("mobile", o.mobile))
    segment = m.Segment.STANDARD


class IdentityDocumentFactory(DjangoModelFactory):
    class Meta:
        model = m.IdentityDocument

    customer = factory.SubFactory(CustomerFactory)
    doc_type = m.IdentityDocument.Type.RESIDENT_ID
    number = factory.Sequence(resident_id)
    number_hash = factory.LazyAttribute(lambda o: lookup_hash("document", o.number))


class CardAccountFactory(DjangoModelFactory):
    class Meta:
        model = m.CardAccount

    external_id = factory.Sequence(lambda n: f"ACCT-T{n:06d}")
    customer = factory.SubFactory(CustomerFactory)
    credit_limit_cny = Decimal("50000.00")
    available_credit_cny = Decimal("42000.00")
    cash_limit_cny = Decimal("25000.00")
    available_cash_cny = Decimal("20000.00")
    credit_limit_usd = Decimal("7000.00")
    available_credit_usd = Decimal("7000.00")
    cash_limit_usd = Decimal("3500.00")
    available_cash_usd = Decimal("3500.00")
    statement_day = 5
    due_day = 23
    opened_on = dt.date(2020, 1, 10)


class CardFactory(DjangoModelFactory):
    class Meta:
        model = m.Card
        skip_postgeneration_save = True

    account = factory.SubFactory(CardAccountFactory)
    holder = factory.LazyAttribute(lambda o: o.account.customer)
    role = m.Card.Role.PRIMARY
    product = "金卡"
    number = factory.Sequence(card_number)
    number_hash = factory.LazyAttribute(lambda o: lookup_hash("card", o.number))
    first6 = factory.LazyAttribute(lambda o: o.number[:6])
    last4 = factory.LazyAttribute(lambda o: o.number[-4:])
    status = m.Card.Status.ACTIVE
    expiry = dt.date(2029, 12, 31)
    issued_on = dt.date(2024, 12, 1)

    @factory.post_generation
    def with_query_password(obj, create, extracted, **kwargs):
        if extracted:
            obj.query_password_hash = hash_secret(extracted)
            if create:
                obj.save(update_fields=["query_password_hash"])


class StatementFactory(DjangoModelFactory):
    class Meta:
        model = m.Statement

    account = factory.SubFactory(CardAccountFactory)
    currency = "CNY"
    period = "2026-10"
    statement_date = dt.date(2026, 10, 5)
    due_date = dt.date(2026, 10, 23)
    previous_balance = Decimal("1000.00")
    payments = Decimal("1000.00")
    new_charges = Decimal("3256.18")
    amount_due = Decimal("3256.18")
    minimum_payment = Decimal("325.62")


class TransactionFactory(DjangoModelFactory):
    class Meta:
        model = m.Transaction

    external_id = factory.Sequence(lambda n: f"TXN-T{n:08d}")
    account = factory.SubFactory(CardAccountFactory)
    kind = m.Transaction.Kind.PURCHASE
    transaction_date = dt.date(2026, 10, 1)
    posting_date = dt.date(2026, 10, 2)
    description = "消费"
    merchant = "测试商户"
    currency = "CNY"
    amount = Decimal("100.00")


class CardApplicationFactory(DjangoModelFactory):
    class Meta:
        model = m.CardApplication

    external_id = factory.Sequence(lambda n: f"APP-T{n:06d}")
    applicant_name = "申请人"
    applicant_id_number = factory.Sequence(lambda n: resident_id(n + 500))
    applicant_id_hash = factory.LazyAttribute(
        lambda o: lookup_hash("document", o.applicant_id_number)
    )
    product = "白金卡"
    status = m.CardApplication.Status.REVIEWING
    submitted_on = dt.date(2026, 11, 10)
    updated_on = dt.date(2026, 11, 12)


class BrokerageAccountFactory(DjangoModelFactory):
    class Meta:
        model = m.BrokerageAccount

    external_id = factory.Sequence(lambda n: f"BRK-T{n:06d}")
    customer = factory.SubFactory(CustomerFactory)
    kind = m.BrokerageAccount.Kind.FUND
    account_no = factory.Sequence(lambda n: f"3100{n:08d}")
    opened_on = dt.date(2023, 3, 1)


def schedule_days(*, holidays=(), workdays=()) -> list:
    """CAL-1 schedule days from holiday ranges ``(name, first, last)`` and make-up working
    days ``(name, date)``, dates as ISO text."""
    from kefu.core.calendars import HOLIDAY, WORKDAY, ScheduleDay

    days = []
    for name, first, last in holidays:
        day, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        while day <= end:
            days.append(ScheduleDay(date=day, kind=HOLIDAY, name=name))
            day += dt.timedelta(days=1)
    days += [
        ScheduleDay(date=dt.date.fromisoformat(d), kind=WORKDAY, name=name) for name, d in workdays
    ]
    return days


# A 2027 schedule as an administrator would enter it in tests (not the official one, which
# the State Council publishes in the autumn of 2026).
SCHEDULE_2027 = {
    "holidays": [("元旦", "2027-01-01", "2027-01-03"), ("春节", "2027-02-06", "2027-02-13")],
    "workdays": [("春节", "2027-02-20")],
}


# --- callbacks (issue 6) ---------------------------------------------------------------------


class FundTransferFactory(DjangoModelFactory):
    class Meta:
        model = m.FundTransfer

    external_id = factory.Sequence(lambda n: f"FT-T{n:06d}")
    account = factory.SubFactory(BrokerageAccountFactory)
    direction = m.FundTransfer.Direction.OUT
    amount = Decimal("680000.00")
    occurred_at = dt.datetime(2026, 11, 24, 14, 32, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    counterpart_bank = "工商银行"


class HoldingFactory(DjangoModelFactory):
    class Meta:
        model = m.Holding

    account = factory.SubFactory(BrokerageAccountFactory)
    product_code = factory.Sequence(lambda n: f"KF{n:04d}")
    product_name = "价值精选混合"
    product_type = m.Holding.ProductType.FUND
    quantity = Decimal("1000.00")
    market_value = Decimal("1200.00")
    as_of = dt.date(2026, 11, 20)


class LoginRecordFactory(DjangoModelFactory):
    class Meta:
        model = m.LoginRecord

    account = factory.SubFactory(BrokerageAccountFactory)
    ip = "203.0.113.25"
    logged_in_at = dt.datetime(2026, 11, 10, 9, 40, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    channel = "app"


class AmlFlagFactory(DjangoModelFactory):
    class Meta:
        model = m.AmlFlag

    customer = factory.SubFactory(CustomerFactory)
    code = "AML-FREQ-TRANSFER"
    description = "资金快进快出"
    raised_on = dt.date(2026, 11, 10)


def callback_questionnaire(*, by, publish=True, questions=None):
    """A published callback questionnaire: Q1 satisfied? no → Q2 why, yes → Q3 score."""
    from kefu.callbacks import services
    from kefu.callbacks.rules import QuestionSpec

    questions = questions or [
        QuestionSpec(
            code="Q1",
            kind="yes_no",
            text="您对开户服务满意吗？",
            branches=({"when": "yes", "goto": "Q3"},),
        ),
        QuestionSpec(code="Q2", kind="text", text="请问哪里不满意？"),
        QuestionSpec(code="Q3", kind="scale", text="请为我们的服务打分", scale_min=1, scale_max=5),
        QuestionSpec(code="Q4", kind="text", text="还有什么建议？", required=False),
    ]
    version = services.questionnaire_create(name="新客户回访问卷", questions=questions, by=by)
    if publish:
        version = services.questionnaire_publish(version=version, by=by)
    return version


def callback_project(
    *, by, callback_type="new_customer", in_window=dt.date(2026, 11, 15), start=True, **kwargs
):
    """A callback project with the standard questionnaire, running unless start=False."""
    from kefu.callbacks import services

    version = kwargs.pop("version", None) or callback_questionnaire(by=by)
    project = services.project_create(
        name=kwargs.pop("name", f"{callback_type} {in_window:%Y-%m}"),
        callback_type=callback_type,
        questionnaire=version.questionnaire,
        in_window=in_window,
        by=by,
        **kwargs,
    )
    if start:
        project = services.project_start(project=project, by=by)
    return project
