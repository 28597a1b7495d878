"""Attachments (KB-1): upload on the edit page, limits, permission-checked download, audit."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from kefu.core.models import AuditEvent
from kefu.knowledge import services
from kefu.knowledge.models import ArticleAttachment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% fee schedule\n" + b"0" * 200


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    return tmp_path / "media"


@pytest.fixture
def fees(publish):
    return publish("信用卡年费标准", answer="<p>见附件。</p>")


def _upload(client, article, content=PDF, name="年费标准.pdf", label=""):
    return client.post(
        reverse("knowledge:attachment_upload", args=[article.pk]),
        {"file": SimpleUploadedFile(name, content), "name": label},
    )


def test_an_editor_attaches_a_file_and_agents_download_it_once_reviewed(
    fees, role_users, client_for, _media
):
    editor = client_for(role_users["editor"])
    agent = client_for(role_users["agent"])

    response = _upload(editor, fees, label="2026 年费标准")

    assert response.status_code == 302
    attachment = ArticleAttachment.objects.get(article=fees)
    assert attachment.name == "2026 年费标准"
    assert (_media / attachment.file.name).read_bytes() == PDF
    assert fees.events.filter(action="knowledge.attachment.added").exists()
    assert AuditEvent.objects.filter(action="knowledge.attachment.added").count() == 1
    link = reverse("knowledge:attachment", args=[attachment.pk])
    # not reviewed yet: a new draft version holds it, agents see the published one
    fees.refresh_from_db()
    assert (fees.status, fees.current_version.number, fees.published_version.number) == (
        "draft",
        2,
        1,
    )
    assert link not in agent.get(reverse("knowledge:article", args=[fees.pk])).text
    assert agent.get(link).status_code == 404
    edit_page = editor.get(reverse("knowledge:edit", args=[fees.pk])).text
    assert "发布此版本后坐席才能看到" in edit_page

    services.article_submit(article=fees, by=role_users["editor"])
    services.article_publish(article=fees, by=role_users["supervisor"])

    page = agent.get(reverse("knowledge:article", args=[fees.pk]))
    assert link in page.text and "kb-attachments" in page.text
    download = agent.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert "attachment;" in download["Content-Disposition"]
    assert AuditEvent.objects.filter(
        action="knowledge.attachment.downloaded", actor=role_users["agent"]
    ).exists()
    published = fees.events.get(action="knowledge.article.published", data__version=2)
    assert published.data["attachments_added"] == ["2026 年费标准"]


def test_a_published_file_stays_with_agents_until_its_removal_is_reviewed(
    fees, role_users, client_for, _media, django_capture_on_commit_callbacks
):
    attachment = services.attachment_add(
        article=fees, by=role_users["editor"], upload=SimpleUploadedFile("费率.pdf", PDF)
    )
    services.article_submit(article=fees, by=role_users["editor"])
    services.article_publish(article=fees, by=role_users["supervisor"])
    stored = _media / attachment.file.name
    link = reverse("knowledge:attachment", args=[attachment.pk])
    agent = client_for(role_users["agent"])

    response = client_for(role_users["editor"]).post(
        reverse("knowledge:attachment_remove", args=[attachment.pk])
    )

    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.removed_in == 3
    assert agent.get(link).status_code == 200 and stored.exists()
    manage = client_for(role_users["supervisor"]).get(reverse("knowledge:manage", args=[fees.pk]))
    assert "<s>费率.pdf</s>" in manage.text

    services.article_submit(article=fees, by=role_users["editor"])
    with django_capture_on_commit_callbacks(execute=True):  # the file goes on commit
        services.article_publish(article=fees, by=role_users["supervisor"])

    assert agent.get(link).status_code == 404
    assert not ArticleAttachment.objects.exists() and not stored.exists()
    published = fees.events.get(action="knowledge.article.published", data__version=3)
    assert published.data["attachments_removed"] == ["费率.pdf"]


def test_attachments_do_not_change_while_the_article_is_in_review(fees, role_users, _media):
    services.article_update(
        article=fees,
        by=role_users["editor"],
        title="信用卡年费标准",
        question="信用卡年费标准",
        answer_html="<p>见附件（2026 版）。</p>",
    )
    services.article_submit(article=fees, by=role_users["editor"])

    with pytest.raises(services.Conflict):
        services.attachment_add(
            article=fees, by=role_users["editor"], upload=SimpleUploadedFile("a.pdf", PDF)
        )

    assert not ArticleAttachment.objects.exists()
    assert not _media.exists() or not any(_media.rglob("*.pdf"))


def test_a_removal_refused_in_review_says_why_and_keeps_the_file(
    fees, role_users, client_for, _media
):
    attachment = services.attachment_add(
        article=fees, by=role_users["editor"], upload=SimpleUploadedFile("a.pdf", PDF)
    )
    services.article_submit(article=fees, by=role_users["editor"])
    editor = client_for(role_users["editor"])

    response = editor.post(
        reverse("knowledge:attachment_remove", args=[attachment.pk]), follow=True
    )

    assert response.status_code == 200
    assert "审核中" in response.text
    attachment.refresh_from_db()
    assert attachment.removed_in is None and (_media / attachment.file.name).exists()
    assert not AuditEvent.objects.filter(action="knowledge.attachment.removed").exists()


def test_the_edit_page_has_the_upload_form(fees, role_users, client_for):
    page = client_for(role_users["editor"]).get(reverse("knowledge:edit", args=[fees.pk]))

    assert 'id="kb-attachment-form"' in page.text and 'enctype="multipart/form-data"' in page.text


BAD_FILES = [
    ("setup.exe", b"MZ\x90\x00", "cannot be attached"),
    ("fake.pdf", b"MZ\x90\x00 not a pdf", "not a PDF file"),
    ("empty.pdf", b"", "empty"),
    ("noext", b"hello", "cannot be attached"),
    ("binary.txt", b"abc\x00\x01", "not text"),
]


@pytest.mark.parametrize(("name", "content", "words"), BAD_FILES)
def test_bad_files_are_refused_on_the_edit_page(fees, role_users, client_for, name, content, words):
    response = _upload(client_for(role_users["editor"]), fees, content=content, name=name)

    assert response.status_code == 400
    assert 'id="kb-attachment-error"' in response.text
    assert not ArticleAttachment.objects.exists()
    # the article form is still there with the saved text: nothing is lost
    assert "信用卡年费标准" in response.text


@pytest.mark.parametrize(("name", "content", "words"), BAD_FILES)
def test_bad_files_get_an_error_that_says_what_to_do(fees, name, content, words):
    with translation.override("en"), pytest.raises(services.ValidationFailed) as exc:
        services.attachment_add(article=fees, by=None, upload=SimpleUploadedFile(name, content))

    assert words in " ".join(exc.value.errors["file"])
    assert not ArticleAttachment.objects.exists()


def test_a_file_over_the_limit_is_refused(fees, role_users, client_for, monkeypatch):
    monkeypatch.setattr(services, "MAX_ATTACHMENT_BYTES", 100)
    response = _upload(client_for(role_users["editor"]), fees)

    assert response.status_code == 400 and 'id="kb-attachment-error"' in response.text
    with translation.override("en"), pytest.raises(services.ValidationFailed) as exc:
        services.attachment_add(article=fees, by=None, upload=SimpleUploadedFile("a.pdf", PDF))
    assert "at most" in exc.value.errors["file"][0]
    assert not ArticleAttachment.objects.exists()


def test_no_file_chosen(fees, role_users, client_for):
    response = client_for(role_users["editor"]).post(
        reverse("knowledge:attachment_upload", args=[fees.pk]), {}
    )

    assert response.status_code == 400
    assert not ArticleAttachment.objects.exists()


@pytest.mark.parametrize("role", ["agent", "supervisor", "qa", "telephony"])
def test_other_roles_cannot_upload_or_remove(fees, role_users, client_for, role):
    attachment = services.attachment_add(
        article=fees, by=None, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    client = client_for(role_users[role])

    assert _upload(client, fees).status_code == 403
    assert (
        client.post(reverse("knowledge:attachment_remove", args=[attachment.pk])).status_code == 403
    )
    assert list(ArticleAttachment.objects.values_list("pk", flat=True)) == [attachment.pk]


def test_an_editor_removes_an_attachment(fees, role_users, client_for, _media):
    attachment = services.attachment_add(
        article=fees, by=None, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    stored = _media / attachment.file.name
    assert stored.exists()

    response = client_for(role_users["editor"]).post(
        reverse("knowledge:attachment_remove", args=[attachment.pk])
    )

    assert response.status_code == 302
    assert not ArticleAttachment.objects.exists()
    assert AuditEvent.objects.filter(action="knowledge.attachment.removed").exists()


def test_agents_cannot_download_files_of_unpublished_articles(role_users, client_for):
    draft = services.article_create(
        by=None, title="草稿", question="草稿", answer_html="<p>草稿</p>"
    )
    attachment = services.attachment_add(
        article=draft, by=None, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    link = reverse("knowledge:attachment", args=[attachment.pk])

    assert client_for(role_users["agent"]).get(link).status_code == 404
    assert client_for(role_users["editor"]).get(link).status_code == 200
    assert client_for(role_users["admin"]).get(link).status_code == 403
    assert not AuditEvent.objects.filter(
        action="knowledge.attachment.downloaded", actor=role_users["agent"]
    ).exists()


def test_too_many_attachments(fees, monkeypatch):
    monkeypatch.setattr(services, "MAX_ATTACHMENTS", 1)
    services.attachment_add(article=fees, by=None, upload=SimpleUploadedFile("a.pdf", PDF))

    with pytest.raises(services.ValidationFailed) as exc:
        services.attachment_add(article=fees, by=None, upload=SimpleUploadedFile("b.pdf", PDF))

    assert "file" in exc.value.errors
    assert ArticleAttachment.objects.count() == 1
