"""IVR-2: identity verification by ID number + query password, or card number + query
password (after ``*``: other documents and supplementary cardholders).

Each attempt is recorded as a ``verify`` event of the call (method, result, card tail; never
the numbers or the password). Wrong query passwords are counted on the card by the adapter,
which locks the password for the rest of the day at KEFU_IVR_PASSWORD_MAX_FAILURES.
"""

from __future__ import annotations

from django.conf import settings

from kefu.core.validators import resident_id_check_char
from kefu.customers.adapter import CardInfo
from kefu.ivr.actions import ActionContext, action

MAX_LOOKUP_FAILURES = 3  # unknown ID or card numbers in one call before it gives up

VERIFY_VARS = (
    "card_ref",
    "account_ref",
    "card_last4",
    "card_role",
    "card_status",
    "customer_id",
    "auth_method",
)


def max_failures() -> int:
    return int(settings.KEFU_IVR_PASSWORD_MAX_FAILURES)


def _principal_card(cards: list[CardInfo]) -> CardInfo | None:
    """The card an ID-number caller verifies with: their own primary card, open ones first."""
    usable = [c for c in cards if c.status != "closed"]
    primary = [c for c in usable if c.role == "primary"]

    def rank(c: CardInfo) -> tuple:
        return (
            not c.has_query_password,
            {"active": 0, "lost": 1, "frozen": 2, "inactive": 3}.get(c.status, 4),
            int(c.ref) if c.ref.isdigit() else 0,
        )

    return sorted(primary, key=rank)[0] if primary else None


def _lookup_failed(ctx: ActionContext, method: str, result: str) -> str:
    failures = int(ctx.vars.get("lookup_failures") or 0) + 1
    ctx.vars["lookup_failures"] = failures
    ctx.record("verify", method=method, result=result)
    if failures >= MAX_LOOKUP_FAILURES:
        ctx.call.verification = "failed"
        return "too_many"
    return "not_found"


def _candidate(ctx: ActionContext, card: CardInfo, method: str) -> None:
    ctx.vars["cand_card"] = card.ref
    ctx.vars["cand_last4"] = card.last4
    ctx.vars["auth_method"] = method


@action("is_verified", outcomes=("yes", "no"))
def is_verified(ctx: ActionContext) -> str:
    return "yes" if ctx.call.verification == "verified" and ctx.vars.get("card_ref") else "no"


@action(
    "find_by_id",
    outcomes=("found", "not_found", "supplementary", "inactive", "no_password", "too_many"),
    sets=("cand_card", "cand_last4", "auth_method", "lookup_failures"),
)
def find_by_id(ctx: ActionContext) -> str:
    """The caller's principal card from the ID number they keyed in (input ``id_number``)."""
    from kefu.customers.selectors import customer_by_document

    number = str(ctx.value("id_number") or "")
    if len(number) != 18 or resident_id_check_char(number[:17]) != number[17]:
        return _lookup_failed(ctx, "id", "bad_number")
    customer = customer_by_document(number=number)
    if customer is None:
        return _lookup_failed(ctx, "id", "unknown")
    cards = ctx.adapter.cards_of_customer(customer_id=customer.pk)
    card = _principal_card(cards)
    if card is None:
        if any(c.role == "supplementary" and c.status != "closed" for c in cards):
            ctx.record("verify", method="id", result="supplementary")
            return "supplementary"
        return _lookup_failed(ctx, "id", "no_card")
    _candidate(ctx, card, "id")
    return _password_state(ctx, card, "id")


@action(
    "find_by_card",
    outcomes=("found", "not_found", "closed", "inactive", "no_password", "too_many"),
    sets=("cand_card", "cand_last4", "auth_method", "lookup_failures"),
)
def find_by_card(ctx: ActionContext) -> str:
    """The card the caller keyed in (input ``card_number``)."""
    card = ctx.adapter.find_card(number=str(ctx.value("card_number") or ""))
    if card is None:
        return _lookup_failed(ctx, "card", "unknown")
    if card.status == "closed":
        ctx.record("verify", method="card", result="closed", card_last4=card.last4)
        return "closed"
    _candidate(ctx, card, "card")
    return _password_state(ctx, card, "card")


def _password_state(ctx: ActionContext, card: CardInfo, method: str) -> str:
    if card.has_query_password:
        return "found"
    # A new card gets its first query password when it is activated (4#).
    result = "inactive" if card.status == "inactive" else "no_password"
    ctx.record("verify", method=method, result=result, card_last4=card.last4)
    return result


@action(
    "check_password",
    outcomes=("ok", "wrong", "locked"),
    sets=("tries_left", *VERIFY_VARS),
)
def check_password(ctx: ActionContext) -> str:
    """Check the query password (input ``password``) of the candidate card."""
    method = str(ctx.vars.get("auth_method") or "")
    check = ctx.adapter.check_query_password(
        card_ref=str(ctx.vars.get("cand_card") or ""),
        password=str(ctx.value("password")),
        max_failures=max_failures(),
        today=ctx.today,
        by=ctx.by,
        channel=ctx.CHANNEL,
    )
    card = check.card
    ctx.call.card_last4 = card.last4
    if check.result == "ok":
        ctx.record("verify", method=method, result="ok", card_last4=card.last4)
        _verified(ctx, card, method)
        return "ok"
    if check.result in ("locked", "locked_now"):
        ctx.record("verify", method=method, result=check.result, card_last4=card.last4)
        ctx.call.verification = "locked"
        return "locked"
    ctx.record("verify", method=method, result="wrong_password", card_last4=card.last4)
    ctx.call.verification = "failed"
    ctx.vars["tries_left"] = max_failures() - check.failures
    return "wrong"


def _verified(ctx: ActionContext, card: CardInfo, method: str) -> None:
    call = ctx.call
    call.verification = "verified"
    call.verification_method = method
    call.customer_id = card.holder_customer_id
    call.card_last4 = card.last4
    ctx.vars.update(
        card_ref=card.ref,
        account_ref=card.account_ref,
        card_last4=card.last4,
        card_role=card.role,
        card_status=card.status,
        customer_id=card.holder_customer_id,
        auth_method=method,
    )
    for key in ("cand_card", "lookup_failures", "tries_left"):
        ctx.vars.pop(key, None)


@action("card_role", outcomes=("primary", "supplementary"))
def card_role(ctx: ActionContext) -> str:
    """Bills and auto-repayment are for the primary cardholder only."""
    return "primary" if ctx.vars.get("card_role") == "primary" else "supplementary"
