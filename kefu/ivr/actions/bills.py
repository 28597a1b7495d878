"""IVR-4 bill inquiry: current statement, its lines, unbilled transactions, any of the last
12 months, and fax / re-mail of a statement (a background job renders it as a PDF)."""

from __future__ import annotations

from kefu.core.errors import NotFound
from kefu.customers.adapter import TransactionInfo
from kefu.ivr import prompts
from kefu.ivr.actions import ActionContext, action

PAGE = 5
MONTHS = 12


def _account_ref(ctx: ActionContext) -> str:
    return str(ctx.vars.get("account_ref") or "")


def line_text(t: TransactionInfo) -> str:
    """One transaction as read out: 10月1日，苏宁易购，网上消费，人民币12,999.00元"""
    parts = [prompts.monthday(t.transaction_date)]
    if t.merchant:
        parts.append(t.merchant)
    parts.append(t.description)
    parts.append(prompts.cny(t.amount) if t.currency == "CNY" else prompts.usd(t.amount))
    return "，".join(parts)


def _page(ctx: ActionContext, lines: list[TransactionInfo]) -> str:
    page = int(ctx.vars.get("lines_page") or 0)
    chunk = lines[page * PAGE : (page + 1) * PAGE]
    ctx.vars["lines_text"] = "；".join(line_text(t) for t in chunk)
    ctx.vars["lines_count"] = len(lines)
    more = (page + 1) * PAGE < len(lines)
    return "more" if more else "last"


@action(
    "current_statement",
    outcomes=("ok", "none"),
    sets=("stmt_period", "stmt_amount", "stmt_min", "stmt_due_date", "stmt_paid", "lines_page"),
)
def current_statement(ctx: ActionContext) -> str:
    statements = ctx.adapter.statements(account_ref=_account_ref(ctx), months=1)
    if not statements:
        return "none"
    s = statements[0]
    ctx.vars.update(
        stmt_period=s.period,
        stmt_amount=str(s.amount_due),
        stmt_min=str(s.minimum_payment),
        stmt_due_date=s.due_date.isoformat(),
        stmt_paid=str(s.paid_amount),
        lines_page=0,
    )
    return "ok"


@action(
    "statement_lines",
    outcomes=("more", "last", "empty"),
    sets=("lines_text", "lines_count"),
)
def statement_lines(ctx: ActionContext) -> str:
    """A page of five lines of the statement of ``stmt_period``; ``lines_page`` counts pages."""
    try:
        s = ctx.adapter.statement(
            account_ref=_account_ref(ctx), period=str(ctx.vars.get("stmt_period"))
        )
    except NotFound:
        return "empty"
    if not s.lines:
        return "empty"
    return _page(ctx, s.lines)


@action("first_page", outcomes=("ok",), sets=("lines_page",))
def first_page(ctx: ActionContext) -> str:
    ctx.vars["lines_page"] = 0
    return "ok"


@action("next_page", outcomes=("ok",))
def next_page(ctx: ActionContext) -> str:
    ctx.vars["lines_page"] = int(ctx.vars.get("lines_page") or 0) + 1
    return "ok"


@action(
    "unbilled",
    outcomes=("more", "last", "empty"),
    sets=("unbilled_total", "lines_text", "lines_count"),
)
def unbilled(ctx: ActionContext) -> str:
    lines = ctx.adapter.unbilled(account_ref=_account_ref(ctx))
    if not lines:
        return "empty"
    ctx.vars["unbilled_total"] = str(sum((t.amount for t in lines), start=lines[0].amount * 0))
    return _page(ctx, lines)


@action(
    "choose_month",
    outcomes=("ok", "none"),
    sets=("stmt_period", "stmt_amount", "stmt_min", "stmt_due_date", "stmt_paid", "lines_page"),
)
def choose_month(ctx: ActionContext) -> str:
    """The statement of the month keyed as YYYYMM (``month``), if among the last 12."""
    wanted = str(ctx.vars.get("month") or "")
    for s in ctx.adapter.statements(account_ref=_account_ref(ctx), months=MONTHS):
        if s.period == wanted:
            ctx.vars.update(
                stmt_period=s.period,
                stmt_amount=str(s.amount_due),
                stmt_min=str(s.minimum_payment),
                stmt_due_date=s.due_date.isoformat(),
                stmt_paid=str(s.paid_amount),
                lines_page=0,
            )
            return "ok"
    ctx.record("action", action="statement_month", result="not_available", month=wanted)
    return "none"


@action("request_statement_copy", outcomes=("queued",), params=("method",))
def request_statement_copy(ctx: ActionContext) -> str:
    """Queue a fax (input ``fax_number``) or re-mail of the statement of ``stmt_period``."""
    from kefu.ivr.services import statement_request_create

    method = ctx.params.get("method", "mail")
    request = statement_request_create(
        call=ctx.call,
        customer_id=int(ctx.vars["customer_id"]),
        account_ref=_account_ref(ctx),
        card_last4=str(ctx.vars.get("card_last4") or ""),
        period=str(ctx.vars.get("stmt_period")),
        method=method,
        fax_number=str(ctx.value("fax_number") or "") if method == "fax" else "",
    )
    ctx.record("action", action="statement_copy", result=method, request=request.pk)
    return "queued"
