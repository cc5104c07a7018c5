"""Demo: the current term (ctx.dates.term) of both kindergartens, and the demo kindergarten's logistics summary
drafted from everything the other demo steps recorded (this step runs last), then edited once by
the director (version 2)."""

from __future__ import annotations

from django.utils import translation

from houqin.org.demo import demo_step


@demo_step
def build_term_summaries(ctx):
    from houqin import policy
    from houqin.reports import services
    from houqin.reports.models import Term

    with translation.override("zh-hans"):
        for slug in ("demo", "demo2"):
            kg = ctx.kindergartens[slug]
            term = ctx.dates.term
            which = "第一学期" if term.name == "autumn" else "第二学期"
            Term.objects.create(kindergarten=kg, name=f"{term.school_year}–{term.school_year + 1}学年{which}",
                                start=term.start, end=term.end, created_by=ctx.users["director"])
        kg = ctx.kindergartens["demo"]
        director = policy.actor_for_kindergarten(ctx.users["director"], kg)
        term = Term.objects.get(kindergarten=kg)
        v1 = services.summary_draft(actor=director, term=term)
        texts = {"intro": v1.sections[0]["text"] + "\n本学期我园后勤工作在园长的领导下，各班级积极配合，圆满完成了各项任务。"}
        services.summary_save(actor=director, summary=v1.summary, texts=texts, based_on=v1.number,
                              note="补充开头一段")
    ctx.counts["semester summaries"] = 1
