"""Knowledge base (KB-1), its search index (KB-2) and the training question bank (KB-4).

An Article is the stable identity (external id, category, tags, validity dates, workflow
state, counters); its text lives in ArticleVersion rows, one per edit round, never changed
once submitted for review. Agents and the bot only ever see ``published_version``, and only
between ``effective_from`` and ``expires_at``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A node of the category tree (信用卡 › 还款 › 自动还款)."""

    name = models.CharField(_("name"), max_length=64)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="kb_category_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=32, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ArticleQuerySet(models.QuerySet):
    def live(self, *, now=None):
        """Published and valid now: what agents and the bot may see."""
        now = now or timezone.now()
        return (
            self.filter(published_version__isnull=False)
            .exclude(status=Article.Status.ARCHIVED)
            .filter(
                models.Q(effective_from__isnull=True) | models.Q(effective_from__lte=now),
                models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now),
            )
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    external_id = models.CharField(
        _("external id"), max_length=64, unique=True, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    current_version = models.ForeignKey(
        "ArticleVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_version = models.ForeignKey(
        "ArticleVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("category"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles", verbose_name=_("tags"))
    effective_from = models.DateTimeField(_("effective from"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    bot_answer_count = models.PositiveIntegerField(_("bot answers"), default=0)
    helpful_count = models.PositiveIntegerField(_("helpful"), default=0)
    unhelpful_count = models.PositiveIntegerField(_("not helpful"), default=0)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-updated_at", "-id"]
        permissions = [
            ("review_article", _("Can review and publish knowledge articles")),
            ("manage_lexicon", _("Can edit the search dictionary and synonyms")),
            ("take_training", _("Can do training practice and exams")),
            ("manage_training", _("Can write training questions and exams")),
            ("view_training_results", _("Can see training results")),
        ]
        indexes = [
            # editor list filtered by state; expiry job looks for published articles past expiry
            models.Index(fields=["status", "updated_at"], name="kb_article_status_idx"),
            models.Index(fields=["status", "expires_at"], name="kb_article_expiry_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_from__isnull=True)
                | models.Q(expires_at__isnull=True)
                | models.Q(expires_at__gt=models.F("effective_from")),
                name="kb_article_expires_after_effective",
            )
        ]

    def __str__(self) -> str:
        version = self.published_version or self.current_version
        return version.title if version else f"#{self.pk}"

    def is_valid_at(self, now) -> bool:
        return (self.effective_from is None or self.effective_from <= now) and (
            self.expires_at is None or now < self.expires_at
        )

    @property
    def draft_attachments(self) -> list[tuple[ArticleAttachment, str]]:
        """For editors and reviewers: the attachments of the current version and those it
        takes off, each with its state against the published version: "published",
        "added" (agents see it once this version is published) or "removing" (agents see it
        until then)."""
        current = self.current_version.number if self.current_version is not None else None
        published = self.published_version.number if self.published_version is not None else None
        rows = []
        for a in self.attachments.all():
            in_draft, live = a.in_version(current), a.in_version(published)
            if in_draft or live:
                state = "published" if in_draft and live else "added" if in_draft else "removing"
                rows.append((a, state))
        return rows

    @property
    def published_attachments(self) -> list[ArticleAttachment]:
        """The attachments agents see: those of the published version (reviewed)."""
        number = self.published_version.number if self.published_version is not None else None
        return [a for a in self.attachments.all() if a.in_version(number)]


class ArticleVersion(models.Model):
    """The text of an article at one edit round. Frozen once submitted for review."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    question = models.CharField(_("standard question"), max_length=200)
    similar_questions = models.JSONField(_("similar questions"), default=list, blank=True)
    answer_html = models.TextField(_("answer"))
    note = models.CharField(_("change note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class ArticleEvent(models.Model):
    """Append-only history of an article: created, edited, submitted, published, …"""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=48)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("article event")
        verbose_name_plural = _("article events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["article", "at"], name="kb_event_article_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Article events are append-only.")
        super().save(*args, **kwargs)


def attachment_path(instance: ArticleAttachment, filename: str) -> str:
    return f"knowledge/{instance.article_id}/{uuid.uuid4().hex}-{filename[-80:]}"


class ArticleAttachment(models.Model):
    """A file of an article. Attachments go through review with the text: one belongs to the
    versions from ``added_in`` (a version number; 0: from the first) up to, not including,
    ``removed_in``; agents see those of the published version, editors those of the draft."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("name"), max_length=120)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    added_in = models.PositiveIntegerField(_("added in version"), default=0)
    removed_in = models.PositiveIntegerField(_("removed in version"), null=True, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.name

    def in_version(self, number: int | None) -> bool:
        """Part of version ``number`` of its article (None: no such version)."""
        if number is None:
            return False
        return self.added_in <= number and (self.removed_in is None or self.removed_in > number)


class ArticleFeedback(models.Model):
    """ "Was this helpful?" from an agent (one answer per agent and article, changeable)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    helpful = models.BooleanField(_("helpful"))
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="kb_feedback_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {'+' if self.helpful else '-'}"


class SynonymGroup(models.Model):
    """Words customers and articles use for one thing; the first is the standard term."""

    words = models.CharField(_("words"), max_length=300)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.words


class UserWord(models.Model):
    """A word of the banking user dictionary added by a knowledge editor."""

    word = models.CharField(_("word"), max_length=32, unique=True)
    frequency = models.PositiveIntegerField(_("frequency"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("dictionary word")
        verbose_name_plural = _("dictionary words")
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word


class SearchIndexState(models.Model):
    """The one row that stamps the search index: every web process compares its copy with
    it before each search (see kefu.knowledge.search)."""

    generation = models.CharField(max_length=32, default="")
    seq = models.BigIntegerField(default=0)
    lexicon_version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("search index state")
        verbose_name_plural = _("search index state")

    def __str__(self) -> str:
        return f"{self.generation}:{self.seq}/{self.lexicon_version}"


class SearchDocument(models.Model):
    """One published article's analysed terms: the database copy of the search index."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    seq = models.BigIntegerField(db_index=True)
    live = models.BooleanField(default=True)
    category_id_value = models.BigIntegerField(null=True, blank=True)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    terms = models.JSONField(default=dict)
    lexicon_version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self) -> str:
        return f"{self.article_id}@{self.seq}"


# --- training (KB-4) ------------------------------------------------------------------------


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True or false")

    class Source(models.TextChoices):
        EDITOR = "editor", _("Written by an editor")
        GENERATED = "generated", _("Generated from an article")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=500)
    options = models.JSONField(_("options"), default=list)
    correct = models.JSONField(_("correct options"), default=list)
    explanation = models.TextField(_("explanation"), blank=True)
    article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="questions"
    )
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.EDITOR
    )
    source_key = models.CharField(max_length=64, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("training question")
        verbose_name_plural = _("training questions")
        ordering = ["id"]
        constraints = [
            # generating questions again for the same article pair does not duplicate them
            models.UniqueConstraint(
                fields=["source_key"],
                condition=~models.Q(source_key=""),
                name="kb_question_unique_source_key",
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def correct_labels(self) -> list[str]:
        return [self.options[i] for i in self.correct if 0 <= i < len(self.options)]


class TrainingGroup(models.Model):
    """A team of agents in training (e.g. an induction class with its mentor)."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supervisor"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="training_groups"
    )

    class Meta:
        verbose_name = _("training team")
        verbose_name_plural = _("training teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Exam(models.Model):
    title = models.CharField(_("title"), max_length=100)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=20)
    pass_percent = models.PositiveSmallIntegerField(_("pass mark (%)"), default=80)
    questions = models.ManyToManyField(Question, related_name="exams")
    opens_at = models.DateTimeField(_("opens at"), default=timezone.now)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        ordering = ["-opens_at"]

    def __str__(self) -> str:
        return self.title


class Attempt(models.Model):
    """A daily practice set or one sitting of an exam."""

    class Kind(models.TextChoices):
        PRACTICE = "practice", _("Daily practice")
        EXAM = "exam", _("Exam")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_attempts"
    )
    exam = models.ForeignKey(
        Exam, on_delete=models.CASCADE, null=True, blank=True, related_name="attempts"
    )
    practice_date = models.DateField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    correct_count = models.PositiveSmallIntegerField(default=0)
    question_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("training attempt")
        verbose_name_plural = _("training attempts")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "practice_date"],
                condition=models.Q(kind="practice"),
                name="kb_one_practice_per_day",
            ),
            models.UniqueConstraint(
                fields=["agent", "exam"],
                condition=models.Q(kind="exam"),
                name="kb_one_sitting_per_exam",
            ),
        ]
        indexes = [
            # results page: attempts per agent, newest first
            models.Index(fields=["agent", "started_at"], name="kb_attempt_agent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.kind} {self.started_at:%Y-%m-%d}"

    @property
    def score_percent(self) -> int:
        if not self.question_count:
            return 0
        return round(100 * self.correct_count / self.question_count)


class AttemptAnswer(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    position = models.PositiveSmallIntegerField()
    chosen = models.JSONField(default=list, blank=True)
    is_correct = models.BooleanField(null=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question"], name="kb_answer_once_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.position}"
