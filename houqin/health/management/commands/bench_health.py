"""Benchmark (not a test): in the current (throwaway) database, build a kindergarten of 600 children in
20 classes and time (1) the pure growth assessment of 600 measurements, (2) the whole exam batch through
the service (validation, LMS z-scores, weak-child flags, one transaction), (3) the daily health overview
of the 600 children (queries and time), (4) one class's morning check submit."""

import datetime as dt
import random
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from houqin.core.management.bench import BenchCommand


class Command(BenchCommand):
    help = "Time the growth assessment of a whole kindergarten's exam batch (600 children)."

    def handle(self, *args, **options):
        from houqin import policy
        from houqin.health import growth, rules, selectors, services
        from houqin.org.models import Child, Role
        from houqin.testing import CampusFactory, KindergartenFactory, SchoolClassFactory, make_member

        rng = random.Random(2026)
        today = timezone.localdate()
        kg = KindergartenFactory(slug=f"bench-health-{int(time.time())}")
        campus = CampusFactory(kindergarten=kg)
        classes = [SchoolClassFactory(campus=campus, name=f"班{i}") for i in range(20)]
        children = []
        for i, c in enumerate(classes):
            for j in range(30):
                born = today - dt.timedelta(days=rng.randint(2 * 365, 6 * 365))
                children.append(Child(kindergarten=kg, school_class=c, name=f"幼儿{i}-{j}", sex=rng.choice("MF"),
                                      birth_date=born, enrolled_on=dt.date(2026, 9, 1)).fill_derived())
        Child.objects.bulk_create(children)
        children = list(Child.objects.filter(kindergarten=kg).order_by("pk"))
        health = policy.actor_for_kindergarten(make_member(f"{kg.slug}-h", Role.HEALTH_TEACHER, kg), kg)
        cutoffs = rules.growth_cutoffs(kg)
        rows = []
        for c in children:
            days = (today - c.birth_date).days
            lms, _ = growth.lms_for("length_height_for_age", c.sex, age_days=days)
            h = round(lms.value_at(rng.gauss(0, 1)), 1)
            rows.append({"child": c, "values": {"height_cm": str(h), "weight_kg": str(round(h * h / 10000 * 15.5, 1)),
                                                "haemoglobin": str(rng.randint(100, 135))}})
        growth._who2006(), growth._who2007()  # tables loaded once per process
        started = time.perf_counter()
        for r in rows:
            growth.assess(sex=r["child"].sex, birth_date=r["child"].birth_date, on=today,
                          height_cm=r["values"]["height_cm"], weight_kg=r["values"]["weight_kg"], cutoffs=cutoffs)
        pure = time.perf_counter() - started
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as q:
            made = services.exam_batch(actor=health, day=today, kind="term", rows=rows)
        batch = time.perf_counter() - started
        self.stdout.write(f"growth assessment, pure: {len(rows)} children in {pure * 1000:.0f} ms "
                          f"({pure / len(rows) * 1e6:.0f} µs each)")
        self.stdout.write(f"exam batch through the service: {len(made)} exams in {batch * 1000:.0f} ms, "
                          f"{len(q.captured_queries)} queries")
        teacher = health
        started = time.perf_counter()
        for c in classes:
            members = [ch for ch in children if ch.school_class_id == c.pk]
            services.record_check(actor=teacher, school_class=c, day=today, entries={
                members[0].pk: {"status": "sick", "symptoms": ["cough"]},
                members[1].pk: {"temperature": "37.8", "findings": ["sore_throat"], "action": "observe"}})
        checks = time.perf_counter() - started
        self.stdout.write(f"morning check submit: {checks / len(classes) * 1000:.0f} ms per class of 30")
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as q:
            data = selectors.daily_overview(actor=health, day=today)
        overview = time.perf_counter() - started
        self.stdout.write(f"daily overview of {data['totals']['enrolled']} children: {overview * 1000:.0f} ms, "
                          f"{len(q.captured_queries)} queries")
