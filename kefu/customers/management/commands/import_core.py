"""``kefu import-core FILE``: import customers from the core-banking system (JSON Lines).

Exit status: 0 when every line was imported, 1 when some lines failed (the good ones are
kept), 2 when nothing could be done (the file cannot be read, unknown user, …).
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from kefu.core.models import User
from kefu.core.roles import IMPORT_CORE
from kefu.customers.importer import (
    ImportResult,
    LineError,
    core_import_queue,
    core_import_run,
    count_lines,
    write_errors_csv,
)

EXIT_SOME_FAILED = 1
EXIT_CANNOT_RUN = 2


class Command(BaseCommand):
    help = (
        "Import customers, cards, accounts, statements, transactions and brokerage data from "
        "a core-banking JSON Lines file (see docs/core-import.md). Use - to read standard input."
    )
    # Tests pass a byte stream in place of standard input.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The JSON Lines file, or - for standard input."))
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help=_("Staff user the changes are recorded under (default: import)."),
        )
        parser.add_argument(
            "--errors-to",
            metavar="FILE.csv",
            help=_("Also write every bad line (line, field, message) to this CSV file."),
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help=_("Queue the import for a worker instead of running it now."),
        )

    def handle(self, *args, **options):
        user = self._user(options.get("user"))
        name = options["file"]
        if options["background"]:
            return self._queue(name, user, options)
        errors_to = options.get("errors_to")
        if name == "-":
            stream = options.get("stdin") or sys.stdin.buffer
            total = None
            source = "stdin"
            result = self._run(stream, user, source, total, options)
        else:
            path = Path(name)
            try:
                total = count_lines(path)
                with path.open("rb") as stream:
                    result = self._run(stream, user, path.name, total, options)
            except OSError as exc:
                raise CommandError(
                    _("Cannot read %(file)s: %(problem)s.")
                    % {"file": name, "problem": exc.strerror or exc.__class__.__name__},
                    returncode=EXIT_CANNOT_RUN,
                ) from None
        if errors_to and result.errors:
            try:
                with open(errors_to, "w", encoding="utf-8-sig", newline="") as out:
                    write_errors_csv(result.errors, out)
            except OSError as exc:
                self.stderr.write(
                    _("Cannot write the errors to %(file)s: %(problem)s.")
                    % {"file": errors_to, "problem": exc.strerror}
                )
        self.stdout.write(self._summary(result))
        if not result.ok:
            raise CommandError(
                _(
                    "%(failed)d lines were not imported (listed above); the other lines were. "
                    "Correct those lines and import the file again: lines already imported "
                    "will not change."
                )
                % {"failed": result.failed},
                returncode=EXIT_SOME_FAILED,
            )

    def _user(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None or not user.is_active:
            raise CommandError(
                _("No active user named %(name)s.") % {"name": username},
                returncode=EXIT_CANNOT_RUN,
            )
        if not user.has_perm(IMPORT_CORE):
            raise CommandError(
                _(
                    "User %(name)s may not import core-banking data: give them the "
                    "administrator role, or leave --user out."
                )
                % {"name": username},
                returncode=EXIT_CANNOT_RUN,
            )
        return user

    def _run(self, stream, user, source: str, total: int | None, options) -> ImportResult:
        err = getattr(self.stderr, "_out", sys.stderr)
        bar = tqdm(
            total=total,
            unit=" lines",
            file=err,
            disable=options["verbosity"] == 0,
            mininterval=0.5,
            dynamic_ncols=True,
        )

        def progress(result: ImportResult) -> None:
            bar.update(result.lines_done - bar.n)

        def on_error(errors: list[LineError]) -> None:
            for e in errors:
                bar.write(str(e), file=err)

        try:
            return core_import_run(
                lines=stream,
                by=user,
                source=source,
                progress=progress,
                on_error=on_error,
            )
        finally:
            bar.close()

    def _summary(self, result: ImportResult) -> str:
        return _(
            "%(lines)d lines read: %(created)d customers created, %(updated)d updated, "
            "%(unchanged)d unchanged, %(failed)d lines failed."
        ) % {
            "lines": result.lines_done,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "failed": result.failed,
        }

    def _queue(self, name: str, user, options) -> None:
        try:
            if name == "-":
                stream = options.get("stdin") or sys.stdin.buffer
                run = core_import_queue(source=stream, file_name="stdin.jsonl", by=user)
            else:
                with Path(name).open("rb") as stream:
                    run = core_import_queue(source=stream, file_name=name, by=user)
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s or save it for the worker: %(problem)s.")
                % {"file": name, "problem": exc.strerror or exc.__class__.__name__},
                returncode=EXIT_CANNOT_RUN,
            ) from None
        self.stdout.write(
            _(
                "Queued import %(id)d of %(file)s (%(lines)d lines) as task %(task)s; a "
                "running worker (kefu worker) imports it and records its progress."
            )
            % {
                "id": run.pk,
                "file": run.file_name,
                "lines": run.lines_total or 0,
                "task": run.task_id,
            }
        )
