"""CB-3 imports: a CSV or XLSX list from another department, with column mapping.

Each row names a customer by customer number (core system id), mobile or ID number; Kefu
finds the customer through the keyed hashes (nothing is decrypted), checks the row, and adds
the customer to the project's list unless already listed for the type and window (CB-4).
Every bad row is reported with its row number and the reason; good rows are kept; importing
the same file again adds nothing. Files are read as a stream, so a million rows need little
memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import queue
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kefu.callbacks import rules
from kefu.callbacks.models import Project, Target, TargetBatch
from kefu.callbacks.services.events import event_record
from kefu.callbacks.services.targets import (
    Candidate,
    Listed,
    _project_for_list,
    raw_any,
    raw_in,
    targets_add,
)
from kefu.core.calendars import Calendar
from kefu.core.crypto import lookup_hasher, normalize_number
from kefu.core.errors import ValidationFailed
from kefu.core.masking import mask_text
from kefu.core.services import audit_record
from kefu.core.validators import validate_mobile, validate_resident_id

FIELDS = ("customer_no", "mobile", "id_number", "name", "due_date", "reason")
IDENTIFYING = ("customer_no", "mobile", "id_number")
# Header names recognised without a mapping (Chinese and English, compared lower-case).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "customer_no": (
        "客户号",
        "客户编号",
        "客户代码",
        "资金账号",
        "customer_no",
        "customer",
        "external_id",
    ),
    "mobile": ("手机", "手机号", "手机号码", "联系电话", "电话", "mobile", "phone"),
    "id_number": ("身份证号", "身份证号码", "证件号码", "证件号", "身份证", "id_number", "id"),
    "name": ("姓名", "客户姓名", "客户名称", "name"),
    "due_date": ("截止日期", "回访截止日", "到期日", "due_date", "due"),
    "reason": ("备注", "原因", "回访原因", "reason", "note"),
}
STORED_ERRORS = 1000
MAX_ROWS = 2_000_000
PROGRESS_EVERY_SECONDS = 1.0
CHUNK = 10000


@dataclass
class RowError:
    row: int
    column: str
    message: str
    kind: str = "error"  # "error" or "duplicate"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message, "kind": self.kind}


@dataclass
class ImportResult:
    rows: int = 0
    added: int = 0
    duplicates: int = 0
    failed: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_total: int = 0
    # every error also goes here as it is found (the errors CSV of a queued import)
    sink: Callable[[RowError], None] | None = None

    def keep(self, error: RowError) -> None:
        self.error_total += 1
        if len(self.errors) < STORED_ERRORS:
            self.errors.append(error)
        if self.sink is not None:
            self.sink(error)


def imports_dir() -> Path:
    return Path(settings.DATA_DIR) / "imports" / "callbacks"


# --- reading files ---------------------------------------------------------------------------


def _decode_sample(sample: bytes) -> str:
    try:
        sample.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sample is still UTF-8
        if exc.start >= len(sample) - 3:
            return "utf-8-sig"
    try:
        sample.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        return "utf-8-sig"


def is_xlsx(head: bytes) -> bool:
    return head[:4] == b"PK\x03\x04"


def read_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    """(header, iterator of (row number, cells)) of a CSV or XLSX file. Row numbers are what a
    spreadsheet shows: the header is row 1."""
    with path.open("rb") as f:
        head = f.read(1 << 20)
    if is_xlsx(head):
        return _read_xlsx(path)
    return _read_csv(path, _decode_sample(head), head)


def _read_csv(path: Path, encoding: str, head: bytes) -> tuple[list[str], Iterator]:
    text_head = head.decode(encoding, errors="replace")
    first_line = text_head.split("\n", 1)[0]
    delimiter = max(",\t;", key=first_line.count) if first_line else ","
    stream: IO[str] = path.open("r", encoding=encoding, errors="replace", newline="")
    reader = csv.reader(stream, delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        stream.close()
        return [], iter(())

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            yield from enumerate(reader, start=2)
        finally:
            stream.close()

    return header, rows()


def _read_xlsx(path: Path) -> tuple[list[str], Iterator]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ValidationFailed(
            _("The Excel file cannot be read: %(problem)s") % {"problem": exc},
            errors={"file": [_("Save the list again as .xlsx or .csv.")]},
        ) from None
    sheet = book.worksheets[0]
    rows_iter = sheet.iter_rows(values_only=True)
    try:
        header = ["" if h is None else str(h).strip() for h in next(rows_iter)]
    except StopIteration:
        book.close()
        return [], iter(())

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, cells in enumerate(rows_iter, start=2):
                yield number, list(cells)
        finally:
            book.close()

    return header, rows()


def count_rows(path: Path) -> int | None:
    """Data rows of a file, for progress: lines of a CSV (fast), the sheet size of an XLSX."""
    with path.open("rb") as f:
        head = f.read(4)
        if is_xlsx(head):
            try:
                from openpyxl import load_workbook

                book = load_workbook(path, read_only=True)
                rows = book.worksheets[0].max_row
                book.close()
                # a sheet written without its dimension says 1 row: unknown, not empty
                return rows - 1 if rows and rows > 1 else None
            except Exception:
                return None
        f.seek(0)
        lines = 0
        last = b""
        while block := f.read(1 << 20):
            lines += block.count(b"\n")
            last = block
        if last and not last.endswith(b"\n"):
            lines += 1
        return max(0, lines - 1)


# --- mapping ---------------------------------------------------------------------------------


def guess_mapping(header: list[str]) -> dict[str, str]:
    """Our field → the file's column header, from the usual Chinese and English names."""
    lowered = {h.strip().lower(): h for h in header if h}
    mapping: dict[str, str] = {}
    for name, aliases in HEADER_ALIASES.items():
        for alias in aliases:
            if alias.lower() in lowered:
                mapping[name] = lowered[alias.lower()]
                break
    return mapping


def check_mapping(header: list[str], mapping: Mapping[str, str]) -> dict[str, int]:
    """Field → column index. ValidationFailed (field ``mapping``) when the file's columns do
    not fit: an unknown column, a column used twice, or no column that names the customer."""
    problems: list[str] = []
    if not header or not any(header):
        problems.append(_("The file has no header row: the first row must name the columns."))
    index = {h: i for i, h in enumerate(header) if h}
    columns: dict[str, int] = {}
    for name, column in mapping.items():
        if not column:
            continue
        if name not in FIELDS:
            problems.append(_("%(field)s is not a field of a callback list.") % {"field": name})
        elif column not in index:
            problems.append(
                _("The file has no column %(column)s (its columns are: %(columns)s).")
                % {"column": column, "columns": ", ".join(h for h in header if h) or "—"}
            )
        else:
            columns[name] = index[column]
    used = [c for c in mapping.values() if c]
    if len(set(used)) != len(used):
        problems.append(_("A column is mapped to two fields."))
    if not problems and not any(name in columns for name in IDENTIFYING):
        problems.append(
            _(
                "Map at least one column that identifies the customer: customer number, "
                "mobile or ID number (the file's columns are: %(columns)s)."
            )
            % {"columns": ", ".join(h for h in header if h) or "—"}
        )
    if problems:
        raise ValidationFailed(
            _("The columns of the file do not fit."), errors={"mapping": problems}
        )
    return columns


# --- rows ------------------------------------------------------------------------------------

_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def _cell(cells: list[Any], i: int | None) -> Any:
    if i is None or i >= len(cells):
        return None
    value = cells[i]
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _DATE.match(str(value).strip())
    if not match:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


@dataclass
class ParsedRow:
    row: int
    customer_no: str | None = None
    mobile_hash: str | None = None
    document_hash: str | None = None
    name: str | None = None
    due: dt.date | None = None
    reason: str = ""


def _masked_messages(exc: ValidationError) -> str:
    """A validator's messages without the digits it quotes (a birth date from an ID number):
    row problems are kept, shown to supervisors and exported, so they carry no personal data.
    The row number says where to look in the file."""
    out = []
    for error in exc.error_list:
        params = {
            key: "*" * len(value) if isinstance(value, str) else value
            for key, value in (error.params or {}).items()
        }
        out.append(str(error.message % params if params else error.message))
    return " ".join(out)


class _Hashers:
    def __init__(self) -> None:
        self.mobile = lookup_hasher("mobile")
        self.document = lookup_hasher("document")


def parse_row(
    number: int,
    cells: list[Any],
    columns: Mapping[str, int],
    today: dt.date,
    hashers: _Hashers | None = None,
) -> ParsedRow | list[RowError]:
    """One row's values, or its problems (every problem of the row, not just the first)."""
    hashers = hashers or _Hashers()
    if not any(c not in (None, "") and str(c).strip() for c in cells):
        return [RowError(number, "", _("The row is empty."))]
    errors: list[RowError] = []
    parsed = ParsedRow(row=number)
    raw_no = _cell(cells, columns.get("customer_no"))
    if raw_no is not None:
        parsed.customer_no = _text(raw_no)[:64]
    raw_mobile = _cell(cells, columns.get("mobile"))
    if raw_mobile is not None:
        try:
            parsed.mobile_hash = hashers.mobile(validate_mobile(_text(raw_mobile)))
        except ValidationError as exc:
            errors.append(RowError(number, "mobile", _masked_messages(exc)))
    raw_id = _cell(cells, columns.get("id_number"))
    if raw_id is not None:
        if isinstance(raw_id, float | int) and not isinstance(raw_id, bool):
            if abs(raw_id) >= 10**15:
                errors.append(
                    RowError(
                        number,
                        "id_number",
                        _(
                            "The ID number was stored as a number and Excel dropped its last "
                            "digits: format the column as text and enter it again."
                        ),
                    )
                )
                raw_id = None
        if raw_id is not None:
            text = normalize_number(_text(raw_id))
            if len(text) in (15, 18) or (len(text) == 17 and text.isdigit()):
                try:
                    text = validate_resident_id(text, today=today)
                except ValidationError as exc:
                    errors.append(RowError(number, "id_number", _masked_messages(exc)))
                    text = ""
            elif not (5 <= len(text) <= 20 and text.isalnum()):
                errors.append(
                    RowError(
                        number,
                        "id_number",
                        _("This is neither a resident ID nor another document number."),
                    )
                )
                text = ""
            if text:
                parsed.document_hash = hashers.document(text)
    raw_name = _cell(cells, columns.get("name"))
    if raw_name is not None:
        parsed.name = _text(raw_name)[:64]
    raw_due = _cell(cells, columns.get("due_date"))
    if raw_due is not None:
        due = _date(raw_due)
        if due is None:
            errors.append(
                RowError(
                    number, "due_date", _("Not a date: write it as YYYY-MM-DD, e.g. 2026-12-31.")
                )
            )
        parsed.due = due
    raw_reason = _cell(cells, columns.get("reason"))
    if raw_reason is not None:
        parsed.reason = _text(raw_reason)[:200]
    if not errors and not (parsed.customer_no or parsed.mobile_hash or parsed.document_hash):
        errors.append(
            RowError(
                number,
                "",
                _("The row names no customer: fill in the customer number, mobile or ID number."),
            )
        )
    return errors or parsed


class _CustomerFinder:
    """Resolves a chunk of rows to customers with one query per identifier kind."""

    def resolve(self, rows: list[ParsedRow]) -> dict[int, tuple[int | None, str | None]]:
        from kefu.customers.models import Customer, IdentityDocument

        by_no = {r.customer_no for r in rows if r.customer_no}
        by_mobile = {r.mobile_hash for r in rows if r.mobile_hash}
        by_doc = {r.document_hash for r in rows if r.document_hash}
        names: dict[int, str] = {}
        no_map: dict[str, int] = {}
        mobile_map: dict[str, list[int]] = {}
        doc_map: dict[str, int] = {}
        customers = Customer._meta.db_table
        documents = IdentityDocument._meta.db_table
        if by_no:
            query = f"SELECT id, external_id, name FROM {customers} WHERE external_id {{values}}"  # noqa: S608
            for pk, ext, name in raw_any(query, [], sorted(by_no)):
                no_map[ext] = pk
                names[pk] = name
        if by_mobile:
            query = f"SELECT id, mobile_hash, name FROM {customers} WHERE mobile_hash {{values}}"  # noqa: S608
            for pk, h, name in raw_any(query, [], sorted(by_mobile)):
                mobile_map.setdefault(h, []).append(pk)
                names[pk] = name
        if by_doc:
            query = (
                f"SELECT d.customer_id, d.number_hash, c.name FROM {documents} d "  # noqa: S608
                f"JOIN {customers} c ON c.id = d.customer_id WHERE d.number_hash {{values}}"
            )
            for pk, h, name in raw_any(query, [], sorted(by_doc)):
                doc_map[h] = pk
                names[pk] = name
        self.names = names
        out: dict[int, tuple[int | None, str | None]] = {}
        for r in rows:
            found: list[tuple[str, int | None]] = []
            if r.customer_no:
                found.append(("customer_no", no_map.get(r.customer_no)))
            if r.document_hash:
                found.append(("id_number", doc_map.get(r.document_hash)))
            if r.mobile_hash:
                matches = mobile_map.get(r.mobile_hash, [])
                found.append(("mobile", matches[0] if len(matches) == 1 else None))
                if len(matches) > 1 and len(found) == 1:
                    out[r.row] = (
                        None,
                        _(
                            "Several customers have this mobile: add the ID number or "
                            "customer number."
                        ),
                    )
                    continue
            ids = {pk for _kind, pk in found if pk is not None}
            if not ids:
                out[r.row] = (
                    None,
                    _("No customer with this %(what)s.")
                    % {"what": _describe([kind for kind, _pk in found])},
                )
            elif len(ids) > 1:
                out[r.row] = (
                    None,
                    _(
                        "The customer number, mobile and ID number of this row belong to "
                        "different customers."
                    ),
                )
            else:
                pk = ids.pop()
                if r.name and names.get(pk) and r.name != names[pk]:
                    out[r.row] = (
                        None,
                        _("The name does not match the customer found by the number."),
                    )
                else:
                    out[r.row] = (pk, None)
        return out


def column_labels() -> dict[str, str]:
    """The fields of a list row as people call them (row problems name the field)."""
    return {
        "customer_no": _("Customer number"),
        "mobile": _("Mobile"),
        "id_number": _("ID number"),
        "name": _("Name"),
        "due_date": _("Due date"),
        "reason": _("Reason"),
    }


def _describe(kinds: list[str]) -> str:
    labels = {
        "customer_no": _("customer number"),
        "mobile": _("mobile"),
        "id_number": _("ID number"),
    }
    return " / ".join(str(labels[k]) for k in kinds)


# SQLite page cache while importing (KiB): a million look-ups in the customers' hash indexes
# and inserts into the target indexes thrash the default 2 MiB.
SQLITE_IMPORT_CACHE_KIB = 256 * 1024
# Pages read through a memory map rather than one system call each.
SQLITE_IMPORT_MMAP_BYTES = 1 << 30


@contextmanager
def _import_cache() -> Iterator[None]:
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        old = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA mmap_size")
        row = cursor.fetchone()  # None for an in-memory database
        old_mmap = int(row[0]) if row else None
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
        if old_mmap is not None:
            cursor.execute(f"PRAGMA mmap_size = {SQLITE_IMPORT_MMAP_BYTES}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {old}")
            if old_mmap is not None:
                cursor.execute(f"PRAGMA mmap_size = {old_mmap}")


_DONE = object()


def _parsed_chunks(
    rows: Iterator[tuple[int, list[Any]]],
    columns: Mapping[str, int],
    today: dt.date,
    hashers: _Hashers,
) -> Iterator[list[ParsedRow | list[RowError]]]:
    """Chunks of parsed rows, read and checked in a second thread: the database releases
    the interpreter lock while it looks up and writes one chunk, and the next chunk is read
    meanwhile. A problem in the thread is raised here."""
    language = translation.get_language()
    chunks: queue.Queue = queue.Queue(maxsize=3)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        if language:
            translation.activate(language)
        try:
            chunk: list[ParsedRow | list[RowError]] = []
            for number, cells in rows:
                if number - 1 > MAX_ROWS:
                    message = _("The file has more than %(max)d rows; split it.") % {
                        "max": MAX_ROWS
                    }
                    chunk.append([RowError(number, "", message)])
                    break
                chunk.append(parse_row(number, cells, columns, today, hashers))
                if len(chunk) >= CHUNK:
                    if not put(chunk):
                        return
                    chunk = []
            if chunk and not put(chunk):
                return
            put(_DONE)
        except BaseException as exc:  # handed to the reading side
            put(exc)

    reader = threading.Thread(target=read, name="callback-import-reader", daemon=True)
    reader.start()
    try:
        while True:
            item = chunks.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join(timeout=5)


def import_rows(
    *,
    project: Project,
    path: Path,
    mapping: Mapping[str, str] | None = None,
    batch: TargetBatch | None = None,
    progress: Callable[[ImportResult], None] | None = None,
    today: dt.date | None = None,
    on_error: Callable[[RowError], None] | None = None,
) -> ImportResult:
    """Read a list file and add its customers to the project (see the module docstring).

    ``on_error`` receives every row problem as it is found; the result keeps the first
    STORED_ERRORS of them, in row order.
    """
    _project_for_list(project)
    today = today or timezone.localdate()
    calendar = Calendar()
    window = rules.Window(project.window_kind, project.window_start, project.window_end)
    default_due = max(
        rules.window_due(window, calendar), rules.first_trading_day_on_or_after(today, calendar)
    )
    header, rows = read_rows(path)
    columns = check_mapping(header, mapping if mapping else guess_mapping(header))
    result = ImportResult(sink=on_error)
    finder = _CustomerFinder()
    hashers = _Hashers()
    default_reason = _("Imported from %(file)s") % {"file": batch.file_name} if batch else ""
    repeats_row = _("Repeats row %(row)d of this file.")
    first_row_of: dict[int, int] = {}  # customer → first row in this file
    project_names: dict[int, str] = {}
    listed = Listed()

    def process(chunk: list[ParsedRow | list[RowError]]) -> None:
        good: list[ParsedRow] = []
        for parsed in chunk:
            if isinstance(parsed, list):
                result.failed += 1
                for e in parsed:
                    result.keep(e)
            else:
                good.append(parsed)
        resolved = finder.resolve(good) if good else {}
        candidates = []
        for r in good:
            pk, problem = resolved[r.row]
            if pk is None:
                result.failed += 1
                result.keep(RowError(r.row, "", problem or ""))
                continue
            if pk in first_row_of:
                result.duplicates += 1
                result.keep(
                    RowError(
                        r.row,
                        "",
                        repeats_row % {"row": first_row_of[pk]},
                        kind="duplicate",
                    )
                )
                continue
            first_row_of[pk] = r.row
            candidates.append(
                Candidate(
                    customer_id=pk,
                    due=r.due or default_due,
                    reason=r.reason or default_reason,
                    row=r.row,
                )
            )
        if candidates:
            added = targets_add(
                project=project,
                candidates=candidates,
                batch=batch,
                chunk_size=len(candidates) + 1,
                listed=listed,
            )
            result.added += added.added
            result.duplicates += added.duplicates
            if added.duplicate_rows:
                _explain_duplicates(
                    project, candidates, added.duplicate_rows, result, project_names, listed
                )
        result.rows += len(chunk)
        if progress is not None:
            progress(result)

    with _import_cache():
        for parsed_chunk in _parsed_chunks(rows, columns, today, hashers):
            process(parsed_chunk)
    result.errors.sort(key=lambda e: e.row)
    return result


def _explain_duplicates(
    project: Project,
    candidates: list[Candidate],
    duplicate_rows: list[tuple[int, str]],
    result: ImportResult,
    project_names: dict[int, str],
    listed: Listed | None = None,
) -> None:
    """Say for each duplicate row which list already holds the customer."""
    dup = {row for row, _key in duplicate_rows}
    customers = {c.customer_id: c.row for c in candidates if c.row in dup}
    dedup = rules.dedup_type(project.callback_type, project.purpose)
    keys = sorted({key for _row, key in duplicate_rows})
    holders: dict[int, int] = {}
    if listed is not None:
        for key in keys:
            known = listed.customers(dedup, key)
            holders.update((c, known[c]) for c in customers if c in known)
    else:
        key_marks = ", ".join(["%s"] * len(keys))
        query = (
            f"SELECT customer_id, project_id FROM {Target._meta.db_table} "  # noqa: S608
            f"WHERE dedup_type = %s AND NOT (status = 'removed') AND window_key IN ({key_marks}) "
            "AND customer_id IN ({marks})"
        )
        holders = dict(raw_in(query, [dedup, *keys], sorted(customers)))
    missing = {p for p in holders.values() if p not in project_names}
    if missing:
        project_names.update(Project.objects.filter(pk__in=missing).values_list("pk", "name"))
    here = _("Already in this project's list.")
    elsewhere = _("Already listed for this type and window in the project %(name)s.")
    for customer_id, row in sorted(customers.items(), key=lambda kv: kv[1]):
        holder = holders.get(customer_id)
        if holder == project.pk:
            message = here
        else:
            message = elsewhere % {
                "name": project_names.get(holder, "?") if holder is not None else "?"
            }
        result.keep(RowError(row, "", message, kind="duplicate"))


def write_errors_csv(errors: list[RowError], out: IO[str]) -> None:
    writer = csv.writer(out)
    writer.writerow(["row", "column", "kind", "message"])
    for e in errors:
        writer.writerow([e.row, e.column, e.kind, mask_text(e.message)])


# --- queued imports (NF-4) -------------------------------------------------------------------


def target_import_queue(
    *,
    project: Project,
    source: BinaryIO,
    file_name: str,
    by,
    mapping: Mapping[str, str] | None = None,
) -> TargetBatch:
    """Save an uploaded list under DATA_DIR/imports/callbacks, check its columns, and queue the
    import. A file whose columns do not fit is refused at once (nothing is queued)."""
    from kefu.callbacks.tasks import run_target_import

    _project_for_list(project)
    folder = imports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", Path(file_name).name)[-80:] or "list.csv"
    stored = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}-{safe}"
    digest = hashlib.sha256()
    with (folder / stored).open("wb") as out:
        while block := source.read(1 << 20):
            digest.update(block)
            out.write(block)
    path = folder / stored
    try:
        header, rows = read_rows(path)
        if hasattr(rows, "close"):
            rows.close()
        if not mapping:
            mapping = guess_mapping(header)
        check_mapping(header, mapping)
    except ValidationFailed:
        path.unlink(missing_ok=True)
        raise
    with transaction.atomic():
        batch = TargetBatch.objects.create(
            project=project,
            kind=TargetBatch.Kind.IMPORT,
            file_name=Path(file_name).name[:255] or safe,
            stored_name=stored,
            file_sha256=digest.hexdigest(),
            params={"mapping": dict(mapping)},
            rows_total=count_rows(path),
            created_by=by,
        )
        audit_record(
            actor=by,
            action="callback.list.import_queued",
            obj=project,
            data={"file": batch.file_name, "rows": batch.rows_total},
        )
    try:
        run_target_import.enqueue(batch_id=batch.pk)
    except Exception:
        TargetBatch.objects.filter(pk=batch.pk).update(
            status=TargetBatch.Status.FAILED,
            finished_at=timezone.now(),
            message=_("The import could not be queued (see the server log): try again."),
        )
        raise
    batch.refresh_from_db()
    return batch


def target_import_run(*, batch_id: int) -> ImportResult | None:
    """Run a queued import, writing its progress to its batch row as it goes."""
    batch = TargetBatch.objects.select_related("project", "created_by").get(pk=batch_id)
    if batch.status == TargetBatch.Status.FINISHED:
        return None
    rows = TargetBatch.objects.filter(pk=batch.pk)
    rows.update(status=TargetBatch.Status.RUNNING, message="")
    path = imports_dir() / batch.stored_name
    last = time.monotonic()

    def progress(result: ImportResult) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_EVERY_SECONDS:
            last = now
            rows.update(
                rows_done=result.rows,
                added_count=result.added,
                duplicate_count=result.duplicates,
                failed_count=result.failed,
            )

    errors_path = path.with_name(path.name + ".errors.csv")
    errors_file = errors_path.open("w", encoding="utf-8-sig", newline="")
    writer = csv.writer(errors_file)
    writer.writerow(["row", "column", "kind", "message"])

    def on_error(e: RowError) -> None:
        writer.writerow([e.row, e.column, e.kind, mask_text(e.message)])

    try:
        result = import_rows(
            project=batch.project,
            path=path,
            mapping=batch.params.get("mapping") or None,
            batch=batch,
            progress=progress,
            on_error=on_error,
        )
    except ValidationFailed as exc:
        rows.update(
            status=TargetBatch.Status.FAILED,
            finished_at=timezone.now(),
            message=(exc.message + " " + " ".join(m for ms in exc.errors.values() for m in ms))[
                :500
            ],
        )
        return None
    except OSError as exc:
        rows.update(
            status=TargetBatch.Status.FAILED,
            finished_at=timezone.now(),
            message=_("The file cannot be read (%(problem)s): upload it again.")
            % {"problem": exc.strerror or exc.__class__.__name__},
        )
        return None
    finally:
        errors_file.close()
    if not result.error_total:
        errors_path.unlink(missing_ok=True)
    with transaction.atomic():
        rows.update(
            status=TargetBatch.Status.FINISHED,
            rows_total=result.rows,
            rows_done=result.rows,
            added_count=result.added,
            duplicate_count=result.duplicates,
            failed_count=result.failed,
            errors=[e.as_dict() for e in result.errors[:STORED_ERRORS]],
            finished_at=timezone.now(),
        )
        data = {
            "file": batch.file_name,
            "rows": result.rows,
            "added": result.added,
            "duplicates": result.duplicates,
            "failed": result.failed,
        }
        event_record(
            action="callback.list.imported",
            actor=batch.created_by,
            project=batch.project,
            data=data,
        )
        audit_record(
            actor=batch.created_by, action="callback.list.imported", obj=batch.project, data=data
        )
    return result


def sample_csv() -> str:
    """A small example list, offered for download on the import page."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["客户号", "姓名", "手机号码", "身份证号码", "截止日期", "备注"])
    writer.writerow(["", "赵磊", "13911110006", "", "", "营销部提供"])
    return out.getvalue()
