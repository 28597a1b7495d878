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


class AttachmentForm(forms.Form):
    """The file checks themselves (type, size, content) are the service's."""

    file = forms.FileField(
        label=_("File"),
        error_messages={
            "required": _("Choose a file to attach."),
            "empty": _("The file is empty: choose the file again."),
        },
    )
    name = forms.CharField(
        label=_("Name shown to agents (optional)"), required=False, max_length=120
    )


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64)
    parent = forms.TypedChoiceField(
        label=_("Place under"), required=False, coerce=int, empty_value=None
    )
    position = forms.IntegerField(
        label=_("Position among its siblings"), required=False, min_value=0, max_value=999
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("(top level)")), *categories]


class ExamForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    duration_minutes = forms.IntegerField(
        label=_("Time limit (minutes)"), min_value=1, max_value=600, initial=20
    )
    pass_percent = forms.IntegerField(
        label=_("Pass mark (%)"), min_value=0, max_value=100, initial=80
    )
    opens_at = forms.DateTimeField(
        label=_("Opens at (empty: now)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at (empty: until closed by hand)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    questions = forms.TypedMultipleChoiceField(
        label=_("Questions"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    draw_count = forms.IntegerField(
        label=_("Also draw this many questions at random"),
        required=False,
        min_value=0,
        max_value=200,
    )
    draw_category = forms.TypedChoiceField(
        label=_("Draw from the articles of"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, categories=(), questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["draw_category"].choices = [("", _("All questions")), *categories]
        self.fields["questions"].choices = list(questions)


class ExamEditForm(ExamForm):
    """The exam form without the random draw: an existing exam's questions are ticked."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["draw_count"]
        del self.fields["draw_category"]
