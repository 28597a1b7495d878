"""The callback desk (CB-5): record a call's outcome, answers and follow-ups; retries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.callbacks import rules
from kefu.callbacks.models import (
    Answer,
    Attempt,
    FollowUp,
    Outcome,
    Project,
    Target,
)
from kefu.callbacks.services.events import event_record
from kefu.core.calendars import Calendar
from kefu.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kefu.core.permissions import has_perms
from kefu.core.services import audit_record

# Follow-ups are due two working days after the call.
FOLLOW_UP_WORKING_DAYS = 2
MANAGE = "callbacks.manage_callbacks"

CLOSING = {
    Outcome.REACHED: Target.Status.REACHED,
    Outcome.WRONG_NUMBER: Target.Status.WRONG_NUMBER,
    Outcome.REFUSED: Target.Status.REFUSED,
}


def target_for_agent(*, agent, pk: int) -> Target:
    """A callback the agent may work: assigned to them (supervisors may work any)."""
    target = (
        Target.objects.select_related(
            "project", "project__questionnaire_version", "customer", "assigned_to"
        )
        .filter(pk=pk)
        .first()
    )
    if target is None:
        raise NotFound(_("No such callback."))
    if target.assigned_to_id != agent.pk and not has_perms(agent, MANAGE):
        raise Forbidden(_("This callback is assigned to another agent."))
    return target


def _follow_up_rows(follow_ups: Sequence[tuple[str, str]]) -> tuple[list, list[str]]:
    rows, errors = [], []
    kinds = set(FollowUp.Kind.values)
    for kind, text in follow_ups:
        text = (text or "").strip()
        if not text and not kind:
            continue
        if kind not in kinds:
            errors.append(_("Choose risk, need or suggestion for each follow-up."))
        elif not text:
            errors.append(_("Describe each follow-up."))
        elif len(text) > 500:
            errors.append(_("A follow-up has at most 500 characters."))
        else:
            rows.append((kind, text))
    return rows, errors


@transaction.atomic
def attempt_record(
    *,
    target: Target,
    by,
    outcome: str,
    answers: Mapping[str, object] | None = None,
    note: str = "",
    call_back_at: dt.datetime | None = None,
    follow_ups: Sequence[tuple[str, str]] = (),
    now: dt.datetime | None = None,
) -> Attempt:
    """Record one call. Reached: the answers on the questionnaire's path are checked (a
    required one missing refuses the whole call, nothing is saved). No answer / busy: the
    next attempt is scheduled (``retry_minutes`` later the same trading day, else the next
    trading day) until the project's attempts are used up. Call back later: at the time the
    customer asked for. Wrong number and refused close the callback.
    """
    now = now or timezone.now()
    target = Target.objects.select_for_update().select_related("project").get(pk=target.pk)
    project = target.project
    if target.assigned_to_id != by.pk and not has_perms(by, MANAGE):
        raise Forbidden(_("This callback is assigned to another agent."))
    if project.status != Project.Status.RUNNING:
        raise Conflict(_("The project is not running."))
    if not target.is_open:
        raise Conflict(
            _("This callback is finished: %(status)s.") % {"status": target.get_status_display()}
        )
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose the outcome of the call.")]
    if call_back_at is not None and timezone.is_naive(call_back_at):
        # a time without an offset is the centre's local time (Asia/Shanghai)
        call_back_at = timezone.make_aware(call_back_at)
    if outcome == Outcome.CALL_BACK_LATER:
        if call_back_at is None:
            errors["call_back_at"] = [_("Enter when the customer wants to be called.")]
        elif call_back_at <= now:
            errors["call_back_at"] = [_("The time to call back must be in the future.")]
    if len(note) > 500:
        errors["note"] = [_("At most 500 characters.")]
    version = project.questionnaire_version
    questions = list(version.questions.order_by("position")) if version else []
    cleaned: dict[str, object] = {}
    if outcome == Outcome.REACHED:
        specs = [rules.spec_from_question(q) for q in questions]
        cleaned, answer_errors = rules.check_answers(specs, answers or {})
        errors.update({f"answers.{code}": msgs for code, msgs in answer_errors.items()})
    follow_rows, follow_errors = _follow_up_rows(follow_ups)
    if follow_errors:
        errors["follow_ups"] = follow_errors
    if errors:
        raise ValidationFailed(
            _("The call was not saved: please correct the fields marked."), errors=errors
        )

    attempt = Attempt(
        target=target,
        agent=by,
        at=now,
        outcome=outcome,
        call_back_at=call_back_at if outcome == Outcome.CALL_BACK_LATER else None,
        note=note.strip(),
        questionnaire_version=version,
    )
    attempt.full_clean(exclude=["target", "agent", "questionnaire_version"])
    attempt.save()
    by_code = {q.code: q for q in questions}
    Answer.objects.bulk_create(
        Answer(attempt=attempt, question=by_code[code], value=value)
        for code, value in cleaned.items()
    )
    calendar = Calendar()
    if follow_rows:
        due = calendar.add_working_days(timezone.localdate(now), FOLLOW_UP_WORKING_DAYS)
        FollowUp.objects.bulk_create(
            FollowUp(
                target=target,
                attempt=attempt,
                kind=kind,
                text=text,
                owner=project.owner,
                due_on=due,
                created_at=now,
            )
            for kind, text in follow_rows
        )
    old_status = target.status
    target.attempts += 1
    target.last_outcome = outcome
    if outcome in CLOSING:
        target.status = CLOSING[Outcome(outcome)]
        target.next_attempt_at = None
        target.closed_at = now
    elif outcome == Outcome.CALL_BACK_LATER:
        target.status = Target.Status.RETRY
        target.next_attempt_at = call_back_at
    elif target.attempts >= project.max_attempts:
        target.status = Target.Status.UNREACHABLE
        target.next_attempt_at = None
        target.closed_at = now
    else:
        target.status = Target.Status.RETRY
        target.next_attempt_at = rules.next_attempt_after(now, project.retry_minutes, calendar)
    target.save(
        update_fields=["attempts", "last_outcome", "status", "next_attempt_at", "closed_at"]
    )
    event_record(
        action="callback.attempt.recorded",
        actor=by,
        target=target,
        data={
            "outcome": outcome,
            "from": old_status,
            "to": target.status,
            "answers": len(cleaned),
            "follow_ups": len(follow_rows),
            "next_attempt_at": target.next_attempt_at.isoformat()
            if target.next_attempt_at
            else None,
        },
    )
    if outcome == Outcome.REACHED:
        from kefu.callbacks.services.portfolios import first_contact_from_callback

        first_contact_from_callback(customer_id=target.customer_id, agent=by, at=now)
    return attempt


@transaction.atomic
def follow_up_close(*, follow_up: FollowUp, by, resolution: str) -> FollowUp:
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.status == FollowUp.Status.DONE:
        raise Conflict(_("This follow-up is already done."))
    if not resolution.strip():
        raise ValidationFailed(
            _("Say what was done."), errors={"resolution": [_("Enter what was done.")]}
        )
    follow_up.status = FollowUp.Status.DONE
    follow_up.done_at = timezone.now()
    follow_up.resolution = resolution.strip()[:500]
    follow_up.save(update_fields=["status", "done_at", "resolution"])
    event_record(
        action="callback.follow_up.done",
        actor=by,
        target=follow_up.target,
        data={"follow_up": follow_up.pk},
    )
    audit_record(
        actor=by,
        action="callback.follow_up.done",
        obj=follow_up.target.project,
        data={"follow_up": follow_up.pk, "target": follow_up.target_id},
    )
    return follow_up


def target_dial_number(*, target: Target, by) -> str:
    """The full mobile number of the agent's own callback, to dial it (audited, SEC-4)."""
    if target.assigned_to_id != by.pk:
        raise Forbidden(_("Only the agent the callback is assigned to can dial it."))
    if not target.is_open:
        raise Conflict(_("This callback is finished."))
    with transaction.atomic():
        audit_record(
            actor=by,
            action="customer.pii.revealed",
            obj=target.customer,
            data={"field": "mobile", "purpose": f"callback:{target.pk}"},
        )
    return target.customer.mobile
