"""Chinese translations of many hands: collect the msgids an app lacks, and merge translations in.

    .venv/bin/python scripts/translations.py todo <app>   # → /tmp/zh/<app>.todo.json ({msgid: ""})
    .venv/bin/python scripts/translations.py merge [dir]  # makemessages, fill from <dir>/*.json, compile
    .venv/bin/python scripts/translations.py resolve      # after a git merge conflicted in the catalogues

`resolve` settles a merge conflict in the .po files: it takes the translations of both sides of
the merge (git's stages 2 and 3; ours wins where both translated the same msgid), rebuilds the
catalogues from the merged source with makemessages, fills them from that union and compiles.

An entry's key is its context and its msgid together: "Report" (to report a hazard, 上报) and
"Report" with msgctxt "document" (报表) are two entries, kept apart by every command here. A
translation file is a JSON object {key: msgstr}, the key being the msgid, or "context|msgid" for an
entry with a msgctxt (for a plural entry, the msgid of the singular and the one Chinese form).
`merge` fills only empty msgstrs, never overwrites a translation in the catalogue, and lists what is still missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from houqin.core.tests.test_i18n import ZH_PO, source_msgids  # noqa: E402

WORK = Path(os.environ.get("HOUQIN_TRANSLATIONS", "/tmp/zh"))


def key(msgctxt: str | None, msgid: str) -> str:
    """An entry's key: its msgid, or "context|msgid" (the context is part of what an entry is)."""
    return f"{msgctxt}|{msgid}" if msgctxt else msgid


def entry_key(e: polib.POEntry) -> str:
    return key(e.msgctxt, e.msgid)


def translated() -> dict[str, str]:
    catalogue = polib.pofile(str(ZH_PO))
    done = {}
    for e in catalogue:
        text = e.msgstr_plural.get(0, "") if e.msgid_plural else e.msgstr
        if text.strip() and "fuzzy" not in e.flags:
            done[entry_key(e)] = text
    return done


def todo(app: str) -> None:
    done = translated()
    mine = WORK / f"{app}.json"
    have = json.loads(mine.read_text(encoding="utf-8")) if mine.exists() else {}
    missing = sorted(
        key(ctx, msgid) for (ctx, msgid, _plural), origin in source_msgids().items()
        if origin.startswith(f"{app}/") and key(ctx, msgid) not in done and key(ctx, msgid) not in have
    )
    WORK.mkdir(parents=True, exist_ok=True)
    out = WORK / f"{app}.todo.json"
    out.write_text(json.dumps({m: "" for m in missing}, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(missing)} msgids of houqin/{app} need a translation: {out} (translate into {mine})")


def _makemessages() -> None:
    env = {**os.environ, "HOUQIN_DATA_DIR": os.environ.get("HOUQIN_DATA_DIR", "/tmp/houqin-messages")}
    for lang in ("zh_Hans", "en"):
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "makemessages", "-l", lang, "--no-location", "--no-obsolete",
             "-i", "static/*"],
            cwd=ROOT / "houqin", env=env, check=True, stdout=subprocess.DEVNULL,
        )


def _entries(text: str) -> dict[str, str]:
    """{key: translation} of a catalogue's text: translated, not fuzzy, not obsolete."""
    out = {}
    for e in polib.pofile(text):
        value = e.msgstr_plural.get(0, "") if e.msgid_plural else e.msgstr
        if value.strip() and "fuzzy" not in e.flags and not e.obsolete:
            out[entry_key(e)] = value
    return out


def resolve() -> None:
    """Settle a merge conflict in both catalogues from the two sides' translations."""
    unions = {}
    for lang in ("zh_Hans", "en"):
        rel = f"houqin/locale/{lang}/LC_MESSAGES/django.po"
        union: dict[str, str] = {}
        for stage in (3, 2):  # theirs first, so that ours wins
            shown = subprocess.run(["git", "show", f":{stage}:{rel}"], cwd=ROOT, capture_output=True, text=True)
            if shown.returncode == 0:
                union.update(_entries(shown.stdout))
        ours = subprocess.run(["git", "show", f":2:{rel}"], cwd=ROOT, capture_output=True, text=True)
        if ours.returncode == 0:
            (ROOT / rel).write_text(ours.stdout, encoding="utf-8")
        unions[lang] = union
    _makemessages()
    for lang, union in unions.items():
        path = ROOT / f"houqin/locale/{lang}/LC_MESSAGES/django.po"
        catalogue = polib.pofile(str(path))
        for e in catalogue:
            k = entry_key(e)
            if k not in union:
                continue
            if "fuzzy" in e.flags:
                e.flags.remove("fuzzy")
                e.previous_msgid = e.previous_msgid_plural = e.previous_msgctxt = None
            if e.msgid_plural:
                if not str(e.msgstr_plural.get(0, "")).strip() or e.msgstr_plural.get(0) != union[k]:
                    e.msgstr_plural = {0: union[k]}
            else:
                e.msgstr = union[k]
        catalogue.save()
    subprocess.run([sys.executable, str(ROOT / "scripts" / "compile_messages.py")], check=True)
    catalogue = polib.pofile(str(ZH_PO))
    empty = [entry_key(e) for e in catalogue if not e.obsolete and not (
        e.msgstr_plural.get(0, "") if e.msgid_plural else e.msgstr).strip()]
    fuzzy = [entry_key(e) for e in catalogue if "fuzzy" in e.flags]
    print(f"catalogues rebuilt: {len(empty)} zh-hans msgids without a translation, {len(fuzzy)} fuzzy")
    for m in empty[:40]:
        print("  missing:", m)


def merge(folder: Path) -> None:
    _makemessages()
    given: dict[str, str] = {}
    for path in sorted(folder.glob("*.json")):
        if path.name.endswith(".todo.json"):
            continue
        given.update({k: v for k, v in json.loads(path.read_text(encoding="utf-8")).items() if v})
    catalogue = polib.pofile(str(ZH_PO))
    missing = []
    for e in catalogue:
        if e.obsolete:
            continue
        k = entry_key(e)
        if "fuzzy" in e.flags:
            e.flags.remove("fuzzy")
            e.previous_msgid = e.previous_msgid_plural = e.previous_msgctxt = None
            e.msgstr = ""
            e.msgstr_plural = {0: ""} if e.msgid_plural else {}
        if e.msgid_plural:
            if not str(e.msgstr_plural.get(0, "")).strip():
                if k in given:
                    e.msgstr_plural = {0: given[k]}
                else:
                    missing.append(k)
        elif not e.msgstr.strip():
            if k in given:
                e.msgstr = given[k]
            else:
                missing.append(k)
    catalogue.save()
    subprocess.run([sys.executable, str(ROOT / "scripts" / "compile_messages.py")], check=True)
    (folder / "missing.todo.json").write_text(
        json.dumps({m: "" for m in missing}, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print(f"{len(missing)} msgids still without a translation: {folder / 'missing.todo.json'}")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "todo":
        todo(sys.argv[2])
    elif len(sys.argv) >= 2 and sys.argv[1] == "resolve":
        resolve()
    elif len(sys.argv) >= 2 and sys.argv[1] == "merge":
        merge(Path(sys.argv[2]) if len(sys.argv) > 2 else WORK)
    else:
        print(__doc__)
        sys.exit(2)
