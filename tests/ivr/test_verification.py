"""IVR-2: verification by ID number or card number with the query password; lockout."""

import pytest

from kefu.core.models import AuditEvent
from kefu.customers.models import Card
from kefu.ivr.models import Call, CallEvent

pytestmark = pytest.mark.django_db

SERVICES_MENU = "services:menu"


def test_the_main_menu_greets_and_announces_the_complaint_channel(demo, phone):
    p = phone()

    assert p.node == "main:identify"
    assert "投诉" in p.prompt and "12378" in p.prompt  # REG-4
    assert p.step.collect == {
        "min_digits": 1,
        "max_digits": 18,
        "terminator": "#",
        "timeout_s": 15,
    }
    assert p.step.done is False and p.step.action is None


def test_verification_by_id_number_and_query_password(demo, phone):
    p = phone()

    p.press("110105197803150315#")
    assert p.node == "verify:password"
    p.press("135790#")

    assert p.node == SERVICES_MENU
    call = p.call
    assert (call.verification, call.verification_method) == ("verified", "id")
    assert call.customer == demo["zhang"]
    assert call.card_last4 == "0013"
    results = list(call.events.filter(kind="verify").values_list("data__result", flat=True))
    assert results == ["ok"]


def test_verification_by_card_number_for_a_passport_holder(demo, phone):
    p = phone("13911110003")

    p.press("*")
    assert p.node == "verify:ask_card"
    p.press("6288880000000039#")
    p.press("907531#")

    assert p.node == SERVICES_MENU
    assert p.call.customer == demo["wang"]
    assert p.call.verification_method == "card"


def test_a_supplementary_cardholder_is_sent_to_card_verification(demo, phone):
    p = phone("13911110002")

    p.press("440304198007220429#")

    assert "附属卡持卡人请使用卡号" in p.prompt
    assert p.node == "verify:ask_card"
    p.press("6288880000000021#")
    p.press("246802#")
    assert p.node == SERVICES_MENU
    assert p.call.customer == demo["li"]


def test_an_id_ending_in_x_is_keyed_with_star(demo, phone):
    from tests.factories import CardFactory, CustomerFactory, IdentityDocumentFactory

    customer = CustomerFactory()
    IdentityDocumentFactory(customer=customer, number="11010519491231002X")
    CardFactory(account__customer=customer, with_query_password="480261")
    p = phone()

    p.press("11010519491231002*#")
    p.press("480261#")

    assert p.call.customer == customer


def test_a_wrong_password_reprompts_with_the_tries_left(demo, phone):
    p = phone()

    p.press("110105197803150315#")
    p.press("000001#")

    assert "还可以输入2次" in p.prompt
    assert p.node == "verify:password"
    assert p.call.verification == "failed"
    card = Card.objects.get(pk=demo["zhang_card"].pk)
    assert card.query_password_failures == 1


def test_three_wrong_passwords_lock_for_the_day_and_tell_how_to_unlock(demo, phone):
    p = phone()
    p.press("110105197803150315#")

    for wrong in ("000001#", "000002#", "000003#"):
        p.press(wrong)

    assert "已被锁定" in p.prompt and "明日零时自动解锁" in p.prompt and "按0转人工" in p.prompt
    assert p.call.verification == "locked"
    card = Card.objects.get(pk=demo["zhang_card"].pk)
    assert card.query_password_locked_on is not None
    results = list(p.call.events.filter(kind="verify").values_list("data__result", flat=True))
    assert results == ["wrong_password", "wrong_password", "locked_now"]
    assert AuditEvent.objects.filter(action="card.query_password.locked").count() == 1
    # the right password does not help for the rest of the day
    q = phone()
    q.verify_by_id()
    assert q.node == "verify:locked"


def test_the_lockout_threshold_is_configurable(demo, phone, settings):
    settings.KEFU_IVR_PASSWORD_MAX_FAILURES = 2
    p = phone()
    p.press("110105197803150315#")

    p.press("000001#")
    p.press("000002#")

    assert p.node == "verify:locked"


def test_a_caller_whose_password_is_locked_today_can_reach_an_agent(demo, phone):
    p = phone("13911110005")
    p.press("320106199202291029#")
    p.press("112358#")  # right password, but locked today

    assert p.node == "verify:locked"
    step = p.press("0")

    assert step.done is True
    assert step.action["type"] == "transfer"
    assert step.action["queue"] == "cards"
    assert step.action["context"]["reason"] == "query_password_locked"
    assert step.action["context"]["verified"] is False


def test_an_unknown_id_number_reprompts_and_three_end_the_call_politely(demo, phone):
    p = phone()

    p.press("110105197803150323#")  # valid check digit, not a customer
    assert "未在我行登记" in p.prompt
    p.press("110105197803150331#")
    p.press("110105197803150340#")  # bad check digit counts as a failure too

    assert p.step.done is True
    assert p.step.action == {"type": "hangup"}
    assert "身份验证未通过" in p.prompt
    assert p.call.status == Call.Status.FINISHED
    assert p.call.verification == "failed"


def test_no_password_or_number_is_stored_in_the_call(demo, phone):
    p = phone()
    p.verify_by_id()

    call = p.call
    text = str(call.state) + "".join(
        f"{e.keys}{e.data}" for e in CallEvent.objects.filter(call=call)
    )
    assert "135790" not in text
    assert "110105197803150315" not in text
    keys = list(call.events.exclude(keys="").values_list("keys", flat=True))
    assert keys == ["1101**********0315", "******"]


def test_an_inactive_card_is_sent_to_activation(demo, phone):
    p = phone("13911110004")

    p.press("530102199511300172#")

    assert "尚未开卡" in p.prompt
    assert p.node == "main:identify"


def test_a_card_without_a_query_password_sets_one_after_its_details_then_verifies(demo, phone):
    from kefu.core.crypto import verify_secret
    from tests.factories import CardFactory

    card = CardFactory(account__customer=demo["wang"], number="6288880000000997")
    p = phone("13911110003")
    p.keys("*", "6288880000000997#")
    assert "尚未设置查询密码" in p.prompt and p.node == "verify:no_password"

    p.keys("1", "1229#", "345678#")  # expiry MMYY, last six of the passport number
    assert "请设置6位数字的查询密码" in p.prompt
    p.press("111111#")
    assert "过于简单" in p.prompt
    p.keys("470258#", "470258#")

    assert "查询密码设置成功" in p.prompt and p.node == "verify:password"
    card.refresh_from_db()
    assert verify_secret(card.query_password_hash, "470258")
    p.press("470258#")
    assert p.node == SERVICES_MENU
    assert p.call.customer == demo["wang"]
    text = str(p.call.state) + str(list(p.call.events.values_list("keys", "data")))
    assert "470258" not in text and "345678" not in text and "1229" not in text


def test_wrong_card_details_set_no_query_password(demo, phone):
    from tests.factories import CardFactory

    card = CardFactory(account__customer=demo["wang"], number="6288880000000997")
    p = phone("13911110003")
    p.keys("*", "6288880000000997#", "1")

    p.keys("1229#", "000000#", "1229#", "000001#", "0130#", "345678#")

    assert "卡片信息核对未通过" in p.prompt
    assert p.step.action == {"type": "hangup"} and p.call.verification != "verified"
    card.refresh_from_db()
    assert card.query_password_hash == ""


def test_no_password_number_or_code_is_logged(demo, phone, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    p = phone()
    p.press("110105197803150315#")
    p.press("000001#")  # wrong
    p.press("135790#")
    p.keys("3", "1", "582046#", "582047#")  # a mismatch
    p.keys("582046#", "582046#", "*", "6")  # changed; then a payment code
    code = p.prompt.split("动态验证码是")[1].split("，")[0].replace(" ", "")
    p.hang_up()

    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    for secret in ("135790", "000001", "582046", "582047", "110105197803150315", code):
        assert secret not in logged


def test_the_lock_lasts_until_midnight_only(demo, phone, time_machine):
    time_machine.move_to("2026-11-25 23:50:00+08:00")
    p = phone()
    p.press("110105197803150315#")
    for wrong in ("000001#", "000002#", "000003#"):
        p.press(wrong)
    assert p.node == "verify:locked"
    assert phone().verify_by_id().node == "verify:locked"  # still today

    time_machine.move_to("2026-11-26 00:00:05+08:00")
    q = phone()
    q.verify_by_id()

    assert q.node == SERVICES_MENU
    assert Card.objects.get(pk=demo["zhang_card"].pk).query_password_failures == 0
