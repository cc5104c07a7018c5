"""Benchmark (not a test): the nutrition analysis of a term (20 weeks) of weekly menus and one
month's diet survey for a kindergarten of ~600 children, in the current (throwaway) database.
Builds the demo's organisation and canteen with the areas it reads (org.demo.build_part) inside a
transaction that is rolled back at the end. Prints milliseconds."""

import datetime as dt
import time

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from houqin.core.management.bench import BenchCommand


class Command(BenchCommand):
    help = "Time the analysis of a term of weekly menus and of a month's diet survey (600 children)."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=5)

    def handle(self, *args, **options):
        from houqin.canteen import selectors
        from houqin.canteen.models import Menu, MenuEntry, MenuEntryFood, MenuStatus
        from houqin.org import demo
        from houqin.org.models import Child

        repeat = max(1, options["repeat"])
        with transaction.atomic():
            start = time.perf_counter()
            ctx = demo.build_part("canteen")
            kg = ctx.kindergartens[demo.DEMO_SLUG]
            menus = list(Menu.objects.active().filter(kindergarten=kg, status=MenuStatus.PUBLISHED)
                         .order_by("week_start"))
            # up to 20 weeks: the term's later weeks repeat the four-week cycle
            monday = Menu.objects.filter(kindergarten=kg).order_by("-week_start").first().week_start
            source_weeks = menus[-4:]
            n = 0
            while len(menus) < 20:
                monday += dt.timedelta(days=7)
                source = source_weeks[n % len(source_weeks)]
                n += 1
                copy = Menu.objects.create(kindergarten=kg, week_start=monday,
                                           days=source.days, status=MenuStatus.PUBLISHED, created_by=source.created_by)
                entries = list(MenuEntry.objects.filter(menu=source).prefetch_related("foods"))
                new = MenuEntry.objects.bulk_create([
                    MenuEntry(kindergarten=kg, menu=copy, day=e.day, meal=e.meal, dish_id=e.dish_id,
                              dish_name=e.dish_name, dish_category=e.dish_category, sort_order=e.sort_order)
                    for e in entries])
                MenuEntryFood.objects.bulk_create([
                    MenuEntryFood(kindergarten=kg, entry=ne, food_id=f.food_id, grams_raw=f.grams_raw,
                                  grams_edible=f.grams_edible) for e, ne in zip(entries, new, strict=True)
                    for f in e.foods.all()])
                menus.append(copy)
            children = Child.objects.filter(kindergarten=kg).count()
            self.stdout.write(f"built {children} children, {len(menus)} weekly menus in "
                              f"{(time.perf_counter() - start) * 1000:.0f} ms")

            def term():
                settings = selectors.settings_for(kg)
                from houqin.canteen.rules import rules_for

                rules = rules_for(kg)
                return [selectors.menu_analysis(m, settings=settings, rules=rules) for m in menus]

            def survey():
                return selectors.survey_compute(kindergarten=kg, month=dt.date(2026, 10, 1))

            for label, call in [(f"analyse a term ({len(menus)} weekly menus)", term),
                                ("diet survey of October", survey)]:
                call()
                timings = []
                for _ in range(repeat):
                    with CaptureQueriesContext(connection) as queries:
                        begin = time.perf_counter()
                        call()
                        timings.append((time.perf_counter() - begin) * 1000)
                timings.sort()
                self.stdout.write(f"{label}: median {timings[len(timings) // 2]:.1f} ms, max {timings[-1]:.1f} ms, "
                                  f"{len(queries.captured_queries)} queries")
            data = survey()
            self.stdout.write(f"  (October: {data['child_days']} child-days, {len(data['lines'])} linked items)")
            transaction.set_rollback(True)
