"""IVR-4: a fax or re-mail request renders the statement as a PDF with Chinese text."""

import pytest
from pypdf import PdfReader

from kefu.core.models import AuditEvent
from kefu.ivr import statements
from kefu.ivr.models import StatementRequest
from kefu.ivr.tasks import render_statement_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def immediate(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.DATA_DIR = tmp_path


def request_copy(phone, method_keys):
    p = phone()
    p.verify_by_id()
    p.keys("1", "5", "202610#", *method_keys)
    return p


def text_of(path) -> str:
    reader = PdfReader(str(path))
    # CID fonts come out with a NUL between characters; spacing is not what is checked
    raw = "".join(page.extract_text() for page in reader.pages)
    return "".join(raw.replace("\x00", "").split())


def test_a_remail_request_renders_the_statement_pdf_with_chinese_text(
    demo, phone, immediate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request_copy(phone, ["2"])

    request = StatementRequest.objects.get()
    assert request.status == StatementRequest.Status.READY, request.message
    path = statements.statement_pdf_path(request)
    assert path is not None and path.read_bytes().startswith(b"%PDF")
    text = text_of(path)
    assert "信用卡对账单" in text
    assert "张*" in text and "张伟" not in text
    assert "2026年10月" in text
    assert "人民币3,256.18元" in text
    assert "苏宁易购" in text and "1,299.00" in text
    assert "6288880000000013" not in text and "尾号0013" in text


def test_a_supervisor_downloads_the_pdf_from_the_call_record(
    demo, phone, immediate, role_users, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        p = request_copy(phone, ["1", "02165001234#"])
    request = StatementRequest.objects.get()
    client = client_for(role_users["supervisor"])

    page = client.get(f"/ivr/calls/{p.call_id}/").content.decode()
    response = client.get(f"/ivr/statements/{request.pk}.pdf")

    assert f"/ivr/statements/{request.pk}.pdf" in page
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    audit = AuditEvent.objects.get(action="ivr.statement_pdf.downloaded")
    assert (audit.actor, audit.object_id) == (role_users["supervisor"], str(request.pk))
    assert (
        client_for(role_users["agent"]).get(f"/ivr/statements/{request.pk}.pdf").status_code == 403
    )
    assert AuditEvent.objects.filter(action="ivr.statement_pdf.downloaded").count() == 1


def test_without_a_cjk_font_the_request_fails_with_a_clear_message(
    demo, phone, immediate, settings, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(statements, "FONT_DIRS", ())
    settings.KEFU_CJK_FONT = ""

    with django_capture_on_commit_callbacks(execute=True):
        request_copy(phone, ["2"])

    request = StatementRequest.objects.get()
    assert request.status == StatementRequest.Status.FAILED
    assert "fonts-noto-cjk" in request.message and "KEFU_CJK_FONT" in request.message


def test_a_configured_font_that_is_missing_is_named(settings):
    settings.KEFU_CJK_FONT = "/nonexistent/font.otf"

    with pytest.raises(statements.FontMissing, match="/nonexistent/font.otf"):
        statements.find_cjk_font()


def test_the_job_runs_again_without_rendering_twice(demo, phone, immediate):
    request_copy(phone, ["2"])
    request = StatementRequest.objects.get()

    assert render_statement_request.call(request_id=request.pk) == "ready"
    first = statements.statement_pdf_path(StatementRequest.objects.get()).stat().st_mtime_ns
    assert render_statement_request.call(request_id=request.pk) == "ready"
    assert statements.statement_pdf_path(StatementRequest.objects.get()).stat().st_mtime_ns == first
