"""本周食谱 for parents: the link opens this week's published menu, or says it is not published (and
that next week's is not either), and the week reads day by day on a phone."""

import datetime as dt

from houqin.canteen import services
from houqin.canteen.tests.conftest import make_menu
from houqin.org.models import Role

THIS_MONDAY = dt.date(2026, 11, 23)  # the suite's today is Wednesday 2026-11-25


def test_this_week_opens_the_published_menu_of_the_week_day_by_day(world, login, health, dishes):
    old = make_menu(health, dishes)  # the week before: published but not this week's
    services.menu_publish(actor=health, menu=old)
    menu = make_menu(health, dishes, week_start=THIS_MONDAY)
    services.menu_publish(actor=health, menu=menu)
    parent = login(world.k1.users[Role.PARENT])
    page = parent.get("/k/k1/canteen/published/this-week/").content.decode()
    assert "本周食谱" in page
    assert page.count('data-testid="menu-day"') == 5  # five day cards for a phone
    assert page.count('data-testid="dish"') == 3 * 5 * 2  # each dish in the cards and in the wide table
    assert f"/canteen/menus/{menu.code}/menu.pdf" in page
    assert f"/canteen/menus/{old.code}/menu.pdf" not in page


def test_this_week_says_when_nothing_is_published(world, login, health, dishes):
    make_menu(health, dishes, week_start=THIS_MONDAY)  # a draft: parents do not see it
    parent = login(world.k1.users[Role.PARENT])
    response = parent.get("/k/k1/canteen/published/this-week/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="menu-missing"' in page and 'data-testid="menu-day"' not in page


def test_next_week_not_published_is_said_from_thursday(world, login, health, dishes):
    from conftest import clock_at

    menu = make_menu(health, dishes, week_start=THIS_MONDAY)
    services.menu_publish(actor=health, menu=menu)
    parent = login(world.k1.users[Role.PARENT])
    assert 'data-testid="next-missing"' not in parent.get("/k/k1/canteen/published/this-week/").content.decode()
    with clock_at(dt.date(2026, 11, 26)):  # Thursday
        assert 'data-testid="next-missing"' in parent.get("/k/k1/canteen/published/this-week/").content.decode()
        nxt = make_menu(health, dishes, week_start=THIS_MONDAY + dt.timedelta(days=7))
        services.menu_publish(actor=health, menu=nxt)
        page = parent.get("/k/k1/canteen/published/this-week/").content.decode()
    assert 'data-testid="next-missing"' not in page and f"/canteen/published/{nxt.code}/" in page


def test_the_parents_corner_and_home_link_this_weeks_menu(world, login):
    parent = login(world.k1.users[Role.PARENT])
    assert "/k/k1/canteen/published/this-week/" in parent.get("/k/k1/").content.decode()
    assert "/k/k1/canteen/published/this-week/" in parent.get("/k/k1/family/").content.decode()
