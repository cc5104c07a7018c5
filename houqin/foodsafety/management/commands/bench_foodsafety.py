"""Benchmark (not a test): the director's food-safety to-dos and the kitchen's day screen over a term
of records, in the current (throwaway) database. Prints milliseconds."""

import datetime as dt
import time

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from houqin.core.management.bench import BenchCommand


class Command(BenchCommand):
    help = "Time the food-safety to-dos and the kitchen's day on a term of records."

    def handle(self, *args, **options):
        from houqin import policy
        from houqin.foodsafety import selectors
        from houqin.foodsafety.models import Sample
        from houqin.foodsafety.navigation import todos_on
        from houqin.foodsafety.tests.conftest import certify, publish_menu
        from houqin.org.models import Role
        from houqin.stock.tests.conftest import make_store
        from houqin.testing import build_world

        with transaction.atomic():
            world = build_world()
            store = make_store(world)
            certify(world, store)
            menu = publish_menu(world)
            kg, canteen = world.k1.kg, world.k1.users[Role.CANTEEN]
            today = timezone.localdate()
            rows = []
            for n in range(120):  # a term of samples, three dishes a day
                day = today - dt.timedelta(days=n)
                stored = timezone.now() - dt.timedelta(days=n)
                rows += [Sample(kindergarten=kg, day=day, meal="lunch", meal_label="午餐", dish_code=d.code,
                                dish_name=d.name, weight_grams=130, stored_at=stored, fridge="1", stored_by=canteen,
                                discard_due=stored + dt.timedelta(hours=48), retain_until=day) for d in menu.dishes]
            Sample.objects.bulk_create(rows)
            actor = policy.actor_for_kindergarten(world.k1.users[Role.DIRECTOR], kg)
            for label, call in [("director to-dos", lambda: todos_on(kg, today=today)),
                                ("kitchen day", lambda: selectors.kitchen_day(actor=actor, day=today)),
                                ("term figures", lambda: selectors.term_figures([kg], today - dt.timedelta(days=120),
                                                                               today))]:
                call()
                timings = []
                for _ in range(20):
                    with CaptureQueriesContext(connection) as ctx:
                        start = time.perf_counter()
                        call()
                        timings.append((time.perf_counter() - start) * 1000)
                timings.sort()
                self.stdout.write(f"{label}: median {timings[10]:.1f} ms, max {timings[-1]:.1f} ms, "
                                  f"{len(ctx.captured_queries)} queries ({len(rows)} samples)")
            transaction.set_rollback(True)
