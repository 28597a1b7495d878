"""A scenario for every self-service function (IVR-4 … IVR-9): by keys alone, through the
same services as every channel, reading and changing data only through the adapter."""

import datetime as dt
from decimal import Decimal

import pytest

from kefu.core.crypto import verify_secret
from kefu.core.models import AuditEvent
from kefu.customers.models import Card, CardAccount, Transaction
from kefu.ivr.models import PaymentCode, StatementRequest
from kefu.ivr.services import payment_code_redeem

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhang(demo, phone):
    """张伟, verified by ID number, at the self-service menu."""
    p = phone()
    p.verify_by_id()
    assert p.node == "services:menu"
    return p


# --- bills (IVR-4) ---------------------------------------------------------------------------


def test_current_statement_amount_minimum_and_due_date(zhang):
    zhang.keys("1", "1")

    assert (
        "您2026年10月账单的本期应还金额为人民币3,256.18元，最低还款额为人民币325.62元，"
        "到期还款日为2026年10月23日。"
    ) in zhang.prompt
    assert zhang.node == "bills:menu"
    assert zhang.call.functions == ["bill_current"]


def test_statement_lines_are_read_five_at_a_time(zhang):
    zhang.keys("1", "2")

    assert "共6笔交易" in zhang.prompt
    assert "9月1日，苏宁易购，消费，人民币1,299.00元" in zhang.prompt
    assert "美团外卖" not in zhang.prompt
    assert zhang.node == "bills:lines_more"
    zhang.press("1")
    assert "9月20日，美团外卖，消费，人民币400.00元" in zhang.prompt
    assert "播报完毕" in zhang.prompt


def test_unbilled_amount_and_transactions(zhang):
    zhang.keys("1", "3")

    assert "未出账单共2笔，合计人民币227.50元" in zhang.prompt
    assert "10月9日，全家便利店" in zhang.prompt and "10月11日，京东商城，网上消费" in zhang.prompt


def test_a_month_of_the_last_twelve(zhang):
    zhang.keys("1", "4", "202609#")

    assert "2026年9月账单的应还金额为人民币1,888.00元" in zhang.prompt
    zhang.press("1")
    assert "2026年9月账单共1笔交易" in zhang.prompt or "交易明细播报完毕" in zhang.prompt


def test_a_month_without_a_statement_asks_again(zhang):
    zhang.keys("1", "4", "202401#")

    assert "只能查询近12个月" in zhang.prompt
    assert zhang.node == "bills:ask_month"


def test_a_month_that_is_no_month_is_an_invalid_entry(zhang):
    zhang.keys("1", "4", "202613#")

    assert zhang.prompt.startswith("您的输入有误。")


def test_fax_and_remail_requests_queue_a_statement_job(zhang, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

    zhang.keys("1", "5", "202610#", "1", "02165001234#")
    assert "已为您受理2026年10月账单的传真申请" in zhang.prompt
    zhang.keys("5", "202609#", "2")
    assert "已为您受理2026年9月账单的补寄申请" in zhang.prompt

    fax, mail = StatementRequest.objects.order_by("id")
    assert (fax.method, fax.period, fax.fax_number, fax.status) == (
        "fax",
        "2026-10",
        "02165001234",
        "queued",
    )
    assert (mail.method, mail.period) == ("mail", "2026-09")
    assert "02165001234" not in str(list(zhang.call.events.values_list("keys", "data")))
    audits = AuditEvent.objects.filter(action="ivr.statement_request.created").order_by("id")
    assert [(a.object_id, a.data["method"], a.data["period"]) for a in audits] == [
        (str(fax.pk), "fax", "2026-10"),
        (str(mail.pk), "mail", "2026-09"),
    ]
    assert "02165001234" not in str(list(audits.values_list("data", "changes")))


def test_bills_are_for_the_primary_cardholder_only(demo, phone):
    p = phone("13911110002")
    p.verify_by_card("6288880000000021", "246802")

    p.press("1")

    assert "账单查询仅限主卡持卡人办理" in p.prompt
    assert p.node == "services:menu"


# --- limits (IVR-5) --------------------------------------------------------------------------


def test_limits_in_cny_and_usd(zhang):
    zhang.press("2")

    assert (
        "您的人民币可用额度为人民币42,000.00元，可预借现金额度为人民币20,000.00元；"
        "美元可用额度为7,000.00美元，可预借现金额度为3,500.00美元。"
    ) in zhang.prompt


# --- passwords and switches (IVR-6) ------------------------------------------------------------


def test_query_password_change(zhang, demo):
    zhang.keys("3", "1", "582046#", "582046#")

    assert "查询密码修改成功" in zhang.prompt
    card = Card.objects.get(pk=demo["zhang_card"].pk)
    assert verify_secret(card.query_password_hash, "582046")
    assert AuditEvent.objects.filter(action="card.query_password.changed").count() == 1


@pytest.mark.parametrize(
    "weak",
    ["111111", "123456", "654321", "121212", "780315", "031578", "150378", "197803", "150315"],
)
def test_weak_passwords_are_refused(zhang, demo, weak):
    before = Card.objects.get(pk=demo["zhang_card"].pk).query_password_hash

    zhang.keys("3", "1", weak + "#")

    assert "过于简单" in zhang.prompt
    assert zhang.node == "passwords:query_new"
    assert Card.objects.get(pk=demo["zhang_card"].pk).query_password_hash == before


def test_two_different_entries_set_nothing(zhang, demo):
    before = Card.objects.get(pk=demo["zhang_card"].pk).query_password_hash

    zhang.keys("3", "1", "582046#", "582047#")

    assert "两次输入的密码不一致" in zhang.prompt
    assert Card.objects.get(pk=demo["zhang_card"].pk).query_password_hash == before


def test_transaction_password_set_then_change_needs_the_old_one(zhang, demo):
    zhang.keys("3", "2", "480261#", "480261#")
    assert "交易密码设置成功" in zhang.prompt

    zhang.keys("2", "000000#")
    assert "交易密码错误" in zhang.prompt
    zhang.keys("480261#", "590372#", "590372#")

    assert "交易密码设置成功" in zhang.prompt
    card = Card.objects.get(pk=demo["zhang_card"].pk)
    assert verify_secret(card.transaction_password_hash, "590372")


@pytest.mark.parametrize(
    "menu_key,field,prompt_on",
    [
        ("3", "cash_advance_enabled", "预借现金功能"),
        ("4", "swipe_password_enabled", "刷卡密码功能"),
    ],
)
def test_cash_advance_and_swipe_password_switches(zhang, demo, menu_key, field, prompt_on):
    card = demo["zhang_card"]
    start = getattr(card, field)

    zhang.keys("3", menu_key)
    assert ("已开通" if start else "已关闭") in zhang.prompt
    zhang.press("1")

    card.refresh_from_db()
    assert getattr(card, field) is (not start)
    assert prompt_on in zhang.prompt
    assert AuditEvent.objects.filter(action="card.switches.changed").count() == 1


# --- statement delivery, auto-repayment (IVR-7) ---------------------------------------------------


def test_statement_delivery_change(zhang, demo):
    zhang.press("4")
    assert "目前的账单寄送方式为电子账单" in zhang.prompt

    zhang.press("3")

    assert "已修改为电子账单加纸质账单" in zhang.prompt
    account = CardAccount.objects.get(pk=demo["zhang_account"].pk)
    assert account.statement_delivery == "both"


def test_statement_delivery_unchanged_is_said_so(zhang):
    zhang.keys("4", "1")

    assert "已经是电子账单，无需修改" in zhang.prompt


def test_auto_repayment_modify_with_a_new_debit_account(zhang, demo):
    zhang.press("5")
    assert "全额还款" in zhang.prompt and "尾号5678" in zhang.prompt

    zhang.keys("1", "2", "2", "6222020200112233#")

    assert "自动还款设置成功，还款方式为最低还款额，扣款账户尾号2233" in zhang.prompt
    account = CardAccount.objects.get(pk=demo["zhang_account"].pk)
    assert (account.auto_repay_mode, account.auto_repay_account) == ("minimum", "6222020200112233")
    assert AuditEvent.objects.filter(action="account.auto_repay.modified").count() == 1


def test_auto_repayment_cancel_and_apply_again_keeping_the_account(zhang, demo):
    zhang.keys("5", "2", "1")
    assert "自动还款已取消" in zhang.prompt
    account = CardAccount.objects.get(pk=demo["zhang_account"].pk)
    assert account.auto_repay_enabled is False

    zhang.keys("5")
    assert "尚未开通自动还款" in zhang.prompt
    zhang.keys("1", "1", "1")

    account.refresh_from_db()
    assert (account.auto_repay_enabled, account.auto_repay_mode) == (True, "full")
    assert account.auto_repay_account == "6217001100012345678"


def test_a_bad_debit_account_asks_again(zhang):
    zhang.keys("5", "1", "1", "2", "123#")

    assert zhang.prompt.startswith("您的输入有误。")
    assert zhang.node == "autopay:account_input"


# --- payment verification code (IVR-8) ----------------------------------------------------------


def test_a_payment_code_is_read_out_once_and_only_its_hash_is_kept(zhang, demo):
    zhang.press("6")

    prompt = zhang.prompt
    assert "动态验证码是" in prompt and "5分钟内有效" in prompt
    spoken = prompt.split("动态验证码是")[1].split("，")[0].replace(" ", "")
    assert len(spoken) == 6 and spoken.isdigit()
    row = PaymentCode.objects.get()
    assert verify_secret(row.code_hash, spoken)
    assert (row.expires_at - row.created_at) == dt.timedelta(minutes=5)
    record = str(zhang.call.state) + str(list(zhang.call.events.values_list("keys", "data")))
    assert spoken not in record
    # single use, for the card it was given for
    ref = str(demo["zhang_card"].pk)
    assert payment_code_redeem(card_ref=ref, code=spoken) is True
    assert payment_code_redeem(card_ref=ref, code=spoken) is False


def test_a_payment_code_expires(zhang, demo):
    zhang.press("6")
    spoken = zhang.prompt.split("动态验证码是")[1].split("，")[0].replace(" ", "")
    later = PaymentCode.objects.get().expires_at + dt.timedelta(seconds=1)

    assert payment_code_redeem(card_ref=str(demo["zhang_card"].pk), code=spoken, now=later) is False


def test_a_new_payment_code_replaces_the_previous_one(zhang, demo):
    zhang.press("6")
    first = zhang.prompt.split("动态验证码是")[1].split("，")[0].replace(" ", "")
    zhang.press("1")
    second = zhang.prompt.split("动态验证码是")[1].split("，")[0].replace(" ", "")
    ref = str(demo["zhang_card"].pk)

    assert payment_code_redeem(card_ref=ref, code=first) is (first == second)
    assert payment_code_redeem(card_ref=ref, code=second) is (first != second)


def test_no_payment_code_from_an_unregistered_phone(demo, phone):
    p = phone("13700000000")
    p.verify_by_id()

    p.press("6")

    assert "只能使用您在我行登记的手机号码来电获取" in p.prompt
    assert PaymentCode.objects.count() == 0


# --- phone cash advance (IVR-9) --------------------------------------------------------------


@pytest.fixture
def zhang_with_transaction_password(zhang):
    zhang.keys("3", "2", "480261#", "480261#", "*", "*")
    assert zhang.node == "services:menu"
    return zhang


def test_cash_advance_states_the_fee_before_confirmation_and_posts_once(
    zhang_with_transaction_password, demo
):
    p = zhang_with_transaction_password
    p.keys("7", "480261#")
    assert "可预借现金额度为人民币20,000.00元" in p.prompt

    p.press("3000#")
    assert "预借现金人民币3,000.00元，手续费人民币30.00元，合计人民币3,030.00元" in p.prompt
    assert Transaction.objects.filter(kind="cash").count() == 0
    p.press("1")
    assert "已办理成功" in p.prompt and "人民币16,970.00元" in p.prompt
    p.press("1")  # the same key again: now the services menu's "1" (bills), no second advance

    assert Transaction.objects.filter(kind="cash").count() == 1
    fee = Transaction.objects.get(kind="fee")
    assert fee.amount == Decimal("30.00")
    account = CardAccount.objects.get(pk=demo["zhang_account"].pk)
    assert account.available_cash_cny == Decimal("16970.00")


def test_the_minimum_fee_applies_to_small_advances(zhang_with_transaction_password):
    p = zhang_with_transaction_password
    p.keys("7", "480261#", "500#")

    assert "手续费人民币10.00元" in p.prompt


def test_the_fee_rule_is_configurable(zhang_with_transaction_password, settings):
    settings.KEFU_IVR_CASH_ADVANCE_FEE_RATE = "0.025"
    settings.KEFU_IVR_CASH_ADVANCE_FEE_MIN = "20"
    p = zhang_with_transaction_password
    p.keys("7", "480261#", "1000#")

    assert "手续费人民币25.00元" in p.prompt


def test_an_advance_beyond_the_available_cash_is_refused(zhang_with_transaction_password):
    p = zhang_with_transaction_password
    p.keys("7", "480261#", "19900#")

    assert "超过了您的可预借现金额度" in p.prompt
    assert p.node == "cash:ask_amount"
    assert Transaction.objects.filter(kind="cash").count() == 0


def test_a_confirmation_replayed_by_the_platform_does_not_advance_twice(
    zhang_with_transaction_password,
):
    from kefu.ivr.actions import ActionContext
    from kefu.ivr.actions.money import cash_confirm

    p = zhang_with_transaction_password
    p.keys("7", "480261#", "1000#")
    call = p.call
    vars_before = dict(call.state["vars"])

    for _ in range(2):  # the same quote confirmed twice (e.g. a retried request)
        ctx = ActionContext(
            call=call, vars=dict(vars_before), inputs={}, spoken={}, params={}, by=None,
            now=call.started_at, node_ref="cash:post",
        )  # fmt: skip
        assert cash_confirm(ctx) == "done"

    assert Transaction.objects.filter(kind="cash").count() == 1


def test_cash_advance_needs_a_transaction_password(zhang):
    zhang.press("7")

    assert "请先在密码服务中设置交易密码" in zhang.prompt


def test_installment_goes_to_an_agent_with_the_reason(zhang):
    step = zhang.press("8")

    assert step.done is True
    assert step.action["type"] == "transfer"
    assert step.action["context"]["reason"] == "installment"
    assert step.action["context"]["last_function"] == "installment"


# --- nothing a caller does changes another customer's data ------------------------------------


@pytest.fixture
def li(demo, phone):
    """李娜, the supplementary cardholder on 张伟's account, verified by card number."""
    p = phone("13911110002")
    p.verify_by_card("6288880000000021", "246802")
    assert p.node == "services:menu"
    return p


@pytest.mark.parametrize(
    "keys,refusal",
    [
        (["4", "3"], "修改账单寄送方式仅限主卡持卡人办理"),
        (["5", "2", "1"], "自动还款设置仅限主卡持卡人办理"),
    ],
)
def test_a_supplementary_cardholder_cannot_change_the_primary_holders_account(
    li, demo, keys, refusal
):
    before = CardAccount.objects.filter(pk=demo["zhang_account"].pk).values().get()
    audit = AuditEvent.objects.count()

    li.keys(*keys)

    assert refusal in li.heard[-len(keys)]
    assert CardAccount.objects.filter(pk=demo["zhang_account"].pk).values().get() == before
    assert AuditEvent.objects.count() == audit


def test_a_lost_card_report_offers_only_the_callers_own_cards(demo, phone):
    p = phone("13911110002")
    p.press("2#")
    p.verify_by_card("6288880000000021", "246802")

    assert "尾号0021" in p.prompt and "0013" not in p.prompt
    p.press("1")

    assert Card.objects.get(pk=demo["li_card"].pk).status == Card.Status.LOST
    assert Card.objects.get(pk=demo["zhang_card"].pk).status == Card.Status.ACTIVE
    assert not Card.objects.filter(holder=demo["zhang"]).exclude(pk=demo["zhang_card"].pk).exists()


def test_a_password_change_touches_only_the_verified_card(li, demo):
    zhang_before = Card.objects.get(pk=demo["zhang_card"].pk).query_password_hash

    li.keys("3", "1", "582046#", "582046#")

    assert "查询密码修改成功" in li.prompt
    assert verify_secret(Card.objects.get(pk=demo["li_card"].pk).query_password_hash, "582046")
    assert Card.objects.get(pk=demo["zhang_card"].pk).query_password_hash == zhang_before


@pytest.mark.parametrize("weak", ["222222", "987654", "780315"])
def test_weak_transaction_passwords_are_refused(zhang, demo, weak):
    zhang.keys("3", "2", weak + "#")

    assert "过于简单" in zhang.prompt
    assert zhang.node == "passwords:txn_new"
    assert Card.objects.get(pk=demo["zhang_card"].pk).transaction_password_hash == ""
