from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.knowledge.analysis import MAX_QUERY_CHARS


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Customer's question"), required=False, max_length=2000)
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories")), *categories]
        self.fields["q"].widget.attrs.update({"maxlength": MAX_QUERY_CHARS * 2})


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    question = forms.CharField(label=_("Standard question"), max_length=200)
    similar_questions = forms.CharField(
        label=_("Similar questions (one a line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    answer_html = forms.CharField(
        label=_("Answer (HTML)"), widget=forms.Textarea(attrs={"rows": 10})
    )
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    tags = forms.CharField(label=_("Tags (comma-separated)"), required=False, max_length=300)
    effective_from = forms.DateTimeField(
        label=_("Effective from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    expires_at = forms.DateTimeField(
        label=_("Expires at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    note = forms.CharField(label=_("Change note"), required=False, max_length=200)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—"), *categories]

    def similar_list(self) -> list[str]:
        return [s.strip() for s in self.cleaned_data["similar_questions"].splitlines() if s.strip()]

    def tag_list(self) -> list[str]:
        return [
            t.strip() for t in self.cleaned_data["tags"].replace("，", ",").split(",") if t.strip()
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(choices=[("1", "yes"), ("0", "no")], coerce=lambda v: v == "1")
    comment = forms.CharField(required=False, max_length=300)


class SynonymForm(forms.Form):
    words = forms.CharField(
        label=_("Synonyms (comma-separated, standard term first)"), max_length=300
    )


class WordForm(forms.Form):
    word = forms.CharField(label=_("Word"), max_length=32)
    frequency = forms.IntegerField(
        label=_("Frequency"), required=False, min_value=1, max_value=10_000_000
    )
