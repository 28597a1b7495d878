"""The hotline paths docs/ivr.md promises trainers, on the real demo data (kefu demo)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.customers import demo
from kefu.customers.models import Card
from kefu.ivr.models import PaymentCode
from tests.ivr.conftest import Phone

pytestmark = pytest.mark.django_db

SERVICES = "services:menu"


@pytest.fixture(scope="module")
def shanghai_morning():
    moment = dt.datetime(2026, 10, 12, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def demo_data(shanghai_morning, db):
    demo.demo_load(seed=1, customers=20, progress=False)


def test_zhang_wei_verifies_by_id_and_gets_a_payment_code(demo_data):
    p = Phone("13911110001")
    p.keys("110105197803150315#", "135790#")
    assert p.node == SERVICES

    p.press("6")

    assert "动态验证码是" in p.prompt and PaymentCode.objects.count() == 1


def test_li_na_is_sent_to_the_card_path_and_bills_are_refused(demo_data):
    p = Phone("13911110002")
    p.press("440304198007220429#")
    assert p.node == "verify:ask_card"
    p.keys("6288880000000021#", "246802#")
    assert p.node == SERVICES

    p.press("1")

    assert "账单查询仅限主卡持卡人办理" in p.prompt


def test_wang_fang_verifies_by_card_number(demo_data):
    p = Phone("13911110003")

    p.keys("*", "6288880000000039#", "907531#")

    assert p.node == SERVICES


def test_liu_yang_activates_his_card_and_reads_his_application(demo_data):
    card = next(c for c in Card.objects.filter(last4="0047") if c.number == "6288880000000047")
    p = Phone("13911110004")

    p.keys("4#", "6288880000000047#", card.expiry.strftime("%m%y") + "#", "300172#")
    p.keys("407193#", "407193#")

    assert "开卡成功" in p.prompt
    card.refresh_from_db()
    assert card.status == Card.Status.ACTIVE
    p.keys("3#", "2", "530102199511300172#")
    assert "申请的" in p.prompt


def test_chen_jing_is_locked_today_and_offered_an_agent(demo_data):
    p = Phone("13911110005")

    p.keys("320106199202291029#", "112358#")

    assert "已被锁定" in p.prompt
    step = p.press("0")
    assert step.action["type"] == "transfer"


def test_zhao_lei_reported_his_card_lost_already(demo_data):
    p = Phone("13911110006")

    p.keys("2#", "110108200001010015#", "314159#", "1")

    assert "已经挂失，无需重复办理" in p.prompt
