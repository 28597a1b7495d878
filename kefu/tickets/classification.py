"""What a ticket is about: kinds, business categories, intake channels and the REG-2
complaint classification of JR/T 0169-2018 (PBoC, financial consumer complaints).

JR/T 0169-2018 classifies a complaint in three dimensions — the channel through which the
business was handled (A), the business type (B) and the cause (C) — each coded by large,
middle and small class, with "other" coded 9 (one digit) or 99 (two digits). The code tables
below follow that scheme; they are data, so a bank that reports with a different edition of
the tables changes them here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    """SR-2: the type of a service request."""

    INQUIRY = "inquiry", _("Inquiry")
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    OTHER = "other", pgettext_lazy("ticket kind", "Other")


class Channel(models.TextChoices):
    """SR-1: where the request came in."""

    HOTLINE = "hotline", _("Hotline agent")
    IVR_TRANSFER = "ivr_transfer", _("IVR transfer")
    CHAT = "chat", _("Online chat")
    EMAIL = "email", _("Email")
    WALK_IN = "walk_in", _("Walk-in")
    LETTER = "letter", _("Letter")
    REGULATOR = "regulator", _("Regulator referral")


# Channels on which the agent is talking to the customer while recording: creating the ticket
# is the first response.
LIVE_CHANNELS = frozenset({Channel.HOTLINE, Channel.IVR_TRANSFER, Channel.CHAT, Channel.WALK_IN})


class Category(models.TextChoices):
    """The business a request is about (the centre's own categories, finer than REG-2)."""

    BILL = "bill", _("Statement and bill")
    LIMIT = "limit", _("Credit limit")
    CARD_LOSS = "card_loss", _("Lost or stolen card")
    ACTIVATION = "activation", _("Card activation")
    PASSWORD = "password", _("Passwords")
    INSTALLMENT = "installment", _("Installments")
    REPAYMENT = "repayment", _("Repayment")
    FEES = "fees", _("Fees and interest")
    POINTS = "points", _("Points and benefits")
    APPLICATION = "application", _("Card application")
    DISPUTE = "dispute", _("Disputed transaction or fraud")
    PAYMENT = "payment", _("Transfers and payments")
    DEPOSIT = "deposit", _("Deposits")
    LOAN = "loan", _("Loans")
    WEALTH = "wealth", _("Funds and wealth products")
    BROKERAGE = "brokerage", _("Securities account")
    E_CHANNEL = "e_channel", _("App, online banking and technical faults")
    COLLECTION = "collection", _("Collection calls")
    SERVICE = "service", _("Service and staff")
    PERSONAL_INFO = "personal_info", _("Personal information")
    OTHER = "other", pgettext_lazy("business category", "Other")


# --- REG-2: JR/T 0169-2018 ------------------------------------------------------------------


@dataclass(frozen=True)
class Code:
    code: str
    label: str  # Chinese, as in the standard (reports are filed in Chinese)
    parent: str = ""


PBOC_CHANNELS: tuple[Code, ...] = (
    Code("1", "前台业务渠道"),
    Code("101", "营业现场", "1"),
    Code("102", "自助机具", "1"),
    Code("103", "电子渠道", "1"),
    Code("10301", "网银", "103"),
    Code("10302", "电话", "103"),
    Code("10303", "移动客户端", "103"),
    Code("10304", "网络公众平台", "103"),
    Code("10305", "短信", "103"),
    Code("10399", "其他电子渠道", "103"),
    Code("104", "第三方渠道", "1"),
    Code("199", "其他前台渠道", "1"),
    Code("2", "中后台业务渠道"),
    Code("9", "其他"),
)

PBOC_BUSINESS_TYPES: tuple[Code, ...] = (
    Code("1", "人民币储蓄"),
    Code("2", "贷款"),
    Code("201", "个人住房贷款", "2"),
    Code("202", "个人消费贷款", "2"),
    Code("203", "个人经营性贷款", "2"),
    Code("299", "其他贷款", "2"),
    Code("3", "银行卡"),
    Code("301", "借记卡", "3"),
    Code("302", "信用卡", "3"),
    Code("4", "支付结算"),
    Code("5", "人民币管理"),
    Code("6", "个人金融信息"),
    Code("9", "其他"),
)

PBOC_CAUSES: tuple[Code, ...] = (
    Code("01", "服务态度及服务质量"),
    Code("02", "服务设施、设备、业务系统"),
    Code("03", "管理制度、业务规则与流程"),
    Code("04", "营销方式和手段"),
    Code("05", "信息披露"),
    Code("06", "产品收益"),
    Code("07", "自主选择权"),
    Code("08", "合同条款"),
    Code("09", "消费者资金安全"),
    Code("10", "消费者信息安全"),
    Code("99", "其他"),
)

PBOC_DIMENSIONS = {
    "channel": PBOC_CHANNELS,
    "business": PBOC_BUSINESS_TYPES,
    "cause": PBOC_CAUSES,
}


def _leaves(codes: tuple[Code, ...]) -> list[Code]:
    parents = {c.parent for c in codes if c.parent}
    return [c for c in codes if c.code not in parents]


def pboc_choices(dimension: str) -> list[tuple[str, str]]:
    """(code, "code label") for the most specific classes of a dimension, for forms."""
    return [(c.code, f"{c.code} {c.label}") for c in _leaves(PBOC_DIMENSIONS[dimension])]


def pboc_label(dimension: str, code: str) -> str:
    for c in PBOC_DIMENSIONS[dimension]:
        if c.code == code:
            return c.label
    return ""


def pboc_large_class(dimension: str, code: str) -> str:
    """The top-level code a (possibly middle or small) code belongs to."""
    by_code = {c.code: c for c in PBOC_DIMENSIONS[dimension]}
    entry = by_code.get(code)
    while entry is not None and entry.parent:
        entry = by_code.get(entry.parent)
    return entry.code if entry else ""


def pboc_valid(dimension: str, code: str) -> bool:
    return code in {c.code for c in _leaves(PBOC_DIMENSIONS[dimension])}


# Defaults proposed on a new complaint; the complaint handler confirms them at assessment.
CHANNEL_TO_PBOC = {
    Channel.HOTLINE: "10302",
    Channel.IVR_TRANSFER: "10302",
    Channel.CHAT: "10304",
    Channel.EMAIL: "10399",
    Channel.WALK_IN: "101",
    Channel.LETTER: "199",
    Channel.REGULATOR: "9",
}

CATEGORY_TO_PBOC_BUSINESS = {
    Category.BILL: "302",
    Category.LIMIT: "302",
    Category.CARD_LOSS: "302",
    Category.ACTIVATION: "302",
    Category.PASSWORD: "302",
    Category.INSTALLMENT: "302",
    Category.REPAYMENT: "302",
    Category.FEES: "302",
    Category.POINTS: "302",
    Category.APPLICATION: "302",
    Category.DISPUTE: "302",
    Category.COLLECTION: "302",
    Category.PAYMENT: "4",
    Category.DEPOSIT: "1",
    Category.LOAN: "299",
    Category.PERSONAL_INFO: "6",
    Category.E_CHANNEL: "4",
    Category.WEALTH: "9",
    Category.BROKERAGE: "9",
    Category.SERVICE: "9",
    Category.OTHER: "9",
}

CATEGORY_TO_PBOC_CAUSE = {
    Category.SERVICE: "01",
    Category.E_CHANNEL: "02",
    Category.FEES: "08",
    Category.DISPUTE: "09",
    Category.PERSONAL_INFO: "10",
    Category.COLLECTION: "04",
    Category.WEALTH: "06",
}


def default_pboc(*, channel: str, category: str) -> dict[str, str]:
    return {
        "pboc_channel": CHANNEL_TO_PBOC.get(Channel(channel), "9") if channel else "9",
        "pboc_business": CATEGORY_TO_PBOC_BUSINESS.get(Category(category), "9")
        if category
        else "9",
        "pboc_cause": CATEGORY_TO_PBOC_CAUSE.get(Category(category), "03") if category else "99",
    }
