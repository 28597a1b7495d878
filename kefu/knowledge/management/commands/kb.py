"""``kefu kb``: knowledge base administration.

- ``kefu kb import FILE`` imports FAQ pairs from CSV or JSON Lines (see
  kefu.knowledge.importer); exit status 0 when every row was imported, 1 when some rows
  were skipped (listed with their line numbers), 2 when the file cannot be read.
- ``kefu kb reindex`` re-analyses every published article (after a dictionary change, when
  no worker runs).
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from kefu.core.models import User
from kefu.knowledge.importer import ImportResult, detect_format, import_rows, read_rows

EXIT_SOME_FAILED = 1
EXIT_CANNOT_RUN = 2


class Command(BaseCommand):
    help = "Knowledge base administration: import FAQ pairs, re-index."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help=_("Import FAQ pairs from CSV or JSON Lines."))
        imp.add_argument("file", help=_("A .csv or .jsonl file."))
        imp.add_argument(
            "--format",
            choices=["csv", "jsonl"],
            help=_("Override the format guessed from the name."),
        )
        imp.add_argument(
            "--user", metavar="USERNAME", help=_("Record the changes under this user.")
        )
        sub.add_parser("reindex", help=_("Re-analyse every published article."))

    def handle(self, *args, action, **options):
        if action == "reindex":
            from kefu.knowledge.search import backend

            count = backend().rebuild()
            self.stdout.write(_("%(count)d articles re-indexed.") % {"count": count})
            return
        self._import(options)

    def _import(self, options) -> None:
        user = None
        if options.get("user"):
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(
                    _("No active user named %(name)s.") % {"name": options["user"]},
                    returncode=EXIT_CANNOT_RUN,
                )
        path = Path(options["file"])
        try:
            with path.open("rb") as stream:
                head = stream.read(64)
                stream.seek(0)
                total = sum(1 for line in stream if line.strip())
                stream.seek(0)
                fmt = options.get("format") or detect_format(path.name, head)
                if fmt == "csv":
                    total = max(total - 1, 0)
                result = self._run(stream, fmt, user, total, options)
        except (OSError, UnicodeDecodeError) as exc:
            problem = getattr(exc, "strerror", None) or exc.__class__.__name__
            raise CommandError(
                _("Cannot read %(file)s: %(problem)s.") % {"file": path, "problem": problem},
                returncode=EXIT_CANNOT_RUN,
            ) from None
        self.stdout.write(
            _(
                "%(rows)d rows read: %(created)d articles created, %(updated)d updated, "
                "%(unchanged)d unchanged, %(failed)d rows skipped."
            )
            % {
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "failed": result.failed,
            }
        )
        if result.errors:
            raise CommandError(
                _(
                    "%(failed)d rows were skipped (listed above); the others were imported. "
                    "Correct them and import the file again: rows already imported do not "
                    "change."
                )
                % {"failed": result.failed},
                returncode=EXIT_SOME_FAILED,
            )

    def _run(self, stream, fmt: str, user, total: int, options) -> ImportResult:
        err = getattr(self.stderr, "_out", sys.stderr)
        bar = tqdm(
            total=total,
            unit=" rows",
            file=err,
            disable=options["verbosity"] == 0,
            mininterval=0.5,
            dynamic_ncols=True,
        )
        reported = 0

        def progress(result: ImportResult) -> None:
            nonlocal reported
            bar.update(result.rows - bar.n)
            for error in result.errors[reported:]:
                bar.write(str(error), file=err)
            reported = len(result.errors)

        try:
            return import_rows(read_rows(stream, fmt), by=user, progress=progress)
        finally:
            bar.close()
