from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SignInForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)


class SignInCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("6-digit code"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": _("Enter the 6 digits your authenticator app shows.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": "7"}
        ),
    )


class AuditSearchForm(forms.Form):
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=64,
        help_text=_("Prefix, e.g. customer. or auth.login"),
    )
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=64)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class CalendarYearForm(forms.Form):
    """CAL-1: a year's official schedule, pasted as CSV or uploaded as a CSV/JSON file."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    source = forms.CharField(
        label=_("Source"),
        required=False,
        max_length=200,
        help_text=_("The State Council notice the schedule comes from, e.g. 国办发明电〔2026〕号."),
    )
    schedule = forms.CharField(
        label=_("Schedule"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16, "cols": 60, "class": "mono"}),
        help_text=_(
            "One line per day: date,kind,name — kind is holiday or workday (a make-up working "
            "day). Every day of every holiday period, weekends included."
        ),
    )
    file = forms.FileField(
        label=_("Or upload a file"),
        required=False,
        help_text=_(
            "CSV (UTF-8 or GB 18030, as Excel saves it) or JSON. A file, when chosen, is used "
            "instead of the text above."
        ),
    )

    def clean(self):
        from kefu.core import calendars
        from kefu.core.errors import ValidationFailed

        data = super().clean()
        upload = data.get("file")
        field = "file" if upload else "schedule"
        try:
            text = (
                calendars.decode_schedule_file(upload.read())
                if upload
                else data.get("schedule", "")
            )
            if not text.strip():
                self.add_error(field, _("Paste the year's schedule or upload a file."))
                return data
            # Without a valid year the rows cannot be checked against it; the year's own
            # error is shown first.
            if data.get("year") is None:
                return data
            parsed = calendars.read_schedule(text, year=data["year"])
        except ValidationFailed as exc:
            for message in exc.errors.get("days", [exc.message]):
                self.add_error(field, message)
            return data
        data["days"] = parsed.days
        data["input_field"] = field
        if not data.get("source") and parsed.source:
            data["source"] = parsed.source
        return data
