"""Backup and restore of a whole Houqin instance: one archive holds the database, the uploaded files
and a manifest; the commands `manage.py backup` and `manage.py restore` are thin shells over
`create_backup`, `verify_archive` and `restore_backup`.

The archive (houqin-backup-YYYYMMDDTHHMMSSZ.tar.gz) holds:
- database.sqlite3 — on SQLite, a copy made by SQLite's online backup API (one read transaction: a
  consistent snapshot while the instance keeps writing; copying the file of a WAL database is not);
- database.pgdump — on PostgreSQL, `pg_dump -Fc` run on a snapshot exported by a REPEATABLE READ
  transaction, the same snapshot the manifest's row counts are taken in;
- media/… — every uploaded file, read after the database snapshot (files are written before the
  rows that name them are committed, so every file the snapshot names is there);
- manifest.json (last) — the row count of every table, and the size and sha256 of every member.

Restore goes only into an empty database (no tables) and an empty upload folder, and refuses a
damaged archive (a checksum, size, member or row count that does not match the manifest) before it
writes anything.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _

FORMAT = 1
PREFIX = "houqin-backup-"
SUFFIX = ".tar.gz"
MANIFEST = "manifest.json"
DB_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MEDIA = "media"
COMPRESSLEVEL = 6
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in the operator's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    seconds: float
    pruned: list[Path] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.manifest["tables"].values())

    @property
    def files(self) -> int:
        return sum(1 for name in self.manifest["members"] if name.startswith(MEDIA + "/"))


@dataclass
class RestoreReport:
    archive: Path
    manifest: dict
    engine: str
    target: str
    media_root: Path
    tables: int
    rows: int
    files: int
    seconds: float


# --- the database engines ---------------------------------------------------------------------

def _engine(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(_("Backups support SQLite and PostgreSQL only, not %(engine)s.") % {"engine": engine})


def _wrapper(settings_dict: dict):
    """A Django database wrapper for a settings dict (the configured database, or a restore target),
    used only to open raw connections with the project's connection parameters."""
    from django.db.utils import load_backend

    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias="__houqin_backup__")


def _raw_connection(settings_dict: dict):
    wrapper = _wrapper(settings_dict)
    return wrapper.get_new_connection(wrapper.get_connection_params())


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: conn.execute(f'SELECT count(*) FROM "{name.replace(chr(34), chr(34) * 2)}"').fetchone()[0]
            for name in names}


_PG_TABLES = """
SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1, 2
"""


def _pg_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pg_counts(cursor) -> dict[str, int]:
    cursor.execute(_PG_TABLES)
    counts = {}
    for schema, table in cursor.fetchall():
        cursor.execute(f"SELECT count(*) FROM {_pg_ident(schema)}.{_pg_ident(table)}")
        counts[table if schema == "public" else f"{schema}.{table}"] = cursor.fetchone()[0]
    return counts


def _pg_program(name: str) -> str:
    folder = getattr(settings, "HOUQIN_PG_BIN_DIR", "")
    program = str(Path(folder) / name) if folder else shutil.which(name)
    if not program or not Path(program).exists():
        raise BackupError(_("%(program)s was not found: install the PostgreSQL client programs or set "
                            "HOUQIN_PG_BIN_DIR.") % {"program": name})
    return program


def _pg_env(settings_dict: dict) -> dict:
    """The libpq environment for pg_dump and pg_restore (the password never on the command line)."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"),
                     ("NAME", "PGDATABASE")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    for key, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("sslcert", "PGSSLCERT"),
                     ("sslkey", "PGSSLKEY")):
        if options.get(key):
            env[var] = str(options[key])
    return env


def _run(args: list[str], env: dict, what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(_("%(what)s failed: %(error)s") % {"what": what, "error": done.stderr.strip()[-2000:]})


def _dump_sqlite(settings_dict: dict, out: Path) -> dict[str, int]:
    """Copy the live database with SQLite's online backup API in one step (one read transaction, so
    writers go on in WAL mode and the copy is one consistent moment), then count the copy."""
    if settings_dict["NAME"] in ("", ":memory:"):
        raise BackupError(_("An in-memory SQLite database cannot be backed up."))
    source = _raw_connection(settings_dict)
    target = sqlite3.connect(out)
    try:
        source.backup(target, pages=-1)
    finally:
        source.close()
    try:
        target.execute("PRAGMA journal_mode=DELETE")
        check = target.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(_("The database copy failed SQLite's integrity check: %(error)s") % {"error": check})
        return _sqlite_counts(target)
    finally:
        target.close()


def _dump_postgres(settings_dict: dict, out: Path) -> dict[str, int]:
    """pg_dump -Fc on a snapshot exported by a REPEATABLE READ, READ ONLY transaction; the row counts
    are taken in that same transaction, so the manifest describes exactly the dump."""
    conn = _raw_connection(settings_dict)
    try:
        conn.autocommit = False
        with conn.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _pg_counts(cursor)
            _run([_pg_program("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={out}"],
                 _pg_env(settings_dict), "pg_dump")
        conn.rollback()
    finally:
        conn.close()
    return counts


# --- writing the archive ----------------------------------------------------------------------

class _HashingReader:
    """Reads a file for tarfile while hashing exactly the bytes that go into the archive."""

    def __init__(self, fileobj):
        self.fileobj = fileobj
        self.sha = hashlib.sha256()
        self.size = 0

    def read(self, n=-1):
        data = self.fileobj.read(n)
        self.sha.update(data)
        self.size += len(data)
        return data


def _add_file(tar: tarfile.TarFile, path: Path, arcname: str, members: dict) -> None:
    with open(path, "rb") as handle:
        stat = os.fstat(handle.fileno())
        info = tarfile.TarInfo(arcname)
        info.size = stat.st_size
        info.mtime = int(stat.st_mtime)
        info.mode = 0o600
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    members[arcname] = {"size": reader.size, "sha256": reader.sha.hexdigest()}


def _media_files(media_root: Path) -> list[tuple[Path, str]]:
    if not media_root.is_dir():
        return []
    files = []
    for folder, dirs, names in os.walk(media_root):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                files.append((path, f"{MEDIA}/{path.relative_to(media_root).as_posix()}"))
    return files


def _manifest_digest(manifest: dict) -> str:
    """The manifest's checksum of itself (all but this field), so a changed count is caught too."""
    body = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def archive_name(moment: dt.datetime) -> str:
    return f"{PREFIX}{moment.astimezone(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}{SUFFIX}"


def archives(folder: Path) -> list[Path]:
    """The finished archives in a folder, oldest first (the names sort by time)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.startswith(PREFIX) and p.name.endswith(SUFFIX))


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives (keep ≤ 0 keeps everything); returns what went."""
    if keep <= 0:
        return []
    old = archives(folder)[:-keep]
    for path in old:
        path.unlink()
    return old


def create_backup(folder: Path | None = None, *, using: str = "default", database: dict | None = None,
                  media_root: Path | None = None, keep: int | None = None) -> BackupResult:
    """Write one archive of the database (the alias `using`, or a Django settings dict `database`)
    and the upload folder into `folder` (HOUQIN_BACKUP_DIR), then keep only the newest `keep`
    archives (HOUQIN_BACKUP_KEEP)."""
    started = time.monotonic()
    folder = Path(folder or settings.HOUQIN_BACKUP_DIR)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    keep = settings.HOUQIN_BACKUP_KEEP if keep is None else keep
    folder.mkdir(parents=True, exist_ok=True)
    if folder.resolve().is_relative_to(media_root.resolve()):
        raise BackupError(_("The backup folder %(folder)s lies inside the upload folder: choose another one.")
                          % {"folder": folder})
    settings_dict = database or connections[using].settings_dict
    engine = _engine(settings_dict)
    now = dt.datetime.now(dt.UTC)
    final = folder / archive_name(now)
    if final.exists():
        raise BackupError(_("%(path)s already exists: wait a second and try again.") % {"path": final})
    partial = final.with_name(final.name + ".partial")
    members: dict[str, dict] = {}
    try:
        with tempfile.TemporaryDirectory(prefix=".houqin-backup-", dir=folder) as work:
            dump = Path(work) / DB_MEMBER[engine]
            counts = (_dump_sqlite if engine == "sqlite" else _dump_postgres)(settings_dict, dump)
            with tarfile.open(partial, "w:gz", compresslevel=COMPRESSLEVEL) as tar:
                _add_file(tar, dump, DB_MEMBER[engine], members)
                for path, arcname in _media_files(media_root):
                    _add_file(tar, path, arcname, members)
                manifest = {
                    "format": FORMAT,
                    "application": "houqin",
                    "created_at": now.isoformat(timespec="seconds"),
                    "engine": engine,
                    "database": DB_MEMBER[engine],
                    "tables": counts,
                    "members": members,
                }
                manifest["manifest_sha256"] = _manifest_digest(manifest)
                data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
                tar.addfile(info, io.BytesIO(data))
        partial.chmod(0o600)
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    pruned = prune(folder, keep)
    return BackupResult(path=final, manifest=manifest, seconds=time.monotonic() - started, pruned=pruned)


# --- reading and checking an archive ----------------------------------------------------------

def _safe_member(info: tarfile.TarInfo) -> str | None:
    """The member's name if it is a plain file at a plain relative path, else None."""
    path = PurePosixPath(info.name)
    if not info.isfile() or path.is_absolute() or ".." in path.parts or not path.parts:
        return None
    return str(path)


def _damaged(path: Path, reason) -> BackupError:
    return BackupError(_("The archive %(path)s is damaged or is not a Houqin backup, and nothing was restored: "
                         "%(reason)s") % {"path": path, "reason": reason})


def _walk(path: Path, on_member) -> dict:
    """Read every member of the archive once, hashing it; `on_member(name, info, chunks)` may also
    consume the bytes. Returns {name: {"size", "sha256"}} and the manifest's bytes under MANIFEST."""
    seen: dict = {}
    try:
        with tarfile.open(path, "r:gz") as tar:
            for info in tar:
                name = _safe_member(info)
                if name is None:
                    raise _damaged(path, _("unexpected member %(name)s") % {"name": info.name})
                if name in seen:
                    raise _damaged(path, _("member %(name)s appears twice") % {"name": name})
                handle = tar.extractfile(info)
                sha, size, manifest_bytes = hashlib.sha256(), 0, b""

                def chunks():
                    nonlocal size, manifest_bytes
                    while data := handle.read(CHUNK):
                        sha.update(data)
                        size += len(data)
                        if name == MANIFEST:
                            manifest_bytes += data
                        yield data

                on_member(name, chunks())
                for _rest in chunks():  # whatever the callback did not read
                    pass
                seen[name] = {"size": size, "sha256": sha.hexdigest()}
                if name == MANIFEST:
                    seen[name]["bytes"] = manifest_bytes
            while tar.fileobj.read(CHUNK):  # to the end of the compressed stream: gzip checks its CRC there
                pass
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, OSError) as exc:
        raise _damaged(path, exc) from exc
    return seen


def _check(path: Path, seen: dict) -> dict:
    if MANIFEST not in seen:
        raise _damaged(path, _("it has no manifest.json"))
    try:
        manifest = json.loads(seen[MANIFEST]["bytes"])
    except (ValueError, UnicodeDecodeError) as exc:
        raise _damaged(path, _("manifest.json is not readable")) from exc
    if not isinstance(manifest, dict) or manifest.get("application") != "houqin" or manifest.get("format") != FORMAT:
        raise _damaged(path, _("manifest.json is not a Houqin backup manifest of format %(format)s")
                       % {"format": FORMAT})
    if manifest.get("manifest_sha256") != _manifest_digest(manifest):
        raise _damaged(path, _("manifest.json does not match its checksum"))
    problems = []
    expected = manifest.get("members", {})
    for name, want in sorted(expected.items()):
        got = seen.get(name)
        if got is None:
            problems.append(_("%(name)s is missing") % {"name": name})
        elif got["size"] != want.get("size") or got["sha256"] != want.get("sha256"):
            problems.append(_("%(name)s does not match its checksum") % {"name": name})
    for name in sorted(set(seen) - set(expected) - {MANIFEST}):
        problems.append(_("%(name)s is not in the manifest") % {"name": name})
    if manifest.get("database") not in expected:
        problems.append(_("the database dump is missing"))
    if problems:
        shown = "; ".join(problems[:10]) + (" …" if len(problems) > 10 else "")
        raise _damaged(path, shown)
    return manifest


def verify_archive(path: Path) -> dict:
    """Read the whole archive and check every member against the manifest; returns the manifest."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("There is no archive at %(path)s.") % {"path": path})
    return _check(path, _walk(path, lambda name, chunks: None))


# --- restoring --------------------------------------------------------------------------------

def _sqlite_target_problem(name: str) -> str | None:
    path = Path(name)
    if not path.exists() or path.stat().st_size == 0:
        return None
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    except sqlite3.DatabaseError:
        tables = -1
    finally:
        conn.close()
    if tables:
        return _("The database %(name)s is not empty: restore only into an empty data folder (set HOUQIN_DATA_DIR "
                 "to a new folder) or move the old database away first.") % {"name": path}
    return None


def _pg_target_problem(settings_dict: dict) -> str | None:
    try:
        conn = _raw_connection(settings_dict)
    except Exception as exc:  # noqa: BLE001 - any driver error: the message says what to do
        return _("Cannot connect to the database %(name)s (%(error)s): create it empty first, e.g. "
                 "`createdb -O %(user)s %(name)s`.") % {"name": settings_dict["NAME"], "error": str(exc).strip(),
                                                       "user": settings_dict.get("USER") or "houqin"}
    try:
        with conn.cursor() as cursor:
            cursor.execute(_PG_TABLES)
            tables = len(cursor.fetchall())
        conn.rollback()
    finally:
        conn.close()
    if tables:
        return _("The database %(name)s is not empty (%(tables)s tables): restore only into a new, empty database."
                 ) % {"name": settings_dict["NAME"], "tables": tables}
    return None


def _media_problem(media_root: Path) -> str | None:
    if media_root.exists() and (not media_root.is_dir() or any(media_root.iterdir())):
        return _("The upload folder %(path)s is not empty: restore only into an empty data folder.") % {
            "path": media_root}
    return None


def _count_problems(manifest: dict, counts: dict) -> list[str]:
    want = manifest["tables"]
    problems = [_("table %(table)s has %(got)s rows, the manifest says %(want)s")
                % {"table": t, "got": counts.get(t, 0), "want": n} for t, n in sorted(want.items()) if counts.get(t) != n]
    problems += [_("table %(table)s is not in the manifest") % {"table": t} for t in sorted(set(counts) - set(want))]
    return problems


def restore_backup(path: Path, *, database: dict | None = None, media_root: Path | None = None) -> RestoreReport:
    """Restore an archive into an empty database (`database`: a Django settings dict, by default the
    configured one) and an empty upload folder (`media_root`, by default MEDIA_ROOT). The archive is
    checked in full first; then the files are unpacked into a staging folder, the database is loaded
    and its row counts compared with the manifest, and only then do the files move into place."""
    started = time.monotonic()
    path = Path(path)
    database = dict(database or connections["default"].settings_dict)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    engine = _engine(database)
    manifest = verify_archive(path)
    if manifest["engine"] != engine:
        raise BackupError(_("This archive holds a %(archive)s database and cannot be restored into %(target)s.")
                          % {"archive": manifest["engine"], "target": engine})
    if engine == "sqlite" and (str(database["NAME"]).startswith("file:") or database["NAME"] in ("", ":memory:")):
        raise BackupError(_("Restore into an SQLite database file, not an in-memory database."))
    problem = (_sqlite_target_problem(database["NAME"]) if engine == "sqlite" else _pg_target_problem(database)) \
        or _media_problem(media_root)
    if problem:
        raise BackupError(problem)

    media_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{media_root.name}.restoring-", dir=media_root.parent))
    db_dump = staging / ".database"
    files = 0
    try:
        def unpack(name, chunks):
            nonlocal files
            if name == manifest["database"]:
                target = db_dump
            elif name.startswith(MEDIA + "/"):
                target = staging / MEDIA / name[len(MEDIA) + 1:]
                files += 1
            else:
                return
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as out:
                for data in chunks:
                    out.write(data)

        _check(path, _walk(path, unpack))  # checked again while unpacking: the bytes used are the bytes checked
        if engine == "sqlite":
            target_desc = _restore_sqlite(db_dump, Path(database["NAME"]), manifest)
        else:
            target_desc = _restore_postgres(db_dump, database, manifest)
        db_dump.unlink(missing_ok=True)
        if media_root.exists():
            media_root.rmdir()  # checked empty above
        if (staging / MEDIA).exists():
            os.replace(staging / MEDIA, media_root)
        else:
            media_root.mkdir()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RestoreReport(archive=path, manifest=manifest, engine=engine, target=target_desc, media_root=media_root,
                         tables=len(manifest["tables"]), rows=sum(manifest["tables"].values()), files=files,
                         seconds=time.monotonic() - started)


def _restore_sqlite(dump: Path, target: Path, manifest: dict) -> str:
    target.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(dump)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        problems = ([check] if check != "ok" else []) + _count_problems(manifest, _sqlite_counts(conn))
        if problems:
            raise BackupError(_("The restored database does not match the manifest, and nothing was restored: "
                                "%(problems)s") % {"problems": "; ".join(problems[:10])})
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(dump, target)
    return str(target)


def _restore_postgres(dump: Path, database: dict, manifest: dict) -> str:
    _run([_pg_program("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          f"--dbname={database['NAME']}", str(dump)], _pg_env(database), "pg_restore")
    conn = _raw_connection(database)
    try:
        with conn.cursor() as cursor:
            problems = _count_problems(manifest, _pg_counts(cursor))
        conn.rollback()
    finally:
        conn.close()
    if problems:
        raise BackupError(_("The restored database %(name)s does not match the manifest: %(problems)s. Drop it and "
                            "restore again.") % {"name": database["NAME"], "problems": "; ".join(problems[:10])})
    return database["NAME"]
