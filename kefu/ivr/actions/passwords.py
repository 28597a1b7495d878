"""IVR-6: query and transaction passwords (set and change), weak-password refusal.

A new password is keyed twice. The first entry is kept only as a keyed hash (HMAC) in the
call until the second arrives in the next request; the password itself is passed once, to
the adapter, which stores an argon2 hash.
"""

from __future__ import annotations

import datetime as dt
import hmac

from kefu.core.crypto import lookup_hash
from kefu.ivr.actions import ActionContext, action

MAX_TRANSACTION_PASSWORD_FAILURES = 3


def weak_password_reason(
    password: str, *, birth_date: dt.date | None = None, documents: list[str] | tuple = ()
) -> str | None:
    """Why a 6-digit password is too easy to guess, or None.

    "repeated" (111111, 121212, 123123), "sequential" (123456, 654321), "birthday" (the
    holder's birth date as YYMMDD, MMDDYY, DDMMYY, YYYYMM or MMYYYY) or "document" (the
    last six characters of the holder's ID number).
    """
    if len(set(password)) == 1 or password == password[:2] * 3 or password == password[:3] * 2:
        return "repeated"
    steps = {int(b) - int(a) for a, b in zip(password, password[1:], strict=False)}
    if steps in ({1}, {-1}):
        return "sequential"
    if birth_date is not None:
        forms = {birth_date.strftime(f) for f in ("%y%m%d", "%m%d%y", "%d%m%y", "%Y%m", "%m%Y")}
        if password in forms:
            return "birthday"
    if any(password == d[-6:].upper() for d in documents if d):
        return "document"
    return None


def _holder(ctx: ActionContext, card_ref: str):
    from kefu.customers.models import Customer

    card = ctx.adapter.get_card(card_ref=card_ref)
    customer = (
        Customer.objects.filter(pk=card.holder_customer_id).prefetch_related("documents").first()
        if card.holder_customer_id
        else None
    )
    return card, customer


def _card_ref(ctx: ActionContext) -> str:
    which = ctx.params.get("card", "verified")
    return str(ctx.vars.get("card_ref" if which == "verified" else "cand_card") or "")


def _mac(ctx: ActionContext, password: str) -> str:
    return lookup_hash("ivr-new-password", f"{ctx.call.pk}:{password}")


@action(
    "hold_new_password",
    outcomes=("ok", "weak"),
    sets=("weak_reason",),
    params=("card",),
)
def hold_new_password(ctx: ActionContext) -> str:
    """Check the first entry of a new password (input ``new_password``) and keep its HMAC."""
    password = str(ctx.value("new_password") or "")
    _card, customer = _holder(ctx, _card_ref(ctx))
    reason = weak_password_reason(
        password,
        birth_date=customer.birth_date if customer else None,
        documents=[d.number for d in customer.documents.all()] if customer else [],
    )
    if reason:
        ctx.vars["weak_reason"] = reason
        ctx.record("action", action="new_password", result="weak", reason=reason)
        ctx.vars.pop("new_password_mac", None)
        return "weak"
    ctx.vars["new_password_mac"] = _mac(ctx, password)
    return "ok"


@action(
    "set_password",
    outcomes=("ok", "mismatch"),
    params=("card", "kind", "activate"),
)
def set_password(ctx: ActionContext) -> str:
    """Compare the second entry (input ``confirm_password``) and set the password.

    ``kind``: query (default) or transaction; ``activate: true`` also activates the card
    (4# card activation sets the first query password).
    """
    password = str(ctx.value("confirm_password") or "")
    held = str(ctx.vars.pop("new_password_mac", "") or "")
    kind = ctx.params.get("kind", "query")
    if not held or not hmac.compare_digest(held, _mac(ctx, password)):
        ctx.record("action", action=f"{kind}_password", result="mismatch")
        return "mismatch"
    ref = _card_ref(ctx)
    if ctx.params.get("activate"):
        ctx.adapter.activate_card(card_ref=ref, by=ctx.by, channel=ctx.CHANNEL)
    if kind == "transaction":
        ctx.adapter.set_transaction_password(
            card_ref=ref, password=password, by=ctx.by, channel=ctx.CHANNEL
        )
    else:
        ctx.adapter.set_query_password(
            card_ref=ref, password=password, by=ctx.by, channel=ctx.CHANNEL
        )
    ctx.record(
        "action",
        action=f"{kind}_password",
        result="activated_and_set" if ctx.params.get("activate") else "set",
    )
    return "ok"


@action("transaction_password_set", outcomes=("yes", "no"))
def transaction_password_set(ctx: ActionContext) -> str:
    card = ctx.adapter.get_card(card_ref=str(ctx.vars.get("card_ref")))
    return "yes" if card.has_transaction_password else "no"


@action("check_transaction_password", outcomes=("ok", "wrong", "too_many"), sets=("tries_left",))
def check_transaction_password(ctx: ActionContext) -> str:
    """The verified card's transaction password (input ``password``); 3 wrong in a call end
    the function."""
    ref = str(ctx.vars.get("card_ref"))
    if ctx.adapter.verify_transaction_password(
        card_ref=ref, password=str(ctx.value("password") or "")
    ):
        ctx.vars.pop("txn_password_failures", None)
        ctx.record("verify", method="transaction_password", result="ok")
        return "ok"
    failures = int(ctx.vars.get("txn_password_failures") or 0) + 1
    ctx.vars["txn_password_failures"] = failures
    ctx.record("verify", method="transaction_password", result="wrong_password")
    if failures >= MAX_TRANSACTION_PASSWORD_FAILURES:
        ctx.vars.pop("txn_password_failures", None)
        return "too_many"
    ctx.vars["tries_left"] = MAX_TRANSACTION_PASSWORD_FAILURES - failures
    return "wrong"
