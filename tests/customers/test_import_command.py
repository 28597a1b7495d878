"""``kefu import-core`` and the background import task (NF-3, NF-4)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from kefu import cli
from kefu.core.models import AuditEvent
from kefu.customers import tasks
from kefu.customers.models import CoreImport, Customer
from tests.customers.test_importer import SAMPLE, sample

pytestmark = pytest.mark.django_db

BAD_MOBILE = "line 2: mobile: A mainland mobile number"
SUMMARY_MIXED = "3 lines read: 2 customers created, 0 updated, 0 unchanged, 1 lines failed.\n"


@pytest.fixture(autouse=True)
def _english_and_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "var"
    with translation.override("en"):
        yield


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def mixed_file(tmp_path) -> Path:
    """Three lines; line 2 has a bad mobile number."""
    rows = sample()
    bad = rows[0]
    bad["mobile"] = "23700001001"
    path = tmp_path / "core-mixed.jsonl"
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in (rows[3], bad, rows[4])),
        encoding="utf-8",
    )
    return path


def import_core(*args, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_core", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_it_imports_a_file_and_prints_a_summary():
    out, err = import_core(str(SAMPLE))

    assert out == "5 lines read: 5 customers created, 0 updated, 0 unchanged, 0 lines failed.\n"
    assert "5/5" in err  # the progress bar
    assert Customer.objects.count() == 5


def test_a_second_run_reports_every_customer_unchanged():
    import_core(str(SAMPLE))

    out, _err = import_core(str(SAMPLE), verbosity=0)

    assert out == "5 lines read: 0 customers created, 0 updated, 5 unchanged, 0 lines failed.\n"


def test_bad_lines_are_listed_the_good_ones_kept_and_the_status_is_1(mixed_file, tmp_path):
    errors_csv = tmp_path / "errors.csv"
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError) as exc:
        call_command(
            "import_core",
            str(mixed_file),
            "--errors-to",
            str(errors_csv),
            stdout=out,
            stderr=err,
        )

    assert exc.value.returncode == 1
    assert out.getvalue() == SUMMARY_MIXED
    assert BAD_MOBILE in err.getvalue()
    assert sorted(Customer.objects.values_list("external_id", flat=True)) == [
        "KH20260004",
        "KH20260005",
    ]
    with errors_csv.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["line", "field", "message"]
    assert [r[:2] for r in rows[1:]] == [["2", "mobile"]]
    assert rows[1][2].startswith("A mainland mobile number")


def test_an_unreadable_file_gives_status_2(tmp_path):
    with pytest.raises(CommandError) as exc:
        import_core(str(tmp_path / "missing.jsonl"))

    assert exc.value.returncode == 2
    assert str(exc.value) == (
        f"Cannot read {tmp_path / 'missing.jsonl'}: No such file or directory."
    )


def test_an_unknown_user_gives_status_2_and_imports_nothing():
    with pytest.raises(CommandError) as exc:
        import_core(str(SAMPLE), "--user", "nobody")

    assert exc.value.returncode == 2
    assert str(exc.value) == "No active user named nobody."
    assert not Customer.objects.exists()


def test_a_user_without_the_import_permission_is_refused(make_user):
    make_user("agent1", "agent")

    with pytest.raises(CommandError) as exc:
        import_core(str(SAMPLE), "--user", "agent1")

    assert exc.value.returncode == 2
    assert not Customer.objects.exists()


def test_the_changes_are_recorded_under_the_given_user(make_user):
    admin = make_user("imp", "admin")

    import_core(str(SAMPLE), "--user", "imp", verbosity=0)

    assert AuditEvent.objects.filter(action="customer.imported", actor=admin).count() == 5


def test_it_reads_standard_input():
    out, _err = import_core("-", stdin=io.BytesIO(SAMPLE.read_bytes()), verbosity=0)

    assert out == "5 lines read: 5 customers created, 0 updated, 0 unchanged, 0 lines failed.\n"


@pytest.mark.parametrize(
    ("name", "status"),
    [("sample", None), ("mixed", 1), ("missing", 2)],
)
def test_the_console_command_exits_with_the_documented_status(
    name, status, mixed_file, tmp_path, capsys
):
    path = {"sample": SAMPLE, "mixed": mixed_file, "missing": tmp_path / "missing.jsonl"}[name]

    if status is None:
        cli.main(["import-core", str(path), "-v", "0"])
    else:
        with pytest.raises(SystemExit) as exc:
            cli.main(["import-core", str(path), "-v", "0"])
        assert exc.value.code == status


# --- in the background -----------------------------------------------------------------------


def test_background_import_runs_the_task_and_records_the_outcome(
    immediate_tasks, mixed_file, settings
):
    out, _err = import_core(str(mixed_file), "--background")

    run = CoreImport.objects.get()
    assert out.startswith(f"Queued import {run.pk} of core-mixed.jsonl (3 lines) as task ")
    assert (run.status, run.lines_total, run.lines_done, run.percent_done) == (
        "finished",
        3,
        3,
        100,
    )
    assert (run.created_count, run.updated_count, run.unchanged_count, run.failed_count) == (
        2,
        0,
        0,
        1,
    )
    assert [(e["line"], e["field"]) for e in run.errors] == [(2, "mobile")]
    assert run.task_id
    stored = settings.DATA_DIR / "imports" / run.stored_name
    assert stored.read_bytes() == mixed_file.read_bytes()
    errors_csv = stored.with_name(stored.name + ".errors.csv")
    assert errors_csv.read_text(encoding="utf-8-sig").splitlines()[1].startswith("2,mobile,")
    assert Customer.objects.count() == 2


def test_background_import_from_standard_input(immediate_tasks, make_user):
    admin = make_user("imp", "admin")

    import_core("-", "--background", "--user", "imp", stdin=io.BytesIO(SAMPLE.read_bytes()))

    run = CoreImport.objects.get()
    assert (run.file_name, run.started_by, run.status, run.created_count) == (
        "stdin.jsonl",
        admin,
        "finished",
        5,
    )
    assert AuditEvent.objects.filter(action="customer.imported", actor=admin).count() == 5


def test_a_queued_import_waits_for_a_worker_of_the_database_backend(monkeypatch):
    # The worker drops connections that are not in autocommit mode, as the one holding this
    # test's transaction is on PostgreSQL.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    import_core(str(SAMPLE), "--background")
    run = CoreImport.objects.get()
    assert (run.status, run.lines_done, Customer.objects.count()) == ("queued", 0, 0)
    assert DBTaskResult.objects.get(id=run.task_id).status == "READY"

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    run.refresh_from_db()
    assert (run.status, run.lines_done, run.created_count) == ("finished", 5, 5)
    result = DBTaskResult.objects.get(id=run.task_id)
    assert result.status == "SUCCESSFUL"
    assert result.return_value == {
        "lines": 5,
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "failed": 0,
    }


def test_progress_is_written_to_the_import_row_while_it_runs(
    immediate_tasks, monkeypatch, tmp_path
):
    monkeypatch.setattr(tasks, "PROGRESS_EVERY_SECONDS", 0)
    seen = []
    real = tasks.core_import_file

    def watching(**kwargs):
        write_progress = kwargs["progress"]

        def progress(result):
            write_progress(result)
            row = CoreImport.objects.get()
            seen.append((row.status, row.lines_done, row.lines_total, row.created_count))

        return real(**{**kwargs, "progress": progress})

    monkeypatch.setattr(tasks, "core_import_file", watching)

    import_core(str(SAMPLE), "--background")

    assert seen == [("running", n, 5, n) for n in range(1, 6)]


def test_a_finished_import_is_not_run_again(immediate_tasks):
    import_core(str(SAMPLE), "--background")
    run = CoreImport.objects.get()
    Customer.objects.filter(external_id="KH20260005").update(name="改过的名字")

    tasks.run_core_import.enqueue(import_id=run.pk)

    assert Customer.objects.get(external_id="KH20260005").name == "改过的名字"


def test_an_import_whose_file_is_gone_is_marked_failed(immediate_tasks):
    run = CoreImport.objects.create(file_name="gone.jsonl", stored_name="gone.jsonl")

    result = tasks.run_core_import.enqueue(import_id=run.pk)

    assert result.status == "SUCCESSFUL"
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.message == (
        "The import file cannot be read (No such file or directory): upload it again."
    )
