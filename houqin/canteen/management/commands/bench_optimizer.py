"""Benchmark (not a test): the menu optimizer proposes a 5-day week over the demo's dish library, in
the current (throwaway) database. Builds the demo's organisation and canteen with the areas it reads
(org.demo.build_part) inside a transaction that is rolled back at the end. Prints the
solve time (goal: under 5 s), the size of the programme and whether every target is met."""

import datetime as dt
import time

from django.core.management.base import CommandError
from django.db import transaction

from houqin.core.management.bench import BenchCommand


class Command(BenchCommand):
    help = "Time the menu optimizer on a 5-day week over the demo's dish library (goal: under 5 s)."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=3)

    def handle(self, *args, **options):
        from houqin.canteen import optimizer
        from houqin.org import demo

        repeat = max(1, options["repeat"])
        with transaction.atomic():
            start = time.perf_counter()
            ctx = demo.build_part("canteen")
            kg = ctx.kindergartens[demo.DEMO_SLUG]
            self.stdout.write(f"built the demo canteen in {(time.perf_counter() - start) * 1000:.0f} ms")
            monday = ctx.dates.today - dt.timedelta(days=ctx.dates.today.weekday()) + dt.timedelta(days=14)
            failed = False
            for grade in ("middle", "small", "large"):
                times, cpu = [], []
                for _ in range(repeat):
                    t0, c0 = time.perf_counter(), time.process_time()
                    problem = optimizer.problem_for(kg, week_start=monday, days=5, grade=grade, budget=13.5)
                    result = optimizer.solve(problem)
                    times.append((time.perf_counter() - t0) * 1000)
                    cpu.append((time.process_time() - c0) * 1000)
                times.sort()
                cpu.sort()
                self.stdout.write(
                    f"optimizer {grade:6} 5 days, {len(problem.dishes)} dishes, {result.binaries} binaries: "
                    f"median {times[len(times) // 2]:.0f} ms, max {times[-1]:.0f} ms (goal < 5000 ms), "
                    f"CPU median {cpu[len(cpu) // 2]:.0f} ms; "
                    f"food ¥{result.cost:.2f} a child-day; targets {'all met' if result.met else 'NOT met'}")
                for line in result.shortfalls:
                    self.stdout.write(f"  - {line}")
                failed = failed or cpu[len(cpu) // 2] > 5000 or (grade == "middle" and not result.met)
            transaction.set_rollback(True)
        if failed:
            raise CommandError("the optimizer missed its goal")
