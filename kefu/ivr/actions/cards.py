"""Card actions: lost-card report with replacement (2#), activation (4#), card-detail checks,
and the cash-advance and swipe-password switches (IVR-3, IVR-6)."""

from __future__ import annotations

from kefu.customers.adapter import CardInfo
from kefu.ivr.actions import ActionContext, action

SWITCHES = {"cash_advance": "cash_advance_enabled", "swipe_password": "swipe_password_enabled"}
MAX_DETAIL_FAILURES = 3


# --- lost card (2#) -------------------------------------------------------------------------


def _reportable(ctx: ActionContext) -> list[CardInfo]:
    """The verified caller's own cards, the verified card first."""
    verified = str(ctx.vars.get("card_ref") or "")
    customer_id = ctx.vars.get("customer_id")
    cards = ctx.adapter.cards_of_customer(customer_id=int(customer_id)) if customer_id else []
    cards = [c for c in cards if c.status != "closed"]
    return sorted(cards, key=lambda c: (c.ref != verified, int(c.ref) if c.ref.isdigit() else 0))


@action(
    "lost_card_choices",
    outcomes=("one", "several", "none"),
    sets=("lost_card", "lost_last4", "lost_menu", "lost_count"),
)
def lost_card_choices(ctx: ActionContext) -> str:
    """Which card to report: the only one, or a spoken list (按1 … 按n)."""
    cards = _reportable(ctx)[:9]
    if not cards:
        return "none"
    if len(cards) == 1:
        ctx.vars.update(lost_card=cards[0].ref, lost_last4=cards[0].last4)
        return "one"
    ctx.vars["lost_menu"] = "，".join(
        f"挂失尾号{c.last4}的卡请按{i}" for i, c in enumerate(cards, start=1)
    )
    ctx.vars["lost_count"] = len(cards)
    ctx.vars["lost_choices"] = [c.ref for c in cards]
    return "several"


@action("lost_card_pick", outcomes=("ok", "invalid"), sets=("lost_card", "lost_last4"))
def lost_card_pick(ctx: ActionContext) -> str:
    choices = list(ctx.vars.get("lost_choices") or [])
    choice = str(ctx.vars.get("choice") or "")
    if not choice.isdigit() or not 1 <= int(choice) <= len(choices):
        return "invalid"
    card = ctx.adapter.get_card(card_ref=choices[int(choice) - 1])
    ctx.vars.update(lost_card=card.ref, lost_last4=card.last4)
    return "ok"


@action("lost_card_report", outcomes=("reported", "already"), sets=("new_last4",))
def lost_card_report(ctx: ActionContext) -> str:
    """Block the chosen card at once and open a replacement request (IVR-3 2#).

    Only a card of the verified caller can be chosen (``lost_card_choices``). A card that
    is already reported lost is not reported, nor replaced, again.
    """
    ref = str(ctx.vars.get("lost_card") or "")
    allowed = {c.ref for c in _reportable(ctx)}
    if ref not in allowed:  # pragma: no cover - the flow only offers the caller's cards
        raise PermissionError("card of another customer")
    card = ctx.adapter.get_card(card_ref=ref)
    if card.status == "lost":
        ctx.record("action", action="lost_card", result="already_lost", card_last4=card.last4)
        return "already"
    ctx.adapter.block_card(card_ref=ref, reason="lost (IVR 2#)", by=ctx.by, channel=ctx.CHANNEL)
    replacement = ctx.adapter.request_replacement(
        card_ref=ref, reason="lost", by=ctx.by, channel=ctx.CHANNEL
    )
    ctx.vars["new_last4"] = replacement.last4
    ctx.record(
        "action",
        action="lost_card",
        result="blocked_and_replaced",
        card_last4=card.last4,
        replacement_last4=replacement.last4,
    )
    return "reported"


# --- activation (4#) and card details -------------------------------------------------------


@action(
    "find_card_to_activate",
    outcomes=("inactive", "active", "blocked", "not_found"),
    sets=("cand_card", "cand_last4"),
)
def find_card_to_activate(ctx: ActionContext) -> str:
    card = ctx.adapter.find_card(number=str(ctx.value("card_number") or ""))
    if card is None:
        ctx.record("action", action="activation", result="unknown_card")
        return "not_found"
    ctx.vars.update(cand_card=card.ref, cand_last4=card.last4)
    if card.status == "inactive":
        return "inactive"
    ctx.record("action", action="activation", result=f"card_{card.status}", card_last4=card.last4)
    return "active" if card.status == "active" else "blocked"


@action("hold_expiry", outcomes=("next",))
def hold_expiry(ctx: ActionContext) -> str:
    """Compare the expiry keyed as MMYY (input ``expiry``) now and keep only whether it
    matched, so the caller is not told which detail was wrong."""
    card = ctx.adapter.get_card(card_ref=str(ctx.vars.get("cand_card") or ""))
    entered = str(ctx.value("expiry") or "")
    ctx.vars["expiry_ok"] = entered == card.expiry.strftime("%m%y")
    return "next"


@action("check_card_details", outcomes=("ok", "mismatch", "too_many"))
def check_card_details(ctx: ActionContext) -> str:
    """Expiry (held) and the last six characters of the holder's ID (input ``id_last6``)."""
    from kefu.customers.models import IdentityDocument

    card = ctx.adapter.get_card(card_ref=str(ctx.vars.get("cand_card") or ""))
    last6 = str(ctx.value("id_last6") or "").upper()
    documents = (
        IdentityDocument.objects.filter(customer_id=card.holder_customer_id)
        if card.holder_customer_id
        else IdentityDocument.objects.none()
    )
    id_ok = any(d.number.upper().endswith(last6) for d in documents)
    expiry_ok = bool(ctx.vars.pop("expiry_ok", False))
    if id_ok and expiry_ok:
        ctx.vars.pop("detail_failures", None)
        ctx.record("verify", method="card_details", result="ok", card_last4=card.last4)
        return "ok"
    failures = int(ctx.vars.get("detail_failures") or 0) + 1
    ctx.vars["detail_failures"] = failures
    ctx.record("verify", method="card_details", result="mismatch", card_last4=card.last4)
    return "too_many" if failures >= MAX_DETAIL_FAILURES else "mismatch"


# --- switches -------------------------------------------------------------------------------


@action("switch_state", outcomes=("on", "off"), params=("switch",))
def switch_state(ctx: ActionContext) -> str:
    card = ctx.adapter.get_card(card_ref=str(ctx.vars.get("card_ref")))
    return "on" if getattr(card, SWITCHES[ctx.params.get("switch", "cash_advance")]) else "off"


@action("set_switch", outcomes=("done",), params=("switch", "value"))
def set_switch(ctx: ActionContext) -> str:
    switch = ctx.params.get("switch", "cash_advance")
    value = ctx.params.get("value") == "on"
    ctx.adapter.set_card_switches(
        card_ref=str(ctx.vars.get("card_ref")),
        by=ctx.by,
        channel=ctx.CHANNEL,
        **{SWITCHES[switch]: value},
    )
    ctx.record("action", action=f"{switch}_switch", result="on" if value else "off")
    return "done"
