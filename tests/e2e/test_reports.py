"""Browser walk of the reports area on a phone: the director drafts the term's summary from the
records, edits a section, redrafts (the edited paragraph stays), compares the versions and exports .docx and
PDF; a parent opens the
parents' corner and reads a notice (the sender then sees the receipt); the district supervisor
compares the kindergartens and cannot open a child.

Asserts on addresses, data-testid hooks and data, not on the wording of labels."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def term(world):
    from django.utils import timezone

    from houqin import policy
    from houqin.notices.services import publish_notice
    from houqin.org.models import Role
    from houqin.reports.models import Term
    from houqin.safety import services as safety

    today = timezone.localdate()
    director = world.k1.users[Role.DIRECTOR]
    publish_notice(kindergarten=world.k1.kg, user=director, title="冬季防火安全告家长书",
                   body="请注意用火用电安全。", kind="safety", classes=[world.k1.own_class])
    # a term with a record of its work (a term without any gets the short, honest draft instead)
    actor = policy.actor_for_kindergarten(director, world.k1.kg)
    drill = safety.drill_plan(actor=actor, kind="fire", planned_on=today - dt.timedelta(days=20))
    safety.drill_record(actor=actor, drill=drill, held_at=timezone.now() - dt.timedelta(days=20),
                        classes=world.k1.classes, children_count=60, staff_count=6, evacuation_seconds=130,
                        summary="疏散有序")
    return Term.objects.create(kindergarten=world.k1.kg, name="2026秋季学期", start=today - dt.timedelta(days=80),
                               end=today + dt.timedelta(days=60))


def _sign_out(page):
    page.locator("form[action='/logout/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/login/"))


def test_director_drafts_edits_exports_parent_reads_supervisor_compares(world, term, page, live_server, sign_in,
                                                                         open_menu):
    from houqin.notices.models import NoticeReceipt
    from houqin.reports.models import Summary

    # The director drafts the summary from the records and edits the safety section.
    assert sign_in("director", expect_status=302) == "/k/k1/"
    nav = open_menu()
    nav.locator("a[href='/k/k1/reports/']").click()
    page.wait_for_url(re.compile(r"/k/k1/reports/$"))
    page.get_by_test_id("draft").first.click()
    page.wait_for_url(re.compile(r"/reports/summaries/[0-9a-f-]{36}/$"))
    summary = Summary.objects.get(term=term)
    figure_link = page.locator("[data-section=safety] a.hq-figure[data-figure='notices.safety_letters']")
    expect(figure_link).to_have_text(re.compile(r"^1\b"))
    expect(figure_link).to_have_attribute("href", "/k/k1/notices/?kind=safety")
    page.get_by_test_id("edit").click()
    page.wait_for_url(re.compile(r"/edit/$"))
    page.locator("#id_s_safety").fill("本学期发出安全告家长书[[notices.safety_letters]]，家长反响良好。")
    page.locator("[data-testid=summary-form] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/reports/summaries/[0-9a-f-]{36}/$"))
    expect(page.locator("[data-section=safety]")).to_contain_text("家长反响良好")
    assert summary.versions.count() == 2
    # Redrafting from the records keeps the paragraph she wrote; the versions page shows what changed.
    page.goto(live_server.url + "/k/k1/reports/")
    page.get_by_test_id("draft").first.click()
    page.wait_for_url(re.compile(r"/reports/summaries/[0-9a-f-]{36}/$"))
    expect(page.locator("[data-section=safety]")).to_contain_text("家长反响良好")
    assert summary.versions.count() == 3
    page.goto(live_server.url + f"/k/k1/reports/summaries/{summary.code}/versions/")
    page.locator("a[href$='versions/diff/?old=1&new=3']").click()
    page.wait_for_url(re.compile(r"/versions/diff/\?old=1&new=3$"))
    added = page.locator("[data-testid=diff-section][data-key=safety] [data-op=added]")
    expect(added.first).to_contain_text("家长反响良好")
    with page.expect_download() as download:
        page.goto(live_server.url + f"/k/k1/reports/summaries/{summary.code}/")
        page.get_by_test_id("docx").click()
    assert download.value.suggested_filename.endswith("-v3.docx")
    pdf = page.request.get(live_server.url + f"/k/k1/reports/summaries/{summary.code}/summary.pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    _sign_out(page)

    # A parent opens the parents' corner and reads the notice.
    assert sign_in("parent", expect_status=302) == "/k/k1/"
    page.goto(live_server.url + "/k/k1/family/")
    notices = page.get_by_test_id("family-notices")
    expect(notices).to_contain_text("冬季防火安全告家长书")
    notices.get_by_text("冬季防火安全告家长书").click()
    page.wait_for_url(re.compile(r"/k/k1/notices/[0-9a-f-]{36}/$"))
    expect(page.get_by_test_id("read-receipt")).to_be_visible()
    assert NoticeReceipt.objects.filter(user__username="parent").count() == 1
    _sign_out(page)

    # The district supervisor compares the kindergartens and cannot open a child.
    sign_in("district", expect_status=302)
    page.goto(live_server.url + "/d/chengnan/compare/")
    table = page.get_by_test_id("compare-table")
    expect(table).to_contain_text(world.k1.kg.name)
    expect(table).to_contain_text(world.k2.kg.name)
    assert world.k1.own_child.name not in page.content()
    response = page.goto(live_server.url + f"/k/k1/children/{world.k1.own_child.code}/")
    assert response.status == 404
    page.goto(live_server.url + "/d/chengnan/compare/")  # back on a page of one's own (no CSP noise)
