"""Running an import over many lines, from a file or for a background worker."""

from __future__ import annotations

import csv
import logging
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.masking import mask_text
from kefu.core.services import audit_record
from kefu.customers.importer.lookups import Lookups
from kefu.customers.importer.parsing import Item, LineError, LineRejected, parse_line
from kefu.customers.importer.writing import LineWriter
from kefu.customers.models import (
    CoreImport,
)

logger = logging.getLogger(__name__)

IMPORT_ACTOR = "import"
CHUNK_SIZE = 200
# Errors kept on a CoreImport row for its page; the full list goes to the errors CSV.
STORED_ERRORS = 1000


@dataclass
class ImportResult:
    """Counts per customer line; ``lines_done`` counts every line read, blank ones too."""

    lines_done: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[LineError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def as_dict(self) -> dict[str, int]:
        return {
            "lines": self.lines_done,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
        }


# --- running an import -------------------------------------------------------------------------


def _decoded_lines(lines: Iterable[bytes | str]) -> Iterator[tuple[int, str | None]]:
    """(line number, text) per line; text is None for a line that is not UTF-8."""
    for line_no, raw in enumerate(lines, start=1):
        if isinstance(raw, bytes):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield line_no, None
                continue
        else:
            text = raw
        if line_no == 1:
            text = text.removeprefix("\ufeff")
        yield line_no, text


def core_import_run(
    *,
    lines: Iterable[bytes | str],
    by=None,
    source: str = "",
    progress: Callable[[ImportResult], None] | None = None,
    on_error: Callable[[list[LineError]], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> ImportResult:
    """Import core-banking lines (the format of docs/core-import.md) into Kefu's tables.

    Not atomic as a whole, on purpose: each line is written in its own transaction, so a bad
    line changes nothing and the good lines are kept (NF-3). Each customer created or changed
    writes one audit event (``customer.imported`` / ``customer.import_updated``) by ``by``,
    or by "import" when no user is given. ``progress`` is called after every line and
    ``on_error`` with the problems of every bad line, as they happen.
    """
    result = ImportResult()
    lookups = Lookups()
    chunk: list[tuple[int, str | None]] = []

    def flush() -> None:
        parsed: list[tuple[int, Item | list[LineError] | None]] = []
        for line_no, text in chunk:
            if text is None:
                parsed.append(
                    (
                        line_no,
                        [
                            LineError(
                                line_no,
                                "",
                                _("This line is not UTF-8 text: save the file as UTF-8."),
                            )
                        ],
                    )
                )
            elif not text.strip():
                parsed.append((line_no, None))
            else:
                try:
                    parsed.append((line_no, parse_line(text, line_no)))
                except LineRejected as exc:
                    parsed.append((line_no, exc.errors))
        records = [p for _n, p in parsed if isinstance(p, Item)]
        lookups.reset()
        if records:
            lookups.prefetch(records)
        for line_no, outcome in parsed:
            if isinstance(outcome, list):
                _fail(result, outcome, on_error)
            elif outcome is not None:
                _write_line(outcome, line_no, lookups, result, by, source, on_error)
            result.lines_done = line_no
            if progress is not None:
                progress(result)
        chunk.clear()

    for line in _decoded_lines(lines):
        chunk.append(line)
        if len(chunk) >= chunk_size:
            flush()
    if chunk:
        flush()
    return result


def _fail(result: ImportResult, errors: list[LineError], on_error) -> None:
    result.failed += 1
    result.errors.extend(errors)
    if on_error is not None:
        on_error(errors)


def _write_line(
    rec: Item,
    line_no: int,
    lookups: Lookups,
    result: ImportResult,
    by,
    source: str,
    on_error,
) -> None:
    writer = LineWriter(lookups, line_no)
    try:
        with transaction.atomic():
            customer, is_new = writer.write(rec)
            changed = is_new or bool(writer.created) or bool(writer.updated)
            if changed:
                audit_record(
                    actor=by,
                    actor_label=None if by is not None else IMPORT_ACTOR,
                    action="customer.imported" if is_new else "customer.import_updated",
                    obj=customer,
                    changes=writer.changes,
                    data={
                        "source": source,
                        "line": line_no,
                        "created": dict(writer.created),
                        "updated": dict(writer.updated),
                    },
                )
    except LineRejected as exc:
        lookups.reset()
        _fail(result, exc.errors, on_error)
        return
    except DatabaseError as exc:
        lookups.reset()
        _fail(
            result,
            [
                LineError(
                    line_no,
                    "",
                    _("The database refused this line (%(problem)s): check its values.")
                    % {"problem": mask_text(str(exc))[:300]},
                )
            ],
            on_error,
        )
        return
    if is_new:
        result.created += 1
    elif changed:
        result.updated += 1
    else:
        result.unchanged += 1


def count_lines(path: Path) -> int:
    """Lines in a file, read in blocks (the progress bar's total)."""
    count = 0
    last = b"\n"
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def core_import_file(*, path: Path, by=None, **kwargs) -> ImportResult:
    with path.open("rb") as fh:
        return core_import_run(lines=fh, by=by, source=kwargs.pop("source", path.name), **kwargs)


def write_errors_csv(errors: Iterable[LineError], out) -> None:
    writer = csv.writer(out)
    writer.writerow(["line", "field", "message"])
    for e in errors:
        writer.writerow([e.line_no, e.field, e.message])


# --- background imports (NF-4) ---------------------------------------------------------------


def imports_dir() -> Path:
    return Path(settings.DATA_DIR) / "imports"


def core_import_queue(*, source: BinaryIO, file_name: str, by=None) -> CoreImport:
    """Save an uploaded or given file under DATA_DIR/imports and queue its import.

    The returned CoreImport row carries the progress a page shows; the task
    (``kefu.customers.tasks.run_core_import``) fills it in.
    """
    from kefu.customers.tasks import run_core_import

    folder = imports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", Path(file_name).name)[-80:] or "import.jsonl"
    stored = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}-{safe}"
    with (folder / stored).open("wb") as out:
        while block := source.read(1 << 20):
            out.write(block)
    run = CoreImport.objects.create(
        file_name=Path(file_name).name[:255] or safe,
        stored_name=stored,
        started_by=by,
        lines_total=count_lines(folder / stored),
    )
    try:
        result = run_core_import.enqueue(import_id=run.pk)
    except Exception:
        CoreImport.objects.filter(pk=run.pk).update(
            status=CoreImport.Status.FAILED,
            finished_at=timezone.now(),
            message=_("The import could not be queued (see the server log): try again."),
        )
        raise
    CoreImport.objects.filter(pk=run.pk).update(task_id=str(result.id))
    run.refresh_from_db()
    audit_record(
        actor=by,
        actor_label=None if by else "import",
        action="customer.import.queued",
        obj=run,
        data={"file": run.file_name, "lines": run.lines_total},
    )
    return run
