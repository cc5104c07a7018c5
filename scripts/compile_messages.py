"""Compile houqin/locale/*/LC_MESSAGES/django.po into .mo files with polib (no GNU gettext needed)."""

from pathlib import Path

import polib

root = Path(__file__).resolve().parent.parent / "houqin" / "locale"
for po_path in sorted(root.glob("*/LC_MESSAGES/*.po")):
    po_path_mo = po_path.with_suffix(".mo")
    if po_path_mo.exists() and po_path_mo.stat().st_mtime >= po_path.stat().st_mtime:
        continue
    polib.pofile(str(po_path)).save_as_mofile(str(po_path_mo))
    print(f"compiled {po_path.relative_to(root.parent.parent)}")
