"""Benchmark (not a test): the weekly report and the term figures over a term of safety records.

Builds its own data in the current (throwaway) database and prints timings in ms."""

import datetime as dt
import time

from django.db import transaction
from django.utils import timezone

from houqin.core.management.bench import BenchCommand


class Command(BenchCommand):
    help = "Time the safety report computation over a term of records (uses the current database)."

    def handle(self, *args, **options):
        from houqin.core.models import User
        from houqin.org.models import Campus, District, Kindergarten, Membership, Role
        from houqin.safety.figures import counts, report_figures
        from houqin.safety.models import Hazard, InspectionRound, InspectionTemplate, SelfCheck, Visitor, Zone
        from houqin.safety.navigation import safety_figures

        t0 = time.perf_counter()
        with transaction.atomic():
            district = District.objects.create(name="基准区", slug=f"bench-{int(time.time())}")
            kgs = [Kindergarten.objects.create(district=district, name=f"基准园{i}", slug=f"{district.slug}-{i}")
                   for i in range(5)]
            user = User.objects.create(username=f"{district.slug}-u")
            start = timezone.localdate() - dt.timedelta(days=120)
            tz = timezone.get_current_timezone()
            for kg in kgs:
                Membership.objects.create(user=user, role=Role.DIRECTOR, kindergarten=kg)
                Campus.objects.create(kindergarten=kg, name="本部")
                zones = Zone.objects.bulk_create([Zone(kindergarten=kg, name=f"区{i}", post="岗", owner=user,
                                                       checklist=["a", "b"]) for i in range(20)])
                t = InspectionTemplate.objects.create(kindergarten=kg, name="日检", items=["a"], frequency="daily")
                days = [start + dt.timedelta(days=i) for i in range(120)]
                SelfCheck.objects.bulk_create([SelfCheck(kindergarten=kg, zone=z, date=d, checked_by=user)
                                               for z in zones for d in days], batch_size=2000)
                InspectionRound.objects.bulk_create([InspectionRound(
                    kindergarten=kg, template=t, date=d, inspector=user,
                    done_at=dt.datetime.combine(d, dt.time(9), tzinfo=tz)) for d in days])
                Hazard.objects.bulk_create([Hazard(
                    kindergarten=kg, number=f"YH-{i:05d}", location="x", description="y",
                    reported_at=dt.datetime.combine(days[i % 120], dt.time(10), tzinfo=tz),
                    state=["reported", "assigned", "rectified", "closed"][i % 4], deadline=days[i % 120],
                    checked_at=dt.datetime.combine(days[i % 120], dt.time(16), tzinfo=tz) if i % 4 == 3 else None)
                    for i in range(800)], batch_size=1000)
                Visitor.objects.bulk_create([Visitor(
                    kindergarten=kg, name="v", reason="r", host="h",
                    arrived_at=dt.datetime.combine(days[i % 120], dt.time(9), tzinfo=tz)) for i in range(1500)])
        self.stdout.write(f"built 5 kindergartens × a term (12000 self-checks, 800 hazards each) in "
                          f"{(time.perf_counter() - t0) * 1000:.0f} ms")
        kg = kgs[0]
        week_start = start + dt.timedelta(days=63 - start.weekday())
        runs = []
        for _ in range(20):
            t = time.perf_counter()
            report_figures(kg, week_start, week_start + dt.timedelta(days=6))
            runs.append((time.perf_counter() - t) * 1000)
        runs.sort()
        self.stdout.write(f"weekly report figures: median {runs[10]:.1f} ms, max {runs[-1]:.1f} ms")
        t = time.perf_counter()
        report_figures(kg, start, start + dt.timedelta(days=119))
        self.stdout.write(f"term report figures: {(time.perf_counter() - t) * 1000:.1f} ms")
        t = time.perf_counter()
        counts([k.pk for k in kgs], start, start + dt.timedelta(days=119))
        safety_figures(kgs, start, start + dt.timedelta(days=119))
        self.stdout.write(f"district term figures for 5 kindergartens: {(time.perf_counter() - t) * 1000:.1f} ms")
