"""CB-3 imports: CSV and XLSX lists with column mapping; every bad row reported by number
with its reason, good rows kept, re-import idempotent (NF-3)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from kefu.callbacks import services
from kefu.callbacks.models import TargetBatch
from kefu.callbacks.services.imports import import_rows
from kefu.core.errors import Conflict, ValidationFailed
from tests.factories import CustomerFactory, IdentityDocumentFactory, callback_project

pytestmark = pytest.mark.django_db

GOOD_ID = "110108200001010015"


@pytest.fixture(autouse=True)
def _english_and_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with translation.override("en"):
        yield


@pytest.fixture
def people():
    zhao = CustomerFactory(name="赵磊", mobile="13911110006", external_id="C0006")
    IdentityDocumentFactory(customer=zhao, number=GOOD_ID)
    li = CustomerFactory(name="李娜", mobile="13911110002", external_id="C0002")
    wang = CustomerFactory(name="王芳", mobile="13911110003", external_id="C0003")
    return zhao, li, wang


def write(tmp_path: Path, text: str, name="list.csv", encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


BAD_LIST = """姓名,手机号码,身份证号码,备注
赵磊,13911110006,,大额转出
李娜,1391111000,,
王芳,13911110003,110108200001010016,
,,,
赵磊,139-1111-0006,,again
陌生人,13800000000,,
李娜,13911110002,,
"""


def test_bad_rows_are_reported_by_number_and_good_rows_kept(supervisor, people, tmp_path):
    zhao, li, _wang = people
    project = callback_project(by=supervisor)

    result = import_rows(project=project, path=write(tmp_path, BAD_LIST))

    assert (result.rows, result.added, result.duplicates, result.failed) == (7, 2, 1, 4)
    assert set(project.targets.values_list("customer_id", flat=True)) == {zhao.pk, li.pk}
    by_row = {e.row: e for e in result.errors}
    assert by_row[3].column == "mobile"  # 10 digits
    assert by_row[4].column == "id_number" and "check character" in by_row[4].message
    assert "empty" in by_row[5].message
    assert by_row[6].kind == "duplicate" and "row 2" in by_row[6].message
    assert "No customer" in by_row[7].message
    assert sorted(by_row) == [3, 4, 5, 6, 7]


def test_importing_the_same_file_again_adds_nothing(supervisor, people, tmp_path):
    project = callback_project(by=supervisor)
    path = write(tmp_path, BAD_LIST)
    import_rows(project=project, path=path)

    again = import_rows(project=project, path=path)

    assert (again.added, again.duplicates) == (0, 3)
    assert project.targets.count() == 2
    assert "Already in this project's list." in [e.message for e in again.errors]


def test_customers_listed_in_another_project_of_the_window_are_named(supervisor, people, tmp_path):
    first = callback_project(by=supervisor, name="11月新客户A")
    second = callback_project(
        by=supervisor, name="11月新客户B", version=first.questionnaire_version
    )
    import_rows(project=first, path=write(tmp_path, "手机号码\n13911110006\n"))

    result = import_rows(project=second, path=write(tmp_path, "手机号码\n13911110006\n", "b.csv"))

    assert result.added == 0
    assert "11月新客户A" in result.errors[0].message


def test_columns_are_mapped_explicitly(supervisor, people, tmp_path):
    project = callback_project(by=supervisor)
    text = "编号,联系人,联系方式,到期\nC0003,王芳,,2026-11-27\n"

    result = import_rows(
        project=project,
        path=write(tmp_path, text),
        mapping={"customer_no": "编号", "name": "联系人", "due_date": "到期"},
    )

    assert result.added == 1
    target = project.targets.get()
    assert target.due_at.date().isoformat() == "2026-11-27"


def test_wrong_columns_are_refused_before_anything_is_added(supervisor, people, tmp_path):
    project = callback_project(by=supervisor)

    with pytest.raises(ValidationFailed) as exc:
        import_rows(project=project, path=write(tmp_path, "客户,电话号\n赵磊,13911110006\n"))
    with pytest.raises(ValidationFailed) as mapped:
        import_rows(project=project, path=write(tmp_path, "a,b\n1,2\n"), mapping={"mobile": "电话"})

    assert "identifies the customer" in " ".join(exc.value.errors["mapping"])
    assert "no column 电话" in " ".join(mapped.value.errors["mapping"])
    assert project.targets.count() == 0


def test_a_name_that_does_not_match_the_number_is_refused(supervisor, people, tmp_path):
    project = callback_project(by=supervisor)

    result = import_rows(project=project, path=write(tmp_path, "姓名,手机号码\n张三,13911110006\n"))

    assert result.failed == 1 and "name does not match" in result.errors[0].message


def test_numbers_of_different_customers_in_one_row_are_refused(supervisor, people, tmp_path):
    project = callback_project(by=supervisor)

    result = import_rows(
        project=project, path=write(tmp_path, f"手机号码,身份证号码\n13911110002,{GOOD_ID}\n")
    )

    assert result.failed == 1 and "different customers" in result.errors[0].message


def test_a_gb18030_csv_from_excel_is_read(supervisor, people, tmp_path):
    project = callback_project(by=supervisor)

    result = import_rows(
        project=project,
        path=write(tmp_path, "姓名,手机号码\r\n赵磊,13911110006\r\n", encoding="gb18030"),
    )

    assert result.added == 1


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_list_with_numbers_stored_as_numbers(supervisor, people, tmp_path):
    project = callback_project(by=supervisor)
    path = tmp_path / "list.xlsx"
    path.write_bytes(
        xlsx(
            [
                ["客户姓名", "手机号码", "身份证号码"],
                ["赵磊", 13911110006, None],
                ["王芳", None, 110108200001010015.0],
                [None, None, None],
            ]
        )
    )

    result = import_rows(project=project, path=path)

    assert (result.added, result.failed) == (1, 2)
    messages = {e.row: e.message for e in result.errors}
    assert "dropped its last digits" in messages[3]
    assert "empty" in messages[4]


def test_a_queued_import_shows_progress_and_offers_the_errors_csv(supervisor, people, client_for):
    project = callback_project(by=supervisor)
    client = client_for(supervisor)

    response = client.post(
        f"/callbacks/projects/{project.pk}/import/",
        {"file": SimpleUploadedFile("名单.csv", BAD_LIST.encode("utf-8-sig"))},
    )

    batch = TargetBatch.objects.get()
    assert response.status_code == 302
    assert (batch.status, batch.added_count, batch.failed_count) == ("finished", 2, 4)
    page = client.get(f"/callbacks/projects/{project.pk}/batches/{batch.pk}/").content.decode()
    assert 'id="batch-errors"' in page
    assert '<td class="num">3</td><td>Mobile</td>' in page  # the field's name, not its code
    errors = client.get(f"/callbacks/projects/{project.pk}/batches/{batch.pk}/errors.csv")
    body = b"".join(errors.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0] == "row,column,kind,message"
    assert len(body.splitlines()) == 6


def test_an_upload_with_wrong_columns_is_refused_on_the_page(supervisor, people, client_for):
    project = callback_project(by=supervisor)

    response = client_for(supervisor).post(
        f"/callbacks/projects/{project.pk}/import/",
        {"file": SimpleUploadedFile("x.csv", b"foo,bar\n1,2\n")},
    )

    assert response.status_code == 400
    assert "identifies the customer" in response.content.decode()
    assert "the file&#x27;s columns are: foo, bar" in response.content.decode()
    assert TargetBatch.objects.count() == 0


def test_the_project_list_of_a_closed_project_refuses_imports(supervisor, people, tmp_path):
    project = callback_project(by=supervisor)
    services.project_close(project=project, by=supervisor)

    with pytest.raises(Conflict):
        import_rows(project=project, path=write(tmp_path, "手机号码\n13911110006\n"))


@pytest.mark.parametrize(
    "kind,value",
    [
        ("mobile", "13911110006"),
        ("mobile", "+86 139-1111-0006"),
        ("mobile", "１３９１１１１０００６"),
        ("document", "11010820000101001x"),
        ("document", "110108200001010015"),
        ("document", "E12345678"),
    ],
)
def test_the_bulk_hasher_gives_the_same_hashes_as_lookup_hash(kind, value):
    from kefu.core.crypto import lookup_hash, lookup_hasher

    assert lookup_hasher(kind)(value) == lookup_hash(kind, value)


def test_row_problems_quote_no_digits_of_an_id_number(supervisor, people, tmp_path):
    project = callback_project(by=supervisor)
    # a valid region, then a birth date 1999-13-32 that does not exist
    text = "姓名,身份证号码\n赵磊,110108199913320015\n"

    result = import_rows(project=project, path=write(tmp_path, text))

    (error,) = result.errors
    assert (error.row, error.column) == (2, "id_number")
    assert "birth date" in error.message
    assert "19991332" not in error.message and "********" in error.message
