"""Questionnaires (CB-2) and projects (CB-1): create, edit, publish, start, close."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.callbacks import rules
from kefu.callbacks.models import (
    CallbackType,
    OtherPurpose,
    Project,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    WindowKind,
)
from kefu.callbacks.rules import QuestionSpec
from kefu.callbacks.services.events import event_record
from kefu.core.errors import Conflict, ValidationFailed, field_errors_from_django
from kefu.core.services import audit_record

DEFAULT_OPENING = (
    "您好，请问是{customer_name}{customer_title}吗？为确认身份，请您提供身份证号码后四位。"
    "我是{company}{department}的回访专员，工号{agent_no}。"
    "今天给您来电是想做一个简短的回访，请问现在方便接听电话吗？"
)


# Retry rules a project may have (the project form offers the same ranges).
MAX_ATTEMPTS = 10
RETRY_MINUTES = (5, 1440)


def _clean(obj, *, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ValidationFailed(
            _("Please correct the fields marked."), errors=field_errors_from_django(exc)
        ) from None


def _question_rows(version: QuestionnaireVersion, questions: Sequence[QuestionSpec]):
    rows = []
    for position, q in enumerate(questions, start=1):
        rows.append(
            Question(
                version=version,
                position=position,
                code=q.code,
                kind=q.kind,
                text=q.text,
                required=q.required,
                options=[{"value": v, "label": label} for v, label in q.options],
                scale_min=q.scale_min,
                scale_max=q.scale_max,
                branches=[dict(b) for b in q.branches],
            )
        )
    return rows


# What a question may hold (a scale of 0-10 or 1-100 is common; more is a typing error).
SCALE_LIMITS = (-100, 1000)
MAX_OPTIONS = 50


def _check_draft_questions(questions: Sequence[QuestionSpec]) -> None:
    """A draft may be incomplete, but not unsavable: codes must be unique and present."""
    codes = [q.code for q in questions]
    if any(not c for c in codes) or len(set(codes)) != len(codes):
        raise ValidationFailed(
            _("Every question needs its own code."),
            errors={"questions": [_("Every question needs its own code.")]},
        )
    kinds = set(Question.Kind.values)
    problems: list[str] = []
    for q in questions:
        where = {"code": q.code}
        if q.kind not in kinds:
            problems.append(_("%(kind)s is not a question kind.") % {"kind": q.kind})
        if len(q.code) > 16:
            problems.append(_("Question %(code)s: a code has at most 16 characters.") % where)
        if len(q.text) > 500:
            problems.append(_("Question %(code)s: a question has at most 500 characters.") % where)
        if not all(SCALE_LIMITS[0] <= n <= SCALE_LIMITS[1] for n in (q.scale_min, q.scale_max)):
            problems.append(
                _("Question %(code)s: a scale goes from %(low)d to %(high)d at most.")
                % {**where, "low": SCALE_LIMITS[0], "high": SCALE_LIMITS[1]}
            )
        if len(q.options) > MAX_OPTIONS or len(q.branches) > MAX_OPTIONS:
            problems.append(
                _("Question %(code)s: at most %(n)d options and %(n)d branches.")
                % {**where, "n": MAX_OPTIONS}
            )
        if any(len(value) > 100 or len(label) > 200 for value, label in q.options):
            problems.append(_("Question %(code)s: an option is too long.") % where)
    if problems:
        raise ValidationFailed(
            _("The questionnaire cannot be saved: please correct the questions."),
            errors={"questions": problems},
        )


@transaction.atomic
def questionnaire_create(
    *,
    name: str,
    by,
    company_wide: bool = True,
    opening_script: str = DEFAULT_OPENING,
    closing_script: str = "",
    questions: Sequence[QuestionSpec] = (),
    publish: bool = False,
) -> QuestionnaireVersion:
    """A new questionnaire with a first draft version; returns the draft, or the published
    version with ``publish`` (then nothing is saved when it cannot be published)."""
    questionnaire = Questionnaire(name=name.strip(), company_wide=company_wide, owner=by)
    _clean(questionnaire)
    questionnaire.save()
    version = QuestionnaireVersion(
        questionnaire=questionnaire,
        number=1,
        opening_script=opening_script,
        closing_script=closing_script,
    )
    _clean(version)
    _check_draft_questions(questions)
    version.save()
    Question.objects.bulk_create(_question_rows(version, questions))
    audit_record(actor=by, action="callback.questionnaire.created", obj=questionnaire)
    if publish:
        return questionnaire_publish(version=version, by=by)
    return version


@transaction.atomic
def questionnaire_version_save(
    *,
    version: QuestionnaireVersion,
    by,
    opening_script: str,
    closing_script: str = "",
    questions: Sequence[QuestionSpec],
    name: str | None = None,
    company_wide: bool | None = None,
) -> QuestionnaireVersion:
    """Replace a draft version's scripts and questions (and the questionnaire's name and reach
    when given). A published version never changes."""
    version = QuestionnaireVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise Conflict(
            _("Version %(n)d is published and cannot change; make a new version to edit it.")
            % {"n": version.number}
        )
    version.opening_script = opening_script
    version.closing_script = closing_script
    _clean(version)
    _check_draft_questions(questions)
    version.save(update_fields=["opening_script", "closing_script"])
    version.questions.all().delete()
    Question.objects.bulk_create(_question_rows(version, questions))
    questionnaire = version.questionnaire
    changes: dict[str, tuple] = {}
    if name is not None and name.strip() and name.strip() != questionnaire.name:
        changes["name"] = (questionnaire.name, name.strip())
        questionnaire.name = name.strip()
    if company_wide is not None and company_wide != questionnaire.company_wide:
        changes["company_wide"] = (questionnaire.company_wide, company_wide)
        questionnaire.company_wide = company_wide
    if changes:
        _clean(questionnaire)
        questionnaire.save(update_fields=list(changes))
    audit_record(
        actor=by,
        action="callback.questionnaire.edited",
        obj=questionnaire,
        changes=changes or None,
        data={"version": version.number, "questions": len(questions)},
    )
    return version


@transaction.atomic
def questionnaire_publish(*, version: QuestionnaireVersion, by) -> QuestionnaireVersion:
    """Publish a draft after checking it (branches that point nowhere cannot be published)."""
    version = QuestionnaireVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        return version
    specs = [rules.spec_from_question(q) for q in version.questions.order_by("position")]
    problems = rules.questionnaire_problems(specs)
    if not version.opening_script.strip():
        problems.insert(0, _("The opening script is empty."))
    if problems:
        raise ValidationFailed(
            _("The questionnaire cannot be published yet."), errors={"questions": problems}
        )
    version.status = QuestionnaireVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = by
    version.save(update_fields=["status", "published_at", "published_by"])
    audit_record(
        actor=by,
        action="callback.questionnaire.published",
        obj=version.questionnaire,
        data={"version": version.number},
    )
    return version


@transaction.atomic
def questionnaire_new_version(*, questionnaire: Questionnaire, by) -> QuestionnaireVersion:
    """A draft to edit: the open draft if there is one, else a copy of the newest version."""
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    latest = questionnaire.versions.order_by("-number").first()
    if latest is not None and not latest.is_published:
        return latest
    number = (questionnaire.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=number,
        opening_script=latest.opening_script if latest else DEFAULT_OPENING,
        closing_script=latest.closing_script if latest else "",
    )
    if latest is not None:
        specs = [rules.spec_from_question(q) for q in latest.questions.order_by("position")]
        Question.objects.bulk_create(_question_rows(version, specs))
    audit_record(
        actor=by,
        action="callback.questionnaire.version_created",
        obj=questionnaire,
        data={"version": number},
    )
    return version


def latest_published(questionnaire: Questionnaire) -> QuestionnaireVersion | None:
    return (
        questionnaire.versions.filter(status=QuestionnaireVersion.Status.PUBLISHED)
        .order_by("-number")
        .first()
    )


# --- projects --------------------------------------------------------------------------------


@transaction.atomic
def project_create(
    *,
    name: str,
    callback_type: str,
    questionnaire: Questionnaire,
    in_window: dt.date,
    by,
    purpose: str = "",
    window_kind: str | None = None,
    max_attempts: int = 3,
    retry_minutes: int = 120,
    minimum_reached: int | None = None,
) -> Project:
    """A draft project whose window is the month or quarter containing ``in_window``.

    The window kind defaults by type (CB-4); a fund project must reach 30 customers a
    quarter unless another minimum is given.
    """
    errors: dict[str, list[str]] = {}
    if callback_type not in CallbackType.values:
        errors["callback_type"] = [_("Choose one of the callback types.")]
    if purpose and purpose not in OtherPurpose.values:
        errors["purpose"] = [_("Choose one of the purposes.")]
    if purpose and callback_type != CallbackType.OTHER:
        errors["purpose"] = [_("Only projects of type Other have a purpose.")]
    if not name.strip():
        errors["name"] = [_("Give the project a name.")]
    if problem := rules.day_problem(in_window):
        errors["in_window"] = [problem]
    if not 1 <= max_attempts <= MAX_ATTEMPTS:
        errors["max_attempts"] = [
            _("Choose from 1 to %(max)d attempts per customer.") % {"max": MAX_ATTEMPTS}
        ]
    if not RETRY_MINUTES[0] <= retry_minutes <= RETRY_MINUTES[1]:
        errors["retry_minutes"] = [
            _("Choose from %(low)d to %(high)d minutes between attempts.")
            % {"low": RETRY_MINUTES[0], "high": RETRY_MINUTES[1]}
        ]
    if minimum_reached is not None and minimum_reached < 0:
        errors["minimum_reached"] = [_("Enter 0 or more customers.")]
    if not questionnaire.company_wide:
        # A questionnaire that is not company-wide belongs to the one project it was made for.
        other = questionnaire.projects.order_by("id").first()
        if other is not None:
            errors["questionnaire"] = [
                _(
                    "This questionnaire is used only by the project %(name)s: make it "
                    "company-wide to use it again."
                )
                % {"name": other.name}
            ]
    kind = window_kind or rules.default_window_kind(callback_type)
    if kind not in WindowKind.values:
        errors["window_kind"] = [_("Choose monthly or quarterly.")]
    if errors:
        raise ValidationFailed(_("Please correct the fields marked."), errors=errors)
    window = rules.window_for(kind, in_window)
    project = Project(
        name=name.strip(),
        callback_type=callback_type,
        purpose=purpose,
        window_kind=kind,
        window_start=window.start,
        window_end=window.end,
        questionnaire=questionnaire,
        max_attempts=max_attempts,
        retry_minutes=retry_minutes,
        minimum_reached=(
            rules.default_minimum(callback_type) if minimum_reached is None else minimum_reached
        ),
        owner=by,
    )
    _clean(project)
    project.save()
    event_record(action="callback.project.created", actor=by, project=project)
    audit_record(
        actor=by,
        action="callback.project.created",
        obj=project,
        data={"type": callback_type, "window": window.key},
    )
    return project


@transaction.atomic
def project_start(*, project: Project, by) -> Project:
    """Draft → running. The project keeps the questionnaire version published now."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status != Project.Status.DRAFT:
        raise Conflict(_("Only a draft project can be started."))
    version = latest_published(project.questionnaire)
    if version is None:
        raise ValidationFailed(
            _("Publish the questionnaire before starting the project."),
            errors={"questionnaire": [_("The questionnaire has no published version.")]},
        )
    project.status = Project.Status.RUNNING
    project.questionnaire_version = version
    project.started_at = timezone.now()
    project.save(update_fields=["status", "questionnaire_version", "started_at"])
    event_record(
        action="callback.project.started",
        actor=by,
        project=project,
        data={"questionnaire_version": version.number},
    )
    audit_record(actor=by, action="callback.project.started", obj=project)
    return project


@transaction.atomic
def project_close(*, project: Project, by) -> Project:
    """Running (or draft) → closed; its open callbacks leave the agents' queues."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status == Project.Status.CLOSED:
        raise Conflict(_("The project is already closed."))
    project.status = Project.Status.CLOSED
    project.closed_at = timezone.now()
    project.save(update_fields=["status", "closed_at"])
    event_record(action="callback.project.closed", actor=by, project=project)
    audit_record(actor=by, action="callback.project.closed", obj=project)
    return project


@transaction.atomic
def agent_profile_save(*, user, by, daily_quota: int, skills: Sequence[str], active: bool):
    """Set an agent's callbacks per trading day (CB-4) and skills (PF-1)."""
    from kefu.callbacks.models import AgentProfile

    errors: dict[str, list[str]] = {}
    if not 0 <= daily_quota <= 500:
        errors["daily_quota"] = [_("Choose from 0 to 500 callbacks a trading day.")]
    unknown = [s for s in skills if s not in AgentProfile.Skill.values]
    if unknown:
        errors["skills"] = [_("Unknown skill: %(skill)s.") % {"skill": ", ".join(unknown)}]
    if errors:
        raise ValidationFailed(_("Please correct the fields marked."), errors=errors)
    profile, _created = AgentProfile.objects.select_for_update().get_or_create(user=user)
    old = {"daily_quota": profile.daily_quota, "skills": profile.skills, "active": profile.active}
    profile.daily_quota = daily_quota
    profile.skills = sorted(set(skills))
    profile.active = active
    profile.save(update_fields=["daily_quota", "skills", "active"])
    new = {"daily_quota": profile.daily_quota, "skills": profile.skills, "active": profile.active}
    audit_record(
        actor=by,
        action="callback.agent.updated",
        obj=user,
        changes={k: (old[k], new[k]) for k in old if old[k] != new[k]},
    )
    return profile
