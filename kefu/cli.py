"""The ``kefu`` console command: the operator's entry point.

``kefu SUBCOMMAND …`` runs the Django management command of that name (dashes become
underscores), so ``kefu import-core FILE`` is ``import_core``; ``kefu help`` lists them all.
"""

from __future__ import annotations

import os
import sys

ALIASES = {"import-core": "import_core", "run": "serve"}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    if argv and argv[0] == "demo" and "KEFU_DEBUG" not in os.environ:
        # The demo runs in development mode: demo accounts and development keys are refused
        # by the production checks.
        os.environ["KEFU_DEBUG"] = "1"
    if argv and not argv[0].startswith("-"):
        argv[0] = ALIASES.get(argv[0], argv[0].replace("-", "_"))
    from django.conf import settings
    from django.core.management import execute_from_command_line

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)

    execute_from_command_line(["kefu", *argv])


if __name__ == "__main__":
    main()
