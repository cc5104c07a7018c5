"""Benchmark (not a test): draft the semester summary of the 600-child demo kindergarten's term, and
compare 50 kindergartens of a district over a term. Builds its own data in the current (throwaway)
database: the demo district, then 48 more kindergartens with a term of notices and purchases."""

import datetime as dt
import time

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from houqin.core.management.bench import BenchCommand


class Command(BenchCommand):
    help = "Time drafting the semester summary (600 children) and the district comparison (50 kindergartens)."

    def add_arguments(self, parser):
        parser.add_argument("--rounds", type=int, default=3)

    def handle(self, *args, rounds, **options):
        from houqin import policy
        from houqin.core.registry import district_todos_for
        from houqin.notices.models import Notice
        from houqin.org import demo
        from houqin.org.models import Child, District, Kindergarten
        from houqin.reports import district as district_mod
        from houqin.reports import services
        from houqin.reports.models import Term

        started = time.perf_counter()
        demo.build_demo()
        self.stdout.write(f"demo data ready in {time.perf_counter() - started:.1f} s")
        kg = Kindergarten.objects.get(slug=demo.DEMO_SLUG)
        district = District.objects.get(slug=demo.DISTRICT_SLUG)
        with transaction.atomic():
            existing = Kindergarten.objects.filter(district=district).count()
            extra = [Kindergarten(district=district, name=f"城南区第{i}幼儿园", slug=f"bench-kg-{i}")
                     for i in range(existing, 50)]
            Kindergarten.objects.bulk_create(extra)
            notices = []
            for k in Kindergarten.objects.filter(slug__startswith="bench-kg-"):
                for day in range(0, 140, 7):
                    at = timezone.make_aware(dt.datetime.combine(demo.TERM_START + dt.timedelta(days=day), dt.time(9)))
                    notices.append(Notice(kindergarten=k, title=f"第{day // 7 + 1}周告家长书", body="x",
                                          kind="safety" if day % 14 else "general", published_at=at))
            Notice.objects.bulk_create(notices, batch_size=500)
        children = Child.objects.filter(kindergarten=kg, voided_at__isnull=True).count()
        director = policy.actor_for_kindergarten(
            kg.memberships.filter(role="director").first().user, kg)
        term = Term.objects.filter(kindergarten=kg).first()
        with translation.override("zh-hans"):
            timings = []
            for _ in range(rounds):
                t0 = time.perf_counter()
                with CaptureQueriesContext(connection) as ctx:
                    services.summary_draft(actor=director, term=term)
                timings.append(time.perf_counter() - t0)
            self.stdout.write(f"summary draft ({children} children, term {term.start}–{term.end}): "
                              f"best {min(timings):.3f} s, worst {max(timings):.3f} s, {len(ctx.captured_queries)} queries "
                              f"(target < 5 s)")
            n = Kindergarten.objects.filter(district=district, is_active=True).count()
            timings = []
            for _ in range(rounds):
                t0 = time.perf_counter()
                with CaptureQueriesContext(connection) as ctx:
                    table = district_mod.comparison(district=district, start=demo.TERM_START, end=demo.TERM_END,
                                                    sort="flags", direction="desc")
                    district_mod.chart(table)
                    district_mod.submitted_reports(district=district, start=demo.TERM_START, end=demo.TERM_END)
                timings.append(time.perf_counter() - t0)
            flags = sum(r["flags"] for r in table["rows"])
            self.stdout.write(f"district comparison ({n} kindergartens, {len(table['columns'])} columns normalised, "
                              f"this term and the previous one, {flags} values outside their rule in "
                              f"{table['breaking']} kindergartens): best {min(timings):.3f} s, worst {max(timings):.3f} s, "
                              f"{len(ctx.captured_queries)} queries (target < 1 s)")
            supervisor = policy.actor_for_district(
                district.memberships.filter(role="supervisor").first().user, district)
            timings = []
            for _ in range(rounds):
                t0 = time.perf_counter()
                with CaptureQueriesContext(connection) as ctx:
                    todos = district_todos_for(supervisor)
                timings.append(time.perf_counter() - t0)
            self.stdout.write(f"district home to-dos ({n} kindergartens, {len(todos)} to-dos): best {min(timings):.3f} s, "
                              f"worst {max(timings):.3f} s, {len(ctx.captured_queries)} queries")
