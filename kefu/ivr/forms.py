from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.ivr.models import Call

_PHONE = re.compile(r"^\+?[0-9]{3,20}$")


def _phone(value: str) -> str:
    value = "".join(value.split())
    if value and not _PHONE.match(value):
        raise forms.ValidationError(
            _("A telephone number of 3 to 20 digits (an optional leading +).")
        )
    return value


class CallSearchForm(forms.Form):
    caller = forms.CharField(label=_("Caller number"), required=False, max_length=24)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("any"))] + Call.Status.choices
    )
    verification = forms.ChoiceField(
        label=_("Verification"),
        required=False,
        choices=[("", _("any"))] + Call.Verification.choices,
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_caller(self) -> str:
        return _phone(self.cleaned_data["caller"])

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class PhoneStartForm(forms.Form):
    caller = forms.CharField(
        label=_("Calling from"), max_length=24, initial="13911110001", required=False
    )
    called = forms.CharField(
        label=_("Hotline"), max_length=24, initial="4008205555", required=False
    )

    def clean_caller(self) -> str:
        return _phone(self.cleaned_data["caller"])

    def clean_called(self) -> str:
        return _phone(self.cleaned_data["called"])
