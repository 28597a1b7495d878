"""Compile kefu/locale/*/LC_MESSAGES/django.po to .mo without GNU gettext (pure Python).

Run by `make messages`; the compiled .mo files are committed so that a fresh clone needs
nothing but Python and pip.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1] / "kefu" / "locale"


def main() -> int:
    missing = 0
    for po_path in sorted(ROOT.glob("*/LC_MESSAGES/django.po")):
        po = polib.pofile(str(po_path))
        untranslated = [e.msgid for e in po.untranslated_entries()]
        fuzzy = [e.msgid for e in po.fuzzy_entries()]
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
        print(
            f"{po_path.parent.parent.name}: {len(po.translated_entries())} translated, "
            f"{len(untranslated)} untranslated, {len(fuzzy)} fuzzy"
        )
        if po_path.parent.parent.name == "zh_Hans":
            missing += len(untranslated) + len(fuzzy)
    return 1 if missing and "--strict" in sys.argv else 0


if __name__ == "__main__":
    sys.exit(main())
