"""IVR-9 phone cash advance (fee stated before confirmation, once per quote) and IVR-8
payment verification codes (registered phone only, 6 digits, a few minutes, single use)."""

from __future__ import annotations

import secrets
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from kefu.customers.adapter import CoreBankingError
from kefu.ivr.actions import ActionContext, action

CENT = Decimal("0.01")


def cash_advance_fee(amount: Decimal) -> Decimal:
    """The fee of a phone cash advance: KEFU_IVR_CASH_ADVANCE_FEE_RATE of the amount, at
    least KEFU_IVR_CASH_ADVANCE_FEE_MIN (default 1 %, at least 10 CNY)."""
    rate = Decimal(str(settings.KEFU_IVR_CASH_ADVANCE_FEE_RATE))
    minimum = Decimal(str(settings.KEFU_IVR_CASH_ADVANCE_FEE_MIN))
    return max((amount * rate).quantize(CENT, rounding=ROUND_HALF_UP), minimum)


@action(
    "cash_available",
    outcomes=("ok", "switched_off", "card_not_active", "none"),
    sets=("ca_available",),
)
def cash_available(ctx: ActionContext) -> str:
    card = ctx.adapter.get_card(card_ref=str(ctx.vars.get("card_ref")))
    if card.status != "active":
        return "card_not_active"
    if not card.cash_advance_enabled:
        return "switched_off"
    cny = next(
        lim for lim in ctx.adapter.limits(account_ref=card.account_ref) if lim.currency == "CNY"
    )
    ctx.vars["ca_available"] = str(cny.available_cash)
    minimum = Decimal(str(settings.KEFU_IVR_CASH_ADVANCE_FEE_MIN))
    return "ok" if cny.available_cash > minimum else "none"


@action(
    "cash_quote",
    outcomes=("ok", "over_limit"),
    sets=("ca_amount", "ca_fee", "ca_total", "ca_quote"),
)
def cash_quote(ctx: ActionContext) -> str:
    """Fee and total for the amount keyed in whole yuan (``ca_entry``), within the cash
    available; a quote number makes the confirmation idempotent."""
    amount = Decimal(str(ctx.vars.get("ca_entry") or "0")).quantize(CENT)
    fee = cash_advance_fee(amount)
    available = Decimal(str(ctx.vars.get("ca_available") or "0"))
    ctx.vars.update(ca_amount=str(amount), ca_fee=str(fee), ca_total=str(amount + fee))
    if amount + fee > available:
        ctx.vars.pop("ca_quote", None)
        ctx.record("action", action="cash_advance", result="over_limit", amount=str(amount))
        return "over_limit"
    ctx.vars["ca_quote"] = secrets.token_hex(6)
    return "ok"


@action(
    "cash_confirm",
    outcomes=("done", "failed", "no_quote"),
    sets=("ca_available",),
)
def cash_confirm(ctx: ActionContext) -> str:
    """Post the quoted advance. The quote is used up: the same confirmation key pressed
    again (or a repeated request) never advances twice; the adapter's idempotency key is
    the second guard."""
    quote = ctx.vars.pop("ca_quote", None)
    if not quote:
        return "no_quote"
    try:
        result = ctx.adapter.cash_advance(
            card_ref=str(ctx.vars.get("card_ref")),
            amount=Decimal(str(ctx.vars["ca_amount"])),
            fee=Decimal(str(ctx.vars["ca_fee"])),
            idempotency_key=f"ivr-{ctx.call.pk.hex}-{quote}",
            by=ctx.by,
            channel=ctx.CHANNEL,
        )
    except CoreBankingError:
        ctx.record("action", action="cash_advance", result="refused")
        return "failed"
    ctx.vars["ca_available"] = str(result.available_cash_after)
    ctx.record(
        "action",
        action="cash_advance",
        result="duplicate" if result.duplicate else "posted",
        amount=str(result.amount),
        fee=str(result.fee),
        reference=result.reference,
    )
    return "done"


@action(
    "payment_code",
    outcomes=("issued", "not_registered"),
    sets=("payment_code", "code_minutes"),
)
def payment_code(ctx: ActionContext) -> str:
    """A one-time payment code read out to a caller on a registered phone (IVR-8)."""
    from kefu.ivr.services import payment_code_issue

    code = payment_code_issue(
        call=ctx.call,
        customer_id=int(ctx.vars["customer_id"]),
        card_ref=str(ctx.vars["card_ref"]),
        now=ctx.now,
    )
    if code is None:
        ctx.record("action", action="payment_code", result="not_registered_phone")
        return "not_registered"
    ctx.spoken["payment_code"] = code
    ctx.vars["code_minutes"] = int(settings.KEFU_IVR_PAYMENT_CODE_MINUTES)
    ctx.record("action", action="payment_code", result="issued")
    return "issued"
