"""Everything that happens to a ticket after it is recorded, as actions of the state machine
in kefu.tickets.workflow (SR-4 … SR-8, REG-1).

``ticket_act`` is the one entry point: it locks the ticket, checks that the user may work on
it and that the action is allowed from the current status, runs the action's handler,
moves the clocks that the new status pauses, resumes or stops, and writes the events —
all in one transaction, so a refused action changes nothing.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from kefu.core.calendars import Calendar
from kefu.core.errors import Forbidden, ValidationFailed
from kefu.core.permissions import has_perms
from kefu.tickets import clocks, deadlines, routing, workflow
from kefu.tickets.classification import Category, Kind, default_pboc, pboc_valid
from kefu.tickets.models import (
    PAUSED_STATUSES,
    Clock,
    ClockState,
    HandOver,
    Queue,
    Severity,
    Status,
    TeamMember,
    Ticket,
    Urgency,
)
from kefu.tickets.notifications import notify
from kefu.tickets.services._common import (
    check_can_work,
    clock_events,
    conflict,
    lock,
    running_clocks,
    save_ticket,
    set_fields,
    stop_clocks,
    write_event,
)

NOTE_MAX = 2000


class Outcome:
    """What a handler did, for the event the dispatcher writes."""

    def __init__(self, *, data: dict[str, Any] | None = None, note: str = "") -> None:
        self.data = data or {}
        self.note = note


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors={field: [message]})


def _text(value: Any, field: str, *, required: bool = True, limit: int = NOTE_MAX) -> str:
    text = ("" if value is None else str(value)).strip()
    if "\x00" in text:
        raise _invalid(field, _("The text contains a NUL character; remove it."))
    if required and not text:
        raise _invalid(field, _("This field is required."))
    if len(text) > limit:
        raise _invalid(field, _("Keep it to %(max)d characters.") % {"max": limit})
    return text


def _when(value: Any, field: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    moment = value if isinstance(value, dt.datetime) else parse_datetime(str(value))
    if moment is None:
        raise _invalid(field, _("Give a date and time such as 2026-11-26T10:00:00+08:00."))
    if not 2000 <= moment.year <= 2100:
        raise _invalid(field, _("Give a date between 2000 and 2100."))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _user(value: Any, field: str):
    User = get_user_model()
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise _invalid(field, _("Give the id of a staff member.")) from None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise _invalid(field, _("No active staff member with this id."))
    return user


def _supervisors(ticket: Ticket) -> list:
    """The supervisors of the ticket's teams, or every supervisor when no team has one."""
    User = get_user_model()
    chosen = [
        t.supervisor
        for t in (ticket.team, ticket.owner_team)
        if t is not None and t.supervisor is not None
    ]
    if chosen:
        return chosen
    return list(User.objects.filter(groups__name="supervisor", is_active=True))


def _managers() -> list:
    User = get_user_model()
    return list(User.objects.filter(groups__name="manager", is_active=True))


# --- routing (SR-7) --------------------------------------------------------------------------


def _arrive(
    ticket: Ticket, *, queue: Queue, by, now: dt.datetime, cal: Calendar, route=None, position=0
) -> None:
    """Put the ticket in ``queue``: team, assignee by load and skill, a hand-over clock."""
    old_team = ticket.team
    assignee = routing.pick_assignee(queue) if queue.auto_assign else None
    changes = set_fields(
        ticket,
        team=queue.team,
        queue=queue,
        assignee=assignee,
        route=route if route is not None else ticket.route,
        route_position=position if route is not None else ticket.route_position,
    )
    save_ticket(ticket, changes, now=now)
    stop_clocks(ticket, Clock.Name.HANDOVER, by=by, now=now)
    team = queue.team
    write_event(
        ticket,
        by=by,
        action="ticket.routed",
        changes=changes,
        data={
            "from_team": old_team.name if old_team else "",
            "to_team": team.name,
            "queue": queue.name,
            "assignee": assignee.get_username() if assignee else "",
            "route": ticket.route.code if ticket.route else "",
            "position": ticket.route_position,
        },
        at=now,
    )
    if team.handover_minutes:
        hours = deadlines.OFFICE_HOURS
        hours_id = None
        if team.business_hours is not None:
            hours = deadlines.Hours(
                windows=deadlines.parse_windows(team.business_hours.windows),
                working_days_only=team.business_hours.working_days_only,
            )
            hours_id = team.business_hours_id
        clock = clocks.new_clock(
            ticket=ticket,
            name=Clock.Name.HANDOVER,
            policy=deadlines.Policy(
                team.handover_minutes, "minutes", hours=hours, business_hours_id=hours_id
            ),
            start=now,
            cal=cal,
            team=team,
        )
        clock.save()
        clock_events(ticket, by=by, verb="started", items=[clock], now=now)
    if assignee is not None and assignee != by:
        notify(
            recipients=[assignee],
            ticket=ticket,
            kind="assigned",
            message=_("%(ref)s was routed to you (%(team)s).")
            % {"ref": ticket.reference, "team": team.name},
        )


def route_along(ticket: Ticket, *, by, now: dt.datetime, cal: Calendar) -> bool:
    """Send the ticket to the first step of its route, if one is configured."""
    route = routing.find_route(kind=ticket.kind, category=ticket.category)
    if route is None:
        return False
    step = routing.route_step(route, 1)
    if step is None:
        return False
    _arrive(ticket, queue=step.queue, by=by, now=now, cal=cal, route=route, position=step.position)
    return True


# --- handlers --------------------------------------------------------------------------------
# Each handler gets the locked ticket and the action's parameters; it may change fields
# (returning the changes through ticket attributes) and must raise before changing anything
# when a parameter is wrong.


def _classify(ticket, *, by, now, cal, kind=None, category=None, note=""):
    kind = kind or ticket.kind
    category = category or ticket.category
    if kind not in Kind.values:
        raise _invalid("kind", _("Unknown type %(value)s.") % {"value": kind})
    if category not in Category.values:
        raise _invalid("category", _("Unknown category %(value)s.") % {"value": category})
    was_complaint = ticket.kind == Kind.COMPLAINT
    ticket.kind, ticket.category = kind, category
    becomes_complaint = kind == Kind.COMPLAINT
    if was_complaint != becomes_complaint:
        from kefu.tickets.services.intake import resolution_clock

        for clock in running_clocks(ticket, Clock.Name.RESOLUTION):
            clocks.cancel(clock, now=now)
            clock.save()
        if becomes_complaint:
            for name, value in default_pboc(channel=ticket.channel, category=category).items():
                setattr(ticket, name, value)
        else:
            ticket.pboc_channel = ticket.pboc_business = ticket.pboc_cause = ""
        new = resolution_clock(ticket, cal=cal, start=ticket.received_at)
        new.save()
        clock_events(ticket, by=by, verb="started", items=[new], now=now)
    return Outcome(
        data={
            "confirmed_suggestion": kind == ticket.suggested_kind
            and category == ticket.suggested_category
        },
        note=_text(note, "note", required=False),
    )


def _answer(ticket, *, by, now, cal, result=""):
    ticket.result = _text(result, "result")
    ticket.resolved_at = now
    return Outcome()


def _make_case(
    ticket,
    *,
    by,
    now,
    cal,
    case_event="",
    case_time=None,
    case_place="",
    case_person="",
    case_phone="",
    reply_by=None,
):
    event = _text(case_event, "case_event")
    when = _when(case_time, "case_time")
    if when is not None and when > now + dt.timedelta(minutes=5):
        raise _invalid("case_time", _("The event cannot be in the future."))
    phone = _text(case_phone, "case_phone", required=False, limit=20) or ticket.contact_phone
    if not phone:
        raise _invalid("case_phone", _("Give a phone number on which to reply to the customer."))
    policy = deadlines.policy_for("customer_reply", ticket.kind)
    clock = clocks.new_clock(
        ticket=ticket, name=Clock.Name.CUSTOMER_REPLY, policy=policy, start=now, cal=cal
    )
    # the promise may be earlier than the policy's deadline (48 hours by default), never later
    limit = clock.due_at
    reply_at = _when(reply_by, "reply_by")
    if reply_at is not None and (reply_at <= now or reply_at > limit):
        raise _invalid(
            "reply_by",
            _("Promise a reply time between now and %(limit)s (SR-5: within 48 hours).")
            % {"limit": timezone.localtime(limit).strftime("%Y-%m-%d %H:%M")},
        )
    ticket.is_case = True
    ticket.case_event = event
    ticket.case_time = when
    ticket.case_place = _text(case_place, "case_place", required=False, limit=100)
    ticket.case_person = _text(case_person, "case_person", required=False, limit=64)
    ticket.case_phone = phone
    if reply_at is not None:
        clocks.restart_until(clock, now=now, due=reply_at)
    ticket.reply_promised_at = clock.due_at
    clock.save()
    clock_events(ticket, by=by, verb="started", items=[clock], now=now)
    if ticket.team_id is None:
        route_along(ticket, by=by, now=now, cal=cal)  # SR-5: to the responsible team
    return Outcome(data={"reply_due": clock.due_at})


def _assess(
    ticket,
    *,
    by,
    now,
    cal,
    severity="",
    urgency="",
    pboc_channel="",
    pboc_business="",
    pboc_cause="",
    note="",
):
    if severity not in Severity.values:
        raise _invalid("severity", _("Choose the severity: minor, general or major."))
    if urgency not in Urgency.values:
        raise _invalid("urgency", _("Choose the urgency: low, normal or high."))
    codes = {
        "pboc_channel": (pboc_channel or ticket.pboc_channel, "channel"),
        "pboc_business": (pboc_business or ticket.pboc_business, "business"),
        "pboc_cause": (pboc_cause or ticket.pboc_cause, "cause"),
    }
    for field, (code, dimension) in codes.items():
        if not pboc_valid(dimension, code):
            raise _invalid(
                field,
                _("%(code)s is not a JR/T 0169-2018 code of the most specific class.")
                % {"code": code or "—"},
            )
    ticket.severity, ticket.urgency = severity, urgency
    for field, (code, _dimension) in codes.items():
        setattr(ticket, field, code)
    if severity == Severity.MAJOR:
        _escalate_now(ticket, by=by, now=now, reason=_("Major complaint"))
    return Outcome(note=_text(note, "note", required=False))


def _escalate_now(ticket, *, by, now, reason: str) -> None:
    ticket.escalated_at = now
    notify(
        recipients=[*_supervisors(ticket), *_managers()],
        ticket=ticket,
        kind="escalated",
        message=_("%(ref)s escalated: %(reason)s") % {"ref": ticket.reference, "reason": reason},
    )


def _assign(ticket, *, by, now, cal, assignee_id=None, note=""):
    if assignee_id in (None, ""):
        queue = ticket.queue
        assignee = routing.pick_assignee(queue) if queue is not None else None
        if assignee is None:
            raise _invalid(
                "assignee_id",
                _("Nobody in the queue can take it now; choose a responsible person."),
            )
    else:
        assignee = _user(assignee_id, "assignee_id")
    if not has_perms(assignee, "tickets.work_ticket", "tickets.view_ticket"):
        raise _invalid("assignee_id", _("This person cannot work on tickets."))
    ticket.assignee = assignee
    if assignee != by:
        notify(
            recipients=[assignee],
            ticket=ticket,
            kind="assigned",
            message=_("%(ref)s was assigned to you.") % {"ref": ticket.reference},
        )
    return Outcome(
        data={"assignee": assignee.get_username()}, note=_text(note, "note", required=False)
    )


def _start(ticket, *, by, now, cal, note=""):
    if ticket.assignee_id not in (None, by.pk) and not by.has_perm("tickets.view_all_tickets"):
        raise Forbidden(_("Only the responsible person starts handling this complaint."))
    if ticket.assignee_id is None:
        ticket.assignee = by
    return Outcome(note=_text(note, "note", required=False))


def _note_required(ticket, *, by, now, cal, note=""):
    return Outcome(note=_text(note, "note"))


def _note_optional(ticket, *, by, now, cal, note=""):
    return Outcome(note=_text(note, "note", required=False))


def _extend(ticket, *, by, now, cal, reason="", customer_notice=""):
    reason = _text(reason, "reason")
    notice = _text(customer_notice, "customer_notice")
    level = ticket.extension_level + 1
    if level > 2:
        raise conflict(_("The time limit was already extended twice; it cannot be extended again."))
    if level == 2 and not by.has_perm("tickets.approve_extension"):
        raise Forbidden(
            _("A further extension needs the approval of a supervisor or manager (REG-1).")
        )
    limits = deadlines.regulatory_limits(ticket.institution_type)
    ticket.extension_level = level
    changed = []
    for clock in running_clocks(ticket, Clock.Name.RESOLUTION):
        if clock.regulatory:
            clocks.set_budget(clock, budget=limits.days_for(level), now=now, cal=cal)
            clock.save()
            changed.append(clock)
    clock_events(ticket, by=by, verb="extended", items=changed, now=now)
    return Outcome(
        data={
            "level": level,
            "customer_notice": notice,
            "approved_by": by.get_username() if level == 2 else "",
            "due_at": changed[0].due_at if changed else None,
        },
        note=reason,
    )


def _log_progress(ticket, *, by, now, cal, note="", apologized=False, new_reply_at=None):
    text = _text(note, "note")
    if not ticket.is_case:
        return Outcome(note=text)
    if apologized is not True and str(apologized).lower() not in ("true", "1", "on", "yes"):
        raise _invalid(
            "apologized", _("Apologise to the customer for the delay and tick the box (SR-5).")
        )
    new_at = _when(new_reply_at, "new_reply_at")
    if new_at is None or new_at <= now:
        raise _invalid("new_reply_at", _("Tell the customer a new reply time in the future."))
    reply = running_clocks(ticket, Clock.Name.CUSTOMER_REPLY)
    clock = reply[0] if reply else None
    if clock is None:
        clock = Clock(ticket=ticket, name=Clock.Name.CUSTOMER_REPLY, warn_percent=75)
    clocks.restart_until(clock, now=now, due=new_at)
    clock.save()
    ticket.reply_promised_at = new_at
    clock_events(ticket, by=by, verb="restarted", items=[clock], now=now)
    return Outcome(data={"apologized": True, "new_reply_at": new_at}, note=text)


def _resolve(ticket, *, by, now, cal, result=""):
    ticket.result = _text(result, "result", limit=4000)
    ticket.resolved_at = now
    if ticket.kind == Kind.COMPLAINT:
        ticket.decided_at = now
    return Outcome()


def _request_satisfaction(ticket, *, by, now, cal, channel="sms"):
    from kefu.tickets.services.satisfaction import survey_send

    survey, _token = survey_send(ticket=ticket, channel=channel, now=now)
    return Outcome(data={"channel": survey.channel, "survey_id": survey.pk})


def _record_satisfaction(ticket, *, by, now, cal, score=None, comment="", channel="phone"):
    from kefu.tickets.services.satisfaction import apply_score

    return Outcome(
        data=apply_score(
            ticket, score=score, comment=comment, channel=channel, by=by, now=now, cal=cal
        )
    )


def _close(ticket, *, by, now, cal, note=""):
    if ticket.kind == Kind.COMPLAINT and ticket.status == Status.RESOLVED:
        raise conflict(
            _("Ask the customer for satisfaction before closing a complaint (closed loop, SR-6).")
        )
    ticket.closed_at = now
    return Outcome(note=_text(note, "note", required=False))


def _restart_resolution(ticket, *, by, now, cal, days: int | None = None) -> None:
    for clock in running_clocks(ticket, Clock.Name.RESOLUTION):
        clocks.cancel(clock, now=now)
        clock.save()
    if ticket.kind == Kind.COMPLAINT:
        limits = deadlines.regulatory_limits(ticket.institution_type)
        clock = clocks.regulatory_clock(ticket=ticket, limits=limits, start=now, cal=cal)
        if days is not None:
            clocks.set_budget(clock, budget=days, now=now, cal=cal)
    else:
        clock = clocks.new_clock(
            ticket=ticket,
            name=Clock.Name.RESOLUTION,
            policy=deadlines.policy_for("resolution", ticket.kind),
            start=now,
            cal=cal,
        )
    clock.save()
    clock_events(ticket, by=by, verb="started", items=[clock], now=now)


def _reopen(ticket, *, by, now, cal, reason=""):
    reason = _text(reason, "reason")
    ticket.closed_at = None
    ticket.resolved_at = None
    _restart_resolution(ticket, by=by, now=now, cal=cal)
    return Outcome(note=reason)


def _archive(ticket, *, by, now, cal, note=""):
    return Outcome(note=_text(note, "note", required=False))


def _request_review(ticket, *, by, now, cal, reason=""):
    reason = _text(reason, "reason")
    limits = deadlines.regulatory_limits(ticket.institution_type)
    if ticket.decided_at is None:
        raise conflict(_("No decision has been told yet, so there is nothing to review."))
    last_day = timezone.localtime(ticket.decided_at).date() + dt.timedelta(days=limits.review_days)
    if timezone.localdate(now) > last_day:
        raise conflict(
            _(
                "A review may be asked within %(days)d days of the decision, that is until "
                "%(date)s; this request is too late."
            )
            % {"days": limits.review_days, "date": last_day.isoformat()}
        )
    ticket.review_count += 1
    ticket.closed_at = None
    ticket.resolved_at = None
    _restart_resolution(ticket, by=by, now=now, cal=cal, days=limits.review_days)
    return Outcome(data={"review": ticket.review_count}, note=reason)


def _merge(ticket, *, by, now, cal, into_id=None, new_facts=False, note=""):
    try:
        target = Ticket.objects.select_for_update().filter(pk=int(into_id)).first()
    except (TypeError, ValueError):
        target = None
    if target is None or target.pk == ticket.pk:
        raise _invalid("into_id", _("Give the number of the earlier complaint."))
    if target.kind != Kind.COMPLAINT or target.customer_id != ticket.customer_id:
        raise _invalid("into_id", _("Only a complaint of the same customer can be merged into."))
    if not target.is_open or target.status in workflow.AFTER_RESULT:
        raise _invalid(
            "into_id",
            _("The earlier complaint is already decided; register a new one or a review."),
        )
    limit = next((c for c in running_clocks(target, Clock.Name.RESOLUTION) if c.regulatory), None)
    if limit is None or limit.due_at < ticket.received_at:
        raise _invalid(
            "into_id",
            _("The repeat came after the earlier complaint's time limit; handle it on its own."),
        )
    new_facts = new_facts is True or str(new_facts).lower() in ("true", "1", "on", "yes")
    ticket.merged_into = target
    ticket.closed_at = now
    for clock in running_clocks(ticket):
        clocks.cancel(clock, now=now)
        clock.save()
    target_data: dict[str, Any] = {"repeat": ticket.pk, "new_facts": new_facts}
    if new_facts:
        limits = deadlines.regulatory_limits(target.institution_type)
        target_changes = set_fields(target, extension_level=0)
        clocks.restart_days(limit, now=now, budget=limits.decide_days, cal=cal)
        limit.save()
        save_ticket(target, target_changes, now=now)
        target_data["due_at"] = limit.due_at
    write_event(target, by=by, action="ticket.repeat_merged", data=target_data, at=now)
    return Outcome(
        data={"into": target.pk, "new_facts": new_facts}, note=_text(note, "note", required=False)
    )


def _escalate(ticket, *, by, now, cal, reason=""):
    reason = _text(reason, "reason")
    _escalate_now(ticket, by=by, now=now, reason=reason)
    return Outcome(note=reason)


def _hand_over(ticket, *, by, now, cal, to_user_id=None, reason=""):
    reason = _text(reason, "reason")
    if by.pk != ticket.owner_id and not by.has_perm("tickets.view_all_tickets"):
        raise Forbidden(_("Only the owner (or a supervisor) hands a ticket over."))
    receiver = _user(to_user_id, "to_user_id")
    if receiver.pk == ticket.owner_id:
        raise _invalid("to_user_id", _("This person already owns the ticket."))
    if not has_perms(receiver, "tickets.work_ticket", "tickets.view_ticket"):
        raise _invalid("to_user_id", _("This person cannot work on tickets."))
    if ticket.handovers.filter(state=HandOver.State.PENDING).exists():
        raise conflict(_("A hand-over is already waiting for its receiver."))
    handover = HandOver(
        ticket=ticket, from_user=ticket.owner, to_user=receiver, reason=reason, requested_at=now
    )
    handover.full_clean()
    handover.save()
    notify(
        recipients=[receiver],
        ticket=ticket,
        kind="handover",
        message=_("%(who)s asks you to take over %(ref)s.")
        % {"who": by.get_username(), "ref": ticket.reference},
    )
    return Outcome(data={"to": receiver.get_username(), "handover": handover.pk}, note=reason)


def _pending_handover_for(ticket, by) -> HandOver:
    handover = ticket.handovers.filter(state=HandOver.State.PENDING).first()
    if handover is None:
        raise conflict(_("No hand-over is waiting."))
    if handover.to_user_id != by.pk:
        raise Forbidden(_("Only the receiver accepts or declines a hand-over."))
    return handover


def _accept_handover(ticket, *, by, now, cal, note=""):
    handover = _pending_handover_for(ticket, by)
    handover.state = HandOver.State.ACCEPTED
    handover.decided_at = now
    handover.decision_note = _text(note, "note", required=False)
    handover.save(update_fields=["state", "decided_at", "decision_note"])
    team = TeamMember.objects.filter(user=by, is_active=True).order_by("id").first()
    ticket.owner = by
    ticket.owner_team_id = team.team_id if team else None
    notify(
        recipients=[handover.from_user],
        ticket=ticket,
        kind="handover",
        message=_("%(who)s accepted %(ref)s.")
        % {"who": by.get_username(), "ref": ticket.reference},
    )
    return Outcome(data={"from": handover.from_user.get_username()}, note=handover.decision_note)


def _decline_handover(ticket, *, by, now, cal, note=""):
    handover = _pending_handover_for(ticket, by)
    handover.state = HandOver.State.DECLINED
    handover.decided_at = now
    handover.decision_note = _text(note, "note")
    handover.save(update_fields=["state", "decided_at", "decision_note"])
    notify(
        recipients=[handover.from_user],
        ticket=ticket,
        kind="handover",
        message=_("%(who)s declined %(ref)s: %(note)s")
        % {"who": by.get_username(), "ref": ticket.reference, "note": handover.decision_note},
    )
    return Outcome(note=handover.decision_note)


def _cancel_handover(ticket, *, by, now, cal, note=""):
    """The owner (or a supervisor) withdraws a hand-over nobody has answered — the receiver
    is away, or the wrong person was asked — so that it can be handed to someone else."""
    handover = ticket.handovers.filter(state=HandOver.State.PENDING).first()
    if handover is None:
        raise conflict(_("No hand-over is waiting."))
    if by.pk != handover.from_user_id and not by.has_perm("tickets.view_all_tickets"):
        raise Forbidden(_("Only whoever asked for the hand-over (or a supervisor) withdraws it."))
    handover.state = HandOver.State.CANCELLED
    handover.decided_at = now
    handover.decision_note = _text(note, "note", required=False)
    handover.save(update_fields=["state", "decided_at", "decision_note"])
    notify(
        recipients=[handover.to_user],
        ticket=ticket,
        kind="handover",
        message=_("%(who)s withdrew the hand-over of %(ref)s.")
        % {"who": by.get_username(), "ref": ticket.reference},
    )
    return Outcome(
        data={"to": handover.to_user.get_username(), "handover": handover.pk},
        note=handover.decision_note,
    )


def _route(ticket, *, by, now, cal, queue_id=None, note=""):
    try:
        queue = Queue.objects.select_related("team").filter(pk=int(queue_id)).first()
    except (TypeError, ValueError):
        queue = None
    if queue is None or not queue.team.is_active:
        raise _invalid("queue_id", _("Choose an active queue."))
    _arrive(ticket, queue=queue, by=by, now=now, cal=cal)
    return Outcome(note=_text(note, "note", required=False))


def _forward(ticket, *, by, now, cal, note=""):
    note = _text(note, "note")
    route = ticket.route or routing.find_route(kind=ticket.kind, category=ticket.category)
    if route is None:
        raise conflict(_("This ticket has no route; route it to a queue instead."))
    position = ticket.route_position if ticket.route_id == route.pk else 0
    step = routing.next_step(route, position)
    if step is None:
        raise conflict(_("This is the last step of the route; resolve the ticket here."))
    _arrive(ticket, queue=step.queue, by=by, now=now, cal=cal, route=route, position=step.position)
    return Outcome(note=note)


def _take(ticket, *, by, now, cal):
    if (
        ticket.team_id is None
        or not TeamMember.objects.filter(team_id=ticket.team_id, user=by, is_active=True).exists()
    ):
        raise Forbidden(_("Only a member of the ticket's team takes it."))
    ticket.assignee = by
    return Outcome()


HANDLERS: dict[str, Callable[..., Outcome]] = {
    "classify": _classify,
    "answer": _answer,
    "make_case": _make_case,
    "assess": _assess,
    "assign": _assign,
    "start": _start,
    "wait_customer": _note_required,
    "resume": _note_optional,
    "start_appraisal": _note_required,
    "extend": _extend,
    "log_progress": _log_progress,
    "resolve": _resolve,
    "request_satisfaction": _request_satisfaction,
    "record_satisfaction": _record_satisfaction,
    "close": _close,
    "reopen": _reopen,
    "archive": _archive,
    "request_review": _request_review,
    "merge": _merge,
    "escalate": _escalate,
    "hand_over": _hand_over,
    "accept_handover": _accept_handover,
    "decline_handover": _decline_handover,
    "cancel_handover": _cancel_handover,
    "route": _route,
    "forward": _forward,
    "take": _take,
    "add_note": _note_required,
}

# Fields a handler may change; their old and new values go into the event.
TRACKED = (
    "status",
    "kind",
    "category",
    "owner_id",
    "owner_team_id",
    "assignee_id",
    "team_id",
    "queue_id",
    "severity",
    "urgency",
    "pboc_channel",
    "pboc_business",
    "pboc_cause",
    "extension_level",
    "escalated_at",
    "merged_into_id",
    "result",
    "decided_at",
    "review_count",
    "resolved_at",
    "closed_at",
    "is_case",
    "case_time",
    "case_place",
    "case_person",
    "case_event",
    "reply_promised_at",
    "satisfaction_score",
    "satisfaction_comment",
)


def params_of(action: str) -> list[str]:
    """The parameter names an action takes (for the API and forms)."""
    handler = HANDLERS[action]
    return [
        name
        for name, p in inspect.signature(handler).parameters.items()
        if p.kind == p.KEYWORD_ONLY and name not in ("by", "now", "cal")
    ]


def _move_clocks(ticket: Ticket, *, old: str, by, now, cal) -> None:
    new = ticket.status
    if new == old:
        return
    if new in PAUSED_STATUSES:
        paused = []
        for clock in running_clocks(ticket):
            if clock.state != ClockState.RUNNING:
                continue
            # REG-1 excludes outside appraisal only; waiting for the customer does not stop it
            if clock.regulatory and new != Status.APPRAISAL:
                continue
            if clocks.pause(clock, now=now, cal=cal):
                clock.save()
                paused.append(clock)
        clock_events(ticket, by=by, verb="paused", items=paused, now=now)
    if old in PAUSED_STATUSES and new not in PAUSED_STATUSES:
        resumed = []
        for clock in running_clocks(ticket):
            if clocks.resume(clock, now=now, cal=cal):
                clock.save()
                resumed.append(clock)
        clock_events(ticket, by=by, verb="resumed", items=resumed, now=now)
    if new in (Status.RESOLVED, Status.MERGED):
        stop_clocks(
            ticket,
            Clock.Name.FIRST_RESPONSE,
            Clock.Name.CUSTOMER_REPLY,
            Clock.Name.RESOLUTION,
            Clock.Name.HANDOVER,
            by=by,
            now=now,
        )
    if new in (Status.CLOSED, Status.ARCHIVED):
        stop_clocks(ticket, by=by, now=now)


def _first_touch(ticket: Ticket, *, by, now, action: str) -> None:
    """The first action by staff answers the first-response clock; an action by a member
    of the team the ticket was handed to answers that team's hand-over clock."""
    if action == "add_note":
        return
    stop_clocks(ticket, Clock.Name.FIRST_RESPONSE, by=by, now=now)
    if ticket.team_id and (
        by.pk == ticket.assignee_id
        or TeamMember.objects.filter(team_id=ticket.team_id, user=by, is_active=True).exists()
    ):
        for clock in running_clocks(ticket, Clock.Name.HANDOVER):
            if clock.team_id == ticket.team_id and clocks.stop(clock, now=now):
                clock.save()
                clock_events(ticket, by=by, verb="stopped", items=[clock], now=now)


def ticket_check_action(*, ticket: Ticket, action: str, by) -> workflow.Transition:
    """Check-then-do: NotFound/Forbidden/Conflict unless ``by`` may do ``action`` now."""
    transition = workflow.TRANSITIONS.get(action)
    if transition is None:
        raise _invalid(
            "action",
            _("Unknown action %(value)s; use one of: %(choices)s.")
            % {"value": action, "choices": ", ".join(workflow.ACTIONS)},
        )
    check_can_work(by, ticket, "tickets.view_ticket", *transition.perms)
    if not workflow.allowed(action, status=ticket.status, kind=ticket.kind):
        raise conflict(
            _("“%(action)s” is not possible for a %(kind)s that is %(status)s.")
            % {
                "action": transition.label,
                "kind": ticket.get_kind_display().lower(),
                "status": ticket.get_status_display().lower(),
            }
        )
    return transition


@transaction.atomic
def ticket_act(*, ticket: Ticket, action: str, by, params: dict[str, Any] | None = None) -> Ticket:
    """Do ``action`` on ``ticket`` as ``by`` with ``params`` (see params_of).

    Raises ValidationFailed (unknown action or parameter, bad value, naming the field),
    NotFound (a ticket the user may not see), Forbidden, or Conflict (not allowed from the
    current status); the ticket is unchanged then. Returns the updated ticket.
    """
    ticket = lock(ticket)
    transition = ticket_check_action(ticket=ticket, action=action, by=by)
    return _perform(ticket, transition=transition, action=action, by=by, params=params)


@transaction.atomic
def ticket_apply_system_action(
    *, ticket: Ticket, action: str, actor: str, params: dict[str, Any] | None = None
) -> Ticket:
    """An action taken by the customer (survey link, IVR) or the system, not by staff.

    Must be called holding the ticket's row lock. Conflict if not allowed from the status.
    """
    transition = workflow.TRANSITIONS[action]
    if not workflow.allowed(action, status=ticket.status, kind=ticket.kind):
        raise conflict(_("This is no longer possible for this ticket."))
    return _perform(ticket, transition=transition, action=action, by=actor, params=params)


def _perform(ticket: Ticket, *, transition, action: str, by, params) -> Ticket:
    params = dict(params or {})
    unknown = sorted(set(params) - set(params_of(action)))
    if unknown:
        raise ValidationFailed(
            _("Unknown parameters for %(action)s: %(names)s.")
            % {"action": action, "names": ", ".join(unknown)},
            errors={name: [_("Not a parameter of this action.")] for name in unknown},
        )
    now = timezone.now()
    cal = Calendar()
    before = {name: getattr(ticket, name) for name in TRACKED}
    old_status = ticket.status
    outcome = HANDLERS[action](ticket, by=by, now=now, cal=cal, **params)
    if action == "record_satisfaction" and outcome.data.get("reopened"):
        ticket.status = Status.IN_HANDLING  # SR-6: reopened on dissatisfaction
    elif transition.target is not None:
        ticket.status = transition.target
    changes = {
        name: (before[name], getattr(ticket, name))
        for name in TRACKED
        if before[name] != getattr(ticket, name)
    }
    save_ticket(ticket, changes, now=now)
    write_event(
        ticket,
        by=by,
        action=f"ticket.{action}",
        changes=changes,
        data=outcome.data,
        note=outcome.note,
        at=now,
    )
    _move_clocks(ticket, old=old_status, by=by, now=now, cal=cal)
    if not isinstance(by, str):
        _first_touch(ticket, by=by, now=now, action=action)
    return ticket
