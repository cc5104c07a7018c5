"""Backup and restore (houqin.core.backup, manage.py backup / restore) on the suite's database,
SQLite or PostgreSQL: a populated instance is backed up while another thread keeps writing, restored
into a fresh data folder or a fresh database, and every table's rows and every file are compared."""

import datetime as dt
import gzip
import io
import json
import os
import random
import sqlite3
import tarfile
import threading
import uuid
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import connections, transaction
from django.db.utils import load_backend
from django.utils import timezone

from houqin.core import backup

pytestmark = pytest.mark.django_db(transaction=True)

SOURCE = "backup_source"


def _vendor() -> str:
    return connections["default"].vendor


@pytest.fixture
def instance(world, tmp_path):
    """The live instance's database (a settings dict): the test world in a database the backup
    reaches from its own connection. On PostgreSQL it is the suite's database; on SQLite (whose test
    database lives in memory) the world is copied into a WAL file, as production runs it."""
    if _vendor() == "postgresql":
        return connections["default"].settings_dict
    path = tmp_path / "live" / "houqin.sqlite3"
    path.parent.mkdir()
    connections["default"].ensure_connection()
    copy = sqlite3.connect(path)
    connections["default"].connection.backup(copy)
    copy.execute("PRAGMA journal_mode=WAL")
    copy.close()
    return {**connections["default"].settings_dict, "NAME": str(path)}


@pytest.fixture
def uploads(settings):
    """Uploaded files of every kind: nested folders, Chinese names, an empty file, binary data."""
    root = Path(settings.MEDIA_ROOT)
    rng = random.Random(15)
    files = {
        "assets/photos/2026/11/滑梯.jpg": rng.randbytes(300_000),
        "health/scans/体检表-张小明.pdf": b"%PDF-1.4\n" + rng.randbytes(20_000),
        "safety/drills/empty.txt": b"",
        "notices/通知.txt": "明天停水，请家长注意。".encode(),
    }
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return files


def _tables(conn, vendor: str) -> list[str]:
    cursor = conn.cursor()
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return sorted(r[0] for r in cursor.fetchall())


def _rows(conn, vendor: str) -> dict[str, set]:
    """Every row of every table, each value by its repr (so JSON and bytes compare as well)."""
    out = {}
    for table in _tables(conn, vendor):
        cursor = conn.cursor()
        cursor.execute(f'SELECT * FROM "{table}"')
        rows = [tuple(repr(v) for v in row) for row in cursor.fetchall()]
        assert len(rows) == len(set(rows)), table
        out[table] = set(rows)
    return out


class _Raw:
    """A plain DB-API connection to a database (the same driver and adapters on both sides)."""

    def __init__(self, settings_dict):
        self.settings_dict = settings_dict

    def __enter__(self):
        if self.settings_dict["ENGINE"].endswith("sqlite3"):
            self.conn = sqlite3.connect(self.settings_dict["NAME"])
        else:
            self.conn = backup._raw_connection(self.settings_dict)
        return self.conn

    def __exit__(self, *exc):
        self.conn.close()


class Writer(threading.Thread):
    """Registers visitors and opens sessions, one transaction each,
    until stopped: the writes a running instance makes while the backup runs. It writes through the
    ORM, to the suite's database on PostgreSQL and to the live SQLite file through a connection of
    its own (installed for its thread only)."""

    def __init__(self, database, kindergarten_id):
        super().__init__(daemon=True)
        self.database, self.kindergarten_id = database, kindergarten_id
        self.stop, self.count, self.error = threading.Event(), 0, None

    def run(self):
        from houqin.safety.models import Visitor

        alias = "default"
        if _vendor() == "sqlite":
            alias = SOURCE
            connections[alias] = load_backend(self.database["ENGINE"]).DatabaseWrapper(self.database, "live")
        try:
            while not self.stop.is_set():
                n = self.count
                with transaction.atomic(using=alias):
                    Visitor.objects.using(alias).create(
                        kindergarten_id=self.kindergarten_id, name=f"访客{n}", reason="送货", host="门卫",
                        arrived_at=timezone.now())
                    Session.objects.using(alias).create(
                        session_key=f"backuptest{n:022d}", session_data="x",
                        expire_date=timezone.now() + dt.timedelta(days=1))
                self.count = n + 1
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
        finally:
            connections[alias].close()
            if alias == SOURCE:
                del connections[alias]

    def wait_for(self, count, timeout=30):
        deadline = timezone.now() + dt.timedelta(seconds=timeout)
        while self.count < count and self.error is None and timezone.now() < deadline:
            self.stop.wait(0.01)
        assert self.error is None, self.error
        assert self.count >= count, "the writer is stuck"


def _fresh_target(tmp_path, vendor):
    """An empty place to restore into: a new data folder, or on PostgreSQL also a new database."""
    base = dict(connections["default"].settings_dict)
    if vendor == "sqlite":
        return {**base, "NAME": str(tmp_path / "restored" / "houqin.sqlite3")}, None
    name = f"houqin_restore_{uuid.uuid4().hex[:12]}"
    admin = backup._raw_connection({**base, "NAME": "postgres"})
    admin.autocommit = True
    admin.execute(f'CREATE DATABASE "{name}"')
    return {**base, "NAME": name}, admin


def _drop(admin, target):
    """Drop the restored database. FORCE ends the sessions still on it, but not an autovacuum worker
    analysing the freshly restored tables (only a superuser may stop one, and the test role is not):
    that refusal is waited out, as the worker ends within seconds."""
    if admin is None:
        return
    import time

    from psycopg.errors import InsufficientPrivilege, ObjectInUse

    try:
        for _attempt in range(120):
            try:
                admin.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}" WITH (FORCE)')
                return
            except (InsufficientPrivilege, ObjectInUse):
                time.sleep(0.5)
        admin.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}" WITH (FORCE)')
    finally:
        admin.close()


def test_backup_while_writing_then_restore_into_a_fresh_instance(instance, world, uploads, tmp_path, settings):
    vendor = _vendor()
    source = instance
    with _Raw(source) as conn:
        before = _rows(conn, vendor)
    assert sum(map(len, before.values())) > 100  # a populated instance

    writer = Writer(instance, world.k1.kg.pk)
    writer.start()
    try:
        writer.wait_for(5)
        at_start = writer.count
        result = backup.create_backup(tmp_path / "backups", database=instance)
        at_end = writer.count
        writer.wait_for(at_end + 5)
    finally:
        writer.stop.set()
        writer.join(30)
    assert writer.error is None, writer.error
    assert at_end > at_start, "no write went on while the backup ran"

    with _Raw(source) as conn:
        after = _rows(conn, vendor)
    manifest = result.manifest
    assert result.path.name.startswith("houqin-backup-") and result.path.suffixes[-2:] == [".tar", ".gz"]
    assert manifest["engine"] == vendor
    assert set(manifest["tables"]) == set(after)
    assert {name for name in manifest["members"] if name.startswith("media/")} == {f"media/{n}" for n in uploads}

    target, admin = _fresh_target(tmp_path, vendor)
    media_root = tmp_path / "restored" / "media"
    try:
        report = backup.restore_backup(result.path, database=target, media_root=media_root)
        with _Raw(target) as conn:
            restored = _rows(conn, vendor)
        # A non-empty target is refused, and left as it was.
        with pytest.raises(backup.BackupError, match="not empty|不是空的"):
            backup.restore_backup(result.path, database=target, media_root=tmp_path / "other-media")
    finally:
        _drop(admin, target)

    assert report.files == len(uploads) and report.rows == sum(manifest["tables"].values())
    # Every table: what was there before the writes is restored, nothing that never was is, and the
    # restored counts are the manifest's.
    written = {t for t in after if after[t] != before[t]}  # the visitor, its history row (where kept), the session
    assert {"safety_visitor", "django_session"} <= written <= {"safety_visitor", "safety_historicalvisitor",
                                                                 "django_session"}
    assert set(restored) == set(after)
    for table, rows in restored.items():
        assert before[table] <= rows <= after[table], table
        assert len(rows) == manifest["tables"][table], table
        if table not in written:
            assert rows == before[table] == after[table], table
    # One moment: the rows of each write are all there or all not,
    # and writes of the backup's time are in it.
    new = {t: len(restored[t]) - len(before[t]) for t in written}
    assert len(set(new.values())) == 1, new
    assert at_start <= new["django_session"] <= at_end + 1
    # Every file, byte for byte, and nothing else.
    restored_files = {p.relative_to(media_root).as_posix(): p.read_bytes() for p in media_root.rglob("*") if p.is_file()}
    assert restored_files == uploads


def _repack(archive: Path, out: Path, change):
    """Rewrite an archive member by member, passing each member's bytes through `change`."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(out, "w:gz") as dst:
        for info in src:
            data = change(info.name, src.extractfile(info).read())
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))


def test_a_damaged_archive_is_refused_and_nothing_is_restored(instance, uploads, tmp_path, settings):
    archive = backup.create_backup(tmp_path / "backups", database=instance).path
    out = io.StringIO()
    call_command("restore", str(archive), "--verify-only", stdout=out)
    assert str(len(uploads) + 1) in out.getvalue()  # the members checked: the database and the files

    # One byte changed anywhere in the file: gzip's check or a member's checksum refuses it.
    flipped = tmp_path / "flipped.tar.gz"
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0x01
    flipped.write_bytes(bytes(data))
    # One byte changed inside an uploaded file, the archive otherwise well formed: the checksum refuses it.
    changed = tmp_path / "changed.tar.gz"
    _repack(archive, changed, lambda name, b: (b[:10] + bytes([b[10] ^ 1]) + b[11:]) if name.endswith("滑梯.jpg") else b)
    # A changed row count in the manifest: the manifest's own checksum refuses it.
    recount = tmp_path / "recount.tar.gz"
    _repack(archive, recount, lambda name, b: b.replace(b'"org_kindergarten": 3', b'"org_kindergarten": 4')
            if name == "manifest.json" else b)

    target, admin = _fresh_target(tmp_path, _vendor())
    media_root = tmp_path / "restored" / "media"
    try:
        for bad, reason in [(flipped, ""), (changed, "滑梯.jpg"), (recount, "manifest.json")]:
            with pytest.raises(CommandError) as refused:
                call_command("restore", str(bad), "--verify-only", stdout=io.StringIO())
            assert "damaged" in str(refused.value) or "已损坏" in str(refused.value)
            with pytest.raises(backup.BackupError) as refused:
                backup.restore_backup(bad, database=target, media_root=media_root)
            assert reason in refused.value.message
            assert not media_root.exists() and not Path(target["NAME"]).exists()

        # A manifest consistent in itself whose counts the database does not match: refused after the
        # load, and on SQLite nothing is left behind.
        def miscount(name, b):
            if name != "manifest.json":
                return b
            manifest = json.loads(b)
            manifest["tables"]["org_kindergarten"] += 1
            manifest["manifest_sha256"] = backup._manifest_digest(manifest)
            return json.dumps(manifest).encode()

        miscounted = tmp_path / "miscounted.tar.gz"
        _repack(archive, miscounted, miscount)
        with pytest.raises(backup.BackupError, match="org_kindergarten"):
            backup.restore_backup(miscounted, database=target, media_root=media_root)
        assert not media_root.exists() and not Path(target["NAME"]).exists()
    finally:
        _drop(admin, target)


def test_old_archives_are_pruned_to_the_setting(world, tmp_path, settings):
    folder = tmp_path / "backups"
    folder.mkdir()
    for day in range(1, 5):
        (folder / f"houqin-backup-202611{day:02d}T020000Z.tar.gz").write_bytes(b"old")
    (folder / "notes.txt").write_text("kept")
    settings.HOUQIN_BACKUP_KEEP = 2
    out = io.StringIO()
    call_command("backup", "--dir", str(folder), stdout=out)
    kept = sorted(p.name for p in folder.iterdir())
    assert kept == ["houqin-backup-20261104T020000Z.tar.gz", backup.archives(folder)[-1].name, "notes.txt"]
    assert backup.archives(folder)[-1].name.startswith("houqin-backup-2026")
    assert out.getvalue().count("houqin-backup-202611") >= 4  # the new archive and the three removed
    assert not [p for p in folder.iterdir() if p.name.endswith(".partial") or p.name.startswith(".")]
    assert oct(os.stat(backup.archives(folder)[-1]).st_mode & 0o777) == "0o600"
    with gzip.open(backup.archives(folder)[-1]) as handle:
        assert handle.read(1)
