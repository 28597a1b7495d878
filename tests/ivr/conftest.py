"""The demo's fixed customers, built with factories, and a phone to dial the hotline with."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kefu.customers.models import Card, CardAccount, CustomerPhone, IdentityDocument
from kefu.ivr import services
from kefu.ivr.models import Call
from tests.factories import (
    CardAccountFactory,
    CardApplicationFactory,
    CardFactory,
    CustomerFactory,
    IdentityDocumentFactory,
    StatementFactory,
    TransactionFactory,
)

HOTLINE = "4008205555"


def _customer(name, mobile, birth, document, doc_type=IdentityDocument.Type.RESIDENT_ID):
    customer = CustomerFactory(name=name, mobile=mobile, birth_date=birth)
    IdentityDocumentFactory(customer=customer, number=document, doc_type=doc_type)
    phone = CustomerPhone(customer=customer, kind=CustomerPhone.Kind.MOBILE, registered=True)
    phone.set_number(mobile)
    phone.save()
    return customer


@pytest.fixture
def demo(db):
    """张伟, 李娜 (supplementary), 王芳 (passport), 刘洋 (inactive card, application under
    review), 陈静 (query password locked today), 赵磊 (card reported lost)."""
    today = timezone.localdate()
    zhang = _customer("张伟", "13911110001", dt.date(1978, 3, 15), "110105197803150315")
    li = _customer("李娜", "13911110002", dt.date(1980, 7, 22), "440304198007220429")
    wang = _customer(
        "王芳", "13911110003", dt.date(1985, 4, 11), "E12345678", IdentityDocument.Type.PASSPORT
    )
    liu = _customer("刘洋", "13911110004", dt.date(1995, 11, 30), "530102199511300172")
    chen = _customer("陈静", "13911110005", dt.date(1992, 2, 29), "320106199202291029")
    zhao = _customer("赵磊", "13911110006", dt.date(2000, 1, 1), "110108200001010015")

    zhang_account = CardAccountFactory(
        customer=zhang,
        statement_delivery=CardAccount.Delivery.EMAIL,
        auto_repay_enabled=True,
        auto_repay_mode=CardAccount.AutoRepayMode.FULL,
        auto_repay_account="6217001100012345678",
    )
    zhang_card = CardFactory(
        account=zhang_account, number="6288880000000013", with_query_password="135790"
    )
    li_card = CardFactory(
        account=zhang_account,
        holder=li,
        role=Card.Role.SUPPLEMENTARY,
        number="6288880000000021",
        product="金卡（附属卡）",
        with_query_password="246802",
    )
    wang_card = CardFactory(
        account__customer=wang, number="6288880000000039", with_query_password="907531"
    )
    liu_card = CardFactory(
        account__customer=liu,
        number="6288880000000047",
        status=Card.Status.INACTIVE,
        expiry=dt.date(2031, 5, 31),
    )
    CardApplicationFactory(
        customer=liu,
        applicant_name="刘洋",
        applicant_id_number="530102199511300172",
        applicant_id_hash=__import__("kefu.core.crypto", fromlist=["x"]).lookup_hash(
            "document", "530102199511300172"
        ),
        product="白金卡",
        note="资料审核中，预计3个工作日内完成",
        submitted_on=today - dt.timedelta(days=6),
    )
    chen_card = CardFactory(
        account__customer=chen,
        number="6288880000000054",
        with_query_password="112358",
    )
    Card.objects.filter(pk=chen_card.pk).update(
        query_password_failures=3, query_password_locked_on=today
    )
    zhao_card = CardFactory(
        account__customer=zhao,
        number="6288880000000062",
        status=Card.Status.LOST,
        with_query_password="314159",
    )

    # 张伟's statements: October (the latest) with lines, September, and unbilled lines
    october = StatementFactory(
        account=zhang_account,
        period="2026-10",
        statement_date=dt.date(2026, 10, 5),
        due_date=dt.date(2026, 10, 23),
        amount_due=Decimal("3256.18"),
        minimum_payment=Decimal("325.62"),
    )
    september = StatementFactory(
        account=zhang_account,
        period="2026-09",
        statement_date=dt.date(2026, 9, 5),
        due_date=dt.date(2026, 9, 23),
        amount_due=Decimal("1888.00"),
        minimum_payment=Decimal("188.80"),
    )
    for day, merchant, amount in [
        (1, "苏宁易购", "1299.00"),
        (3, "星巴克", "45.00"),
        (8, "中国石化", "400.00"),
        (12, "盒马鲜生", "312.18"),
        (15, "携程旅行", "800.00"),
        (20, "美团外卖", "400.00"),
    ]:
        TransactionFactory(
            account=zhang_account,
            card=zhang_card,
            statement=october,
            transaction_date=dt.date(2026, 9, day),
            merchant=merchant,
            description="消费",
            amount=Decimal(amount),
        )
    TransactionFactory(
        account=zhang_account, card=zhang_card, statement=september, amount=Decimal("1888.00")
    )
    TransactionFactory(
        account=zhang_account,
        card=li_card,
        statement=None,
        transaction_date=dt.date(2026, 10, 9),
        merchant="全家便利店",
        description="消费",
        amount=Decimal("28.50"),
    )
    TransactionFactory(
        account=zhang_account,
        card=zhang_card,
        statement=None,
        transaction_date=dt.date(2026, 10, 11),
        merchant="京东商城",
        description="网上消费",
        amount=Decimal("199.00"),
    )
    return {
        "zhang": zhang,
        "li": li,
        "wang": wang,
        "liu": liu,
        "chen": chen,
        "zhao": zhao,
        "zhang_card": zhang_card,
        "li_card": li_card,
        "wang_card": wang_card,
        "liu_card": liu_card,
        "chen_card": chen_card,
        "zhao_card": zhao_card,
        "zhang_account": zhang_account,
    }


class Phone:
    """A caller at the hotline, through the same services as every channel."""

    def __init__(self, caller: str = "13911110001", *, by=None):
        self.by = by
        self.step = services.call_start(caller=caller, called=HOTLINE, by=by)
        self.call_id = self.step.call_id
        self.heard: list[str] = [self.step.prompt]

    @property
    def prompt(self) -> str:
        return self.step.prompt

    @property
    def node(self) -> str:
        return self.step.node

    def press(self, digits: str, *, strict: bool = True):
        self.step = services.call_input(
            call_id=self.call_id, digits=digits, by=self.by, strict=strict
        )
        self.heard.append(self.step.prompt)
        return self.step

    def keys(self, *entries: str):
        for entry in entries:
            self.press(entry)
        return self.step

    def hang_up(self) -> Call:
        return services.call_hangup(call_id=self.call_id, by=self.by)

    @property
    def call(self) -> Call:
        return Call.objects.get(pk=self.call_id)

    def verify_by_id(self, id_number="110105197803150315", password="135790"):  # noqa: S107
        return self.keys(id_number + "#", password + "#")

    def verify_by_card(self, card: str, password: str):
        return self.keys("*", card + "#", password + "#")


@pytest.fixture
def phone():
    def dial(caller: str = "13911110001", **kwargs) -> Phone:
        return Phone(caller, **kwargs)

    return dial


@pytest.fixture(autouse=True)
def _api_steps_in_the_test_thread(settings):
    # The test database lives in the test's own transaction and connection: API steps must
    # run in this thread to see it (the thread of their own is tested with real servers).
    settings.KEFU_IVR_API_THREADS = False
