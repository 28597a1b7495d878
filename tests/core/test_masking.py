"""SEC-3 masking: exact masked forms, free text, template filters."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils.safestring import mark_safe
from hypothesis import given
from hypothesis import strategies as st

from kefu.core.masking import (
    mask_account,
    mask_card,
    mask_id_number,
    mask_mobile,
    mask_name,
    mask_text,
)
from tests.core.test_validators import card_numbers, mobiles, resident_ids

# --- one number ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("6288880000000013", "628888******0013"),
        ("6288 8800 0000 0013", "628888******0013"),
        ("6288-8800-0000-0013", "628888******0013"),
        ("6222021234567890128", "622202*********0128"),
        ("4222222222222", "422222***2222"),
        (6288880000000013, "628888******0013"),
        ("12345", "*2345"),
        ("", ""),
        (None, ""),
    ],
)
def test_it_masks_a_card_number_to_first_6_and_last_4(number, masked):
    assert mask_card(number) == masked


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("13911110001", "139****0001"),
        ("+86 139 1111 0001", "139****0001"),
        ("0086-139-1111-0001", "139****0001"),
        ("8613911110001", "139****0001"),
        ("010-62345678", "*******5678"),
        ("", ""),
        (None, ""),
    ],
)
def test_it_masks_a_mobile_to_first_3_and_last_4(number, masked):
    assert mask_mobile(number) == masked


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("110105197803150315", "1101**********0315"),
        ("11010519491231002X", "1101**********002X"),
        ("110105 19780315 0315", "1101**********0315"),
        ("E12345678", "E*****678"),
        ("H1234567890", "H*******890"),
        ("AB123", "***23"),
        ("1234", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_it_masks_an_identity_document_hiding_the_middle(number, masked):
    assert mask_id_number(number) == masked


def test_it_masks_accounts_and_names():
    assert mask_account("6217000010001234567") == "6217***********4567"
    assert mask_account("12345678") == "****5678"
    assert mask_name("张伟") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name(None) == ""


# --- free text -------------------------------------------------------------------------------


def test_it_masks_every_number_in_a_chinese_sentence():
    text = "客户张伟，手机13911110001，身份证110105197803150315，卡号6288 8800 0000 0013"

    assert mask_text(text) == (
        "客户张伟，手机139****0001，身份证1101**********0315，卡号628888******0013"
    )


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("来电 +86 139 1111 0001 查询", "来电 139****0001 查询"),
        ("来电0086-139-1111-0001", "来电139****0001"),
        ("mobile=8613911110001;", "mobile=139****0001;"),
        ("id=11010519491231002x,", "id=1101**********002x,"),
        ("证件 110105 19780315 0315 已核", "证件 1101**********0315 已核"),
        ("card:6288880000000013", "card:628888******0013"),
        ("卡 6222 0212 3456 7890 128。", "卡 622202*********0128。"),
        ("卡 622202 1234567890128。", "卡 622202*********0128。"),
        ("Amex 3782 822463 10005", "Amex 378282*****0005"),
        ("两张卡 6288880000000013/6288880000000021", "两张卡 628888******0013/628888******0021"),
        ("on 2026-11-25 13911110001 called", "on 2026-11-25 139****0001 called"),
        ("13911110001 3256", "139****0001 3256"),
        ("全角１３９１１１１０００１", "全角１３９****０００１"),
    ],
)
def test_it_masks_numbers_in_their_usual_written_forms(text, masked):
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "本期应还金额 3,256.18 元，最低还款 325.62 元",
        "¥12,345,678.90",
        "到期日 2026-11-25，账单日 2026年11月5日",
        "2026-11-25 10:30:00,123 INFO kefu request done in 42 ms",
        "座机 0755-12345678 或 021-62345678",
        "工单 SR-20261125-0001，交易 TXN-T00000042",
        "IP 192.168.10.254, port 8000, 1234 5678",
        "",
    ],
)
def test_it_leaves_amounts_dates_and_other_numbers_alone(text):
    assert mask_text(text) == text


def test_it_passes_none_through():
    assert mask_text(None) is None


def full_number_survives(number: str, text: str) -> bool:
    compact = re.sub(r"[\s-]", "", text)
    return number in text or number.upper() in compact.upper()


# Text around a number: Chinese, ASCII letters and punctuation; never a digit right next to
# the number (that would make it a different, longer number).
filler = st.text(
    alphabet=st.sampled_from(
        list("客户张伟手机身份证号卡号码的是，。：；（）") + list("abcXYZ :;,.()/=#_+") + ["\n"]
    ),
    max_size=12,
)
digits_inside = st.text(alphabet=st.sampled_from(list("0123456789 ")), max_size=8)


@st.composite
def sentences_with(draw, numbers):
    number = draw(numbers)
    before = draw(filler) + draw(digits_inside) + draw(filler)
    after = draw(filler) + draw(digits_inside) + draw(filler)
    if before and before[-1].isdigit():
        before += "，"
    if after and after[0].isdigit():
        after = "。" + after
    return number, before + number + after


@given(case=sentences_with(card_numbers()))
def test_a_card_number_never_survives_in_free_text(case):
    number, text = case

    assert not full_number_survives(number, mask_text(text))


@given(case=sentences_with(resident_ids()))
def test_a_resident_id_never_survives_in_free_text(case):
    number, text = case

    assert not full_number_survives(number, mask_text(text))


@given(case=sentences_with(mobiles))
def test_a_mobile_never_survives_in_free_text(case):
    number, text = case

    assert not full_number_survives(number, mask_text(text))


@given(
    mobile=mobiles,
    card=card_numbers(),
    resident_id=resident_ids(),
    order=st.permutations([0, 1, 2]),
)
def test_several_numbers_in_one_line_are_all_masked(mobile, card, resident_id, order):
    labels = ["手机", "卡号", "身份证"]
    numbers = [mobile, card, resident_id]
    text = "，".join(f"{labels[i]}{numbers[i]}" for i in order)

    masked = mask_text(text)

    for number in numbers:
        assert not full_number_survives(number, masked)


@given(
    amount=st.decimals(
        min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2, allow_nan=False
    ),
    day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)),
)
def test_amounts_and_dates_are_never_masked(amount, day):
    text = f"{day.isoformat()} 还款 {amount:,.2f} 元（{amount}），{day:%Y年%m月%d日}"

    assert mask_text(text) == text


# --- template filters ------------------------------------------------------------------------


def render(source: str, **context) -> str:
    return Template("{% load kefu %}" + source).render(Context(context))


def test_template_filters_render_masked_numbers():
    html = render(
        "{{ card|mask_card }}|{{ mobile|mask_mobile }}|{{ doc|mask_id }}|"
        "{{ account|mask_account }}|{{ name|mask_name }}|{{ note|mask_text }}",
        card="6288880000000013",
        mobile="13911110001",
        doc="110105197803150315",
        account="6217000010001234567",
        name="张伟",
        note="回电 13911110001",
    )

    assert html == (
        "628888******0013|139****0001|1101**********0315|6217***********4567|张*|回电 139****0001"
    )


def test_template_filters_render_nothing_for_missing_values():
    assert render("[{{ card|mask_card }}][{{ mobile|mask_mobile }}]", card=None) == "[][]"


def test_mask_text_still_escapes_unsafe_html_and_keeps_safe_html():
    unsafe = render("{{ note|mask_text }}", note="<b>13911110001</b>")
    safe = render("{{ note|mask_text }}", note=mark_safe("<b>13911110001</b>"))  # noqa: S308

    assert unsafe == "&lt;b&gt;139****0001&lt;/b&gt;"
    assert safe == "<b>139****0001</b>"
