from __future__ import annotations

import re

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.callbacks.models import (
    AgentProfile,
    CallbackType,
    FollowUp,
    OtherPurpose,
    Outcome,
    Question,
    ReportFiling,
    WindowKind,
)
from kefu.callbacks.rules import QuestionSpec, day_problem
from kefu.callbacks.services.imports import FIELDS
from kefu.callbacks.services.targets import rule_labels

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("Project name"), max_length=100)
    callback_type = forms.ChoiceField(label=_("Type"), choices=CallbackType.choices)
    purpose = forms.ChoiceField(
        label=_("Purpose (type Other)"), choices=OtherPurpose.choices, required=False
    )
    in_window = forms.DateField(
        label=_("A day in the window"),
        widget=DATE,
        help_text=_("The month or quarter that contains this day."),
    )
    window_kind = forms.ChoiceField(
        label=_("Window"),
        choices=[("", _("By type (monthly for new-customer and account-manager projects)"))]
        + list(WindowKind.choices),
        required=False,
    )
    questionnaire: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Questionnaire"), queryset=None
    )
    max_attempts = forms.IntegerField(
        label=_("Attempts per customer"), min_value=1, max_value=10, initial=3
    )
    retry_minutes = forms.IntegerField(
        label=_("Minutes between attempts"), min_value=5, max_value=1440, initial=120
    )
    minimum_reached = forms.IntegerField(
        label=_("Customers to reach in the window"),
        min_value=0,
        required=False,
        help_text=_("Empty: by type (30 for fund projects)."),
    )

    def __init__(self, *args, questionnaires, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].queryset = questionnaires
        if not self.is_bound:
            self.initial.setdefault("in_window", timezone.localdate())


class RuleForm(forms.Form):
    rule = forms.ChoiceField(label=_("List rule"), choices=())
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)
    day = forms.DateField(
        label=_("Trading day (large transfers)"),
        required=False,
        widget=DATE,
        help_text=_("Empty: the previous trading day."),
    )
    limit = forms.CharField(
        label=_("Limit"),
        required=False,
        max_length=20,
        help_text=_("Large transfers: the amount in yuan (500000). Fund holders: how many."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = rule_labels()

    def params(self) -> dict:
        return {
            k: v.isoformat() if hasattr(v, "isoformat") else v
            for k, v in self.cleaned_data.items()
            if k != "rule" and v not in (None, "")
        }


FIELD_LABELS = {
    "customer_no": _("Customer number column"),
    "mobile": _("Mobile column"),
    "id_number": _("ID number column"),
    "name": _("Name column"),
    "due_date": _("Due date column"),
    "reason": _("Reason column"),
}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("List file (.csv or .xlsx)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in FIELDS:
            self.fields[f"col_{name}"] = forms.CharField(
                label=FIELD_LABELS[name], required=False, max_length=100
            )

    def mapping(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[f"col_{name}"].strip()
            for name in FIELDS
            if self.cleaned_data.get(f"col_{name}", "").strip()
        }


class DistributeForm(forms.Form):
    start = forms.DateField(label=_("First day"), widget=DATE)
    agents: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Agents"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every active callback agent."),
    )

    def __init__(self, *args, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agents"].queryset = agents
        if not self.is_bound:
            self.initial.setdefault("start", timezone.localdate())


class QuestionnaireForm(forms.Form):
    name = forms.CharField(label=_("Questionnaire name"), max_length=100)
    company_wide = forms.BooleanField(label=_("Company-wide"), required=False, initial=True)
    opening_script = forms.CharField(
        label=_("Opening script"), widget=forms.Textarea(attrs={"rows": 4})
    )
    closing_script = forms.CharField(
        label=_("Closing script"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


_NARROW_NUMBER = forms.NumberInput(attrs={"style": "width:4.5em"})
_BRANCH = re.compile(r"^\s*(?P<when>[^>]+?)\s*->\s*(?P<goto>\S+)\s*$")
_RANGE = re.compile(r"^(-?\d+)\s*[-~]\s*(-?\d+)$")


class QuestionForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=16, widget=forms.TextInput(attrs={"size": 5})
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Question.Kind.choices)
    text = forms.CharField(label=_("Question"), max_length=500)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: value=label"),
    )
    scale_min = forms.IntegerField(
        label=_("Scale from"), initial=1, required=False, widget=_NARROW_NUMBER
    )
    scale_max = forms.IntegerField(
        label=_("Scale to"), initial=5, required=False, widget=_NARROW_NUMBER
    )
    branches = forms.CharField(
        label=_("Branches"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: answer -> code (or END); a scale: 1-2 -> code"),
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()

    def spec(self) -> QuestionSpec:
        d = self.cleaned_data
        options = []
        for line in d.get("options", "").splitlines():
            if not line.strip():
                continue
            value, _sep, label = line.partition("=")
            options.append((value.strip(), (label or value).strip()))
        branches = []
        for line in d.get("branches", "").splitlines():
            if not line.strip():
                continue
            match = _BRANCH.match(line)
            if not match:
                branches.append({"when": line.strip(), "goto": ""})
                continue
            when, goto = match["when"].strip(), match["goto"].strip().upper()
            scale = _RANGE.match(when)
            if d["kind"] == "scale" and scale:
                branches.append({"min": int(scale[1]), "max": int(scale[2]), "goto": goto})
            elif d["kind"] == "scale" and when.lstrip("-").isdigit():
                branches.append({"min": int(when), "max": int(when), "goto": goto})
            else:
                branches.append({"when": when, "goto": goto})
        return QuestionSpec(
            code=d["code"],
            kind=d["kind"],
            text=d["text"],
            required=d.get("required", False),
            options=tuple(options),
            scale_min=int(d["scale_min"]) if d.get("scale_min") is not None else 1,
            scale_max=int(d["scale_max"]) if d.get("scale_max") is not None else 5,
            branches=tuple(branches),
        )


QuestionFormSet = formset_factory(QuestionForm, extra=2, can_delete=True)


def question_initial(question) -> dict:
    def branch_text(b):
        if "min" in b:
            when = str(b["min"]) if b["min"] == b.get("max") else f"{b['min']}-{b.get('max')}"
        else:
            when = b.get("when", "")
        return f"{when} -> {b.get('goto', '')}"

    return {
        "code": question.code,
        "kind": question.kind,
        "text": question.text,
        "required": question.required,
        "options": "\n".join(f"{o['value']}={o['label']}" for o in question.options),
        "scale_min": question.scale_min,
        "scale_max": question.scale_max,
        "branches": "\n".join(branch_text(b) for b in question.branches),
    }


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    call_back_at = forms.DateTimeField(
        label=_("Call back at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


FOLLOW_UP_ROWS = 3
FOLLOW_UP_KINDS = [("", "—")] + list(FollowUp.Kind.choices)


class ReportForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[
            ("day", _("Day")),
            ("week", _("Week")),
            ("month", _("Month")),
            ("quarter", _("Quarter")),
        ],
        initial="month",
    )
    day = forms.DateField(label=_("Containing the day"), widget=DATE, required=False)

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day is not None and (problem := day_problem(day)):
            raise forms.ValidationError(problem)
        return day


class FilingForm(forms.Form):
    kind = forms.ChoiceField(choices=ReportFiling.Kind.choices)
    period = forms.CharField(max_length=16)


class PortfolioForm(forms.Form):
    since = forms.DateField(label=_("Customers created since"), widget=DATE)
    limit = forms.IntegerField(label=_("At most"), min_value=1, max_value=5000, initial=200)
    agents: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Agents"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every agent who takes customers."),
    )

    def __init__(self, *args, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agents"].queryset = agents


class ContactForm(forms.Form):
    note = forms.CharField(label=_("How the customer was contacted"), max_length=500)


class FollowUpCloseForm(forms.Form):
    resolution = forms.CharField(label=_("What was done"), max_length=500)


class AssignForm(forms.Form):
    agent: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Agent"), queryset=None)
    day = forms.DateField(label=_("Planned for"), required=False, widget=DATE)

    def __init__(self, *args, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day is not None and (problem := day_problem(day)):
            raise forms.ValidationError(problem)
        return day


class RemoveForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class AgentProfileForm(forms.Form):
    daily_quota = forms.IntegerField(
        label=_("Callbacks per trading day"), min_value=0, max_value=500
    )
    skills = forms.MultipleChoiceField(
        label=_("Skills"),
        choices=AgentProfile.Skill.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(label=_("Takes callbacks and customers"), required=False)
