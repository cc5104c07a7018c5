"""Benchmark (not a test): generate a month's assessment sheets for 60 staff with findings, in the
current (throwaway) database; prints milliseconds."""

import datetime as dt
import time

from django.db import transaction

from houqin.core.management.bench import BenchCommand


class Command(BenchCommand):
    help = "Time the generation of a month's assessment sheets for 60 staff with findings."

    def handle(self, *args, **options):
        from houqin import policy
        from houqin.core import registry
        from houqin.org.models import Role
        from houqin.staff import services
        from houqin.testing import KindergartenFactory, make_member

        kg = KindergartenFactory(slug=f"bench-staff-{int(time.time())}")
        director = policy.actor_for_kindergarten(make_member(f"{kg.slug}-dir", Role.DIRECTOR, kg), kg)
        post = services.post_save(actor=director, name="保育员")
        topic = services.topic_save(actor=director, name="餐前消毒流程")
        kind = "bench.finding"
        services.item_save(actor=director, post=post, name="基础项", points="1")
        users = [make_member(f"{kg.slug}-n{i}", Role.NURSERY, kg) for i in range(60)]
        for u in users:
            services.assign(actor=director, user=u, post=post, started_on=dt.date(2026, 9, 1))
        services.training_create(actor=director, topic=topic, date=dt.date(2026, 9, 20), trainer="bench",
                                 attendees=users[:30])
        month = dt.date(2026, 10, 1)
        found = [registry.Finding(kind, "bench", u.pk, month + dt.timedelta(days=d), f"finding {d}", f"/x/{u.pk}/{d}")
                 for u in users for d in range(5)]
        provider = lambda k, s, e: [f for f in found if s <= f.date <= e]  # noqa: E731
        registry.register_findings({kind: "bench"})(provider)
        try:
            services.item_save(actor=director, post=post, name="自动项", points="2", topic=topic, finding_kind=kind)
            with transaction.atomic():
                t0 = time.perf_counter()
                first = services.assessment_generate(actor=director, month=month)
                t1 = time.perf_counter()
                again = services.assessment_generate(actor=director, month=month)
                t2 = time.perf_counter()
        finally:
            registry.FINDING_PROVIDERS.remove(provider)
            registry.FINDING_KINDS.pop(kind, None)
        self.stdout.write(f"bench_staff: 60 staff, {len(found)} findings: first generation {first.sheets} sheets, "
                          f"{first.deductions} deductions in {(t1 - t0) * 1000:.0f} ms; "
                          f"regeneration (idempotent, {again.deductions} new) in {(t2 - t1) * 1000:.0f} ms")
