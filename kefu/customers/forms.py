from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.customers.selectors import classify_query


class CustomerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Mobile, ID number or card number"),
        max_length=40,
        error_messages={"required": _("Enter a mobile number, an ID number or a card number.")},
    )

    def clean_q(self):
        q = self.cleaned_data["q"].strip()
        if not classify_query(q):
            raise forms.ValidationError(
                _(
                    "“%(q)s” is not a mobile number, an identity document number or a card "
                    "number. Enter the whole number, e.g. 13911110001."
                ),
                code="unknown_kind",
                params={"q": q[:40]},
            )
        return q


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        choices=[
            ("mobile", "mobile"),
            ("document", "document"),
            ("phone", "phone"),
            ("card", "card"),
        ]
    )
    item_id = forms.IntegerField(required=False, min_value=1)
