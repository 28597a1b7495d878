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


MAX_IMPORT_BYTES = 512 * 1024 * 1024


class CoreImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Core-banking file (JSON Lines)"),
        error_messages={"required": _("Choose a .jsonl file exported by the core system.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".jsonl", ".json", ".txt", ".ndjson")):
            raise forms.ValidationError(
                _(
                    "“%(name)s” is not a JSON Lines file: export one customer per line as "
                    ".jsonl (see the import format guide)."
                ),
                code="file_type",
                params={"name": upload.name[:80]},
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."), code="file_empty")
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is larger than 512 MB: split it, or run `kefu import-core` on the "
                    "server."
                ),
                code="file_size",
            )
        return upload
