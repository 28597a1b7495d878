"""An agent types a customer's question, sees the lost-card article highlighted, opens it."""

from __future__ import annotations

import pytest

from kefu.knowledge import search, services

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, username, password="Kefu#2026-test"):  # noqa: S107
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def test_agent_searches_in_colloquial_words_and_opens_the_article(page, role_users, screenshot):
    search.reset_backend()
    for title, similar, answer in [
        ("信用卡挂失办理", ["卡丢了怎么办"], "<p>请立即拨打客服热线按2#挂失。</p>"),
        ("信用卡年费标准", ["年费多少"], "<p>首年免年费。</p>"),
    ]:
        article = services.article_create(
            by=None, title=title, question=title, similar_questions=similar, answer_html=answer
        )
        services.article_publish(article=article, by=None, skip_review=True)

    sign_in(page, "agent")
    page.wait_for_url("**/")
    page.goto("/knowledge/")
    page.fill("#id_q", "卡丢了咋办")
    page.click("#kb-search button[type=submit]")
    first = page.wait_for_selector("#kb-hit-list li:first-child")

    assert "信用卡挂失办理" in first.inner_text()
    assert page.inner_text("#kb-hit-list li:first-child mark")
    screenshot("knowledge-search")
    page.click("#kb-hit-list li:first-child a.title")
    page.wait_for_selector("#kb-article")
    assert "按2#挂失" in page.inner_text("#kb-article")
    page.click("#kb-feedback button[type=submit] >> nth=0")
    page.wait_for_selector("#kb-feedback [role=status]")


def test_editor_attaches_a_file_and_an_agent_downloads_it(
    page, role_users, screenshot, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    search.reset_backend()
    article = services.article_create(
        by=None, title="信用卡年费标准", question="年费多少", answer_html="<p>见附件。</p>"
    )
    services.article_publish(article=article, by=None, skip_review=True)
    pdf = tmp_path / "年费标准.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% fees\n")
    exe = tmp_path / "setup.exe"
    exe.write_bytes(b"MZ\x90\x00")

    sign_in(page, "editor")
    page.wait_for_url("**/")
    page.goto(f"/knowledge/manage/{article.pk}/edit/")
    page.set_input_files("#kb-attachment-form input[type=file]", str(exe))
    page.click("#kb-attachment-form button[type=submit]")
    page.wait_for_selector("#kb-attachment-error")  # refused, with the reason beside the field
    page.set_input_files("#kb-attachment-form input[type=file]", str(pdf))
    page.click("#kb-attachment-form button[type=submit]")
    page.wait_for_selector("#kb-attachment-list li[data-state=added]")
    assert "发布此版本后坐席才能看到" in page.inner_text("#kb-attachment-list")
    screenshot("knowledge-attachments")
    # files are reviewed with the text: the agent gets it once the new version is published
    services.article_submit(article=article, by=role_users["editor"])
    services.article_publish(article=article, by=role_users["supervisor"])

    page.context.clear_cookies()
    sign_in(page, "agent")
    page.wait_for_url("**/")
    page.goto(f"/knowledge/articles/{article.pk}/")
    with page.expect_download() as download:
        page.click("#kb-attachments a")
    assert download.value.suggested_filename == "年费标准.pdf"
