"""Core-banking import (CUS-6, NF-3, NF-4): JSON Lines, one customer with everything they hold
per line. The format is described field by field in docs/core-import.md.

Each line is parsed and validated on its own (``parse_line``), then written in its own
transaction (``core_import_run``): a bad line changes nothing and is reported with its line
number, field path and reason, while the good lines are kept. Rows are matched on the core
system's external ids (or natural keys where the core system has none), and only values that
differ from what is stored are written, so importing the same file again writes nothing.
The import never deletes: a closed card or account arrives as a status.
"""

from kefu.customers.importer.parsing import LineError, LineRejected, parse_line
from kefu.customers.importer.runs import (
    CHUNK_SIZE,
    IMPORT_ACTOR,
    STORED_ERRORS,
    ImportResult,
    core_import_file,
    core_import_queue,
    core_import_run,
    count_lines,
    imports_dir,
    write_errors_csv,
)

__all__ = [
    "CHUNK_SIZE",
    "IMPORT_ACTOR",
    "STORED_ERRORS",
    "ImportResult",
    "LineError",
    "LineRejected",
    "core_import_file",
    "core_import_queue",
    "core_import_run",
    "count_lines",
    "imports_dir",
    "parse_line",
    "write_errors_csv",
]
