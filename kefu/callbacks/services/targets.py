"""Target lists (CB-3): adding customers to a project with dedup (CB-4), the built-in list
rules, removing a target, and distributing a project's callbacks over the agents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.callbacks import rules
from kefu.callbacks.models import (
    AgentProfile,
    OtherPurpose,
    Project,
    Target,
    TargetBatch,
)
from kefu.callbacks.services.events import event_record
from kefu.core.calendars import Calendar
from kefu.core.errors import Conflict, ValidationFailed
from kefu.core.masking import mask_text
from kefu.core.services import audit_record
from kefu.customers.demo.rows import insert_values

CHUNK = 2000


@dataclass(frozen=True)
class Candidate:
    """A customer a rule or an import wants called."""

    customer_id: int
    due: dt.date
    reason: str = ""
    source_ref: str = ""
    row: int = 0  # the file row, for imports


@dataclass
class AddResult:
    added: int = 0
    duplicates: int = 0
    duplicate_rows: list[tuple[int, str]] = field(default_factory=list)  # (row, message)


def _project_for_list(project: Project) -> Project:
    status = Project.objects.filter(pk=project.pk).values_list("status", flat=True).first()
    if status is None or status == Project.Status.CLOSED:
        raise Conflict(_("The project is closed; its list cannot change."))
    return project


def _dedup_keys(project: Project, candidate: Candidate, window: rules.Window) -> tuple[str, str]:
    return (
        rules.dedup_type(project.callback_type, project.purpose),
        rules.dedup_window_key(
            window=window, purpose=project.purpose, source_ref=candidate.source_ref
        ),
    )


def raw_in(query: str, params: list, values: list, *, size: int = 5000) -> Iterator[tuple]:
    """Rows of ``query`` for ``values`` in batches; ``{marks}`` in the query becomes the
    placeholders of one batch. Plain SQL on purpose: an import asks this for every few
    thousand rows, and Django's per-value lookup preparation took longer than the query."""
    with connection.cursor() as cursor:
        for start in range(0, len(values), size):
            part = values[start : start + size]
            cursor.execute(query.format(marks=", ".join(["%s"] * len(part))), [*params, *part])
            yield from cursor.fetchall()


def raw_any(query: str, params: list, values: list) -> Iterator[tuple]:
    """Rows of ``query`` for ``values`` in batches; ``{values}`` in the query follows the
    compared column. On PostgreSQL it is ``= ANY(%s)`` with batches of 1,000 as one array
    parameter: psycopg splits a query client-side per placeholder (not cached above 4 KiB)
    and the planner took a sequential scan of a million identity documents for 5,000
    placeholders; the array form looks up twice as fast. Elsewhere an ``IN`` list of 5,000."""
    postgres = connection.vendor == "postgresql"
    size = 1000 if postgres else 5000
    with connection.cursor() as cursor:
        for start in range(0, len(values), size):
            part = values[start : start + size]
            if postgres:
                cursor.execute(query.format(values="= ANY(%s)"), [*params, part])
            else:
                marks = ", ".join(["%s"] * len(part))
                cursor.execute(query.format(values=f"IN ({marks})"), [*params, *part])
            yield from cursor.fetchall()


_TARGET = Target._meta.db_table


class Listed:
    """The customers already listed for a dedup type and window key, in any project: read
    once per key (one range of the dedup index) and kept up to date as rows are added. An
    import of a million rows otherwise asked the index for every customer of every chunk,
    and each such query went through the whole window's range. Rows another list adds
    meanwhile are caught by the unique index; ``forget`` makes the next chunk read again."""

    def __init__(self) -> None:
        self._customers: dict[tuple[str, str], dict[int, int]] = {}

    def customers(self, dedup: str, key: str) -> dict[int, int]:
        """customer → the project that lists them"""
        if (dedup, key) not in self._customers:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT customer_id, project_id FROM {_TARGET} "  # noqa: S608
                    "WHERE dedup_type = %s AND window_key = %s AND NOT (status = 'removed')",
                    [dedup, key],
                )
                self._customers[(dedup, key)] = dict(cursor.fetchall())
        return self._customers[(dedup, key)]

    def forget(self) -> None:
        self._customers.clear()


def _existing(dedup: str, keys: set[str], customer_ids: list[int]) -> set[tuple[int, str]]:
    """(customer, window key) pairs already listed for the dedup type, in any project."""
    key_marks = ", ".join(["%s"] * len(keys))
    query = (
        f"SELECT customer_id, window_key FROM {_TARGET} "  # noqa: S608 (names from the model)
        f"WHERE dedup_type = %s AND NOT (status = 'removed') AND window_key IN ({key_marks}) "
        "AND customer_id IN ({marks})"
    )
    return set(raw_in(query, [dedup, *sorted(keys)], customer_ids))


def targets_add(
    *,
    project: Project,
    candidates: Iterable[Candidate],
    batch: TargetBatch | None = None,
    progress: Callable[[AddResult], None] | None = None,
    chunk_size: int = CHUNK,
    listed: Listed | None = None,
) -> AddResult:
    """Add customers to a project's list, leaving out those already listed for the same type
    and window in any project (CB-4). Idempotent: adding the same candidates again adds
    nothing. Written in chunks, each in its own transaction, so a long list keeps what was
    added if it stops half-way. A caller that adds many chunks passes one ``Listed`` to all.
    """
    _project_for_list(project)
    window = rules.Window(project.window_kind, project.window_start, project.window_end)
    result = AddResult()
    chunk: list[Candidate] = []
    due_cache: dict[dt.date, object] = {}

    def flush() -> None:
        for _try in range(3):
            try:
                with transaction.atomic():
                    _write_chunk(project, window, chunk, batch, result, due_cache, listed)
                break
            except IntegrityError:
                # Another list added one of these customers meanwhile: look again.
                if listed is not None:
                    listed.forget()
                continue
        else:  # pragma: no cover - only under heavy concurrent writes
            raise Conflict(_("The list changed while adding; please try again."))
        chunk.clear()
        if progress is not None:
            progress(result)

    for candidate in candidates:
        chunk.append(candidate)
        if len(chunk) >= chunk_size:
            flush()
    if chunk:
        flush()
    return result


_TARGET_COLUMNS = [
    "project_id",
    "batch_id",
    "customer_id",
    "dedup_type",
    "window_key",
    "reason",
    "source_ref",
    "status",
    "due_at",
    "next_attempt_at",
    "assigned_to_id",
    "scheduled_on",
    "attempts",
    "last_outcome",
    "created_at",
    "closed_at",
]


def _write_chunk(
    project: Project,
    window: rules.Window,
    chunk: list[Candidate],
    batch: TargetBatch | None,
    result: AddResult,
    due_cache: dict,
    listed: Listed | None = None,
) -> None:
    keyed = [(c, *_dedup_keys(project, c, window)) for c in chunk]
    dedup = keyed[0][1]
    if listed is None:
        existing = _existing(
            dedup, {k for _c, _d, k in keyed}, sorted({c.customer_id for c in chunk})
        )
    else:
        existing = {
            (c.customer_id, k) for c, _d, k in keyed if c.customer_id in listed.customers(dedup, k)
        }
    adapt = connection.ops.adapt_datetimefield_value
    now = adapt(timezone.now())
    batch_id = batch.pk if batch is not None else None
    rows = []
    duplicates: list[tuple[int, str]] = []
    for candidate, dedup_type, window_key in keyed:
        key = (candidate.customer_id, window_key)
        if key in existing:
            duplicates.append((candidate.row, window_key))
            continue
        existing.add(key)
        if listed is not None:
            listed.customers(dedup, window_key)[candidate.customer_id] = project.pk
        due = due_cache.get(candidate.due)
        if due is None:
            due = due_cache[candidate.due] = adapt(rules.at_day_end(candidate.due))
        rows.append(
            (
                project.pk,
                batch_id,
                candidate.customer_id,
                dedup_type,
                window_key,
                candidate.reason[:200],
                candidate.source_ref[:64],
                Target.Status.PENDING.value,
                due,
                None,
                None,
                None,
                0,
                "",
                now,
                None,
            )
        )
    insert_values(connection, Target, _TARGET_COLUMNS, rows)
    result.added += len(rows)
    result.duplicates += len(duplicates)
    result.duplicate_rows.extend(duplicates)


# --- built-in list rules ---------------------------------------------------------------------


def large_transfer_limit_default() -> str:
    """The list's limit in yuan unless a run gives one (KEFU_CALLBACK_LARGE_TRANSFER_LIMIT)."""
    from django.conf import settings

    return str(getattr(settings, "KEFU_CALLBACK_LARGE_TRANSFER_LIMIT", "500000"))


MAX_RULE_LIMIT = 10_000_000


@dataclass(frozen=True)
class ListRule:
    code: str
    label: str
    build: Callable[..., Iterator[Candidate]]
    params: tuple[str, ...] = ()


def _window(project: Project) -> rules.Window:
    return rules.Window(project.window_kind, project.window_start, project.window_end)


def _date_param(params: dict, name: str, default: dt.date) -> dt.date:
    value = params.get(name)
    if value in (None, ""):
        return default
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            raise ValidationFailed(
                _("%(value)s is not a date.") % {"value": value},
                errors={name: [_("Write the date as YYYY-MM-DD.")]},
            ) from None
    if problem := rules.day_problem(day):
        raise ValidationFailed(problem, errors={name: [problem]})
    return day


def _int_param(params: dict, name: str) -> int | None:
    value = params.get(name)
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if not 1 <= number <= MAX_RULE_LIMIT:
        raise ValidationFailed(
            _("Please correct the fields marked."),
            errors={name: [_("Enter a whole number from 1 to %(max)d.") % {"max": MAX_RULE_LIMIT}]},
        )
    return number


def rule_new_accounts(*, project: Project, params: dict, calendar: Calendar, today: dt.date):
    """Brokerage accounts opened in the window; due one month after opening (REG-3)."""
    from kefu.customers.models import BrokerageAccount

    window = _window(project)
    start = _date_param(params, "date_from", window.start)
    end = _date_param(params, "date_to", min(window.end, today))
    rows = (
        BrokerageAccount.objects.filter(opened_on__gte=start, opened_on__lte=end)
        .values("customer_id")
        .annotate(first=Min("opened_on"))
        .order_by("customer_id")
    )
    for row in rows.iterator(chunk_size=CHUNK):
        yield Candidate(
            customer_id=row["customer_id"],
            due=rules.new_account_due(row["first"], calendar),
            reason=_("Account opened on %(date)s") % {"date": row["first"].isoformat()},
        )


def rule_large_transfers(*, project: Project, params: dict, calendar: Calendar, today: dt.date):
    """Transfers out at or above the limit on a trading day (default: the previous one),
    due the next trading day (seed 003)."""
    from kefu.customers.models import FundTransfer

    day = _date_param(params, "day", calendar.previous_trading_day(today))
    raw_limit = params.get("limit") or large_transfer_limit_default()
    try:
        limit = Decimal(str(raw_limit))
    except InvalidOperation:
        limit = Decimal(-1)
    if limit <= 0:
        raise ValidationFailed(
            _("Please correct the fields marked."),
            errors={"limit": [_("Enter an amount in yuan, e.g. 500000.")]},
        )
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    transfers = (
        FundTransfer.objects.filter(
            direction=FundTransfer.Direction.OUT,
            occurred_at__gte=start,
            occurred_at__lt=start + dt.timedelta(days=1),
            amount__gte=limit,
        )
        .select_related("account")
        .order_by("account__customer_id", "-amount")
    )
    due = rules.large_transfer_due(day, calendar)
    seen: set[int] = set()
    for t in transfers.iterator(chunk_size=CHUNK):
        customer_id = t.account.customer_id
        if customer_id in seen:
            continue
        seen.add(customer_id)
        yield Candidate(
            customer_id=customer_id,
            due=due,
            reason=_("Transfer out of ¥%(amount)s on %(date)s")
            % {"amount": f"{t.amount:,.2f}", "date": day.isoformat()},
            source_ref=t.external_id,
        )


def rule_fund_holders(*, project: Project, params: dict, calendar: Calendar, today: dt.date):
    """Customers holding funds or wealth products; ``limit`` takes the first N (by customer)."""
    from kefu.customers.models import Holding

    limit = _int_param(params, "limit")
    due = rules.window_due(_window(project), calendar)
    ids = (
        Holding.objects.filter(
            product_type__in=(Holding.ProductType.FUND, Holding.ProductType.WEALTH),
            account__status="active",
        )
        .values_list("account__customer_id", flat=True)
        .distinct()
        .order_by("account__customer_id")
    )
    if limit:
        ids = ids[:limit]
    for customer_id in ids.iterator(chunk_size=CHUNK):
        yield Candidate(
            customer_id=customer_id, due=due, reason=_("Holds funds or wealth products")
        )


def rule_manager_change(*, project: Project, params: dict, calendar: Calendar, today: dt.date):
    """Customers whose account manager changed in the window (from the import history)."""
    from kefu.core.models import AuditEvent

    window = _window(project)
    tz = timezone.get_current_timezone()
    events = (
        AuditEvent.objects.filter(
            action="customer.import_updated",
            object_type="customers.customer",
            at__gte=dt.datetime.combine(window.start, dt.time.min, tzinfo=tz),
            at__lt=dt.datetime.combine(window.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
            changes__has_key="account_manager_id",
        )
        .values_list("object_id", flat=True)
        .distinct()
    )
    due = rules.window_due(window, calendar)
    for object_id in events.iterator(chunk_size=CHUNK):
        yield Candidate(customer_id=int(object_id), due=due, reason=_("Account manager changed"))


def rule_same_ip(*, project: Project, params: dict, calendar: Calendar, today: dt.date):
    """Customers who logged in from an IP address that other customers also used (window)."""
    from kefu.customers.models import LoginRecord

    window = _window(project)
    tz = timezone.get_current_timezone()
    logins = LoginRecord.objects.filter(
        logged_in_at__gte=dt.datetime.combine(window.start, dt.time.min, tzinfo=tz),
        logged_in_at__lt=dt.datetime.combine(
            window.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz
        ),
    )
    shared = (
        logins.values("ip")
        .annotate(people=Count("account__customer", distinct=True))
        .filter(people__gte=2)
        .values_list("ip", flat=True)
    )
    due = rules.window_due(window, calendar)
    rows = (
        logins.filter(ip__in=shared)
        .values("account__customer_id")
        .annotate(ip=Min("ip"))
        .order_by("account__customer_id")
    )
    for row in rows.iterator(chunk_size=CHUNK):
        yield Candidate(
            customer_id=row["account__customer_id"],
            due=due,
            reason=_("Same IP address as other customers: %(ip)s") % {"ip": row["ip"]},
        )


def rule_aml_flagged(*, project: Project, params: dict, calendar: Calendar, today: dt.date):
    """Customers with an open flag of the anti-money-laundering platform."""
    from kefu.customers.models import AmlFlag

    due = rules.window_due(_window(project), calendar)
    rows = (
        AmlFlag.objects.filter(status=AmlFlag.Status.OPEN)
        .values("customer_id")
        .annotate(code=Min("code"))
        .order_by("customer_id")
    )
    for row in rows.iterator(chunk_size=CHUNK):
        yield Candidate(
            customer_id=row["customer_id"],
            due=due,
            reason=_("AML flag %(code)s") % {"code": row["code"]},
        )


def rule_lost_customers(*, project: Project, params: dict, calendar: Calendar, today: dt.date):
    """Customers with a brokerage account closed or transferred away."""
    from kefu.customers.models import BrokerageAccount

    due = rules.window_due(_window(project), calendar)
    ids = (
        BrokerageAccount.objects.filter(
            status__in=(BrokerageAccount.Status.CLOSED, BrokerageAccount.Status.TRANSFERRED)
        )
        .values_list("customer_id", flat=True)
        .distinct()
        .order_by("customer_id")
    )
    for customer_id in ids.iterator(chunk_size=CHUNK):
        yield Candidate(customer_id=customer_id, due=due, reason=_("Account closed or transferred"))


# Closed complaints come from the tickets app. It plugs in a function
# (date_from, date_to) → iterable of (customer_id, complaint reference, closed date).
CLOSED_COMPLAINT_SOURCES: list[Callable] = []


def register_closed_complaint_source(fn: Callable) -> Callable:
    if fn not in CLOSED_COMPLAINT_SOURCES:
        CLOSED_COMPLAINT_SOURCES.append(fn)
    return fn


def rule_closed_complaints(*, project: Project, params: dict, calendar: Calendar, today: dt.date):
    """Complaints closed in the period (default: this week so far); each its own callback."""
    if not CLOSED_COMPLAINT_SOURCES:
        raise ValidationFailed(
            _("Closed complaints are not available: the complaints module is not installed."),
            errors={"rule": [_("No source of closed complaints is installed.")]},
        )
    start = _date_param(params, "date_from", today - dt.timedelta(days=today.weekday()))
    end = _date_param(params, "date_to", today)
    for source in CLOSED_COMPLAINT_SOURCES:
        for customer_id, reference, closed_on in source(start, end):
            yield Candidate(
                customer_id=customer_id,
                due=rules.first_trading_day_on_or_after(
                    calendar.add_working_days(closed_on, 1), calendar
                ),
                reason=_("Complaint %(ref)s closed on %(date)s")
                % {"ref": reference, "date": closed_on.isoformat()},
                source_ref=str(reference),
            )


LIST_RULES: dict[str, ListRule] = {
    r.code: r
    for r in (
        ListRule("new_accounts", "New accounts in the window", rule_new_accounts),
        ListRule("large_transfers", "Large transfers out", rule_large_transfers),
        ListRule("fund_holders", "Fund and wealth-product holders", rule_fund_holders),
        ListRule("manager_change", "Account-manager change", rule_manager_change),
        ListRule("same_ip", "Same IP across customers", rule_same_ip),
        ListRule("aml_flagged", "AML-flagged customers", rule_aml_flagged),
        ListRule("lost_customers", "Closed or transferred accounts", rule_lost_customers),
        ListRule("closed_complaints", "Closed complaints", rule_closed_complaints),
    )
}


def rule_labels() -> list[tuple[str, str]]:
    labels = {
        "new_accounts": _("New accounts in the window"),
        "large_transfers": _("Large transfers out on a trading day"),
        "fund_holders": _("Fund and wealth-product holders"),
        "manager_change": _("Account-manager change"),
        "same_ip": _("Same IP address across customers"),
        "aml_flagged": _("AML-flagged customers"),
        "lost_customers": _("Closed or transferred accounts"),
        "closed_complaints": _("Closed complaints"),
    }
    return [(code, labels[code]) for code in LIST_RULES]


def targets_from_rule(
    *, project: Project, rule: str, params: dict | None = None, by, today: dt.date | None = None
) -> TargetBatch:
    """Run a built-in list rule for a project: one batch with the counts (CB-3)."""
    params = dict(params or {})
    if rule not in LIST_RULES:
        raise ValidationFailed(
            _("Unknown list rule."), errors={"rule": [_("Choose one of the list rules.")]}
        )
    _project_for_list(project)
    today = today or timezone.localdate()
    calendar = Calendar()
    candidates = LIST_RULES[rule].build(
        project=project, params=params, calendar=calendar, today=today
    )
    # Consume the first candidate before creating the batch, so a bad parameter or a missing
    # source changes nothing.
    iterator = iter(candidates)
    first = next(iterator, None)
    with transaction.atomic():
        batch = TargetBatch.objects.create(
            project=project,
            kind=TargetBatch.Kind.RULE,
            rule=rule,
            params={k: str(v) for k, v in params.items()},
            status=TargetBatch.Status.RUNNING,
            created_by=by,
        )

    def chained() -> Iterator[Candidate]:
        if first is not None:
            yield first
        yield from iterator

    result = targets_add(project=project, candidates=chained(), batch=batch)
    with transaction.atomic():
        TargetBatch.objects.filter(pk=batch.pk).update(
            status=TargetBatch.Status.FINISHED,
            rows_total=result.added + result.duplicates,
            rows_done=result.added + result.duplicates,
            added_count=result.added,
            duplicate_count=result.duplicates,
            finished_at=timezone.now(),
        )
        event_record(
            action="callback.list.rule_run",
            actor=by,
            project=project,
            data={"rule": rule, "added": result.added, "duplicates": result.duplicates},
        )
        audit_record(
            actor=by,
            action="callback.list.rule_run",
            obj=project,
            data={"rule": rule, "added": result.added, "duplicates": result.duplicates},
        )
    batch.refresh_from_db()
    return batch


@transaction.atomic
def target_remove(*, target: Target, by, reason: str) -> Target:
    """Take a customer off a list (the customer may then be listed again in the window).

    Only a callback still to be made, of a project that is not closed; the reason is kept in
    the callback history and the audit log.
    """
    target = Target.objects.select_for_update().select_related("project").get(pk=target.pk)
    _project_for_list(target.project)
    if not target.is_open:
        raise Conflict(_("Only a callback that is still to be made can be removed."))
    reason = reason.strip()
    if not reason or len(reason) > 200:
        raise ValidationFailed(
            _("Say why the customer is removed."),
            errors={"reason": [_("Enter a reason of at most 200 characters.")]},
        )
    old = target.status
    target.status = Target.Status.REMOVED
    target.closed_at = timezone.now()
    target.save(update_fields=["status", "closed_at"])
    # the reason is free text: kept masked like every logged value
    data = {"from": old, "reason": mask_text(reason), "customer": target.customer_id}
    event_record(action="callback.target.removed", actor=by, target=target, data=data)
    audit_record(
        actor=by,
        action="callback.target.removed",
        obj=target.project,
        data={"target": target.pk, **data},
    )
    return target


def post_complaint_callback_request(
    *, customer, complaint_ref: str, closed_on: dt.date, by=None
) -> Target | None:
    """For the tickets app: ask for the satisfaction callback of a closed complaint (SR-6).

    Adds the customer to the running post-complaint project whose window holds
    ``closed_on``, due the first trading day after the next working day. Returns the target,
    or None when no such project runs (the supervisor then adds closed complaints by the
    list rule). Adding the same complaint again changes nothing.
    """
    project = (
        Project.objects.running()
        .filter(
            purpose=OtherPurpose.POST_COMPLAINT,
            window_start__lte=closed_on,
            window_end__gte=closed_on,
        )
        .order_by("id")
        .first()
    )
    if project is None:
        return None
    calendar = Calendar()
    candidate = Candidate(
        customer_id=customer.pk,
        due=rules.first_trading_day_on_or_after(calendar.add_working_days(closed_on, 1), calendar),
        reason=_("Complaint %(ref)s closed on %(date)s")
        % {"ref": complaint_ref, "date": closed_on.isoformat()},
        source_ref=str(complaint_ref),
    )
    targets_add(project=project, candidates=[candidate])
    return (
        Target.objects.filter(project=project, customer=customer, source_ref=str(complaint_ref))
        .exclude(status=Target.Status.REMOVED)
        .first()
    )


# --- distribution (CB-4) ---------------------------------------------------------------------


def callback_agents():
    """Active users of the callback role, with their profile (quota, skills) when they have one."""
    from kefu.core.models import User

    return (
        User.objects.filter(is_active=True, groups__name="callback")
        .exclude(callback_profile__active=False)
        .select_related("callback_profile")
        .order_by("id")
        .distinct()
    )


def agent_quota(user) -> int:
    profile = getattr(user, "callback_profile", None)
    try:
        return profile.daily_quota if profile is not None else rules.daily_quota_default()
    except AgentProfile.DoesNotExist:  # pragma: no cover - reverse one-to-one access
        return rules.daily_quota_default()


def distribution_plan(
    *, project: Project, agent_ids: list[int] | None = None, start: dt.date | None = None
) -> rules.DistributionPlan:
    """The plan for a project's unassigned open callbacks (a preview; nothing is written)."""
    start = start or timezone.localdate()
    agents = list(callback_agents())
    if agent_ids:
        agents = [a for a in agents if a.pk in set(agent_ids)]
    ids = [a.pk for a in agents]
    loads = dict(
        Target.objects.open()
        .filter(assigned_to_id__in=ids)
        .values("assigned_to_id")
        .annotate(n=Count("id"))
        .values_list("assigned_to_id", "n")
    )
    planned: dict[tuple[int, dt.date], int] = {
        (row["assigned_to_id"], row["scheduled_on"] or start): row["n"]
        for row in Target.objects.filter(assigned_to_id__in=ids, scheduled_on__gte=start)
        .exclude(status=Target.Status.REMOVED)
        .values("assigned_to_id", "scheduled_on")
        .annotate(n=Count("id"))
    }
    capacities = [
        rules.AgentCapacity(agent_id=a.pk, quota=agent_quota(a), load=loads.get(a.pk, 0))
        for a in agents
    ]
    tz = timezone.get_current_timezone()
    targets = [
        (pk, due.astimezone(tz).date())
        for pk, due in Target.objects.open()
        .filter(project=project, assigned_to__isnull=True)
        .values_list("id", "due_at")
    ]
    return rules.distribute(
        targets=targets, agents=capacities, planned=planned, start=start, calendar=Calendar()
    )


def targets_distribute(
    *,
    project: Project,
    by,
    agent_ids: list[int] | None = None,
    start: dt.date | None = None,
) -> rules.DistributionPlan:
    """Assign a project's unassigned open callbacks to agents within their daily quotas."""
    if project.status != Project.Status.RUNNING:
        raise Conflict(_("Start the project before distributing its callbacks."))
    if start is not None and (problem := rules.day_problem(start)):
        raise ValidationFailed(problem, errors={"start": [problem]})
    plan = distribution_plan(project=project, agent_ids=agent_ids, start=start)
    by_pair: dict[tuple[int, dt.date], list[int]] = {}
    for target_id, agent_id, day in plan.assignments:
        by_pair.setdefault((agent_id, day), []).append(target_id)
    for (agent_id, day), target_ids in by_pair.items():
        for i in range(0, len(target_ids), 900):
            with transaction.atomic():
                # Look the rows up by primary key only: with "assigned_to IS NULL" in the
                # same condition SQLite walks the index of every unassigned callback instead.
                free = [
                    pk
                    for pk, agent in Target.objects.filter(
                        pk__in=target_ids[i : i + 900]
                    ).values_list("pk", "assigned_to_id")
                    if agent is None
                ]
                Target.objects.filter(pk__in=free).update(assigned_to_id=agent_id, scheduled_on=day)
    with transaction.atomic():
        data = {
            "assigned": len(plan.assignments),
            "late": len(plan.late),
            "unplaced": len(plan.unplaced),
            "agents": len([a for a, n in plan.per_agent.items() if n]),
        }
        event_record(action="callback.list.distributed", actor=by, project=project, data=data)
        audit_record(actor=by, action="callback.list.distributed", obj=project, data=data)
    return plan


@transaction.atomic
def target_reassign(*, target: Target, agent, by, day: dt.date | None = None) -> Target:
    """Give one callback still to be made to an active callback agent, planned for ``day``
    (default today): when its agent is away, or to move it by hand after a distribution."""
    target = Target.objects.select_for_update().select_related("project").get(pk=target.pk)
    _project_for_list(target.project)
    if not target.is_open:
        raise Conflict(_("Only a callback that is still to be made can be reassigned."))
    errors: dict[str, list[str]] = {}
    if agent is None or not callback_agents().filter(pk=agent.pk).exists():
        errors["agent"] = [_("Choose an active callback agent.")]
    if day is not None and (problem := rules.day_problem(day)):
        errors["day"] = [problem]
    if errors:
        raise ValidationFailed(_("Please correct the fields marked."), errors=errors)
    old = target.assigned_to_id
    target.assigned_to = agent
    target.scheduled_on = day or timezone.localdate()
    target.save(update_fields=["assigned_to", "scheduled_on"])
    data = {"from": old, "to": agent.pk}
    event_record(action="callback.target.reassigned", actor=by, target=target, data=data)
    audit_record(
        actor=by,
        action="callback.target.reassigned",
        obj=target.project,
        data={"target": target.pk, **data},
    )
    return target
