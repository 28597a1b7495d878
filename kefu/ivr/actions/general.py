"""Actions that need no verified caller: card application progress (3# then 2)."""

from __future__ import annotations

from kefu.ivr import prompts
from kefu.ivr.actions import ActionContext, action

STATUS_TEXT = {
    "submitted": "已受理",
    "reviewing": "正在审核",
    "approved": "已审核通过，卡片正在制作",
    "mailed": "卡片已寄出",
    "rejected": "未获批准",
}


@action("application_progress", outcomes=("found", "none"), sets=("app_text",))
def application_progress(ctx: ActionContext) -> str:
    """Progress of the card applications of the applicant ID keyed in (``id_number``)."""
    applications = ctx.adapter.applications_by_applicant(id_number=str(ctx.value("id_number")))
    if not applications:
        ctx.record("action", action="application_progress", result="none")
        return "none"
    parts = []
    for a in applications[:3]:
        text = (
            f"您于{prompts.date(a.submitted_on)}申请的{a.product}，"
            f"{STATUS_TEXT.get(a.status, a.status)}"
        )
        if a.note:
            text += f"，{a.note}"
        parts.append(text)
    ctx.vars["app_text"] = "；".join(parts)
    ctx.record("action", action="application_progress", result="found", count=len(applications))
    return "found"
