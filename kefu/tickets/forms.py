"""Forms of the workbench pages; the action forms are built from each action's parameters."""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.tickets.classification import Category, Channel, Kind, pboc_choices
from kefu.tickets.models import Queue, SatisfactionSurvey, Severity, Status, Urgency
from kefu.tickets.services import params_of

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


# Browsers fill <input type="date"> and "datetime-local" only from ISO values: without these
# formats a re-shown form (an error elsewhere, the default period) shows the field empty.
def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class TicketForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    content = forms.CharField(
        label=_("What the customer wants"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write down what the customer wants.")},
    )
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[("", _("As suggested"))] + list(Kind.choices),
        required=False,
    )
    category = forms.ChoiceField(
        label=_("Business category"),
        choices=[("", _("As suggested"))] + list(Category.choices),
        required=False,
    )
    subject = forms.CharField(label=_("Subject"), max_length=120, required=False)
    contact_name = forms.CharField(label=_("Contact name"), max_length=64, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        widget=_datetime_input(),
        help_text=_("Leave empty for now (letters and mail: the day they arrived)."),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    ivr_call = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # a fresh key per form shown: a double click or a resent form creates one ticket
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


def _user_choices():
    User = get_user_model()
    users = (
        User.objects.filter(is_active=True, groups__permissions__codename="work_ticket")
        .distinct()
        .order_by("username")
    )
    return [("", "—")] + [(u.pk, f"{u} ({u.username})") for u in users]


def _field(name: str) -> forms.Field:
    """The form field of one action parameter."""
    if name in ("note", "reason", "customer_notice", "case_event", "comment"):
        return forms.CharField(
            label={
                "note": _("Note"),
                "reason": _("Reason"),
                "customer_notice": _("How and when the customer was told"),
                "case_event": _("What happened (event)"),
                "comment": _("Customer's comment"),
            }[name],
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2}),
            required=False,
        )
    if name == "result":
        return forms.CharField(
            label=_("Result told to the customer"),
            max_length=4000,
            widget=forms.Textarea(attrs={"rows": 3}),
            required=False,
        )
    if name == "kind":
        return forms.ChoiceField(label=_("Type"), choices=Kind.choices, required=False)
    if name == "category":
        return forms.ChoiceField(
            label=_("Business category"), choices=Category.choices, required=False
        )
    if name == "severity":
        return forms.ChoiceField(label=_("Severity"), choices=Severity.choices, required=False)
    if name == "urgency":
        return forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, required=False)
    if name in ("pboc_channel", "pboc_business", "pboc_cause"):
        dimension = name.removeprefix("pboc_")
        labels = {
            "channel": _("JR/T 0169 channel"),
            "business": _("JR/T 0169 business type"),
            "cause": _("JR/T 0169 cause"),
        }
        return forms.ChoiceField(
            label=labels[dimension], choices=[("", "—")] + pboc_choices(dimension), required=False
        )
    if name in ("assignee_id", "to_user_id"):
        label = _("Responsible person") if name == "assignee_id" else _("Hand over to")
        return forms.TypedChoiceField(
            label=label, choices=_user_choices, coerce=int, empty_value=None, required=False
        )
    if name == "queue_id":
        return forms.ModelChoiceField(
            label=_("Queue"), queryset=Queue.objects.select_related("team"), required=False
        )
    if name == "into_id":
        return forms.IntegerField(label=_("Earlier complaint number"), min_value=1, required=False)
    if name in ("new_facts", "apologized"):
        label = _("The repeat brings new facts") if name == "new_facts" else _("I apologised")
        return forms.BooleanField(label=label, required=False)
    if name in ("case_time", "reply_by", "new_reply_at"):
        return forms.DateTimeField(
            label={
                "case_time": _("When it happened"),
                "reply_by": _("Reply promised by"),
                "new_reply_at": _("New reply time told to the customer"),
            }[name],
            widget=_datetime_input(),
            required=False,
        )
    if name in ("case_place", "case_person", "case_phone"):
        return forms.CharField(
            label={
                "case_place": _("Where"),
                "case_person": _("Who"),
                "case_phone": _("Phone for the reply"),
            }[name],
            max_length=100,
            required=False,
        )
    if name == "score":
        return forms.TypedChoiceField(
            label=_("Score"),
            choices=[(i, str(i)) for i in range(5, 0, -1)],
            coerce=int,
            required=False,
        )
    if name == "channel":
        return forms.ChoiceField(
            label=_("Ask by"), choices=SatisfactionSurvey.Channel.choices, required=False
        )
    raise KeyError(name)


def action_form_class(action: str) -> type[forms.Form]:
    fields = {name: _field(name) for name in params_of(action)}
    return type(f"{action.title()}Form", (forms.Form,), fields)


def action_form(action: str, data=None, prefix: str | None = None) -> forms.Form:
    return action_form_class(action)(data, prefix=prefix or action)


def action_params(form: forms.Form) -> dict:
    """The cleaned values worth passing on (empty ones are left to the action's defaults)."""
    params = {}
    for name, value in form.cleaned_data.items():
        if value in (None, "", False) and name not in ("apologized", "new_facts"):
            continue
        if hasattr(value, "pk"):
            value = value.pk
        params[name] = value
    return params


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you?"),
        choices=[
            (5, _("5 Very satisfied")),
            (4, _("4 Satisfied")),
            (3, _("3 Neutral")),
            (2, _("2 Dissatisfied")),
            (1, _("1 Very dissatisfied")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a score from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Anything else you want to tell us?"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TicketSearchForm(forms.Form):
    q = forms.CharField(label=_("Number or words"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—")] + list(Status.choices), required=False
    )
    kind = forms.ChoiceField(
        label=_("Type"), choices=[("", "—")] + list(Kind.choices), required=False
    )
    open_only = forms.BooleanField(label=_("Open only"), required=False)


class StatisticsForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=_date_input())
    date_to = forms.DateField(label=_("To"), widget=_date_input())

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and (end < start or (end - start).days > 800):
            raise forms.ValidationError(
                _("Choose a period of at most two years, ending after it starts.")
            )
        return data

    @staticmethod
    def default_period() -> dict[str, dt.date]:
        today = timezone.localdate()
        start = today.replace(day=1)
        for _i in range(5):
            start = (start - dt.timedelta(days=1)).replace(day=1)
        return {"date_from": start, "date_to": today}


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Attachment"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > ATTACHMENT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": ATTACHMENT_MAX_BYTES // 2**20}
            )
        return upload
