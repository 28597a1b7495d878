"""IVR-3 shortcut keys from the main menu: 2# lost card, 3# applications, 4# activation,
6# travel booking; and 9# for complaints (REG-4), 0 for an agent after verification."""

import pytest

from kefu.core.crypto import verify_secret
from kefu.core.models import AuditEvent
from kefu.customers.models import Card
from kefu.ivr.models import Call, QueueEntry

pytestmark = pytest.mark.django_db


def test_2_hash_reports_a_lost_card_blocks_it_at_once_and_opens_a_replacement(demo, phone):
    p = phone()

    p.press("2#")
    assert "挂失服务" in p.prompt and p.node == "verify:ask_id"
    p.verify_by_id()
    assert "您将挂失尾号0013的信用卡" in p.prompt
    p.press("1")

    card = Card.objects.get(pk=demo["zhang_card"].pk)
    assert card.status == Card.Status.LOST and card.blocked_at is not None
    replacement = Card.objects.exclude(pk=card.pk).get(holder=demo["zhang"])
    assert replacement.status == Card.Status.INACTIVE
    assert (replacement.account, replacement.role) == (card.account, card.role)
    assert replacement.first6 == "628888" and replacement.number != card.number
    assert f"补发的新卡尾号为{replacement.last4}" in p.prompt
    assert AuditEvent.objects.filter(action="card.blocked", object_id=str(card.pk)).exists()
    assert AuditEvent.objects.filter(action="card.replacement.requested").count() == 1
    assert p.call.functions == ["lost_card"]


def test_a_lost_card_is_not_reported_twice(demo, phone):
    p = phone("13911110006")
    p.press("2#")
    p.verify_by_id("110108200001010015", "314159")

    assert "尾号0062" in p.prompt
    p.press("1")

    assert "已经挂失，无需重复办理" in p.prompt
    assert Card.objects.filter(holder=demo["zhao"]).count() == 1


def test_cancelling_a_lost_card_report_changes_nothing(demo, phone):
    p = phone()
    p.press("2#")
    p.verify_by_id()

    p.press("2")

    assert "已取消挂失" in p.prompt
    assert Card.objects.get(pk=demo["zhang_card"].pk).status == Card.Status.ACTIVE


def test_a_caller_with_several_cards_chooses_which_to_report(demo, phone):
    from tests.factories import CardFactory

    second = CardFactory(account__customer=demo["zhang"], number="6288880000000997")
    p = phone()
    p.press("2#")
    p.verify_by_id()

    assert "挂失尾号0013的卡请按1" in p.prompt and "挂失尾号0997的卡请按2" in p.prompt
    p.keys("2", "1")

    assert Card.objects.get(pk=second.pk).status == Card.Status.LOST
    assert Card.objects.get(pk=demo["zhang_card"].pk).status == Card.Status.ACTIVE


def test_3_hash_1_transfers_to_an_application_advisor(demo, phone, time_machine):
    time_machine.move_to("2026-11-25 10:00:00+08:00")
    p = phone("13800000000")

    p.press("3#")
    step = p.press("1")

    assert step.done is True
    assert step.action["queue"] == "applications"
    assert step.action["context"]["verified"] is False
    assert step.action["context"]["reason"] == "application_question"


def test_3_hash_2_reads_application_progress_by_id_number(demo, phone):
    p = phone("13800000000")

    p.keys("3#", "2", "530102199511300172#")

    assert "申请的白金卡，正在审核，资料审核中" in p.prompt
    p.keys("1", "110105197803150315#")
    assert "没有查询到该证件号码的信用卡申请" in p.prompt


def test_4_hash_activates_a_card_after_checking_its_details_and_sets_a_query_password(demo, phone):
    p = phone("13911110004")

    p.keys("4#", "6288880000000047#")
    assert "有效期" in p.prompt
    p.keys("0531#", "300172#")
    assert "请设置6位数字的查询密码" in p.prompt
    p.keys("951130#")  # his birthday (YYMMDD): refused
    assert "过于简单" in p.prompt
    p.keys("407193#", "407193#")

    assert "开卡成功" in p.prompt and "尾号0047" in p.prompt
    card = Card.objects.get(pk=demo["liu_card"].pk)
    assert card.status == Card.Status.ACTIVE and card.activated_at is not None
    assert verify_secret(card.query_password_hash, "407193")
    assert p.node == "main:identify"
    # the new password verifies at once
    p.keys("530102199511300172#", "407193#")
    assert p.node == "services:menu"


def test_activation_refuses_wrong_card_details_without_saying_which(demo, phone):
    p = phone("13911110004")
    p.keys("4#", "6288880000000047#")

    p.keys("0631#", "300172#")  # wrong expiry

    assert "卡片信息有误" in p.prompt
    p.keys("0531#", "300173#", "0531#", "300174#")  # wrong ID digits twice more
    assert "核对未通过" in p.prompt
    assert Card.objects.get(pk=demo["liu_card"].pk).status == Card.Status.INACTIVE


def test_activation_of_an_active_card_is_not_needed(demo, phone):
    p = phone()

    p.keys("4#", "6288880000000013#")

    assert "已经开卡，无需重复办理" in p.prompt


def test_6_hash_transfers_to_the_travel_booking_centre(demo, phone, time_machine):
    time_machine.move_to("2026-11-25 10:00:00+08:00")
    p = phone()

    step = p.press("6#")

    assert step.done is True and step.action["queue"] == "travel"
    assert QueueEntry.objects.get().queue == "travel"
    assert p.call.status == Call.Status.TRANSFERRED
    assert p.call.functions == ["travel"]


def test_9_hash_reaches_the_complaint_desk_without_verification(demo, phone):
    step = phone("13800000000").press("9#")

    assert step.action["queue"] == "complaints"
    assert step.action["context"]["reason"] == "complaint"


def test_0_at_the_main_menu_verifies_first_then_transfers(demo, phone):
    p = phone()

    p.press("0#")
    assert "转接人工服务前，请先验证您的身份" in p.prompt
    p.press("110105197803150315#")
    step = p.press("135790#")

    assert step.done is True and step.action["queue"] == "cards"
    assert step.action["context"]["verified"] is True
    assert step.action["context"]["customer_id"] == demo["zhang"].pk
