"""Account actions: limits (IVR-5), statement delivery and auto-repayment (IVR-7)."""

from __future__ import annotations

from kefu.core.errors import ValidationFailed
from kefu.ivr.actions import ActionContext, action

DELIVERY_LABELS = {"email": "电子账单", "paper": "纸质账单", "both": "电子账单加纸质账单"}
MODE_LABELS = {"full": "全额还款", "minimum": "最低还款额"}


def _account_ref(ctx: ActionContext) -> str:
    return str(ctx.vars.get("account_ref") or "")


@action(
    "limits",
    outcomes=("ok", "no_usd"),
    sets=("cny_credit", "cny_cash", "usd_credit", "usd_cash"),
)
def limits(ctx: ActionContext) -> str:
    """Available credit and cash advance in CNY and USD."""
    by_currency = {lim.currency: lim for lim in ctx.adapter.limits(account_ref=_account_ref(ctx))}
    cny, usd = by_currency.get("CNY"), by_currency.get("USD")
    ctx.vars.update(
        cny_credit=str(cny.available_credit) if cny else "0",
        cny_cash=str(cny.available_cash) if cny else "0",
        usd_credit=str(usd.available_credit) if usd else "0",
        usd_cash=str(usd.available_cash) if usd else "0",
    )
    return "ok" if usd is not None and usd.credit_limit > 0 else "no_usd"


@action("delivery_state", outcomes=("ok",), sets=("delivery_label",))
def delivery_state(ctx: ActionContext) -> str:
    account = ctx.adapter.get_account(account_ref=_account_ref(ctx))
    ctx.vars["delivery_label"] = DELIVERY_LABELS.get(account.statement_delivery, "")
    return "ok"


@action(
    "set_delivery", outcomes=("changed", "unchanged"), sets=("delivery_label",), params=("method",)
)
def set_delivery(ctx: ActionContext) -> str:
    method = ctx.params.get("method", "email")
    before = ctx.adapter.get_account(account_ref=_account_ref(ctx)).statement_delivery
    after = ctx.adapter.set_statement_delivery(
        account_ref=_account_ref(ctx), method=method, by=ctx.by, channel=ctx.CHANNEL
    )
    ctx.vars["delivery_label"] = DELIVERY_LABELS.get(after.statement_delivery, "")
    changed = before != after.statement_delivery
    ctx.record("action", action="statement_delivery", result=method if changed else "unchanged")
    return "changed" if changed else "unchanged"


@action(
    "auto_repay_state",
    outcomes=("on", "off"),
    sets=("auto_repay_mode_label", "auto_repay_tail"),
)
def auto_repay_state(ctx: ActionContext) -> str:
    account = ctx.adapter.get_account(account_ref=_account_ref(ctx))
    ctx.vars["auto_repay_mode_label"] = MODE_LABELS.get(account.auto_repay_mode, "")
    ctx.vars["auto_repay_tail"] = account.auto_repay_account_last4
    return "on" if account.auto_repay_enabled else "off"


@action("choose_auto_repay_mode", outcomes=("ok",), params=("mode",))
def choose_auto_repay_mode(ctx: ActionContext) -> str:
    ctx.vars["auto_repay_new_mode"] = ctx.params.get("mode", "full")
    return "ok"


@action(
    "set_auto_repay",
    outcomes=("ok", "bad_account"),
    sets=("auto_repay_mode_label", "auto_repay_tail"),
)
def set_auto_repay(ctx: ActionContext) -> str:
    """Apply or modify auto-repayment with the chosen mode and the debit account keyed in
    (input ``debit_account``; empty keeps the account on file)."""
    mode = str(ctx.vars.pop("auto_repay_new_mode", "full"))
    try:
        account = ctx.adapter.set_auto_repayment(
            account_ref=_account_ref(ctx),
            enabled=True,
            mode=mode,
            debit_account=str(ctx.value("debit_account") or ""),
            by=ctx.by,
            channel=ctx.CHANNEL,
        )
    except ValidationFailed:
        ctx.record("action", action="auto_repay", result="bad_account")
        return "bad_account"
    ctx.vars["auto_repay_mode_label"] = MODE_LABELS.get(account.auto_repay_mode, "")
    ctx.vars["auto_repay_tail"] = account.auto_repay_account_last4
    ctx.record("action", action="auto_repay", result=f"on_{mode}")
    return "ok"


@action("has_debit_account", outcomes=("yes", "no"))
def has_debit_account(ctx: ActionContext) -> str:
    account = ctx.adapter.get_account(account_ref=_account_ref(ctx))
    return "yes" if account.auto_repay_account_last4 else "no"


@action("cancel_auto_repay", outcomes=("ok",))
def cancel_auto_repay(ctx: ActionContext) -> str:
    ctx.adapter.set_auto_repayment(
        account_ref=_account_ref(ctx), enabled=False, by=ctx.by, channel=ctx.CHANNEL
    )
    ctx.record("action", action="auto_repay", result="cancelled")
    return "ok"
