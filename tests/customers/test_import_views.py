"""The import pages: upload a file, follow its progress, download its errors (NF-4)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.core.models import AuditEvent
from kefu.customers.models import CoreImport, Customer

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "core-import-sample.jsonl"


@pytest.fixture(autouse=True)
def immediate_tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.DATA_DIR = tmp_path


def upload(client, name, content: bytes):
    return client.post(
        "/customers/imports/", {"file": SimpleUploadedFile(name, content, "application/x-ndjson")}
    )


def test_an_administrator_uploads_a_file_and_sees_it_finished(role_users, client_for):
    client = client_for(role_users["admin"])

    response = upload(client, "sample.jsonl", SAMPLE.read_bytes())

    run = CoreImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/customers/imports/{run.pk}/"
    assert run.status == CoreImport.Status.FINISHED
    assert run.created_count == Customer.objects.count() > 0
    page = client.get(response["Location"]).content.decode()
    assert "100%" in page
    assert (
        AuditEvent.objects.filter(
            action="customer.import.queued", actor=role_users["admin"]
        ).count()
        == 1
    )


def test_bad_lines_are_listed_and_downloadable_while_good_ones_are_kept(role_users, client_for):
    client = client_for(role_users["admin"])
    good = SAMPLE.read_bytes().splitlines()[0]

    upload(client, "mixed.jsonl", good + b"\n{not json\n")

    run = CoreImport.objects.get()
    assert (run.created_count, run.failed_count) == (1, 1)
    assert run.errors[0]["line"] == 2
    page = client.get(f"/customers/imports/{run.pk}/").content.decode()
    assert "errors.csv" in page
    csv = client.get(f"/customers/imports/{run.pk}/errors.csv")
    assert csv.status_code == 200
    assert b"2" in b"".join(csv.streaming_content)


def test_a_file_that_is_not_json_lines_gets_a_chinese_error(role_users, client_for):
    response = upload(client_for(role_users["admin"]), "customers.xlsx", b"PK\x03\x04")

    assert response.status_code == 400
    assert "JSON Lines" in response.content.decode()
    assert not CoreImport.objects.exists()


def test_an_empty_file_is_refused(role_users, client_for):
    response = upload(client_for(role_users["admin"]), "empty.jsonl", b"")

    assert response.status_code == 400
    assert not CoreImport.objects.exists()


def test_the_progress_partial_is_served_to_htmx(role_users, client_for):
    client = client_for(role_users["admin"])
    upload(client, "sample.jsonl", SAMPLE.read_bytes())
    run = CoreImport.objects.get()

    response = client.get(f"/customers/imports/{run.pk}/", headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "<html" not in html
    assert 'id="import-progress"' in html
    assert "hx-trigger" not in html  # finished: no more polling


@pytest.mark.parametrize("role", ["agent", "supervisor", "manager"])
def test_roles_without_the_import_permission_are_refused(role, role_users, client_for):
    client = client_for(role_users[role])

    assert client.get("/customers/imports/").status_code == 403
    assert upload(client, "sample.jsonl", SAMPLE.read_bytes()).status_code == 403
    assert not CoreImport.objects.exists()
    assert not Customer.objects.exists()
