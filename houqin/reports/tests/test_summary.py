"""The semester summary: drafted from the records in the seeds' section order, every number a
figure token whose value is recomputed here from the records; edits and restores add versions;
exports carry the numbers."""

import io
from decimal import Decimal

import pytest
from django.db.models import F, Sum

from houqin.core.errors import Conflict, DomainError, Forbidden
from houqin.core.registry import figures_for
from houqin.org.models import Role
from houqin.reports import draft, services
from houqin.reports.models import Summary, SummaryVersion
from houqin.reports.tests.conftest import actor_of

pytestmark = pytest.mark.django_db


def _recomputed_by_hand(world, term):
    """The figures of this app's own providers, counted again straight from the records."""
    from houqin.assets.models import Asset
    from houqin.finance.models import Expense, PurchaseRequest, RepairRequest
    from houqin.notices.models import Notice

    kg = term.kindergarten
    approved = PurchaseRequest.objects.filter(kindergarten=kg, status="approved")
    repairs = RepairRequest.objects.filter(kindergarten=kg).exclude(status="draft")
    done = repairs.filter(status="done")
    return {
        "finance.purchases": approved.count(),
        "finance.purchase_total": approved.aggregate(s=Sum("total"))["s"],
        "finance.repairs": repairs.count(),
        "finance.repairs_done": done.count(),
        "finance.repair_cost": done.aggregate(s=Sum("actual_cost"))["s"],
        "finance.expenses_paid": Expense.objects.filter(kindergarten=kg, status="paid").aggregate(s=Sum("amount"))["s"],
        "assets.lines": Asset.objects.filter(kindergarten=kg).count(),
        "assets.value": Asset.objects.filter(kindergarten=kg).aggregate(s=Sum(F("quantity") * F("unit_price")))["s"],
        "notices.safety_letters": Notice.objects.filter(kindergarten=kg, kind="safety").count(),
    }


def test_the_draft_follows_the_seeds_and_every_number_matches_the_records(world, term_records):
    term = term_records.k1.term
    version = services.summary_draft(actor=actor_of(world, Role.DIRECTOR), term=term)
    assert [s["key"] for s in version.sections] == ["intro", "safety", "health", "meals", "assets", "staff", "problems"]
    tokens = {t for s in version.sections for t in draft.tokens_in(s["text"])}
    assert tokens and tokens <= set(version.figures)  # every number in the text is a figure of the version
    # Every figure in the draft equals the registry's figure recomputed now from the records …
    fresh = {f.key: f for f in figures_for([term.kindergarten], term.start, term.end)[term.kindergarten_id]}
    for key in tokens:
        assert version.figures[key]["value"] == (None if fresh[key].value is None else str(fresh[key].value)), key
        assert version.figures[key]["url"] == fresh[key].url
    # … and this app's own figures equal the records counted by hand.
    for key, expected in _recomputed_by_hand(world, term).items():
        assert key in tokens, key
        assert Decimal(version.figures[key]["value"]) == Decimal(expected), key
    assert Decimal(version.figures["finance.purchase_total"]["value"]) == Decimal("701.00")  # 200 + 501
    assert Decimal(version.figures["finance.repair_cost"]["value"]) == Decimal("280.00")
    # Rendered, each number links to its records.
    html = draft.render_html(version.sections[4]["text"], version.figures)
    assert 'href="/k/k1/finance/purchases/?status=approved"' in html and "701.00元" in html


def test_k2_records_do_not_leak_into_k1(world, term_records):
    v1 = services.summary_draft(actor=actor_of(world, Role.DIRECTOR), term=term_records.k1.term)
    from houqin.finance import services as fin
    from houqin.finance.models import BudgetCategory

    k2 = actor_of(world, Role.STOREKEEPER, "k2")
    p = fin.purchase_request_create(actor=k2, title="k2", reason="x", submit=True,
                                    category=BudgetCategory.objects.get(kindergarten=world.k2.kg, name="办公用品"),
                                    lines=[{"description": "x", "quantity": Decimal("1"), "unit": "个", "unit_price": Decimal("5")}])
    fin.request_approve(actor=actor_of(world, Role.DIRECTOR, "k2"), request=p)
    v2 = services.summary_draft(actor=actor_of(world, Role.DIRECTOR), term=term_records.k1.term)
    assert v2.figures["finance.purchases"] == v1.figures["finance.purchases"]
    assert v2.number == 2 and Summary.objects.filter(term=term_records.k1.term).count() == 1


def test_editing_saves_a_new_version_keeps_the_figures_and_refuses_unknown_marks(world, term_records):
    director = actor_of(world, Role.DIRECTOR)
    v1 = services.summary_draft(actor=director, term=term_records.k1.term)
    summary = v1.summary
    text = "本学期审批采购[[finance.purchases]]，合计[[finance.purchase_total]]。厨房设备运行良好。"
    v2 = services.summary_save(actor=director, summary=summary, texts={"assets": text}, based_on=1, note="改写资产部分")
    assert v2.number == 2 and v2.figures == v1.figures and v2.created_by == world.k1.users[Role.DIRECTOR]
    assert v1.figures["finance.purchases"]["unit"] == "项"  # the measure word, not the area's unit
    assert draft.render_text(v2.sections[4]["text"], v2.figures) == "本学期审批采购2项，合计701.00元。厨房设备运行良好。"
    assert v2.sections[1] == v1.sections[1]  # untouched sections stay
    with pytest.raises(DomainError):
        services.summary_save(actor=director, summary=summary, texts={"assets": "编造的[[finance.invented]]"}, based_on=2)
    with pytest.raises(Conflict):  # someone saved version 2 since version 1 was opened
        services.summary_save(actor=director, summary=summary, texts={"assets": "x"}, based_on=1)
    assert SummaryVersion.objects.filter(summary=summary).count() == 2
    v3 = services.summary_restore(actor=director, summary=summary, number=1)
    assert v3.number == 3 and v3.sections == v1.sections and v3.origin == "restored"
    with pytest.raises(Forbidden):
        services.summary_save(actor=actor_of(world, Role.HEALTH_TEACHER), summary=summary, texts={}, based_on=3)


def test_versions_are_append_only(world, term_records):
    from houqin.core.models import ProtectedRecordError

    v1 = services.summary_draft(actor=actor_of(world, Role.DIRECTOR), term=term_records.k1.term)
    with pytest.raises(ProtectedRecordError):
        v1.save()
    with pytest.raises(ProtectedRecordError):
        v1.delete()


def test_terms_must_not_overlap_and_end_after_they_start(world, term_records):
    import datetime as dt

    director = actor_of(world, Role.DIRECTOR)
    t = term_records.k1.term
    with pytest.raises(DomainError):
        services.term_create(actor=director, name="重叠", start=t.start, end=t.end)
    with pytest.raises(DomainError):
        services.term_create(actor=director, name="反了", start=dt.date(2030, 3, 1), end=dt.date(2030, 2, 1))
    assert services.term_create(actor=director, name="2030春", start=dt.date(2030, 2, 1), end=dt.date(2030, 7, 15))


def test_pages_draft_edit_and_export(world, term_records, login):
    client = login(world.k1.users[Role.DIRECTOR])
    term = term_records.k1.term
    response = client.post(f"/k/k1/reports/terms/{term.code}/draft/")
    summary = Summary.objects.get(term=term)
    assert response.status_code == 302 and response["Location"] == f"/k/k1/reports/summaries/{summary.code}/"
    page = client.get(f"/k/k1/reports/summaries/{summary.code}/").content.decode()
    assert "701.00元" in page and "/k/k1/finance/purchases/?status=approved" in page
    form = client.get(f"/k/k1/reports/summaries/{summary.code}/edit/")
    assert form.status_code == 200
    data = {"title": "我园2026年秋季后勤工作总结", "based_on": 1, "note": "",
            **{f"s_{s['key']}": s["text"] for s in summary.versions.get(number=1).sections}}
    data["s_safety"] = "本学期安全工作平稳，已发出安全告家长书[[notices.safety_letters]]。"
    assert client.post(f"/k/k1/reports/summaries/{summary.code}/edit/", data).status_code == 302
    summary.refresh_from_db()
    assert summary.title == "我园2026年秋季后勤工作总结" and summary.versions.count() == 2
    bad = client.post(f"/k/k1/reports/summaries/{summary.code}/edit/", {**data, "based_on": 2, "s_safety": "[[x.y]]"})
    assert bad.status_code == 200 and summary.versions.count() == 2
    docx = client.get(f"/k/k1/reports/summaries/{summary.code}/summary.docx")
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "我园2026年秋季后勤工作总结" in text and "已发出安全告家长书1份。" in text and "[[" not in text
    pdf = client.get(f"/k/k1/reports/summaries/{summary.code}/summary.pdf?v=1")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    old = client.get(f"/k/k1/reports/summaries/{summary.code}/?v=1").content.decode()
    assert "本学期安全工作平稳" not in old
    assert client.post(f"/k/k1/reports/summaries/{summary.code}/versions/1/restore/").status_code == 302
    assert summary.versions.count() == 3


def test_the_api_drafts_saves_and_restores(world, term_records, login):
    client = login(world.k1.users[Role.DIRECTOR])
    term = term_records.k1.term
    terms = client.get("/api/k/k1/reports/terms").json()
    assert [t["code"] for t in terms] == [str(term.code)] and terms[0]["summary_code"] is None
    drafted = client.post(f"/api/k/k1/reports/terms/{term.code}/draft")
    assert drafted.status_code == 201
    body = drafted.json()
    assert "[[" not in body["sections"][4]["rendered"] and "701.00元" in body["sections"][4]["rendered"]
    code = body["code"]
    saved = client.post(f"/api/k/k1/reports/summaries/{code}/versions", {"based_on": 1, "texts": {"staff": "后勤队伍稳定。"}},
                        content_type="application/json")
    assert saved.status_code == 201 and saved.json()["version"]["number"] == 2
    stale = client.post(f"/api/k/k1/reports/summaries/{code}/versions", {"based_on": 1, "texts": {}},
                        content_type="application/json")
    assert stale.status_code == 409
    assert len(client.get(f"/api/k/k1/reports/summaries/{code}/versions").json()) == 2
    assert client.post(f"/api/k/k1/reports/summaries/{code}/versions/1/restore").json()["version"]["number"] == 3
    assert client.post("/api/k/k1/reports/terms", {"name": "", "start": "2031-02-01", "end": "2031-07-01"},
                       content_type="application/json").status_code == 422


def test_a_diff_between_two_versions_shows_what_a_person_changed(world, term_records, login,
                                                               django_assert_max_num_queries):
    director = actor_of(world, Role.DIRECTOR)
    v1 = services.summary_draft(actor=director, term=term_records.k1.term)
    summary = v1.summary
    services.summary_save(actor=director, summary=summary, based_on=1, note="改写资产部分",
                          texts={"assets": "本学期审批采购[[finance.purchases]]。厨房设备运行良好。"})
    client = login(world.k1.users[Role.DIRECTOR])
    url = f"/k/k1/reports/summaries/{summary.code}/versions/diff/"
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()  # by default: the version before the current, and the current
    changed = [s for s in page.split('data-testid="diff-section"')[1:] if 'data-changed="1"' in s]
    assert len(changed) == 1 and 'data-key="assets"' in changed[0]
    assert '<p class="mb-1 px-2 bg-success-subtle" data-op="added"><span class="visually-hidden">新增：</span>本学期审批采购2项。厨房设备运行良好。</p>' in changed[0]
    assert 'data-op="removed"' in changed[0]
    api = client.get(f"/api/k/k1/reports/summaries/{summary.code}/diff?old=2&new=1").json()
    assert api["old"] == 2 and api["new"] == 1 and api["changed"] == 1
    assets = next(s for s in api["sections"] if s["key"] == "assets")
    assert {"op": "removed", "text": "本学期审批采购2项。厨房设备运行良好。"} in assets["rows"]
    assert client.get(url + "?old=9").status_code == 404
    assert client.get(url + "?old=abc").status_code == 404
    # another kindergarten's summary looks missing
    other = login(world.k2.users[Role.DIRECTOR])
    assert other.get(url.replace("/k1/", "/k2/")).status_code == 404
