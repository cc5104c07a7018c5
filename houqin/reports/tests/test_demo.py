"""On the demo data: the autumn term's summary is drafted, edited (version 2), and every number in
it matches the records (the figures are recomputed here); the notices have read receipts; the
district supervisor compares both demo kindergartens without a child's name."""

import pytest

from houqin.core.registry import figures_for
from houqin.reports import draft

pytestmark = pytest.mark.django_db


def test_the_demo_term_summary_and_notices(client, demo_built):
    from houqin.notices.models import Notice, NoticeReceipt
    from houqin.org.models import Child, Kindergarten
    from houqin.reports.models import Summary, Term

    kg = Kindergarten.objects.get(slug="demo")
    assert Term.objects.filter(kindergarten__slug__in=["demo", "demo2"]).count() == 2
    summary = Summary.objects.get(kindergarten=kg)
    current = summary.versions.order_by("-number").first()
    assert current.number == 2 and current.origin == "edited"
    tokens = {t for s in current.sections for t in draft.tokens_in(s["text"])}
    assert len(tokens) >= 15
    fresh = {f.key: f for f in figures_for([kg], summary.term.start, summary.term.end)[kg.pk]}
    for key in tokens:
        if key.split(".")[0] in ("calc", "prev", "delta"):  # derived by the writer, or last term's
            continue
        value = fresh[key].value
        assert current.figures[key]["value"] == (None if value is None else str(value)), key
    # The problems the draft names are the ones planted (README, "The demo's day and its planted
    # problems"), and nothing else.
    from houqin.reports import problems

    assert {p.key for p in problems.find(kg, summary.term)} == {
        "health.outbreak_unreported", "meals.expired_licence", "meals.energy_low", "safety.drills_short",
        "safety.hazards_overdue", "meals.account_months", "safety.fire_overdue", "staff.certificates_expired",
        "meals.certificates_expired", "health.vaccination_low"}
    # Notices: the planted disease notice to the parent's class was read by the parent; a safety
    # letter was not.
    parent = demo_user("parent")
    disease = Notice.objects.get(kindergarten=kg, kind="disease")
    assert NoticeReceipt.objects.filter(notice=disease, user=parent).exists()
    assert Notice.objects.filter(kindergarten=kg, kind="safety").exclude(receipts__user=parent).exists()
    # The supervisor compares the two demo kindergartens, and sees no child's name.
    client.force_login(demo_user("district"))
    html = client.get("/d/chengnan/compare/").content.decode()
    assert "城南区实验幼儿园" in html and "城南区阳光幼儿园" in html
    names = set(Child.objects.values_list("name", flat=True))
    assert not [n for n in names if n in html]
    import os
    if os.environ.get("SHOW_DRAFT"):
        for s in current.sections:
            print("##", s["heading"])
            print(draft.render_text(s["text"], current.figures))


def demo_user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)
