"""`manage.py seed_demo`: build the demo district once and print its logins (see houqin.org.demo)."""

import contextlib
import datetime as dt
import unicodedata

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from houqin.org import demo


def _width(text: str) -> int:
    """Columns the text takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def _clock_on(day: dt.date | None):
    """The services the demo calls judge "not in the future" by the clock: on another day than today,
    the clock is moved to 9 a.m. of that day for the build."""
    if day is None or day == timezone.localdate():
        return contextlib.nullcontext()
    try:
        import time_machine
    except ImportError as error:  # pragma: no cover - a production install without the dev requirements
        raise CommandError("--today needs time-machine (pip install -r requirements/dev.txt)") from error
    moment = dt.datetime.combine(day, dt.time(9, 0), tzinfo=timezone.get_current_timezone())
    return time_machine.travel(moment, tick=True)


class Command(BaseCommand):
    help = "Build the demo district (两所幼儿园) once, then print the demo logins. Does nothing if it exists."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help="Random seed (default 2026).")
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, metavar="YYYY-MM-DD",
            help="Build the demo as it is at 9 a.m. on this day (default: today). Another day than today runs "
                 "the build on that day's clock (needs time-machine, of the dev requirements).",
        )
        parser.add_argument(
            "--superuser", metavar="NAME", help="Also create a Django superuser NAME with the demo password."
        )

    def handle(self, *args, seed, superuser, today=None, **options):
        with _clock_on(today):
            result = demo.build_demo(today, seed=seed)
        self.result = result  # for a caller holding the command (the test suite's shared demo)
        if result["created"]:
            counts = result["counts"]
            self.stdout.write(self.style.SUCCESS(
                f"演示数据已建好 Demo data created: {counts['kindergartens']} 所幼儿园 kindergartens, "
                f"{counts['campuses']} 个园区 campuses, {counts['classes']} 个班级 classes, "
                f"{counts['children']} 名幼儿 children, {counts['guardians']} 位家长 guardians, "
                f"{counts['users']} 个用户 users."
            ))
            extra = {k: v for k, v in counts.items() if k not in (
                "kindergartens", "campuses", "classes", "children", "guardians", "users", "memberships",
                "pickup people")}
            for what, n in extra.items():
                self.stdout.write(f"  {what}: {n}")
        else:
            self.stdout.write(self.style.WARNING(
                "演示数据已经载入，未做任何改动。 The demo data is already loaded; nothing was changed."
            ))
        if superuser:
            self._superuser(superuser)
        self._print_logins(result["logins"])

    @transaction.atomic
    def _superuser(self, name: str):
        User = get_user_model()
        if User.objects.filter(username=name).exists():
            self.stdout.write(self.style.WARNING(f"用户 {name} 已存在，未改动。 User {name} already exists; unchanged."))
            return
        User.objects.create_superuser(username=name, password=demo.DEMO_PASSWORD, email="")
        self.stdout.write(self.style.SUCCESS(
            f"已建超级用户 {name}（后台维护用，密码同演示账号）。 "
            f"Superuser {name} created (Django admin, repairs only; password as the demo logins)."
        ))

    def _print_logins(self, logins: list[dict]):
        if not logins:
            return
        header = ("用户名 Username", "角色 Role", "姓名 Name", "幼儿园 Kindergarten")
        rows = [(r["username"], r["role_title"], r["full_name"], r["where"]) for r in logins]
        widths = [max(_width(row[i]) for row in [header, *rows]) + 2 for i in range(len(header))]
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("演示账号 Demo logins"))
        self.stdout.write("".join(_pad(h, w) for h, w in zip(header, widths, strict=True)).rstrip())
        for row in rows:
            self.stdout.write("".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip())
        self.stdout.write("")
        self.stdout.write(f"密码 Password（所有演示账号 all demo logins）: {demo.DEMO_PASSWORD}")
        self.stdout.write(f"网址 Open: {demo.DEMO_URL}")
